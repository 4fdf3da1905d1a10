"""The admin shows each ingest change as it arrived, also when the change keeps no copy of its own."""

from django.urls import reverse

from communityops.models import User
from inbox.models import IngestChange
from inbox.services.deliveries import meta_delivery_receive
from inbox.services.ingestion import webhook_delivery_process

from .ingest_payloads import facebook_comment_change, meta_body


def test_a_settled_meta_change_is_shown_from_its_delivery_body(client, user_factory, facebook_channel):
    changes = [
        facebook_comment_change(comment_id="c-1", message="Wann öffnet ihr am Sonntag?"),
        facebook_comment_change(comment_id="c-2", message="Lieferung kam zweimal."),
    ]
    delivery = meta_delivery_receive(
        channel=facebook_channel, body=meta_body(facebook_channel, changes=changes)
    ).delivery
    webhook_delivery_process(delivery_id=delivery.pk)
    second = IngestChange.objects.get(delivery=delivery, position=1)
    assert (second.status, second.payload) == (IngestChange.Status.INGESTED, None)
    client.force_login(user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))

    page = client.get(reverse("admin:inbox_ingestchange_change", args=[second.pk])).content.decode()

    assert "Lieferung kam zweimal." in page
    assert "c-2" in page
    assert "Wann öffnet ihr am Sonntag?" not in page


def test_a_failed_change_is_shown_from_its_own_payload(client, user_factory, facebook_channel):
    broken = facebook_comment_change(comment_id="c-broken", message="Ohne Absender")
    del broken["value"]["from"]
    delivery = meta_delivery_receive(
        channel=facebook_channel, body=meta_body(facebook_channel, changes=[broken])
    ).delivery
    webhook_delivery_process(delivery_id=delivery.pk)
    failed = IngestChange.objects.get(delivery=delivery)
    assert failed.status == IngestChange.Status.FAILED and failed.payload is not None
    client.force_login(user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))

    page = client.get(reverse("admin:inbox_ingestchange_change", args=[failed.pk])).content.decode()

    assert "Ohne Absender" in page
