"""Spike detection: propose a crisis, never open one silently.

The statistic, per client and per kind (negative items, all items):

    observed  = items received in the window [now - w, now)
    baseline  = the counts of the same window at the same hour of the week in the previous
                `baseline_days` days (now - 7 days, now - 14 days, ...; wall-clock in the
                client's time zone, so DST does not shift it) — the client's own weekly rhythm,
                so the normal Sunday-evening peak is part of what is expected
    expected  = max(mean(baseline), expected_floor)   (the floor keeps quiet clients from
                producing huge z-scores out of three comments)
    z         = (observed - expected) / sqrt(expected)  (a Poisson z-score: variance = mean)
    fires     when z >= z_threshold AND observed >= minimum_count

Per channel: the number of open (unanswered) items against a threshold.

Once: an alert is "ongoing" until the condition has not held for a full window after the
alert (calmed_at); while one is ongoing for that client/channel/kind, no new alert is made,
whether the first was acknowledged or not. A partial unique constraint guarantees it.
"""

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Case, Count, Q, Value, When
from django.urls import reverse
from django_q.tasks import async_task

from communityops.models import Client
from inbox.models import Item

from .lock_objects import spike_alert_qs_skip_locked
from .models import ChannelUnansweredThreshold, DetectionSettings, SpikeAlert
from .notifications import absolute_url, recipient_language
from .notifications.email import email_send
from .selectors import agency_alert_recipients, spike_alert_samples

SAMPLE_SIZE = 5


# --- Pure statistics --------------------------------------------------------------------------


def baseline_expected(counts: Sequence[int], *, floor: float) -> float:
    """The mean of the baseline windows, never below the floor."""
    mean = sum(counts) / len(counts) if counts else 0.0
    return max(mean, floor)


def poisson_z(*, observed: int, expected: float) -> float:
    return (observed - expected) / math.sqrt(expected)


def spike_fires(*, observed: int, expected: float, z_threshold: float, minimum_count: int) -> bool:
    return observed >= minimum_count and poisson_z(observed=observed, expected=expected) >= z_threshold


def baseline_windows(
    *, now: datetime, time_zone: str, window_minutes: int, baseline_days: int
) -> list[tuple[datetime, datetime]]:
    """The same window one, two, ... weeks back, in wall-clock time of the client's zone."""
    zone = ZoneInfo(time_zone)
    local_end = now.astimezone(zone).replace(tzinfo=None)
    windows = []
    for weeks in range(1, baseline_days // 7 + 1):
        end = (local_end - timedelta(weeks=weeks)).replace(tzinfo=zone)
        windows.append((end - timedelta(minutes=window_minutes), end))
    return windows


# --- The service ------------------------------------------------------------------------------


def detection_settings_for(*, client: Client) -> DetectionSettings:
    return DetectionSettings.objects.filter(client=client).first() or DetectionSettings(client=client)


def window_counts(*, client: Client, windows: list[tuple[datetime, datetime]]) -> list[tuple[int, int]]:
    """(all, negative) per window, counted by the database in one query."""
    aggregates = {}
    for index, (start, end) in enumerate(windows):
        in_window = Q(received_at__gte=start, received_at__lt=end)
        aggregates[f"all_{index}"] = Count("pk", filter=in_window)
        aggregates[f"neg_{index}"] = Count("pk", filter=in_window & Q(sentiment=Item.Sentiment.NEGATIVE))
    earliest = min(start for start, _end in windows)
    latest = max(end for _start, end in windows)
    row = Item.objects.filter(client=client, received_at__gte=earliest, received_at__lt=latest).aggregate(**aggregates)
    return [(row[f"all_{index}"], row[f"neg_{index}"]) for index in range(len(windows))]


def _samples(queryset) -> list[int]:
    """The items an alert shows as examples: the newest, spam and AI-fake suspects after the others
    (a night's alert should show what people say first; a spam wave's alert still shows the spam)."""
    suspect = Case(
        When(
            Q(status=Item.Status.SPAM) | Q(spam_score__gte=Item.SPAM_LIKELY) | Q(fake_score__gte=Item.FAKE_LIKELY),
            then=Value(True),
        ),
        default=Value(False),
    )
    return list(
        queryset.alias(suspect=suspect)
        .order_by("suspect", "-received_at", "-pk")
        .values_list("pk", flat=True)[:SAMPLE_SIZE]
    )


def _alert_or_calm(
    *,
    client: Client,
    channel_id: int | None,
    kind: str,
    fires: bool,
    now: datetime,
    window_minutes: int,
    evidence: dict,
) -> SpikeAlert | None:
    """Create the alert when a spike starts; mark it calm when it is over. Returns a new alert."""
    ongoing = SpikeAlert.objects.filter(client=client, channel_id=channel_id, kind=kind, calmed_at__isnull=True).first()
    if not fires:
        if ongoing is not None and now >= ongoing.created_at + timedelta(minutes=window_minutes):
            ongoing.calmed_at = now
            ongoing.save(update_fields=["calmed_at"])
        return None
    if ongoing is not None:
        return None
    try:
        with transaction.atomic():
            alert = SpikeAlert.objects.create(
                client=client, channel_id=channel_id, kind=kind, created_at=now, **evidence
            )
    except IntegrityError:
        return None  # another run created it a moment ago
    transaction.on_commit(lambda: async_task("crises.tasks.spike_alert_notify_task", alert.pk))
    return alert


@transaction.atomic
def spike_detect_client(*, client: Client, now: datetime) -> list[SpikeAlert]:
    """Check one client's volume and unanswered items; alert the on-call lead on a new spike."""
    settings = detection_settings_for(client=client)
    if not settings.is_active:
        return []
    window = timedelta(minutes=settings.window_minutes)
    current = (now - window, now)
    baseline = baseline_windows(
        now=now,
        time_zone=client.time_zone,
        window_minutes=settings.window_minutes,
        baseline_days=settings.baseline_days,
    )
    counts = window_counts(client=client, windows=[current, *baseline])
    in_window = Item.objects.filter(client=client, received_at__gte=current[0], received_at__lt=now)
    alerts = []
    for kind, position, samples in (
        (SpikeAlert.Kind.NEGATIVE_VOLUME, 1, in_window.filter(sentiment=Item.Sentiment.NEGATIVE)),
        (SpikeAlert.Kind.TOTAL_VOLUME, 0, in_window),
    ):
        observed = counts[0][position]
        expected = baseline_expected([row[position] for row in counts[1:]], floor=settings.expected_floor)
        fires = spike_fires(
            observed=observed,
            expected=expected,
            z_threshold=settings.z_threshold,
            minimum_count=settings.minimum_count,
        )
        alert = _alert_or_calm(
            client=client,
            channel_id=None,
            kind=kind,
            fires=fires,
            now=now,
            window_minutes=settings.window_minutes,
            evidence={
                "window_start": current[0],
                "window_end": now,
                "observed": observed,
                "baseline": expected,
                "z_score": poisson_z(observed=observed, expected=expected),
                "sample_item_ids": _samples(samples) if fires else [],
            },
        )
        if alert:
            alerts.append(alert)
    alerts.extend(_unanswered_check(client=client, settings=settings, now=now))
    return alerts


def _unanswered_check(*, client: Client, settings: DetectionSettings, now: datetime) -> list[SpikeAlert]:
    open_items = Item.objects.filter(client=client, status__in=Item.OPEN_STATUSES)
    counts = dict(open_items.values_list("channel").annotate(total=Count("pk")).values_list("channel", "total"))
    overrides = (
        dict(
            ChannelUnansweredThreshold.objects.filter(settings=settings).values_list(
                "channel_id", "unanswered_threshold"
            )
        )
        if settings.pk
        else {}
    )
    ongoing = set(
        SpikeAlert.objects.filter(client=client, kind=SpikeAlert.Kind.UNANSWERED, calmed_at__isnull=True).values_list(
            "channel_id", flat=True
        )
    )
    alerts = []
    for channel_id in set(counts) | ongoing:
        observed = counts.get(channel_id, 0)
        threshold = overrides.get(channel_id, settings.unanswered_threshold)
        fires = observed >= threshold
        alert = _alert_or_calm(
            client=client,
            channel_id=channel_id,
            kind=SpikeAlert.Kind.UNANSWERED,
            fires=fires,
            now=now,
            window_minutes=settings.window_minutes,
            evidence={
                "window_start": now,
                "window_end": now,
                "observed": observed,
                "baseline": float(threshold),
                "z_score": None,
                "sample_item_ids": list(
                    open_items.filter(channel_id=channel_id)
                    .order_by("received_at", "pk")
                    .values_list("pk", flat=True)[:SAMPLE_SIZE]
                )
                if fires
                else [],
            },
        )
        if alert:
            alerts.append(alert)
    return alerts


def spike_detect_all(*, now: datetime) -> list[SpikeAlert]:
    """Periodic (every minute): every active client, each in its own transaction."""
    alerts = []
    for client in Client.objects.filter(is_active=True).order_by("pk"):
        alerts.extend(spike_detect_client(client=client, now=now))
    return alerts


@transaction.atomic
def spike_alert_notify(*, alert_id: int, now: datetime) -> bool:
    """Email the alert with its evidence to the shift lead on call, or with nobody on call to every
    shift lead and admin (agency_alert_recipients, as the escalation fallback).

    Idempotent: notified_to is set in the same transaction, under the alert's row lock.
    """
    alert = spike_alert_qs_skip_locked().select_related("client", "channel").filter(pk=alert_id, notified_to="").first()
    if alert is None:
        return False
    leads = agency_alert_recipients(at=now)
    context = {
        "alert": alert,
        "samples": spike_alert_samples(alert=alert),
        "alert_url": absolute_url(reverse("crises:alert_detail", kwargs={"alert_id": alert.pk})),
    }
    for user in leads:
        email_send(to=user.email, name="spike_alert", language=recipient_language(user=user), context=context)
    alert.notified_to = ", ".join(user.email for user in leads)[:500] or "-"
    alert.save(update_fields=["notified_to"])
    return True
