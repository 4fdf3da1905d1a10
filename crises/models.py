"""Crises: tickets grouping threatening items, spike alerts, escalation to the client, response approval.

State changes happen in crises/services.py; every one writes a CrisisEvent in the same transaction.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from communityops.alphabetical import alphabetical
from communityops.models import Channel, Client, ClientContact
from inbox.models import Item, OutboundAction


class Severity(models.IntegerChoices):
    CRITICAL = 1, _("1 · critical")
    HIGH = 2, _("2 · high")
    WATCH = 3, _("3 · watch")


class Crisis(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ESCALATING = "escalating", _("Escalating")
        DRAFTING_RESPONSE = "drafting_response", _("Drafting response")
        AWAITING_APPROVAL = "awaiting_approval", _("Awaiting client approval")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")
        MONITORING = "monitoring", _("Monitoring")
        RESOLVED = "resolved", _("Resolved")

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="crises", verbose_name=_("client"))
    title = models.CharField(_("title"), max_length=200)
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Severity.choices, default=Severity.HIGH)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_crises",
        verbose_name=_("owner (shift lead)"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    post_mortem = models.TextField(_("post-mortem"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("opened"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    # Escalation state lives here so a restarted worker picks it up: the step schedule is
    # derived from escalation_started_at, and the agency's acknowledgement stops it.
    escalation_started_at = models.DateTimeField(_("escalation started"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.CharField(_("acknowledged by"), max_length=200, blank=True)
    # A client's contact has seen it (services.crisis_client_seen): their colleagues are not alerted
    # again, but the escalation goes on for the agency until it acknowledges.
    client_seen_at = models.DateTimeField(_("seen by the client"), null=True, blank=True)
    client_seen_by = models.CharField(
        _("seen by (client contact)"), max_length=200, blank=True, default="", db_default=""
    )
    # The Idempotency-Key of the request that opened it (the API's header, the board form's hidden key),
    # unique per opener: a retried request finds this crisis instead of opening a second one. The
    # fingerprint (services.crisis_create_for_request) tells a retry from another request under the same key.
    idempotency_key = models.CharField(_("idempotency key"), max_length=255, null=True, blank=True, editable=False)
    idempotency_fingerprint = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        ordering = ["severity", "-created_at"]
        verbose_name = _("crisis")
        verbose_name_plural = _("crises")
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="crisis_idempotency_key_per_opener",
            ),
        ]
        indexes = [
            models.Index(
                fields=["escalation_started_at"],
                name="crisis_escalation_running",
                condition=Q(escalation_started_at__isnull=False, acknowledged_at__isnull=True) & ~Q(status="resolved"),
            ),
            models.Index(fields=["client", "status"], name="crisis_client_status"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def escalation_running(self) -> bool:
        return (
            self.escalation_started_at is not None
            and self.acknowledged_at is None
            and self.status != self.Status.RESOLVED
        )


class CrisisItem(models.Model):
    """An inbox item grouped under a crisis; it records which response it was answered with."""

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="crisis_items", verbose_name=_("crisis"))
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="crisis_links", verbose_name=_("item"))
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("linked by")
    )
    linked_at = models.DateTimeField(_("linked at"), default=timezone.now)
    answered_draft = models.ForeignKey(
        "ResponseDraft",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="answered_items",
        verbose_name=_("answered draft"),
    )
    answered_action = models.ForeignKey(
        OutboundAction,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered action"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    holding_statement = models.ForeignKey(
        "HoldingStatement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("holding statement"),
    )
    holding_sent_at = models.DateTimeField(_("holding sent at"), null=True, blank=True)

    class Meta:
        # Linking order. Not linked_at: that is the request's time, taken before the crisis lock that
        # serializes linking, while ids are handed out under it (in the order the links commit).
        ordering = ["id"]
        verbose_name = _("linked item")
        verbose_name_plural = _("linked items")
        constraints = [models.UniqueConstraint(fields=["crisis", "item"], name="crisis_item_unique")]
        # The crisis's links in linking order: the newest window (page and API) and keyset pages.
        indexes = [models.Index(fields=["crisis", "id"], name="crisis_item_linked_order")]

    def __str__(self) -> str:
        return gettext("item %(item)s in crisis %(crisis)s") % {"item": self.item_id, "crisis": self.crisis_id}


class CrisisEvent(models.Model):
    """Append-only timeline of a crisis: who did what, when, with the details in data."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Opened")
        STATUS_CHANGED = "status_changed", _("Status changed")
        ITEMS_LINKED = "items_linked", _("Items linked")
        ESCALATION_STARTED = "escalation_started", _("Escalation started")
        STEP_FIRED = "step_fired", _("Escalation step fired")
        NOTIFICATION_SENT = "notification_sent", _("Notification sent")
        NOTIFICATION_FAILED = "notification_failed", _("Notification failed")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        CLIENT_SEEN = "client_seen", _("Seen by the client")
        STEP_SKIPPED = "step_skipped", _("Escalation step skipped")
        DRAFT_CREATED = "draft_created", _("Draft created")
        DRAFT_SUBMITTED = "draft_submitted", _("Submitted for approval")
        APPROVAL_DECIDED = "approval_decided", _("Approval decision")
        APPROVAL_REMINDER = "approval_reminder", _("Approval reminder sent")
        FALLBACK_APPROVER = "fallback_approver", _("Fallback approver asked")
        APPROVAL_LINK_RESENT = "approval_link_resent", _("New approval link sent")
        PUBLISHED = "published", _("Response published")
        HOLDING_PUBLISHED = "holding_published", _("Holding statement published")
        POST_MORTEM = "post_mortem", _("Post-mortem written")

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="events", verbose_name=_("crisis"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("actor")
    )
    # Who, for actors without an account here (a contact via magic link, the system).
    actor_label = models.CharField(_("actor label"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("crisis event")
        verbose_name_plural = _("crisis events")

    def __str__(self) -> str:
        return gettext("%(kind)s · crisis %(crisis)s") % {"kind": self.get_kind_display(), "crisis": self.crisis_id}


class BusinessHours(models.TextChoices):
    BOTH = "both", _("Always")
    INSIDE = "inside", _("Inside business hours")
    OUTSIDE = "outside", _("Outside business hours")


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    OUTGOING_WEBHOOK = "outgoing_webhook", _("SMS / phone via outgoing webhook")
    CHAT_WEBHOOK = "chat_webhook", _("Slack/Teams incoming webhook")


def notification_channel_in_a_sentence(channel: str) -> str:
    """A channel's name after "by", mid-sentence: "by email", where the label of menus and
    headings says "Email" (German says "per E-Mail" either way). An unknown value reads as itself."""
    if channel == NotificationChannel.EMAIL:
        return pgettext("notification channel, mid-sentence", "email")
    return dict(NotificationChannel.choices).get(channel, channel)


class ClientSeenVia(models.TextChoices):
    """How a client's contact said they have seen a crisis (a CLIENT_SEEN event's "via"), mid-sentence."""

    PORTAL = "portal", _("in the client portal")
    ALERT_LINK = "alert_link", _("through the link in their alert")
    DECISION = "decision", _("by deciding on a response")


class AgencyRole(models.TextChoices):
    ON_CALL_LEAD = "on_call_lead", _("Shift lead on call")
    CRISIS_OWNER = "crisis_owner", _("Crisis owner")
    ALL_SHIFT_LEADS = "all_shift_leads", _("All shift leads")


class EscalationPolicy(models.Model):
    client = models.OneToOneField(
        Client, on_delete=models.CASCADE, related_name="escalation_policy", verbose_name=_("client")
    )
    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("escalation policy")
        verbose_name_plural = _("escalation policies")

    def __str__(self) -> str:
        return f"{self.name} ({self.client})"


class EscalationStep(models.Model):
    """One rung of the ladder: who is alerted, how, and how long we wait before the next rung."""

    policy = models.ForeignKey(
        EscalationPolicy, on_delete=models.CASCADE, related_name="steps", verbose_name=_("policy")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    contacts = models.ManyToManyField(ClientContact, blank=True, related_name="+", verbose_name=_("client contacts"))
    agency_roles = ArrayField(
        models.CharField(max_length=20, choices=AgencyRole.choices),
        default=list,
        blank=True,
        verbose_name=_("agency roles"),
    )
    channel = models.CharField(
        _("channel"), max_length=20, choices=NotificationChannel.choices, default=NotificationChannel.EMAIL
    )
    webhook_url = models.URLField(
        _("webhook URL"),
        blank=True,
        help_text=_('Outgoing webhook (receives JSON) or Slack/Teams incoming webhook (receives {"text": ...}).'),
    )
    wait_minutes = models.PositiveIntegerField(
        _("wait for acknowledgement (minutes)"), default=15, help_text=_("Before the next step fires.")
    )
    severities = ArrayField(
        models.PositiveSmallIntegerField(choices=Severity.choices),
        default=list,
        blank=True,
        verbose_name=_("severities"),
        help_text=_("Empty means every severity."),
    )
    business_hours = models.CharField(
        _("applies"),
        max_length=10,
        choices=BusinessHours.choices,
        default=BusinessHours.BOTH,
        help_text=_("Business hours: Monday to Friday 09:00–18:00 in the client's time zone, except public holidays."),
    )

    class Meta:
        ordering = ["policy", "position"]
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation steps")
        constraints = [models.UniqueConstraint(fields=["policy", "position"], name="escalation_step_unique_position")]

    def __str__(self) -> str:
        return gettext("%(policy)s · step %(position)s") % {"policy": self.policy, "position": self.position}

    @property
    def channel_in_a_sentence(self) -> str:
        return notification_channel_in_a_sentence(self.channel)


class Notification(models.Model):
    """One message to one recipient for one step; the unique key makes it exactly-once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not needed (acknowledged)")
        # To a client's contact after one of them had seen the crisis (services.crisis_client_seen).
        CLIENT_SEEN = "seen", _("Not needed (the client has seen it)")
        # A contact of another client than the crisis's (named in a step before that was refused):
        # never sent, the alert would show them another client's crisis.
        REFUSED = "refused", _("Not sent (not a contact of the crisis's client)")

    MAX_ATTEMPTS = 5

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("crisis"))
    # None: the fallback of a client without a ladder for the crisis (crises.escalation).
    step = models.ForeignKey(
        EscalationStep,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("step"),
    )
    # "contact:<id>", "user:<id>" or "chat" (a chat webhook is one recipient).
    recipient_key = models.CharField(_("recipient key"), max_length=50)
    # A step alerts once (1); the fallback repeats until acknowledged: 2, 3, ... are its reminders.
    # db_default: code from before rounds (a rolling deploy) still inserts notifications.
    round = models.PositiveSmallIntegerField(_("round"), default=1, db_default=1)
    recipient_label = models.CharField(_("recipient label"), max_length=200)
    address = models.CharField(_("address"), max_length=500, help_text=_("Email address, phone number or webhook URL."))
    channel = models.CharField(_("channel"), max_length=20, choices=NotificationChannel.choices)
    language = models.CharField(_("language"), max_length=8, default="de")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["crisis", "step", "recipient_key", "round"],
                nulls_distinct=False,
                name="notification_exactly_once",
            )
        ]
        indexes = [models.Index(fields=["crisis"], name="notification_pending", condition=Q(status="pending"))]

    def __str__(self) -> str:
        return gettext("%(recipient)s · step %(step)s · %(status)s") % {
            "recipient": self.recipient_label,
            "step": self.step_id,
            "status": self.get_status_display(),
        }


class RecipientLanguage(models.Model):
    """The language crisis emails are written in for one contact or staff user (German by default)."""

    contact = models.OneToOneField(
        ClientContact, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("contact")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="de")

    class Meta:
        verbose_name = _("recipient language")
        verbose_name_plural = _("recipient languages")
        constraints = [
            models.CheckConstraint(
                condition=Q(contact__isnull=False, user__isnull=True) | Q(contact__isnull=True, user__isnull=False),
                name="recipient_language_one_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.contact or self.user}: {self.language}"


class OnCallShift(models.Model):
    class Label(models.TextChoices):
        DAY = "day", _("Day")
        EVENING = "evening", _("Evening")
        NIGHT = "night", _("Night")
        WEEKEND = "weekend", _("Weekend")
        HOLIDAY = "holiday", _("Public holiday")

    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="on_call_shifts", verbose_name=_("shift lead")
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    label = models.CharField(_("kind"), max_length=10, choices=Label.choices)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("on-call shift")
        verbose_name_plural = _("on-call roster")
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after")]
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="shift_period")]

    def __str__(self) -> str:
        starts = date_format(timezone.localtime(self.starts_at), "SHORT_DATETIME_FORMAT")
        return f"{self.lead} · {self.get_label_display()} · {starts}"

    def clean(self) -> None:
        """Only an active shift lead or admin holds a shift, and shifts never overlap.

        Whoever is on call receives the escalations of every client's crises, so neither an
        agent nor a client's contact may, and "who is on call now" has exactly one answer. Writes
        check this under the roster lock (lock_objects.on_call_roster_lock), so two at once cannot
        both pass.
        """
        errors: dict[str, list[ValidationError]] = {}
        lead = self.lead if self.lead_id else None
        if lead is not None and not lead.may_be_on_call:
            errors["lead"] = [
                ValidationError(
                    _(
                        "%(user)s is not an active shift lead or admin: only they can be on call "
                        "(whoever is on call is alerted to every client's crises)."
                    ),
                    code="not_a_shift_lead",
                    params={"user": lead},
                )
            ]
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = [ValidationError(_("A shift ends after it starts."), code="ends_before_start")]
        elif self.starts_at and self.ends_at:
            overlapping = (
                OnCallShift.objects.filter(starts_at__lt=self.ends_at, ends_at__gt=self.starts_at)
                .exclude(pk=self.pk)
                .select_related("lead")
                .order_by("starts_at", "pk")
                .first()
            )
            if overlapping is not None:
                errors[NON_FIELD_ERRORS] = [
                    ValidationError(
                        _(
                            "This shift overlaps the shift of %(lead)s from %(starts)s to %(ends)s: "
                            "only one shift lead is on call at a time. End or move that shift first."
                        ),
                        code="overlapping_shift",
                        params={
                            "lead": overlapping.lead,
                            "starts": date_format(timezone.localtime(overlapping.starts_at), "SHORT_DATETIME_FORMAT"),
                            "ends": date_format(timezone.localtime(overlapping.ends_at), "SHORT_DATETIME_FORMAT"),
                        },
                    )
                ]
        if errors:
            raise ValidationError(errors)


class ApprovalSettings(models.Model):
    class Rule(models.TextChoices):
        ANY = "any", _("One approver suffices")
        ALL = "all", _("All named approvers must approve")

    client = models.OneToOneField(
        Client, on_delete=models.CASCADE, related_name="approval_settings", verbose_name=_("client")
    )
    rule = models.CharField(_("rule"), max_length=4, choices=Rule.choices, default=Rule.ANY)
    approvers = models.ManyToManyField(
        ClientContact,
        blank=True,
        related_name="+",
        verbose_name=_("named approvers"),
        help_text=_("Empty means every contact allowed to approve."),
    )
    reminder_minutes = models.PositiveIntegerField(
        _("reminder after (minutes)"), default=15, help_text=_("Remind approvers who have not decided yet.")
    )
    deadline_minutes = models.PositiveIntegerField(
        _("approval deadline (minutes)"), default=30, help_text=_("Then the fallback approver is asked.")
    )
    fallback_approver = models.ForeignKey(
        ClientContact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("fallback approver"),
        help_text=_("Asked after the deadline; their approval alone suffices."),
    )
    link_valid_hours = models.PositiveIntegerField(_("magic links valid for (hours)"), default=24)

    class Meta:
        verbose_name = _("approval settings")
        verbose_name_plural = _("approval settings")

    def __str__(self) -> str:
        return f"{self.client}: {self.get_rule_display()}"


class ResponseDraft(models.Model):
    """One version of the crisis response; every version is kept."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SUPERSEDED = "superseded", _("Superseded")

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="drafts", verbose_name=_("crisis"))
    version = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("text"))
    platform_texts = models.JSONField(
        _("per-platform texts"), default=dict, blank=True, help_text=_("Platform code to text; others use the text.")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approval_due_at = models.DateTimeField(_("approval due at"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    fallback_asked_at = models.DateTimeField(_("fallback asked at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["crisis", "-version"]
        verbose_name = _("response draft")
        verbose_name_plural = _("response drafts")
        constraints = [models.UniqueConstraint(fields=["crisis", "version"], name="draft_unique_version")]
        indexes = [models.Index(fields=["submitted_at"], name="draft_awaiting", condition=Q(status="submitted"))]

    def __str__(self) -> str:
        return gettext("crisis %(crisis)s v%(version)s") % {"crisis": self.crisis_id, "version": self.version}

    def text_for(self, platform: str) -> str:
        return self.platform_texts.get(platform) or self.text


class Approval(models.Model):
    class Decision(models.TextChoices):
        APPROVE = "approve", _("Approve")
        REJECT = "reject", _("Reject")

    class Via(models.TextChoices):
        PORTAL = "portal", _("Portal")
        MAGIC_LINK = "magic_link", _("Magic link")

    draft = models.ForeignKey(
        ResponseDraft, on_delete=models.CASCADE, related_name="approvals", verbose_name=_("draft")
    )
    contact = models.ForeignKey(ClientContact, on_delete=models.PROTECT, related_name="+", verbose_name=_("contact"))
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices)
    comment = models.TextField(_("comment"), blank=True)
    via = models.CharField(_("via"), max_length=10, choices=Via.choices)
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        ordering = ["decided_at", "id"]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        constraints = [models.UniqueConstraint(fields=["draft", "contact"], name="approval_one_per_contact")]

    def __str__(self) -> str:
        return f"{self.contact} · {self.get_decision_display()} · v{self.draft_id}"


class ApprovalLink(models.Model):
    """A magic link for one contact and one draft: single-use, expiring.

    Only the SHA-256 of the token is stored. The token itself is an HMAC of the nonce under
    SECRET_KEY, so the send task can rebuild it from the row, while the database alone cannot.
    """

    draft = models.ForeignKey(ResponseDraft, on_delete=models.CASCADE, related_name="links", verbose_name=_("draft"))
    contact = models.ForeignKey(ClientContact, on_delete=models.CASCADE, related_name="+", verbose_name=_("contact"))
    nonce = models.CharField(_("nonce"), max_length=64)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    is_fallback = models.BooleanField(_("is fallback"), default=False)
    # When this token was issued: at the submission, or when the agency sent a new link
    # (services.approval_link_resend, which replaces the token of the row).
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("approval link")
        verbose_name_plural = _("approval links")
        constraints = [models.UniqueConstraint(fields=["draft", "contact"], name="approval_link_one_per_contact")]

    def __str__(self) -> str:
        return gettext("link for %(contact)s · draft %(draft)s") % {"contact": self.contact, "draft": self.draft_id}


class HoldingStatement(models.Model):
    """A pre-approved holding answer ("we are looking into it") that may go out at once."""

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="holding_statements", verbose_name=_("client")
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    is_pre_approved = models.BooleanField(_("pre-approved by the client"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = [alphabetical("client__name"), alphabetical("title"), "title"]
        verbose_name = _("holding statement")
        verbose_name_plural = _("holding statements")

    def __str__(self) -> str:
        return self.title


class SpikeAlert(models.Model):
    """One detected spike. While it has not calmed down, the same spike never alerts again."""

    class Kind(models.TextChoices):
        NEGATIVE_VOLUME = "negative_volume", _("Negative items")
        TOTAL_VOLUME = "total_volume", _("All items")
        UNANSWERED = "unanswered", _("Unanswered items")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        OPENED_CRISIS = "opened_crisis", _("Crisis opened")

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="spike_alerts", verbose_name=_("client"))
    channel = models.ForeignKey(
        Channel, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("channel")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    window_start = models.DateTimeField(_("window start"))
    window_end = models.DateTimeField(_("window end"))
    observed = models.PositiveIntegerField(_("observed"))
    baseline = models.FloatField(_("baseline"), help_text=_("Expected count in the window (or the threshold)."))
    z_score = models.FloatField(_("z score"), null=True, blank=True)
    sample_item_ids = ArrayField(models.BigIntegerField(), default=list, blank=True, verbose_name=_("sample item ids"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    crisis = models.ForeignKey(
        Crisis, on_delete=models.SET_NULL, null=True, blank=True, related_name="spike_alerts", verbose_name=_("crisis")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    notified_to = models.CharField(_("notified to"), max_length=500, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    # Set when the condition no longer holds: only then may the same client/kind alert again.
    calmed_at = models.DateTimeField(_("calmed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("spike alert")
        verbose_name_plural = _("spike alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["client", "channel", "kind"],
                condition=Q(calmed_at__isnull=True),
                nulls_distinct=False,
                name="spike_alert_one_ongoing",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.client} · {self.observed}"


class DetectionSettings(models.Model):
    client = models.OneToOneField(
        Client, on_delete=models.CASCADE, related_name="detection_settings", verbose_name=_("client")
    )
    is_active = models.BooleanField(_("active"), default=True)
    window_minutes = models.PositiveIntegerField(_("window (minutes)"), default=60)
    baseline_days = models.PositiveIntegerField(
        _("baseline (days)"),
        default=28,
        validators=[MinValueValidator(7)],  # fewer than 7 days hold no earlier week to compare with
        help_text=_(
            "Compared with the same window at the same hour of the week in this many previous days "
            "(28 days: the last four weeks)."
        ),
    )
    z_threshold = models.FloatField(_("z-score threshold"), default=3.0)
    minimum_count = models.PositiveIntegerField(
        _("minimum count"), default=10, help_text=_("A spike needs at least this many items in the window.")
    )
    expected_floor = models.FloatField(
        _("expected floor"), default=1.0, help_text=_("Baselines below this count as this (quiet clients).")
    )
    unanswered_threshold = models.PositiveIntegerField(
        _("unanswered items per channel"), default=25, help_text=_("Alert when a channel has this many open items.")
    )

    class Meta:
        verbose_name = _("detection settings")
        verbose_name_plural = _("detection settings")

    def __str__(self) -> str:
        return f"{self.client}: z≥{self.z_threshold}, n≥{self.minimum_count}"


class ChannelUnansweredThreshold(models.Model):
    """Overrides the client's unanswered-items threshold for one channel."""

    settings = models.ForeignKey(
        DetectionSettings, on_delete=models.CASCADE, related_name="channel_thresholds", verbose_name=_("settings")
    )
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+", verbose_name=_("channel"))
    unanswered_threshold = models.PositiveIntegerField(_("unanswered items"))

    class Meta:
        verbose_name = _("channel threshold")
        verbose_name_plural = _("channel thresholds")
        constraints = [models.UniqueConstraint(fields=["settings", "channel"], name="channel_threshold_unique")]

    def __str__(self) -> str:
        return f"{self.channel}: {self.unanswered_threshold}"
