"""Ingestion services: failed changes are kept and can be reprocessed; author data is not lost."""

from django.core.management import call_command

from communityops.models import Channel
from inbox.models import Author, IngestChange, Item, ItemTextFingerprint, WebhookDelivery
from inbox.normalized import NormalizedAuthor, NormalizedItem
from inbox.sentiment.fingerprint import minhash_bands, minhash_to_bytes, text_minhash
from inbox.services import authors as authors_service
from inbox.services.authors import authors_upsert_batch
from inbox.services.ingestion import ingest_changes_reprocess_failed, item_ingest, item_text_update

from .ingest_payloads import facebook_comment_change, meta_body


def test_change_that_fails_to_normalise_is_kept_and_reprocessed_after_fixing(
    post_meta, facebook_channel, django_capture_on_commit_callbacks
):
    broken = facebook_comment_change(comment_id="c-2")
    del broken["value"]["from"]
    with django_capture_on_commit_callbacks(execute=True):
        post_meta(
            facebook_channel, meta_body(facebook_channel, changes=[facebook_comment_change(comment_id="c-1"), broken])
        )
    failed = IngestChange.objects.get(status=IngestChange.Status.FAILED)
    assert failed.error == "the comment has no author (from)"
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.PARTIAL
    assert Item.objects.count() == 1

    # an operator fixes the stored payload (e.g. from the Graph API), then reprocesses
    failed.payload["change"]["value"]["from"] = {"id": "fb-user-9", "name": "Nachgetragen"}
    failed.save(update_fields=["payload"])
    counts = ingest_changes_reprocess_failed(channel_id=facebook_channel.pk)

    assert counts == {IngestChange.Status.INGESTED: 1}
    failed.refresh_from_db()
    assert (failed.status, failed.error, failed.item.author.display_name) == ("ingested", "", "Nachgetragen")
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.PROCESSED


def test_reprocess_command_reports_what_still_fails(
    post_meta, facebook_channel, django_capture_on_commit_callbacks, capsys
):
    broken = facebook_comment_change(comment_id="c-2", message="   ")
    with django_capture_on_commit_callbacks(execute=True):
        post_meta(facebook_channel, meta_body(facebook_channel, changes=[broken]))

    call_command("reprocess_failed_changes", "--channel", str(facebook_channel.pk))

    output = capsys.readouterr().out
    assert "failed: 1" in output
    assert IngestChange.objects.get().error == "the text is empty"


def test_comment_without_follower_count_keeps_the_stored_count(facebook_channel):
    Author.objects.create(platform=facebook_channel.platform, external_id="fan-1", follower_count=50_000)
    normalized = NormalizedItem(
        external_id="c-1",
        kind="comment",
        text="Hallo!",
        author=NormalizedAuthor(external_id="fan-1", display_name="Fan"),
        platform_created_at=facebook_channel.created_at,
    )

    item, created = item_ingest(channel=facebook_channel, normalized=normalized)

    assert created
    assert item.author.follower_count == 50_000
    assert item.author_tier == "B"


def test_an_author_created_by_another_batch_meanwhile_is_theirs_and_gets_the_new_data(facebook_channel, monkeypatch):
    real_insert = authors_service.rows_insert
    theirs = []

    def another_batch_creates_the_author_first(model, rows, **kwargs):
        if model is Author and not theirs:
            theirs.append(
                Author.objects.create(platform=facebook_channel.platform, external_id="fan-1", follower_count=5)
            )
        return real_insert(model, rows, **kwargs)

    monkeypatch.setattr(authors_service, "rows_insert", another_batch_creates_the_author_first)

    authors = authors_upsert_batch(
        channel=facebook_channel,
        authors=[NormalizedAuthor(external_id="fan-1", display_name="Fan"), NormalizedAuthor(external_id="fan-2")],
    )

    assert authors["fan-1"].pk == theirs[0].pk
    assert Author.objects.filter(external_id="fan-1").values_list("display_name", "follower_count").get() == ("Fan", 5)
    assert authors["fan-2"].pk == Author.objects.get(external_id="fan-2").pk


def test_a_channels_own_authors_go_with_it_and_a_shared_author_stays(channel_factory, open_item_factory):
    generic, page, other_page = (
        channel_factory(platform=platform)
        for platform in (Channel.Platform.GENERIC, Channel.Platform.FACEBOOK_PAGE, Channel.Platform.FACEBOOK_PAGE)
    )
    open_item_factory(channel=generic, author_external_id="reviewer-1")
    open_item_factory(channel=page, author_external_id="fb-1")
    open_item_factory(channel=other_page, author_external_id="fb-1")

    generic.delete()
    page.client.delete()

    assert list(Author.objects.values_list("external_id", "channel")) == [("fb-1", None)]
    assert list(Item.objects.values_list("channel", flat=True)) == [other_page.pk]


def test_an_arrival_stores_its_fingerprint_and_an_edit_replaces_it(facebook_channel, ingest):
    first = "Die Lieferung kam beschädigt an und niemand meldet sich bei mir zurück."
    edited = "Die Lieferung kam beschädigt an, inzwischen hat sich der Kundendienst gemeldet. Danke!"
    item = ingest(facebook_channel, author_id="author-1", text=first)
    arrived = ItemTextFingerprint.objects.get(item=item)

    item_text_update(
        item=item,
        normalized=NormalizedItem(
            external_id=item.external_id,
            kind="comment",
            text=edited,
            author=NormalizedAuthor(external_id="author-1", display_name="Dr. Vera Einkauf"),
            platform_created_at=item.platform_created_at,
        ),
    )

    stored = ItemTextFingerprint.objects.get(item=item)
    assert (bytes(arrived.minhash), arrived.bands) == (
        minhash_to_bytes(text_minhash(first)),
        minhash_bands(text_minhash(first)),
    )
    assert (bytes(stored.minhash), stored.bands) == (
        minhash_to_bytes(text_minhash(edited)),
        minhash_bands(text_minhash(edited)),
    )
    assert (stored.client_id, stored.author_id, stored.received_at) == (
        item.client_id,
        item.author_id,
        item.received_at,
    )
