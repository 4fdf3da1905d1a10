from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.db.models import Q, Value
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_q.admin import ScheduleAdmin as DjangoQScheduleAdmin
from django_q.models import Schedule

from .admin_columns import short_column
from .alphabetical import AlphabeticalKey, alphabetical
from .forms import choices_limit
from .models import Channel, Client, ClientContact, Guideline, Team, User
from .services import user_invite, user_login_address_sync, user_send_invitation
from .slugs import slug_from_name

# The admin names the app, not Django, in its header and in the browser's title bar.
admin.site.site_header = _("CommunityOps administration")
admin.site.site_title = _("CommunityOps administration")
admin.site.index_title = _("Data and settings")


class SecretFieldsForm(forms.ModelForm):
    """Secret fields are write-only: shown empty, and left unchanged when submitted empty."""

    secret_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.secret_fields:
            field = self.fields[name]
            field.widget = forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})
            field.required = False
            if self.instance.pk and getattr(self.instance, name):
                field.help_text = _("Stored. Leave empty to keep it, or enter a new value.")

    def clean(self):
        cleaned = super().clean()
        for name in self.secret_fields:
            if not cleaned.get(name) and self.instance.pk:
                cleaned[name] = getattr(self.instance, name)
        return cleaned


# What an active channel cannot work without: Meta and the generic webhook sign what they send with
# the app secret (an unsigned or unverifiable request is refused, so nothing would arrive), Meta's
# subscription is checked with the verify token, a blog is polled at its address with an application
# password. An inactive channel can be saved without them.
CHANNEL_NEEDS_WHEN_ACTIVE = {
    Channel.Platform.FACEBOOK_PAGE: ("app_secret", "verify_token"),
    Channel.Platform.INSTAGRAM_ACCOUNT: ("app_secret", "verify_token"),
    Channel.Platform.GENERIC: ("app_secret",),
    Channel.Platform.WORDPRESS_BLOG: ("api_base_url", "api_username", "api_password"),
}


def channel_fields_missing(*, platform: str, values) -> list[str]:
    """The fields an active channel of `platform` needs that `values` (a mapping) leaves empty."""
    return [name for name in CHANNEL_NEEDS_WHEN_ACTIVE.get(platform, ()) if not values.get(name)]


class ChannelForm(SecretFieldsForm):
    """A channel's own page: its secrets, and what its platform needs to be active."""

    secret_fields = Channel.SECRET_FIELDS

    class Meta:
        model = Channel
        fields = [
            "client",
            "platform",
            "name",
            "external_id",
            "api_base_url",
            "access_token",
            "app_secret",
            "verify_token",
            "api_username",
            "api_password",
            "is_active",
        ]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("is_active"):
            return cleaned
        for name in channel_fields_missing(platform=cleaned.get("platform"), values=cleaned):
            if name not in self.errors:  # a bad address has its own error
                self.add_error(
                    name,
                    forms.ValidationError(
                        _("An active channel of this platform needs this. Save it inactive until you have it."),
                        code="required_when_active",
                    ),
                )
        return cleaned


class ChannelRowForm(forms.ModelForm):
    """A channel's row on its client's page, which has no secret fields: it is switched active only
    when its own page has given it what its platform needs."""

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("is_active"):
            return cleaned
        needed = {name for names in CHANNEL_NEEDS_WHEN_ACTIVE.values() for name in names}
        stored = {name: getattr(self.instance, name) for name in needed}
        if missing := channel_fields_missing(platform=cleaned.get("platform"), values=stored):
            labels = ", ".join(str(Channel._meta.get_field(name).verbose_name) for name in missing)
            self.add_error(
                "is_active",
                forms.ValidationError(
                    _("Before this channel can be active, enter on its own page: %(fields)s."),
                    code="required_when_active",
                    params={"fields": labels},
                ),
            )
        return cleaned


class ChannelInline(admin.TabularInline):
    """No secrets here: they are set on the channel's own page (the change link). Channels are
    added there too (Channels, "Add"), where ChannelForm asks for what the platform needs."""

    model = Channel
    form = ChannelRowForm
    extra = 0
    fields = ("platform", "name", "external_id", "is_active")
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ClientContactInline(admin.TabularInline):
    model = ClientContact
    extra = 0
    fields = ("name", "role", "email", "phone", "may_approve", "user")
    raw_id_fields = ("user",)


class KeywordListField(forms.CharField):
    """A list of words typed as "lawyer, recall, boycott" (commas or lines), stored as a JSON list."""

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list) else value

    def to_python(self, value) -> list[str]:
        words = [word.strip() for word in str(value or "").replace("\n", ",").split(",")]
        return list(dict.fromkeys(word for word in words if word))


class ClientForm(forms.ModelForm):
    """A new client's slug left empty is made from the name (the prefill does so as the name is
    typed). An existing client's slug stays as it is unless changed by hand: it is in links."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = _("Part of the client's links. Left empty, it is made from the name.")

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk and not cleaned.get("slug") and cleaned.get("name"):
            cleaned["slug"] = slug_from_name(cleaned["name"], max_length=Client._meta.get_field("slug").max_length)
        return cleaned


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    form = ClientForm
    list_display = ("name", "federal_state", "time_zone", "influencer_follower_threshold", "is_active")
    list_filter = ("federal_state", "is_active")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [ChannelInline, ClientContactInline]

    class Media:
        js = ["admin/js/urlify.js", "js/admin_slugs.js"]  # after Django's URLify, which it wraps

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "alert_keywords":
            return KeywordListField(
                label=db_field.verbose_name,
                required=False,
                help_text=_("Words that raise an item's priority, separated by commas, e.g. lawyer, recall, boycott."),
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    form = ChannelForm
    list_display = ("name", "client", "platform", "external_id", "is_active")
    list_filter = ("platform", "is_active", "client")
    search_fields = ("name", "external_id", "client__name")
    list_select_related = ("client",)
    readonly_fields = ("webhook_address",)
    fieldsets = (
        (None, {"fields": ("client", "platform", "name", "external_id", "is_active")}),
        (
            _("Receiving"),
            {
                "fields": ("webhook_address", "app_secret", "verify_token"),
                "description": _(
                    "Meta and the generic webhook sign what they send with the app secret (for the generic "
                    "webhook: the shared secret); Meta checks the subscription with the verify token. A "
                    "WordPress blog is polled and needs none of these."
                ),
            },
        ),
        (
            _("Answering"),
            {
                "fields": ("access_token", "api_base_url", "api_username", "api_password"),
                "description": _(
                    "Facebook and Instagram: the page access token. WordPress: the blog's address and an "
                    "application password of a user who may moderate comments. Generic: the address replies "
                    "are posted to (signed with the secret)."
                ),
            },
        ),
    )

    @admin.display(description=_("webhook address"))
    def webhook_address(self, channel: Channel) -> str:
        """What to enter at the source: the channel's own signed webhook."""
        url_names = {
            Channel.Platform.FACEBOOK_PAGE: "webhook_meta",
            Channel.Platform.INSTAGRAM_ACCOUNT: "webhook_meta",
            Channel.Platform.GENERIC: "webhook_generic",
        }
        if channel.pk is None:
            return _("shown once the channel is saved")
        if channel.platform not in url_names:
            return _("none: the blog is polled")
        return settings.SITE_URL + reverse(url_names[channel.platform], args=[channel.pk])


@admin.register(ClientContact)
class ClientContactAdmin(admin.ModelAdmin):
    # The role (a job title) is found by the search and shown on the contact's page.
    list_display = (
        "name",
        short_column(ClientContact, "client"),
        "email",
        short_column(ClientContact, "may_approve", _("approves")),
        "has_portal_account",
    )
    list_filter = ("may_approve", "client")
    search_fields = ("name", "email", "role", "client__name")
    list_select_related = ("client",)
    raw_id_fields = ("user",)

    @admin.display(boolean=True, description=_("Portal"), ordering="user")
    def has_portal_account(self, contact: ClientContact) -> bool:
        """Whether the contact can log in (the account is the contact's own: its name says nothing new)."""
        return contact.user_id is not None


@admin.register(Guideline)
class GuidelineAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        short_column(Guideline, "client"),
        "kind",
        "version",
        "is_active",
        short_column(Guideline, "updated_at"),
    )
    list_filter = ("kind", "is_active", "client")
    search_fields = ("title", "body", "client__name")
    list_select_related = ("client",)


class TeamForm(forms.ModelForm):
    """Members are agency staff: only they are offered (and members stored before this check, so
    that a save names them), and Team.member_errors refuses anyone else by name."""

    class Meta:
        model = Team
        fields = ("name", "members", "clients")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        members = self.fields["members"]
        stored = self.instance.members.all() if self.instance.pk else User.objects.none()
        choices_limit(members, queryset=members.queryset.filter(Q(role__in=User.STAFF_ROLES) | Q(pk__in=stored)))

    def clean_members(self):
        members = self.cleaned_data["members"]
        if errors := Team.member_errors(members):
            raise forms.ValidationError(errors)
        return members


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    form = TeamForm
    list_display = ("name",)
    search_fields = ("name",)
    filter_horizontal = ("members", "clients")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "members" and formfield is not None:
            # No "+" to invite someone from here: the invitation offers every role, a client
            # contact among them, whom the team would then refuse. Staff are invited under Users.
            formfield.widget.can_add_related = False
        return formfield


class UserInviteForm(forms.ModelForm):
    """The admin's add form: a new account is an invitation (user_invite). A client contact's login
    belongs to their contact, which scopes the portal to that contact's client."""

    client_contact = forms.ModelChoiceField(
        queryset=ClientContact.objects.filter(user__isnull=True)
        .select_related("client")
        .order_by(alphabetical("client__name"), alphabetical("name")),
        required=False,
        label=_("Client contact"),
        help_text=_("For a client contact's login: the contact it belongs to (its client's portal)."),
    )

    class Meta:
        model = User
        fields = ("email", "role", "first_name", "last_name")

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"])
        existing = User.objects.filter(email__iexact=email).first()
        if existing is not None:
            raise forms.ValidationError(
                _("An account with this address already exists: %(account)s."),
                params={
                    "account": f"{name} ({existing.email})" if (name := existing.get_full_name()) else existing.email
                },
                code="unique",
            )
        return email

    def clean(self):
        cleaned = super().clean()
        is_contact = cleaned.get("role") == User.Role.CLIENT_CONTACT
        if is_contact and cleaned.get("client_contact") is None:
            self.add_error("client_contact", _("A client contact's login needs the contact it belongs to."))
        if not is_contact and cleaned.get("client_contact") is not None:
            self.add_error("client_contact", _("Only a client contact's login belongs to a contact."))
        return cleaned


class UserChangeForm(DjangoUserChangeForm):
    def clean_role(self):
        """A team member stays agency staff: their account becomes a client contact's only once they
        have left their teams (Team.member_errors)."""
        role = self.cleaned_data["role"]
        if role in User.STAFF_ROLES or self.instance.pk is None:
            return role
        teams = list(self.instance.teams.values_list("name", flat=True))
        if teams:
            raise forms.ValidationError(
                _("%(user)s is a member of %(teams)s: teams are for agency staff. Remove them from their teams first."),
                code="team_member",
                params={"user": self.instance, "teams": ", ".join(teams)},
            )
        return role


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    ordering = ("email",)
    list_display = ("email", "name", "role", "is_active")  # the last login is on the user's page
    list_filter = ("role", "is_active", "teams")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name")}),
        (_("Role"), {"fields": ("role", "is_active", "is_staff", "is_superuser", "groups")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_form = UserInviteForm
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "role", "first_name", "last_name", "client_contact")}),
    )
    actions = ["send_invitation"]

    # Sorted as shown, first name first (get_full_name), in German alphabetical order.
    @admin.display(description=_("name"), ordering=AlphabeticalKey(Concat("first_name", Value(" "), "last_name")).asc())
    def name(self, user: User) -> str:
        return user.get_full_name()

    def has_add_permission(self, request) -> bool:
        return request.user.role == User.Role.ADMIN and super().has_add_permission(request)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            if "email" in form.changed_data:
                user_login_address_sync(user=obj)
            return
        # New accounts are invitations: the person sets their own password.
        invited = user_invite(
            acting_user=request.user,
            email=obj.email,
            role=obj.role,
            first_name=obj.first_name,
            last_name=obj.last_name,
            client_contact=form.cleaned_data["client_contact"],
            base_url=request.build_absolute_uri("/"),
        )
        obj.__dict__.update(invited.__dict__)  # the admin logs and redirects with the object it passed in
        messages.info(
            request, _("An invitation with a set-password link was sent to %(email)s.") % {"email": obj.email}
        )

    @admin.action(description=_("Send invitation (set-password link)"), permissions=["add"])
    def send_invitation(self, request, queryset):
        for user in queryset:
            user_send_invitation(user=user, base_url=request.build_absolute_uri("/"))
        messages.success(request, _("Invitations sent."))


# The schedules are declared in code (communityops.schedules); django-q2's own list showed ten
# columns (id, the task's dotted path, repeats, cluster, ...) and scrolled sideways. Those stay on
# each schedule's page; the function is found by the search.
admin.site.unregister(Schedule)


@admin.register(Schedule)
class ScheduleAdmin(DjangoQScheduleAdmin):
    list_display = ("name", "schedule_type", "minutes", short_column(Schedule, "next_run"), "last_run_succeeded")
    list_display_links = ("name",)

    @admin.display(boolean=True, description=_("last run"))
    def last_run_succeeded(self, schedule: Schedule) -> bool | None:
        return schedule.task_success  # annotated by django-q2's get_queryset; None before the first run
