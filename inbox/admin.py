"""Admin for the inbox: browse and search everything; audit rows and outbound actions are read-only.

State changes that matter (claims, replies, moderation, the key-account list) go through the
services: the author profile's save and delete call author_profile_set, and the only actions are
"release claim" and "retry now", both calling services. Erasure records are read-only (an erasure
is made from an item of the author, services.erasure).
"""

import json

from django.contrib import admin, messages
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from communityops.admin_columns import excerpt_column, short_column
from communityops.permissions import ReadOnlyAdminMixin, ShiftLeadAdminActionsMixin

from .models import (
    ERASED_AUTHOR_EXTERNAL_ID,
    AgentPresence,
    Author,
    AuthorErasure,
    AuthorProfile,
    CannedResponse,
    IngestChange,
    Item,
    ItemEvent,
    ItemNote,
    OutboundAction,
    TeamAssignmentPolicy,
    WebhookDelivery,
    WordPressPollState,
)
from .selectors import authors_named, ingest_change_as_received
from .services.author_profiles import author_profile_set
from .services.claims import item_release
from .services.outbox import outbound_action_retry_now


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "platform",
        short_column(Author, "channel"),
        "handle",
        "follower_count",
        "verified",
        short_column(Author, "first_seen_at"),
    ]
    list_filter = ["platform", "verified"]
    list_select_related = ["channel__client"]
    # The platform's id, whole; name and handle as the inbox's search finds them (below).
    search_fields = ["=external_id"]
    search_help_text = _(
        "Words of the name or handle, each as the beginning of a word (“anna m” finds Anna Müller), or the whole external id."
    )

    def get_search_results(self, request, queryset, search_term):
        """Name and handle through selectors.authors_named, as the inbox's search and the author
        field of the profile form (its autocomplete) find them: word beginnings through the GIN
        index on the author's words, not parts of names anywhere. The erasure placeholders stand
        for nobody: no profile can be kept about them."""
        queryset = queryset.exclude(external_id=ERASED_AUTHOR_EXTERNAL_ID)
        if term := search_term.strip():
            queryset = queryset.filter(Q(pk__in=authors_named(term).values("pk")) | Q(external_id=term))
        return queryset, False


@admin.register(AuthorErasure)
class AuthorErasureAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The erasure records (GDPR accountability); erasures are made from an item of the author."""

    list_display = ["erased_at", "client", "platform", "reference", "erased_by", "items_erased", "author_deleted"]
    list_filter = ["client", "platform"]
    search_fields = ["reference"]


@admin.register(AuthorProfile)
class AuthorProfileAdmin(admin.ModelAdmin):
    list_display = ["author", "client", "is_key_account", "updated_by", "updated_at"]
    list_filter = ["is_key_account", "client"]
    search_fields = ["author__handle", "author__display_name", "client__name"]
    autocomplete_fields = ["author"]
    readonly_fields = ["updated_by", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        # Whose profile it is stays fixed once saved; a new one picks client and author.
        return [*self.readonly_fields, "client", "author"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        """Through the service, as the item page does: the author's open items follow the flag."""
        saved = author_profile_set(
            acting_user=request.user,
            client=obj.client,
            author=obj.author,
            is_key_account=obj.is_key_account,
            notes=obj.notes,
        ).profile
        if saved.pk is None:  # an empty profile, added on purpose
            obj.updated_by = request.user
            obj.save()
        else:
            obj.pk = saved.pk

    def delete_model(self, request, obj):
        """Forgetting a key account takes their open items off tier A first, as unticking the box does."""
        author_profile_set(acting_user=request.user, client=obj.client, author=obj.author, is_key_account=False)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for profile in queryset.filter(is_key_account=True).select_related("client", "author"):
            author_profile_set(
                acting_user=request.user, client=profile.client, author=profile.author, is_key_account=False
            )
        super().delete_queryset(request, queryset)


class ItemEventInline(admin.TabularInline):
    model = ItemEvent
    fields = ["created_at", "kind", "actor", "data"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ItemNoteInline(admin.TabularInline):
    model = ItemNote
    fields = ["created_at", "author", "text"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Item)
class ItemAdmin(ShiftLeadAdminActionsMixin, admin.ModelAdmin):
    # Kind and tier are filters; the channel is named without its client (the column before).
    list_display = [
        "id",
        short_column(Item, "client"),
        short_column(Item, "channel", label_field="name"),
        "status",
        "priority",
        short_column(Item, "sla_due_at"),
        short_column(Item, "claimed_by"),
    ]
    list_filter = ["status", "priority", "author_tier", "kind", "channel__platform", "client"]
    search_fields = ["text", "external_id", "author__handle", "author__display_name"]
    list_select_related = ["client", "channel", "claimed_by"]
    date_hierarchy = "received_at"
    inlines = [ItemEventInline, ItemNoteInline]
    actions = ["release_claims"]
    # Status, claims, tags and replies change only through the services (events, locks, outbox):
    # a form save would write every column back over a concurrent claim or reply.
    readonly_fields = [field.name for field in Item._meta.get_fields() if getattr(field, "concrete", False)]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting drops the item's events and bypasses erasure (services.erasure).
        return False

    @admin.action(description=_("Release claims of the selected items"), permissions=["shift_lead"])
    def release_claims(self, request, queryset):
        released = 0
        for item_id in queryset.exclude(claimed_by=None).values_list("pk", flat=True):
            item_release(acting_user=request.user, item_id=item_id, reason="released in admin")
            released += 1
        self.message_user(request, _("%(count)d claims released.") % {"count": released}, messages.SUCCESS)


@admin.register(ItemEvent)
class ItemEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        short_column(ItemEvent, "created_at"),
        short_column(ItemEvent, "item"),
        "kind",
        short_column(ItemEvent, "actor"),
    ]
    list_filter = ["kind"]
    search_fields = ["item__id", "item__text"]
    list_select_related = ["item", "actor"]
    date_hierarchy = "created_at"


@admin.register(ItemNote)
class ItemNoteAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "item", "author", "__str__"]
    search_fields = ["text"]
    list_select_related = ["item", "author"]


@admin.register(OutboundAction)
class OutboundActionAdmin(ShiftLeadAdminActionsMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    # The attempts and the next one are on the action's page.
    list_display = [
        "id",
        short_column(OutboundAction, "item"),
        "kind",
        "status",
        excerpt_column(OutboundAction, "last_error"),
        short_column(OutboundAction, "sent_at"),
    ]
    list_filter = ["status", "kind", "item__channel__platform"]
    search_fields = ["item__id", "external_id", "idempotency_key", "last_error"]
    list_select_related = ["item"]
    actions = ["retry_now"]

    @admin.action(description=_("Send failed actions again now"), permissions=["shift_lead"])
    def retry_now(self, request, queryset):
        moved = sum(
            outbound_action_retry_now(action_id=action_id, acting_user=request.user)
            for action_id in queryset.filter(status=OutboundAction.Status.FAILED).values_list("pk", flat=True)
        )
        self.message_user(request, _("%(count)d actions handed to the outbox.") % {"count": moved})


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    list_display = ["title", "client", "language"]
    list_filter = ["client", "language"]
    search_fields = ["title", "body"]


class IngestChangeInline(admin.TabularInline):
    model = IngestChange
    fields = ["position", "status", "error", "item"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "channel", "source", "status", "received_at", "processed_at"]
    list_filter = ["source", "status"]
    list_select_related = ["channel__client"]
    inlines = [IngestChangeInline]
    exclude = ["body"]


@admin.register(IngestChange)
class IngestChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "delivery", "position", "status", "error", "item"]
    list_filter = ["status"]
    search_fields = ["error"]
    exclude = ["payload"]
    readonly_fields = ["as_received"]

    @admin.display(description=_("Change as received"))
    def as_received(self, change: IngestChange) -> str:
        received = ingest_change_as_received(change=change)
        if received is None:
            return _("Dropped on %(date)s (data protection); the item and the outcome stay.") % {
                "date": date_format(localtime(change.delivery.body_dropped_at), "SHORT_DATE_FORMAT")
            }
        return format_html("<pre>{}</pre>", json.dumps(received, indent=2, ensure_ascii=False))


@admin.register(AgentPresence)
class AgentPresenceAdmin(admin.ModelAdmin):
    list_display = ["user", "is_online", "last_seen_at", "capacity"]
    list_filter = ["is_online"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    readonly_fields = ["is_online", "last_seen_at"]


@admin.register(TeamAssignmentPolicy)
class TeamAssignmentPolicyAdmin(admin.ModelAdmin):
    list_display = ["team", "mode", "last_assigned_user"]
    list_filter = ["mode"]
    readonly_fields = ["last_assigned_user"]


@admin.register(WordPressPollState)
class WordPressPollStateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        short_column(WordPressPollState, "channel"),
        short_column(WordPressPollState, "last_polled_at"),
        short_column(WordPressPollState, "newest_comment_at"),
        excerpt_column(WordPressPollState, "last_error"),
    ]
    search_fields = ["channel__name", "last_error"]
    list_select_related = ["channel__client"]
