"""The generic signed webhook: signature over timestamp and body, 5-minute window, event-id dedupe."""

import time

import pytest

from inbox.models import GenericEventReceipt, IngestChange, Item, WebhookDelivery
from inbox.webhooks import generic_signature_for

from .ingest_payloads import generic_event


def test_signed_event_becomes_an_item(post_generic, generic_channel, django_capture_on_commit_callbacks):
    event = generic_event(
        "evt-1", text="Leider ist die Flasche kaputt angekommen.", permalink="https://reviews.example/r/1"
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = post_generic(generic_channel, event)

    assert response.status_code == 200
    assert response.json()["accepted"] == 1
    item = Item.objects.get()
    assert (item.external_id, item.kind, item.sentiment, item.permalink) == (
        "review-evt-1",
        "review",
        "negative",
        "https://reviews.example/r/1",
    )
    assert item.platform_created_at.isoformat() == "2026-11-20T20:15:00+00:00"


def test_batch_of_events(post_generic, generic_channel, django_capture_on_commit_callbacks):
    events = [generic_event(f"evt-{number}") for number in range(3)]

    with django_capture_on_commit_callbacks(execute=True):
        response = post_generic(generic_channel, {"events": events})

    assert response.json() == {"accepted": 3, "duplicates": 0, "delivery": WebhookDelivery.objects.get().pk}
    assert Item.objects.count() == 3


def test_replayed_event_is_200_and_creates_nothing(post_generic, generic_channel, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post_generic(generic_channel, generic_event("evt-1"))

    with django_capture_on_commit_callbacks(execute=True):
        response = post_generic(generic_channel, generic_event("evt-1", external_id="another-id"))

    assert response.status_code == 200
    assert response.json()["accepted"] == 0
    assert response.json()["duplicates"] == 1
    assert Item.objects.count() == 1
    assert IngestChange.objects.count() == 1
    assert GenericEventReceipt.objects.count() == 1


def test_same_event_id_on_another_channel_is_not_a_replay(
    post_generic, channel_factory, django_capture_on_commit_callbacks
):
    first, second = channel_factory(platform="generic"), channel_factory(platform="generic")

    with django_capture_on_commit_callbacks(execute=True):
        post_generic(first, generic_event("evt-1"))
        post_generic(second, generic_event("evt-1"))

    assert Item.objects.count() == 2


# A future stamp is whole seconds while the server compares with the fractional now: -301 passed
# the check whenever the fraction and the request took a second together.
@pytest.mark.parametrize("age", [301, -302, 3600])
def test_stale_or_future_timestamp_is_403(post_generic, generic_channel, age):
    response = post_generic(generic_channel, generic_event("evt-1"), timestamp=int(time.time()) - age)

    assert response.status_code == 403
    assert not WebhookDelivery.objects.exists()


def test_a_timestamp_of_thousands_of_digits_is_403_not_a_server_error(post_generic, generic_channel):
    # int() refuses more than 4,300 digits with a ValueError.
    response = post_generic(generic_channel, generic_event("evt-1"), timestamp="9" * 5000)

    assert response.status_code == 403
    assert not WebhookDelivery.objects.exists()


def test_timestamp_just_inside_the_window_is_accepted(post_generic, generic_channel):
    assert post_generic(generic_channel, generic_event("evt-1"), timestamp=int(time.time()) - 290).status_code == 200


def test_signature_must_cover_the_timestamp(post_generic, generic_channel):
    body = b'{"event_id": "evt-1"}'
    old = str(int(time.time()) - 10)
    signature = generic_signature_for(secret=generic_channel.app_secret, timestamp=old, body=body)

    response = post_generic(generic_channel, body, timestamp=int(time.time()), signature=signature)

    assert response.status_code == 403


@pytest.mark.parametrize("signature", ["", "deadbeef", "é"])
def test_wrong_or_missing_signature_is_403(post_generic, generic_channel, signature):
    assert post_generic(generic_channel, generic_event("evt-1"), signature=signature).status_code == 403
    assert not WebhookDelivery.objects.exists()


def test_event_without_id_is_400_and_kept(post_generic, generic_channel):
    response = post_generic(generic_channel, {"events": [{"type": "item.created"}]})

    assert response.status_code == 400
    assert "event_id" in response.json()["error"]
    assert WebhookDelivery.objects.get().changes.get().status == IngestChange.Status.FAILED


def test_a_lone_surrogate_becomes_a_replacement_character_and_the_event_is_ingested(
    post_generic, generic_channel, django_capture_on_commit_callbacks
):
    # json.dumps escapes a lone surrogate as "\\ud800": PostgreSQL cannot store it, and the whole
    # delivery was refused with a 500 on every retry.
    event = generic_event("evt-\ud800", external_id="review-\udc00", text="Top \ud83d\ude00 oder \ud800?")

    with django_capture_on_commit_callbacks(execute=True):
        response = post_generic(generic_channel, event)

    assert response.status_code == 200
    item = Item.objects.get()
    assert (item.external_id, item.text) == ("review-\ufffd", "Top \U0001f600 oder \ufffd?")
    assert GenericEventReceipt.objects.get().event_id == "evt-\ufffd"


@pytest.mark.parametrize("followers", [10**30, "9" * 5000, 2**31], ids=["30-digits", "5000-digit-text", "2**31"])
def test_a_follower_count_beyond_the_column_fails_the_change_with_the_range(
    post_generic, generic_channel, django_capture_on_commit_callbacks, followers
):
    # It failed as "internal error: DataError: integer out of range" (a ValueError for the text).
    event = generic_event("evt-1", author={"external_id": "reviewer-1", "name": "Max", "follower_count": followers})

    with django_capture_on_commit_callbacks(execute=True):
        response = post_generic(generic_channel, event)

    assert response.status_code == 200
    failed = IngestChange.objects.get(status=IngestChange.Status.FAILED)
    assert failed.error.startswith("author.follower_count must be a whole number from 0 to 2147483647: ")
    assert not Item.objects.exists()


@pytest.mark.parametrize(
    ("created_at", "error"),
    [
        ("0001-01-01T00:00:00+14:00", "created_at lies outside the years 1970 to 2099"),
        ("9999-12-31T23:59:59-14:00", "created_at lies outside the years 1970 to 2099"),
        ("2026-02-30T10:00:00+00:00", "created_at is not an ISO 8601 date-time"),
        ("2026-01-01T10:00:00+99:00", "created_at is not an ISO 8601 date-time"),
    ],
)
def test_a_time_beyond_the_calendar_or_without_a_day_fails_the_change_with_the_reason(
    post_generic, generic_channel, django_capture_on_commit_callbacks, created_at, error
):
    # 2 BC or the year 10000 in UTC was stored, and psycopg could not read the item back: every
    # page listing it broke. 30 February failed as "internal error: ValueError".
    with django_capture_on_commit_callbacks(execute=True):
        response = post_generic(generic_channel, generic_event("evt-1", created_at=created_at))

    assert response.status_code == 200
    assert IngestChange.objects.get().error.startswith(error)
    assert not Item.objects.exists()


def test_invalid_item_fails_with_its_error_and_the_rest_is_ingested(
    post_generic, generic_channel, django_capture_on_commit_callbacks
):
    bad = generic_event("evt-bad", kind="tweetstorm")

    with django_capture_on_commit_callbacks(execute=True):
        response = post_generic(generic_channel, {"events": [generic_event("evt-ok"), bad]})

    assert response.status_code == 200
    assert Item.objects.count() == 1
    failed = IngestChange.objects.get(status=IngestChange.Status.FAILED)
    assert "kind 'tweetstorm'" in failed.error
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.PARTIAL
