"""Admin: the configuration (policies, roster, settings, statements) is edited here; the
timeline, notifications and approvals are audit rows and read-only."""

from django.contrib import admin

from .models import (
    Approval,
    ApprovalSettings,
    ChannelUnansweredThreshold,
    Crisis,
    CrisisEvent,
    DetectionSettings,
    EscalationPolicy,
    EscalationStep,
    HoldingStatement,
    Notification,
    OnCallShift,
    RecipientLanguage,
    SpikeAlert,
)


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EscalationStepInline(admin.StackedInline):
    model = EscalationStep
    extra = 0
    ordering = ("position",)
    fields = (
        "position",
        "contacts",
        "agency_roles",
        "channel",
        "webhook_url",
        "wait_minutes",
        "severities",
        "business_hours",
    )
    filter_horizontal = ("contacts",)


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(admin.ModelAdmin):
    list_display = ("name", "client", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "client__name")
    list_select_related = ("client",)
    inlines = [EscalationStepInline]


@admin.register(OnCallShift)
class OnCallShiftAdmin(admin.ModelAdmin):
    list_display = ("starts_at", "ends_at", "label", "lead")
    list_filter = ("label", "lead")
    date_hierarchy = "starts_at"
    list_select_related = ("lead",)


class ChannelThresholdInline(admin.TabularInline):
    model = ChannelUnansweredThreshold
    extra = 0


@admin.register(DetectionSettings)
class DetectionSettingsAdmin(admin.ModelAdmin):
    list_display = (
        "client",
        "is_active",
        "window_minutes",
        "baseline_days",
        "z_threshold",
        "minimum_count",
        "unanswered_threshold",
    )
    list_select_related = ("client",)
    inlines = [ChannelThresholdInline]


@admin.register(ApprovalSettings)
class ApprovalSettingsAdmin(admin.ModelAdmin):
    list_display = ("client", "rule", "reminder_minutes", "deadline_minutes", "fallback_approver")
    list_select_related = ("client", "fallback_approver")
    filter_horizontal = ("approvers",)


@admin.register(HoldingStatement)
class HoldingStatementAdmin(admin.ModelAdmin):
    list_display = ("title", "client", "is_pre_approved", "is_active")
    list_filter = ("is_pre_approved", "is_active", "client")
    search_fields = ("title", "text")


@admin.register(RecipientLanguage)
class RecipientLanguageAdmin(admin.ModelAdmin):
    list_display = ("__str__", "language")
    raw_id_fields = ("contact", "user")


class CrisisEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CrisisEvent
    fields = ("created_at", "kind", "actor", "actor_label", "data")
    readonly_fields = fields
    extra = 0


class NotificationInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Notification
    fields = ("step", "recipient_label", "channel", "status", "attempts", "sent_at", "last_error")
    readonly_fields = fields
    extra = 0


@admin.register(Crisis)
class CrisisAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: every change goes through the crisis page (services, events)."""

    list_display = ("title", "client", "severity", "status", "owner", "created_at")
    list_filter = ("status", "severity", "client")
    search_fields = ("title",)
    list_select_related = ("client", "owner")
    inlines = [NotificationInline, CrisisEventInline]


@admin.register(CrisisEvent)
class CrisisEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "crisis", "kind", "actor", "actor_label")
    list_filter = ("kind",)
    list_select_related = ("crisis", "actor")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "crisis", "recipient_label", "channel", "status", "attempts", "sent_at")
    list_filter = ("status", "channel")
    list_select_related = ("crisis",)


@admin.register(Approval)
class ApprovalAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("decided_at", "draft", "contact", "decision", "via")
    list_select_related = ("draft", "contact")


@admin.register(SpikeAlert)
class SpikeAlertAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "client", "channel", "kind", "observed", "baseline", "z_score", "status", "calmed_at")
    list_filter = ("kind", "status", "client")
    list_select_related = ("client", "channel")
