"""The shared core: clients, their channels, contacts and guidelines, the agency's teams and users."""

from collections.abc import Iterable
from zoneinfo import available_timezones

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce, Concat, Lower, NullIf, Trim
from django.utils.translation import gettext_lazy as _

from .alphabetical import alphabetical


class FederalState(models.TextChoices):
    """German federal states; the codes are those the `holidays` package uses for subdivisions."""

    BW = "BW", _("Baden-Württemberg")
    BY = "BY", _("Bavaria")
    BE = "BE", _("Berlin")
    BB = "BB", _("Brandenburg")
    HB = "HB", _("Bremen")
    HH = "HH", _("Hamburg")
    HE = "HE", _("Hesse")
    MV = "MV", _("Mecklenburg-Western Pomerania")
    NI = "NI", _("Lower Saxony")
    NW = "NW", _("North Rhine-Westphalia")
    RP = "RP", _("Rhineland-Palatinate")
    SL = "SL", _("Saarland")
    SN = "SN", _("Saxony")
    ST = "ST", _("Saxony-Anhalt")
    SH = "SH", _("Schleswig-Holstein")
    TH = "TH", _("Thuringia")


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class Client(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), unique=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Berlin", validators=[validate_time_zone]
    )
    federal_state = models.CharField(
        _("federal state"), max_length=2, choices=FederalState.choices, help_text=_("Decides the public holidays.")
    )
    influencer_follower_threshold = models.PositiveIntegerField(
        _("influencer follower threshold"),
        default=10_000,
        help_text=_("Authors with at least this many followers are tier B (influencers)."),
    )
    alert_keywords = models.JSONField(
        _("alert keywords"),
        default=list,
        blank=True,
        help_text=_("Words that raise an item's priority, e.g. lawyer, recall, boycott."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = [alphabetical("name"), "name"]
        verbose_name = _("client")
        verbose_name_plural = _("clients")

    def __str__(self) -> str:
        return self.name


class Channel(models.Model):
    class Platform(models.TextChoices):
        FACEBOOK_PAGE = "facebook_page", _("Facebook page")
        INSTAGRAM_ACCOUNT = "instagram_account", _("Instagram account")
        WORDPRESS_BLOG = "wordpress_blog", _("WordPress blog")
        GENERIC = "generic", _("Generic (signed webhook)")

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="channels", verbose_name=_("client"))
    platform = models.CharField(_("platform"), max_length=32, choices=Platform.choices)
    name = models.CharField(_("name"), max_length=200)
    external_id = models.CharField(
        _("external id"), max_length=200, blank=True, help_text=_("Page id, Instagram account id or source name.")
    )
    api_base_url = models.URLField(
        _("API base URL"), blank=True, help_text=_("WordPress: the blog's address, e.g. https://blog.example.de")
    )
    # Secrets: kept server-side, never rendered in lists, forms or API output.
    access_token = models.CharField(_("access token"), max_length=500, blank=True)
    app_secret = models.CharField(_("app secret"), max_length=200, blank=True)
    verify_token = models.CharField(_("webhook verify token"), max_length=200, blank=True)
    api_username = models.CharField(_("API user name"), max_length=200, blank=True)
    api_password = models.CharField(_("application password"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    SECRET_FIELDS = ("access_token", "app_secret", "verify_token", "api_password")

    class Meta:
        ordering = [alphabetical("client__name"), alphabetical("name"), "name"]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "external_id"],
                condition=~Q(external_id=""),
                name="channel_unique_platform_external_id",
                violation_error_message=_(
                    "Another channel of this platform already has this external id: a page, account or "
                    "source is one channel of one client."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.client} · {self.name} ({self.get_platform_display()})"


class ClientContact(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("client"))
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=100, help_text=_("e.g. PR lead, legal, managing director"))
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    may_approve = models.BooleanField(_("may approve crisis responses"), default=False)
    user = models.OneToOneField(
        "User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="client_contact",
        verbose_name=_("portal account"),
        # Only a client-contact login: an agency account linked here would decide as the client.
        limit_choices_to={"role": "client_contact"},
    )

    class Meta:
        ordering = [alphabetical("client__name"), alphabetical("name"), "name"]
        verbose_name = _("client contact")
        verbose_name_plural = _("client contacts")

    def __str__(self) -> str:
        return f"{self.name} ({self.role}, {self.client})"


class Guideline(models.Model):
    class Kind(models.TextChoices):
        SOCIAL_MEDIA = "social_media", _("Social-media guideline")
        NETIQUETTE = "netiquette", _("Comment rules (netiquette)")
        FAQ = "faq", _("FAQ")
        TONE = "tone", _("Tone of voice")

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="guidelines", verbose_name=_("client"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    version = models.PositiveIntegerField(_("version"), default=1)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        ordering = [alphabetical("client__name"), "kind", alphabetical("title"), "title"]
        verbose_name = _("guideline")
        verbose_name_plural = _("guidelines")

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class UserManager(BaseUserManager):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email):
        """The whole address in lower case, as allauth looks it up: Greta@ and greta@ are one mailbox."""
        return super().normalize_email(email).strip().lower()

    def get_by_natural_key(self, username):
        return self.get(**{self.model.USERNAME_FIELD: self.normalize_email(username)})

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.update(is_staff=True, is_superuser=True, role=User.Role.ADMIN)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """An agency staff member (agent, shift lead, admin) or a client contact with a portal login."""

    class Role(models.TextChoices):
        AGENT = "agent", _("Agent")
        SHIFT_LEAD = "shift_lead", _("Shift lead")
        ADMIN = "admin", _("Admin")
        CLIENT_CONTACT = "client_contact", _("Client contact")

    STAFF_ROLES = (Role.AGENT, Role.SHIFT_LEAD, Role.ADMIN)
    # Who leads: acts on escalations, holds on-call shifts, changes what agents may not.
    SHIFT_LEAD_ROLES = (Role.SHIFT_LEAD, Role.ADMIN)

    username = None
    email = models.EmailField(_("email address"), unique=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.AGENT)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    class Meta:
        ordering = ["email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_unique_ignoring_case",
                violation_error_message=_("An account with this email address already exists."),
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @staticmethod
    def shown_as(path: str = "") -> Coalesce:
        """What str() shows of the user at `path` ("claimed_by__"), as a query expression (to sort
        a column that shows users by what it shows)."""
        full_name = Trim(Concat(f"{path}first_name", Value(" "), f"{path}last_name"))
        return Coalesce(NullIf(full_name, Value("")), f"{path}email")

    @property
    def is_agency_staff(self) -> bool:
        return self.role in self.STAFF_ROLES

    @property
    def is_shift_lead_or_admin(self) -> bool:
        return self.role in self.SHIFT_LEAD_ROLES

    @property
    def may_be_on_call(self) -> bool:
        """Whoever is on call is alerted to every client's crises: an active shift lead or admin."""
        return self.is_active and self.is_shift_lead_or_admin


class Team(models.Model):
    """Agency staff (agents, shift leads, admins) serving some clients: a team gives its agents those
    clients' items. A client contact's account is never a member (Team.member_errors)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    members = models.ManyToManyField(User, related_name="teams", blank=True, verbose_name=_("members"))
    clients = models.ManyToManyField(Client, related_name="teams", blank=True, verbose_name=_("clients"))

    class Meta:
        ordering = [alphabetical("name"), "name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def member_errors(users: Iterable[User]) -> list[ValidationError]:
        """One error for each user who may not be a team member (not agency staff), naming them.

        A team's members are handed its clients' items and counted as its agents; a client's
        contact would be given the items of the team's other clients. Checked wherever members
        are set (the team admin, user_invite); a relation has no model clean to do it.
        """
        return [
            ValidationError(
                _("%(user)s is a client contact's account: teams are for agency staff (agents, shift leads, admins)."),
                code="not_agency_staff",
                params={"user": user},
            )
            for user in users
            if not user.is_agency_staff
        ]
