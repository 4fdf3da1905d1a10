"""Inbox: items arriving from channels, their authors, the work done on them, and what goes out."""

import re
import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from communityops.alphabetical import alphabetical
from communityops.models import Channel, Client

from .triage_reasons import reason_shown

# The platforms that assign their users' ids themselves (Meta): an author there is one row per
# platform and id, shared by every client's channels. Every other source chooses its authors' ids
# (a generic webhook's sender, a file import, a WordPress blog for its users and guests), and the
# same id at two sources says nothing about the person: such an author is one row per channel and
# id, so that no source can rename, promote or merge the authors of another channel.
PLATFORMS_ASSIGNING_AUTHOR_IDS = frozenset({Channel.Platform.FACEBOOK_PAGE, Channel.Platform.INSTAGRAM_ACCOUNT})


class Author(models.Model):
    """A person or account on one platform: shared across clients where the platform assigns the
    id, one channel's own otherwise (see PLATFORMS_ASSIGNING_AUTHOR_IDS)."""

    platform = models.CharField(_("platform"), max_length=32, choices=Channel.Platform.choices)
    # No index of its own: it leads author_unique_per_namespace.
    channel = models.ForeignKey(
        Channel,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("channel"),
        help_text=_(
            "The channel whose source chose the author's id; empty where the platform assigns it (Facebook, Instagram)."
        ),
    )
    external_id = models.CharField(_("external id"), max_length=200)
    handle = models.CharField(_("handle"), max_length=200, blank=True)
    display_name = models.CharField(_("name"), max_length=200, blank=True)
    follower_count = models.PositiveIntegerField(_("followers"), default=0)
    verified = models.BooleanField(_("verified"), default=False)
    account_created_at = models.DateTimeField(_("account created"), null=True, blank=True)
    first_seen_at = models.DateTimeField(_("first seen"), auto_now_add=True)
    # The words of the name and the handle, as the search by author finds them (selectors.
    # authors_named, through the GIN index author_name_search): PostgreSQL's author_name_words of
    # both, kept beside them and computed again whenever either changes (migration 0034 says how
    # a name is split into words, and why there).
    name_words = models.GeneratedField(
        expression=models.Func(
            Concat("display_name", Value(" "), "handle"), function="author_name_words", output_field=SearchVectorField()
        ),
        output_field=SearchVectorField(),
        db_persist=True,
        verbose_name=_("words of the name"),
    )

    class Meta:
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        constraints = [
            # One author per platform and id where the channel is empty (NULLS NOT DISTINCT: the
            # empty channel is one key), one per channel and id otherwise.
            models.UniqueConstraint(
                fields=["channel", "platform", "external_id"], nulls_distinct=False, name="author_unique_per_namespace"
            )
        ]
        indexes = [GinIndex(fields=["name_words"], name="author_name_search")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.display_name or self.handle or self.external_id or gettext("Erased author")

    @property
    def is_erasure_placeholder(self) -> bool:
        """The one author per platform (with no channel) that items erased on request point to (see
        services.erasure): no source gives an author an empty id, so no arriving item can name it."""
        return self.external_id == ERASED_AUTHOR_EXTERNAL_ID


# The external id of the erasure placeholder author (one per platform).
ERASED_AUTHOR_EXTERNAL_ID = ""


class AuthorTier(models.TextChoices):
    A = "A", _("A · key account")
    B = "B", _("B · influencer")
    C = "C", _("C · everyone else")


class AuthorProfile(models.Model):
    """What one client's team knows about an author: key-account flag (the VIP list) and notes."""

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="author_profiles", verbose_name=_("client")
    )
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="profiles", verbose_name=_("author"))
    is_key_account = models.BooleanField(_("key account (VIP list)"), default=False)
    notes = models.TextField(_("notes for agents"), blank=True, max_length=2000)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last changed by"),
    )

    class Meta:
        verbose_name = _("author profile")
        verbose_name_plural = _("author profiles")
        constraints = [models.UniqueConstraint(fields=["client", "author"], name="author_profile_unique")]

    def __str__(self) -> str:
        return f"{self.author} @ {self.client}"


class AuthorErasure(models.Model):
    """The record of one erasure of an author's personal data at a client (GDPR Art. 17, kept for
    the accountability of Art. 5(2)): who erased, when, on which request, and how much; nothing
    that identifies the person (the request's reference points to where the client keeps it)."""

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="author_erasures", verbose_name=_("client")
    )
    platform = models.CharField(_("platform"), max_length=32, choices=Channel.Platform.choices)
    reference = models.CharField(
        _("request reference"), max_length=200, help_text=_("Where the request is documented, e.g. a ticket number.")
    )
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("erased by")
    )
    erased_at = models.DateTimeField(_("erased at"), default=timezone.now)
    items_erased = models.PositiveIntegerField(_("items erased"))
    notes_deleted = models.PositiveIntegerField(_("internal notes deleted"))
    raw_bodies_dropped = models.PositiveIntegerField(_("raw webhook bodies dropped"))
    raw_bodies_kept = models.PositiveIntegerField(
        _("raw webhook bodies kept"), help_text=_("Deliveries still being processed; the retention rule drops them.")
    )
    author_deleted = models.BooleanField(
        _("author deleted"), help_text=_("False when other clients still hold data about the author.")
    )

    class Meta:
        ordering = ["-erased_at", "-id"]
        verbose_name = _("author erasure")
        verbose_name_plural = _("author erasures")

    def __str__(self) -> str:
        return f"{self.reference} @ {self.client}"


class Item(models.Model):
    class Kind(models.TextChoices):
        COMMENT = "comment", _("Comment")
        REPLY = "reply", _("Reply")
        DM = "dm", _("Direct message")
        MENTION = "mention", _("Mention")
        REVIEW = "review", _("Review")
        BLOG_COMMENT = "blog_comment", _("Blog comment")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        CLAIMED = "claimed", _("Claimed")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")
        HIDDEN = "hidden", _("Hidden")
        SPAM = "spam", _("Spam")

    OPEN_STATUSES = (Status.NEW, Status.CLAIMED)
    # Most urgent first: SLA due time (items without one last), then priority, then age. The queue
    # lists open items in this order and claim-next takes them in it: what is on top is taken next.
    URGENT_ORDER = (models.F("sla_due_at").asc(nulls_last=True), "priority", "id")
    # From these scores on triage tags an item spam- or fake-suspect (and lowers its priority),
    # pages show the "spam?"/"fake?" warning and the reports count it as suspected.
    SPAM_LIKELY = 0.7
    FAKE_LIKELY = 0.6

    class Priority(models.IntegerChoices):
        URGENT = 1, _("Urgent")
        HIGH = 2, _("High")
        NORMAL = 3, _("Normal")
        LOW = 4, _("Low")

    class Sentiment(models.TextChoices):
        POSITIVE = "positive", _("Positive")
        NEUTRAL = "neutral", _("Neutral")
        NEGATIVE = "negative", _("Negative")

    # No single-column indexes on client, channel and author: each leads a composite index below
    # (item_client_received, item_unique_channel_external_id, item_author_history), and every
    # index is one more write per ingested item.
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="items", db_index=False, verbose_name=_("client")
    )
    channel = models.ForeignKey(
        Channel, on_delete=models.CASCADE, related_name="items", db_index=False, verbose_name=_("channel")
    )
    external_id = models.CharField(_("external id"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COMMENT)
    # The post (or chat) is thread_external_id, shared by a channel's items under it; replies nest
    # by parent_external_id (see selectors.item_conversation_queryset); ids, not foreign keys,
    # because a reply can arrive first.
    thread_external_id = models.CharField(_("thread external id"), max_length=200, blank=True)
    parent_external_id = models.CharField(_("parent external id"), max_length=200, blank=True)
    permalink = models.URLField(_("permalink"), max_length=500, blank=True)
    # RESTRICT, not PROTECT: an author with items cannot be deleted, unless the items go in the same
    # deletion (a channel's own authors go with the channel, and so do its items).
    author = models.ForeignKey(
        Author, on_delete=models.RESTRICT, related_name="items", db_index=False, verbose_name=_("author")
    )
    author_tier = models.CharField(_("tier"), max_length=1, choices=AuthorTier.choices, default=AuthorTier.C)
    text = models.TextField(_("text"))
    language = models.CharField(_("language"), max_length=8, blank=True)
    platform_created_at = models.DateTimeField(_("posted"))
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    sentiment = models.CharField(_("sentiment"), max_length=10, choices=Sentiment.choices, default=Sentiment.NEUTRAL)
    sentiment_score = models.FloatField(_("sentiment score"), default=0.0)
    spam_score = models.FloatField(_("spam score"), default=0.0)
    fake_score = models.FloatField(_("AI-fake suspicion"), default=0.0)
    triage_reasons = models.JSONField(_("triage reasons"), default=list, blank=True)
    sla_due_at = models.DateTimeField(_("SLA due"), null=True, blank=True)
    TAG_MAX_LENGTH = 50  # checked after trimming by services.moderation, which refuses, never cuts
    # What a person may bring an item to (services.moderation.item_tags_change): the composer shows
    # every tag as a button, and a handful is what agents use. The system's own tags (triage's
    # suspicions, removed-on-platform, the blog's pending moderation) and a source's tags at
    # arrival are always kept, even past it: an item is never refused or left wrong for a tag.
    TAGS_MAX = 20
    # Set by ingestion when the comment is removed on the platform; people cannot take it off (a
    # reply or a moderation could no longer reach the comment: services.errors.ItemRemovedOnPlatform).
    TAG_REMOVED_ON_PLATFORM = "removed-on-platform"
    tags = ArrayField(models.CharField(max_length=TAG_MAX_LENGTH), default=list, blank=True, verbose_name=_("tags"))
    # Kept by PostgreSQL from the text (functions in migration 0014_item_generated_columns_plpgsql):
    # its distinct words (letters only, at least three, lower case), which the reports count as
    # topics, and a key shared by near-identical texts, which they group as campaigns.
    topic_terms = models.GeneratedField(
        expression=models.Func("text", function="item_topic_terms", output_field=ArrayField(models.TextField())),
        output_field=ArrayField(models.TextField()),
        db_persist=True,
        verbose_name=_("topic terms"),
    )
    campaign_key = models.GeneratedField(
        expression=models.Func("text", function="item_campaign_key", output_field=models.UUIDField()),
        output_field=models.UUIDField(),
        db_persist=True,
        verbose_name=_("campaign key"),
    )
    # Indexed only where set (item_claimed_by): every item arrives unclaimed.
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="claimed_items",
        db_index=False,
        verbose_name=_("claimed by"),
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    lease_expires_at = models.DateTimeField(_("lease expires at"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Set when the author's personal data was erased on request (services.erasure): the text is
    # gone and the item stays as a closed tombstone, so a redelivery or an edit does not bring it back.
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        constraints = [
            models.UniqueConstraint(fields=["channel", "external_id"], name="item_unique_channel_external_id"),
            models.CheckConstraint(
                condition=Q(claimed_by__isnull=True) | Q(lease_expires_at__isnull=False),
                name="item_claim_has_lease",
            ),
        ]
        indexes = [
            # The queue: open items by urgency (URGENT_ORDER), keyset-paginated on (sla_due_at,
            # priority, id).
            models.Index(
                fields=["sla_due_at", "priority", "id"],
                name="item_open_queue_by_urgency",
                condition=Q(status__in=["new", "claimed"]),
            ),
            # One client's queue, and (covering: index-only scans) the open-item counts per client
            # and channel of the inbox header and the operations dashboard.
            models.Index(
                fields=["client", "sla_due_at", "id"],
                name="item_open_queue_by_client",
                condition=Q(status__in=["new", "claimed"]),
                include=["channel", "received_at", "claimed_by"],
            ),
            # Claim-next: each client's claimable items in exactly its order (sla_due_at,
            # priority, id), so it reads the head of every queue the agent serves and nothing
            # of the clients they do not (see services.claims.item_claim_next).
            models.Index(
                fields=["client", "sla_due_at", "priority", "id"],
                name="item_claim_queue_by_client",
                condition=Q(status__in=["new", "claimed"]),
            ),
            # A post's items, and the replies of a comment (selectors.item_conversation_queryset).
            models.Index(fields=["channel", "thread_external_id", "parent_external_id"], name="item_conversation"),
            models.Index(fields=["author", "received_at"], name="item_author_history"),
            models.Index(fields=["client", "received_at"], name="item_client_received"),
            # An agent's claims, the lease sweep (claimed_by IS NOT NULL), a deleted user set to NULL.
            models.Index(fields=["claimed_by"], name="item_claimed_by", condition=Q(claimed_by__isnull=False)),
            GinIndex(fields=["tags"], name="item_tags"),
            # The queue's search by words of the text finds the open items that hold them
            # (selectors.search_targets), instead of reading every open item's terms. Only where
            # there are terms: a query that says so too (the search's) can use it, and the queue's
            # other queries cannot take a scan of the whole index for their status filter.
            GinIndex(
                fields=["topic_terms"],
                name="item_open_topic_terms",
                condition=Q(status__in=["new", "claimed"], topic_terms__len__gt=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}: {self.text[:40]}"

    @property
    def triage_reasons_shown(self) -> list[str]:
        """The triage's reasons in the reader's language (stored in English)."""
        return [reason_shown(reason) for reason in self.triage_reasons]

    @property
    def is_open(self) -> bool:
        """Still to be worked: its SLA clock runs."""
        return self.status in self.OPEN_STATUSES

    @property
    def removed_on_platform(self) -> bool:
        return self.TAG_REMOVED_ON_PLATFORM in self.tags

    @property
    def is_spam_suspect(self) -> bool:
        return self.spam_score >= self.SPAM_LIKELY

    @property
    def is_fake_suspect(self) -> bool:
        return self.fake_score >= self.FAKE_LIKELY

    @property
    def shown_text(self) -> str:
        """The text as pages show it; an erased item says that its text was erased."""
        return gettext("(Text erased at the author's request.)") if self.erased_at else self.text

    @property
    def is_reply(self) -> bool:
        """Nested under another item; some sources name the post itself as a top-level comment's parent."""
        return self.parent_external_id not in ("", self.thread_external_id)


class ItemEvent(models.Model):
    """Append-only: every state change of an item, who did it and when; the timeline reads these."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Received")
        TRIAGED = "triaged", _("Triaged")
        EDITED = "edited", _("Edited on the platform")
        REMOVED = "removed", _("Removed on the platform")
        AUTHOR_PROFILE_CHANGED = "author_profile", _("Author profile changed")
        CLAIMED = "claimed", _("Claimed")
        RELEASED = "released", _("Released")
        LEASE_EXPIRED = "lease_expired", _("Lease expired")
        TAKEN_OVER = "taken_over", _("Taken over")
        ASSIGNED = "assigned", _("Assigned")
        REPLY_QUEUED = "reply_queued", _("Reply queued")
        ACTION_QUEUED = "action_queued", _("Moderation queued")
        SENT = "sent", _("Sent")
        SEND_FAILED = "send_failed", _("Sending failed")
        STATUS_CHANGED = "status_changed", _("Status changed")
        NOTE_ADDED = "note_added", _("Note added")
        TAGGED = "tagged", _("Tags changed")
        ESCALATED = "escalated", _("Escalated to crisis")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="events", verbose_name=_("item"))
    # Indexed only where set (item_event_actor): every arrival's event has no actor.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_index=False,
        verbose_name=_("actor"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    data = models.JSONField(_("data"), default=dict, blank=True)
    # Not indexed: timelines are read per item (item index), nothing searches events by time.
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # A deleted user's events are set to NULL through it; arrivals (no actor) stay out.
            models.Index(fields=["actor"], name="item_event_actor", condition=Q(actor__isnull=False)),
        ]
        verbose_name = _("item event")
        verbose_name_plural = _("item events")

    def __str__(self) -> str:
        return gettext("%(kind)s · item %(item)s") % {"kind": self.get_kind_display(), "item": self.item_id}


class ItemNote(models.Model):
    """An internal note: agents see it, the platform never does."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="notes", verbose_name=_("item"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="item_notes", verbose_name=_("author")
    )
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")

    def __str__(self) -> str:
        return self.text[:40]


class OutboundAction(models.Model):
    """Something that must go out through the channel: a reply or a moderation action.

    The idempotency key is unique, so a task that runs twice finds the row already
    sent and does nothing; the connector passes the key on where the platform allows.
    """

    class Kind(models.TextChoices):
        REPLY = "reply", _("Reply")
        HIDE = "hide", _("Hide")
        UNHIDE = "unhide", _("Unhide")
        DELETE = "delete", _("Delete")
        APPROVE = "approve", _("Approve")
        SPAM = "spam", _("Mark as spam")
        TRASH = "trash", _("Trash")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    class Failure(models.TextChoices):
        """Why the last attempt failed, in words an agent acts on; last_error keeps the technical detail."""

        REJECTED = "rejected", _("The platform refused")
        UNREACHABLE = "unreachable", _("The platform could not be reached")
        NOT_POSSIBLE = "not_possible", _("Not possible on this channel")
        OUTCOME_UNKNOWN = "unknown", _("Unclear whether it went out")

    # Every kind but a reply, in the order the item page offers them (services.moderation).
    MODERATION_KINDS = (Kind.HIDE, Kind.UNHIDE, Kind.SPAM, Kind.APPROVE, Kind.DELETE, Kind.TRASH)

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="outbound_actions", verbose_name=_("item"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text = models.TextField(_("text"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outbound_actions",
        verbose_name=_("requested by"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    idempotency_key = models.UUIDField(_("idempotency key"), default=uuid.uuid4, unique=True, editable=False)
    external_id = models.CharField(_("external id"), max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    failure = models.CharField(_("failure"), max_length=12, choices=Failure.choices, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("outbound action")
        verbose_name_plural = _("outbound actions")
        indexes = [
            # The retry sweep (services.outbox.outbound_actions_due): failed rows and stuck sends.
            models.Index(
                fields=["next_attempt_at"], name="outbound_retry_due", condition=Q(status__in=["failed", "sending"])
            ),
            # The team figures find each item's first action among the actions since a period began.
            models.Index(fields=["created_at"], name="outbound_created"),
        ]

    def __str__(self) -> str:
        return gettext("%(kind)s · item %(item)s · %(status)s") % {
            "kind": self.get_kind_display(),
            "item": self.item_id,
            "status": self.get_status_display(),
        }

    @property
    def is_pending(self) -> bool:
        """Not settled yet: queued, being sent, or failed with a retry planned."""
        return self.status in (self.Status.QUEUED, self.Status.SENDING) or (
            self.status == self.Status.FAILED and self.next_attempt_at is not None
        )


class CannedResponse(models.Model):
    """A reusable answer; its PLACEHOLDERS are filled in when an agent inserts it."""

    PLACEHOLDERS = ("author_name", "client_name")

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="canned_responses", verbose_name=_("client")
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(
        _("text"),
        help_text=_(
            "{author_name} becomes the author's name and {client_name} the client's when an agent inserts the text."
        ),
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="de")

    class Meta:
        ordering = [alphabetical("client__name"), alphabetical("title"), "title"]
        verbose_name = _("canned response")
        verbose_name_plural = _("canned responses")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        """A misspelt placeholder would reach the author as it stands: refuse it."""
        unknown = sorted(set(re.findall(r"\{([^{}]*)\}", self.body)) - set(self.PLACEHOLDERS))
        if re.sub(r"\{[^{}]*\}", "", self.body).count("{"):  # "{author_name, danke": never closed
            raise ValidationError({"body": _("A placeholder is not closed: write {author_name} or {client_name}.")})
        if unknown:
            raise ValidationError(
                {
                    "body": _("Unknown placeholder %(unknown)s: use {author_name} or {client_name}.")
                    % {"unknown": ", ".join("{" + name + "}" for name in unknown)}
                }
            )


class WebhookDelivery(models.Model):
    """One raw webhook request, stored before anything is parsed, so nothing accepted is lost."""

    class Source(models.TextChoices):
        META = "meta", _("Meta")
        GENERIC = "generic", _("Generic")
        WORDPRESS_POLL = "wordpress_poll", _("WordPress poll")
        IMPORT = "import", _("File import")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PROCESSED = "processed", _("Processed")
        PARTIAL = "partial", _("Processed with errors")

    channel = models.ForeignKey(
        Channel, on_delete=models.CASCADE, related_name="webhook_deliveries", verbose_name=_("channel")
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    body = models.BinaryField(_("body"))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    # When the raw body was dropped under the retention rule (raw_webhook_data_drop); body is then empty.
    body_dropped_at = models.DateTimeField(_("body dropped at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            # The bodies the retention rule has yet to drop (raw_webhook_data_drop), oldest first.
            models.Index(
                fields=["received_at"],
                name="delivery_body_retention",
                condition=Q(status="processed", body_dropped_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return gettext("%(source)s delivery %(number)s (%(status)s)") % {
            "source": self.get_source_display(),
            "number": self.pk,
            "status": self.get_status_display(),
        }


class IngestChange(models.Model):
    """One change out of a delivery; one that fails to normalise keeps its error for a retry."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        INGESTED = "ingested", _("Ingested")
        DUPLICATE = "duplicate", _("Duplicate")
        IGNORED = "ignored", _("Ignored")
        FAILED = "failed", _("Failed")

    # No index of its own: the unique (delivery, position) leads with it.
    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="changes", db_index=False, verbose_name=_("delivery")
    )
    position = models.PositiveIntegerField(_("position"))
    # The change as received, while it may run again (pending, failed). A Meta change settled in
    # the batch that stores it keeps none: its delivery's body holds it, at `position`. Both are
    # emptied by the retention rule (raw_webhook_data_drop) once the delivery is processed and old enough.
    payload = models.JSONField(_("payload"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(_("error"), blank=True)
    item = models.ForeignKey(
        Item, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("item")
    )

    class Meta:
        verbose_name = _("ingested change")
        verbose_name_plural = _("ingested changes")
        constraints = [models.UniqueConstraint(fields=["delivery", "position"], name="ingest_change_unique_position")]
        indexes = [models.Index(fields=["status"], name="ingest_change_failed", condition=Q(status="failed"))]

    def __str__(self) -> str:
        return gettext("change %(position)s of delivery %(delivery)s") % {
            "position": self.position,
            "delivery": self.delivery_id,
        }


# --- ingestion/triage models ---


class GenericEventReceipt(models.Model):
    """The event ids a generic-webhook channel has already accepted: a replayed event is acknowledged, not re-stored."""

    channel = models.ForeignKey(
        Channel, on_delete=models.CASCADE, related_name="generic_event_receipts", verbose_name=_("channel")
    )
    event_id = models.CharField(_("event id"), max_length=200)
    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="event_receipts", verbose_name=_("delivery")
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        verbose_name = _("generic webhook event")
        verbose_name_plural = _("generic webhook events")
        constraints = [models.UniqueConstraint(fields=["channel", "event_id"], name="generic_event_unique_per_channel")]

    def __str__(self) -> str:
        return gettext("%(event)s on channel %(channel)s") % {"event": self.event_id, "channel": self.channel_id}


class RemovedThread(models.Model):
    """A post removed on the platform, remembered per channel: its comments are gone with it, also
    those whose delivery comes only afterwards (Meta retries one for up to 36 hours). The post itself
    is no item (a page's own posts are not ingested), so the fact lives here."""

    channel = models.ForeignKey(
        Channel, on_delete=models.CASCADE, related_name="removed_threads", verbose_name=_("channel")
    )
    thread_external_id = models.CharField(_("thread external id"), max_length=200)
    removed_at = models.DateTimeField(_("removed at"), default=timezone.now)

    class Meta:
        verbose_name = _("post removed on the platform")
        verbose_name_plural = _("posts removed on the platform")
        constraints = [
            models.UniqueConstraint(fields=["channel", "thread_external_id"], name="removed_thread_unique_per_channel")
        ]

    def __str__(self) -> str:
        return gettext("%(thread)s on channel %(channel)s") % {
            "thread": self.thread_external_id,
            "channel": self.channel_id,
        }


class ItemTextFingerprint(models.Model):
    """A MinHash signature of an item's normalised text, to find near-duplicates from other authors fast.

    `bands` (locality-sensitive hashing: each band hashes a slice of the signature) has no index of
    its own: "similar texts of this client in the last hour" reads the client's recent rows through
    fingerprint_client_recent and tests their eight bands against a hashed array (see
    triage._triage_context); a GIN index on them cost every ingested item its upkeep and served no query.
    """

    item = models.OneToOneField(
        Item, on_delete=models.CASCADE, primary_key=True, related_name="text_fingerprint", verbose_name=_("item")
    )
    # The item's client and author, copied for the near-duplicate lookup. No foreign-key constraints
    # of their own: the item's constraints already hold both, and the row goes with the item
    # (checking them cost some 10 ms of PostgreSQL per 1,000 ingested items, at commit).
    client = models.ForeignKey(
        Client,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
        verbose_name=_("client"),
    )  # leads fingerprint_client_recent
    author = models.ForeignKey(
        Author, on_delete=models.CASCADE, related_name="+", db_constraint=False, verbose_name=_("author")
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    # The signature's values as 8-byte big-endian integers (fingerprint.minhash_to_bytes): written
    # and read as one value, not an array PostgreSQL and Python convert value by value.
    minhash = models.BinaryField(_("minhash"))
    bands = ArrayField(models.BigIntegerField(), verbose_name=_("bands"))

    class Meta:
        verbose_name = _("text fingerprint")
        verbose_name_plural = _("text fingerprints")
        indexes = [
            models.Index(fields=["client", "received_at"], name="fingerprint_client_recent"),
        ]

    def __str__(self) -> str:
        return gettext("fingerprint of item %(item)s") % {"item": self.item_id}


class SpamTokenStat(models.Model):
    """Per client: how often a token appeared in items agents marked spam / not spam.

    The reserved token SPAM_DOCUMENT_TOKEN counts the decisions themselves (the priors).
    """

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="spam_token_stats", verbose_name=_("client")
    )
    token = models.CharField(_("token"), max_length=64)
    spam_count = models.IntegerField(_("spam count"), default=0)
    ham_count = models.IntegerField(_("ham count"), default=0)

    class Meta:
        verbose_name = _("spam token statistic")
        verbose_name_plural = _("spam token statistics")
        constraints = [models.UniqueConstraint(fields=["client", "token"], name="spam_token_unique_per_client")]

    def __str__(self) -> str:
        return f"{self.token}: {self.spam_count}/{self.ham_count}"


class SpamFeedback(models.Model):
    """An agent's latest spam / not-spam decision on an item; changing it moves the token counts."""

    item = models.OneToOneField(Item, on_delete=models.CASCADE, related_name="spam_feedback", verbose_name=_("item"))
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+", verbose_name=_("client"))
    is_spam = models.BooleanField(_("is spam"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("decided by")
    )
    tokens = ArrayField(models.CharField(max_length=64), default=list, verbose_name=_("tokens"))
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        verbose_name = _("spam decision")
        verbose_name_plural = _("spam decisions")

    def __str__(self) -> str:
        said = gettext("item %(item)s: spam") if self.is_spam else gettext("item %(item)s: not spam")
        return said % {"item": self.item_id}


# --- claims/outbox/assignment models ---


class AgentPresence(models.Model):
    """Whether an agent is at their desk: auto-assignment only hands work to online agents.

    The browser sends a presence heartbeat while the agent works; no heartbeat for
    INBOX_PRESENCE_TIMEOUT_SECONDS (or an explicit end of shift) takes them offline
    and releases their claims. An explicit end of shift is remembered (shift_ended_at): the
    heartbeat of a page still open does not bring the agent back, only starting a shift does.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="presence", verbose_name=_("user")
    )
    is_online = models.BooleanField(_("online"), default=False)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    shift_ended_at = models.DateTimeField(_("shift ended at"), null=True, blank=True)
    capacity = models.PositiveSmallIntegerField(
        _("capacity"), default=5, help_text=_("How many items auto-assignment may give this agent at once.")
    )

    class Meta:
        verbose_name = _("agent presence")
        verbose_name_plural = _("agent presences")
        indexes = [models.Index(fields=["last_seen_at"], name="presence_online", condition=Q(is_online=True))]

    def __str__(self) -> str:
        said = gettext("%(user)s (online)") if self.is_online else gettext("%(user)s (offline)")
        return said % {"user": self.user}


class TeamAssignmentPolicy(models.Model):
    """How a team's open items reach its agents: by hand only, in turn, or to the least loaded."""

    class Mode(models.TextChoices):
        OFF = "off", _("Off (agents pull with “next item”)")
        ROUND_ROBIN = "round_robin", _("Round robin")
        LEAST_LOADED = "least_loaded", _("Least loaded")

    team = models.OneToOneField(
        "communityops.Team", on_delete=models.CASCADE, related_name="assignment_policy", verbose_name=_("team")
    )
    mode = models.CharField(_("mode"), max_length=20, choices=Mode.choices, default=Mode.OFF)
    # Round robin remembers whom it gave the last item to and continues after them.
    last_assigned_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last assigned user"),
    )

    class Meta:
        verbose_name = _("team assignment policy")
        verbose_name_plural = _("team assignment policies")

    def __str__(self) -> str:
        return f"{self.team}: {self.get_mode_display()}"


class WordPressPollState(models.Model):
    """Per WordPress channel: when it was last polled, the newest comment seen, the last error."""

    channel = models.OneToOneField(
        Channel, on_delete=models.CASCADE, related_name="wordpress_poll_state", verbose_name=_("channel")
    )
    last_polled_at = models.DateTimeField(_("last polled at"), null=True, blank=True)
    newest_comment_at = models.DateTimeField(_("newest comment at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("WordPress poll state")
        verbose_name_plural = _("WordPress poll states")

    def __str__(self) -> str:
        if self.last_polled_at is None:
            return str(self.channel)
        polled = date_format(timezone.localtime(self.last_polled_at), "SHORT_DATETIME_FORMAT")
        return gettext("%(channel)s, polled %(when)s") % {"channel": self.channel, "when": polled}
