"""The demo inbox seeder and the live demo feeder."""

import io
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from communityops.demo import seed_core
from communityops.models import Channel, Client
from inbox import demo
from inbox.models import CannedResponse, Item, OutboundAction, WebhookDelivery


def test_seed_items_creates_a_worked_inbox_and_is_idempotent(db, monkeypatch):
    monkeypatch.setattr(demo, "TOTAL_ITEMS", 160)
    monkeypatch.setattr(demo, "OPEN_ITEMS", 20)
    seed_core(stdout=io.StringIO())

    demo.seed_items(stdout=io.StringIO())
    again = io.StringIO()
    demo.seed_items(stdout=again)

    assert Item.objects.count() == 160
    assert Item.objects.filter(status__in=Item.OPEN_STATUSES).count() == 20
    assert Item.objects.filter(status=Item.Status.CLOSED).exists()
    assert OutboundAction.objects.filter(status=OutboundAction.Status.SENT).exists()
    assert Item.objects.filter(language="en").exists() and Item.objects.filter(language="de").exists()
    assert Item.objects.filter(author_tier="A").exists()
    # As in the product, only a reply sets the first response time (the reports rely on it).
    answered = Item.objects.filter(first_response_at__isnull=False)
    assert answered.exists()
    assert not answered.exclude(outbound_actions__kind=OutboundAction.Kind.REPLY).exists()
    assert Item.objects.filter(status=Item.Status.CLOSED, first_response_at__isnull=True).exists()
    assert "already there" in again.getvalue()


def test_seeded_blog_comments_carry_numeric_wordpress_ids_that_stay_the_same_on_reseeding(db, monkeypatch):
    monkeypatch.setattr(demo, "TOTAL_ITEMS", 80)
    monkeypatch.setattr(demo, "OPEN_ITEMS", 10)
    seed_core(stdout=io.StringIO())
    blog_items = Item.objects.filter(channel__platform=Channel.Platform.WORDPRESS_BLOG)

    demo.seed_items(stdout=io.StringIO())
    first = set(blog_items.values_list("external_id", "thread_external_id", "parent_external_id"))
    Item.objects.all().delete()
    demo.seed_items(stdout=io.StringIO())

    assert first
    assert all(
        external_id.isdigit() and thread.isdigit() and (parent == "" or parent.isdigit())
        for external_id, thread, parent in first
    )
    assert set(blog_items.values_list("external_id", "thread_external_id", "parent_external_id")) == first


def test_each_demo_client_gets_canned_responses_in_german_and_english_once(db):
    seed_core(stdout=io.StringIO())

    demo._canned_responses(clients=set(Client.objects.filter(slug__in=demo.TOPICS)))
    demo._canned_responses(clients=set(Client.objects.filter(slug__in=demo.TOPICS)))

    languages = set(CannedResponse.objects.values_list("client__slug", "language"))
    assert languages == {(slug, language) for slug in demo.TOPICS for language in ("de", "en")}
    assert CannedResponse.objects.count() == sum(len(texts) for texts in demo.CANNED_RESPONSES.values())
    for canned in CannedResponse.objects.all():
        canned.clean()  # only placeholders the composer fills in


def test_seeded_items_talk_about_their_own_clients_products(db, monkeypatch):
    # A fake-review campaign once spilled onto whichever client the next round drew.
    monkeypatch.setattr(demo, "TOTAL_ITEMS", 400)
    monkeypatch.setattr(demo, "OPEN_ITEMS", 20)
    seed_core(stdout=io.StringIO())

    demo.seed_items(stdout=io.StringIO())

    for slug in demo.TOPICS:
        foreign = [product for other, topics in demo.TOPICS.items() if other != slug for product in topics["product"]]
        texts = Item.objects.filter(client__slug=slug).values_list("text", flat=True)
        assert not [text for text in texts if any(product in text for product in foreign)]


@pytest.mark.django_db(transaction=True)
def test_demo_feeder_posts_a_signed_comment_through_the_real_webhook(live_server, capsys):
    seed_core(stdout=io.StringIO())
    port = urlsplit(live_server.url).port

    call_command("demo_feeder", "--port", str(port), "--count", "2", "--min-interval", "0", "--max-interval", "0")

    output = capsys.readouterr().out
    assert output.count(": 200") == 2
    assert WebhookDelivery.objects.count() == 2
    assert Item.objects.count() == 2  # tasks run inline in tests
