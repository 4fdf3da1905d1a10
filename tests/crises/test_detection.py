from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from communityops.models import User
from crises.detection import (
    baseline_expected,
    baseline_windows,
    poisson_z,
    spike_alert_notify,
    spike_detect_all,
    spike_detect_client,
    spike_fires,
)
from crises.models import DetectionSettings, SpikeAlert
from inbox.models import Item

from .conftest import BERLIN


def test_poisson_z_and_floor():
    assert baseline_expected([4, 4, 5, 3], floor=1.0) == 4.0
    assert baseline_expected([0, 0, 0, 0], floor=1.0) == 1.0
    assert poisson_z(observed=13, expected=4.0) == 4.5
    assert spike_fires(observed=13, expected=4.0, z_threshold=3.0, minimum_count=10)
    # Too few to matter, however unusual for the hour.
    assert not spike_fires(observed=9, expected=1.0, z_threshold=3.0, minimum_count=10)


def test_baseline_windows_keep_the_wall_clock_across_dst():
    # Sunday 5 April 2026 20:00 (summer time); four weeks back crosses the switch on 29 March.
    windows = baseline_windows(
        now=datetime(2026, 4, 5, 20, 0, tzinfo=BERLIN), time_zone="Europe/Berlin", window_minutes=60, baseline_days=28
    )

    assert [end.astimezone(BERLIN).hour for _start, end in windows] == [20, 20, 20, 20]
    assert [end.astimezone(BERLIN).weekday() for _start, end in windows] == [6, 6, 6, 6]


@pytest.fixture
def rhythm(client_factory, channel_factory, item_factory):
    """Four weeks of a client whose Sunday evenings are always busy: 12 negative comments
    between 20:00 and 21:00, and nothing at night."""
    client = client_factory()
    channel = channel_factory(client=client)
    DetectionSettings.objects.create(
        client=client, window_minutes=60, baseline_days=28, z_threshold=3.0, minimum_count=10, unanswered_threshold=100
    )
    sunday = datetime(2026, 3, 8, 20, 0, tzinfo=BERLIN)
    for weeks in range(1, 5):
        evening = sunday - timedelta(weeks=weeks)
        for minute in range(12):
            item_factory(
                channel=channel,
                sentiment=Item.Sentiment.NEGATIVE,
                status=Item.Status.ANSWERED,
                received_at=evening + timedelta(minutes=minute * 5),
            )
    return {"client": client, "channel": channel, "sunday": sunday}


def _burst(item_factory, channel, start, count, **fields):
    for index in range(count):
        item_factory(channel=channel, received_at=start + timedelta(minutes=index * 2), **fields)


def test_the_normal_sunday_evening_peak_does_not_fire(rhythm, item_factory):
    _burst(item_factory, rhythm["channel"], rhythm["sunday"], 13, sentiment=Item.Sentiment.NEGATIVE)

    alerts = spike_detect_client(client=rhythm["client"], now=rhythm["sunday"] + timedelta(minutes=59))

    assert alerts == []


def test_a_night_time_burst_fires_once_and_alerts_the_on_call_lead(
    rhythm, item_factory, on_call, django_capture_on_commit_callbacks
):
    night = rhythm["sunday"] + timedelta(hours=6)  # Monday 02:00
    _burst(item_factory, rhythm["channel"], night, 15, sentiment=Item.Sentiment.NEGATIVE)

    with django_capture_on_commit_callbacks(execute=True):
        first = spike_detect_client(client=rhythm["client"], now=night + timedelta(minutes=40))
    with django_capture_on_commit_callbacks(execute=True):
        again = spike_detect_client(client=rhythm["client"], now=night + timedelta(minutes=41))

    kinds = sorted(alert.kind for alert in first)
    negative = next(alert for alert in first if alert.kind == SpikeAlert.Kind.NEGATIVE_VOLUME)
    assert kinds == [SpikeAlert.Kind.NEGATIVE_VOLUME, SpikeAlert.Kind.TOTAL_VOLUME]
    assert negative.observed == 15 and negative.baseline == 1.0 and negative.z_score == 14.0
    assert len(negative.sample_item_ids) == 5
    assert again == []
    assert [message.to for message in mail.outbox] == [[on_call.email], [on_call.email]]
    assert f"/crises/alerts/{negative.pk}/" in mail.outbox[0].body


def test_an_acknowledged_spike_still_does_not_alert_again_until_it_calms(rhythm, item_factory, on_call):
    night = rhythm["sunday"] + timedelta(hours=6)
    _burst(item_factory, rhythm["channel"], night, 15, sentiment=Item.Sentiment.NEGATIVE)
    spike_detect_client(client=rhythm["client"], now=night + timedelta(minutes=40))
    SpikeAlert.objects.update(status=SpikeAlert.Status.ACKNOWLEDGED)

    during = spike_detect_client(client=rhythm["client"], now=night + timedelta(minutes=50))
    calm = spike_detect_client(client=rhythm["client"], now=night + timedelta(hours=3))
    _burst(item_factory, rhythm["channel"], night + timedelta(hours=4), 15, sentiment=Item.Sentiment.NEGATIVE)
    next_spike = spike_detect_client(client=rhythm["client"], now=night + timedelta(hours=4, minutes=40))

    assert during == [] and calm == []
    assert SpikeAlert.objects.filter(calmed_at__isnull=False).count() == 2
    assert sorted(alert.kind for alert in next_spike) == [SpikeAlert.Kind.NEGATIVE_VOLUME, SpikeAlert.Kind.TOTAL_VOLUME]


def test_unanswered_items_per_channel_threshold(client_factory, channel_factory, item_factory):
    client = client_factory()
    busy, quiet = channel_factory(client=client), channel_factory(client=client)
    DetectionSettings.objects.create(client=client, unanswered_threshold=5)
    for _ in range(5):
        item_factory(channel=busy)
    item_factory(channel=quiet)

    alerts = spike_detect_all(now=datetime(2026, 3, 9, 3, 0, tzinfo=BERLIN))

    unanswered = [alert for alert in alerts if alert.kind == SpikeAlert.Kind.UNANSWERED]
    assert [(alert.channel_id, alert.observed) for alert in unanswered] == [(busy.pk, 5)]


def test_counts_are_one_query_per_window_set(rhythm, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        spike_detect_client(client=rhythm["client"], now=rhythm["sunday"])


def test_a_baseline_shorter_than_a_week_is_refused(client_factory):
    settings = DetectionSettings(client=client_factory(), baseline_days=6)

    with pytest.raises(ValidationError) as refused:
        settings.full_clean()

    assert "baseline_days" in refused.value.message_dict


def test_with_nobody_on_call_a_spike_alerts_every_shift_lead_and_admin(client_factory, user_factory):
    """As the escalation fallback does (agency_alert_recipients): not only the shift leads."""
    lead, admin = user_factory(role=User.Role.SHIFT_LEAD), user_factory(role=User.Role.ADMIN)
    user_factory(role=User.Role.AGENT)
    user_factory(role=User.Role.SHIFT_LEAD, is_active=False)
    now = timezone.now()
    alert = SpikeAlert.objects.create(
        client=client_factory(),
        kind=SpikeAlert.Kind.NEGATIVE_VOLUME,
        window_start=now - timedelta(hours=1),
        window_end=now,
        observed=30,
        baseline=2.0,
    )

    sent = spike_alert_notify(alert_id=alert.pk, now=now)

    alert.refresh_from_db()
    assert sent is True
    assert sorted(message.to[0] for message in mail.outbox) == sorted([lead.email, admin.email])
    assert sorted(alert.notified_to.split(", ")) == sorted([lead.email, admin.email])


def test_the_unanswered_alert_mail_names_the_threshold_and_the_moment_it_was_counted(client_factory, on_call):
    now = timezone.now()
    alert = SpikeAlert.objects.create(
        client=client_factory(),
        kind=SpikeAlert.Kind.UNANSWERED,
        window_start=now,
        window_end=now,
        observed=25,
        baseline=25.0,
    )

    spike_alert_notify(alert_id=alert.pk, now=now)

    (message,) = mail.outbox
    counted = timezone.localtime(now)
    assert f"Gezählt am {counted:%d.%m. %H:%M} Uhr" in message.body
    assert "25 unbeantwortet (Schwelle: 25)" in message.body
    assert "25 unbeantwortet (Schwelle: 25)" in message.alternatives[0].content
    assert "Zeitfenster" not in message.body


def test_an_alerts_examples_show_what_people_say_before_spam_and_fakes(rhythm, item_factory):
    night = rhythm["sunday"] + timedelta(hours=6)
    _burst(item_factory, rhythm["channel"], night, 10, sentiment=Item.Sentiment.NEUTRAL)
    later = night + timedelta(minutes=25)  # the newest items of the window are suspects
    spam = [item_factory(channel=rhythm["channel"], received_at=later, spam_score=0.9) for _ in range(3)]
    fake = item_factory(channel=rhythm["channel"], received_at=later, fake_score=0.8)
    marked = item_factory(channel=rhythm["channel"], received_at=later, status=Item.Status.SPAM)

    [total] = spike_detect_client(client=rhythm["client"], now=night + timedelta(minutes=40))

    suspects = {item.pk for item in [*spam, fake, marked]}
    people = list(
        Item.objects.filter(client=rhythm["client"], received_at__gte=night)
        .exclude(pk__in=suspects)
        .order_by("-received_at", "-pk")
        .values_list("pk", flat=True)[:5]
    )
    assert total.kind == SpikeAlert.Kind.TOTAL_VOLUME
    assert total.sample_item_ids == people


def test_a_spam_waves_alert_still_shows_the_spam(rhythm, item_factory):
    night = rhythm["sunday"] + timedelta(hours=6)
    _burst(item_factory, rhythm["channel"], night, 15, sentiment=Item.Sentiment.NEUTRAL, spam_score=0.95)

    [total] = spike_detect_client(client=rhythm["client"], now=night + timedelta(minutes=40))

    assert len(total.sample_item_ids) == 5
    assert set(Item.objects.filter(pk__in=total.sample_item_ids).values_list("spam_score", flat=True)) == {0.95}
