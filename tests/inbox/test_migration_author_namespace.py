"""Migration 0028: the shared generic and WordPress authors split into one row per channel (and the
reverse merges them again); Meta authors, the erasure placeholders and authors without items stay."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = ("inbox", "0027_canned_response_language_choices")
AFTER = ("inbox", "0028_author_channel_namespace")
FIRST_SEEN = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
PROFILE_CHANGED = datetime(2025, 6, 7, 8, 9, 10, tzinfo=UTC)


@pytest.fixture
def migrate_to(transactional_db):
    """Migrates the database to a migration and gives its historical models; back to the latest after."""
    executor = MigrationExecutor(connection)

    def migrate(target: tuple[str, str]):
        executor.loader.build_graph()
        executor.migrate([target])
        return executor.loader.project_state([target]).apps

    yield migrate
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def _old_world(apps) -> dict:
    """Two clients' channels and authors as they were: one author row per (platform, external id)."""
    Client = apps.get_model("communityops", "Client")
    Channel = apps.get_model("communityops", "Channel")
    Author = apps.get_model("inbox", "Author")
    AuthorProfile = apps.get_model("inbox", "AuthorProfile")
    Item = apps.get_model("inbox", "Item")
    ItemTextFingerprint = apps.get_model("inbox", "ItemTextFingerprint")
    clients = {name: Client.objects.create(name=name, slug=name) for name in ("a", "b", "c")}
    channels = {
        name: Channel.objects.create(client=clients[name[-1]], platform=platform, name=name, external_id=name)
        for name, platform in [
            ("reviews-a", "generic"),
            ("shop-a", "generic"),
            ("reviews-b", "generic"),
            ("blog-a", "wordpress_blog"),
            ("blog-b", "wordpress_blog"),
            ("page-a", "facebook_page"),
            ("page-b", "facebook_page"),
        ]
    }
    authors = {
        external_id: Author.objects.create(
            platform=platform, external_id=external_id, display_name=f"Name of {external_id}", follower_count=12
        )
        for external_id, platform in [
            ("reviewer-1", "generic"),
            ("solo", "generic"),
            ("wp-user:5", "wordpress_blog"),
            ("fb-1", "facebook_page"),
            ("", "generic"),
            ("itemless", "generic"),
        ]
    }
    Author.objects.update(first_seen_at=FIRST_SEEN)
    items = {}
    for channel_name, author_id in [
        ("reviews-a", "reviewer-1"),
        ("shop-a", "reviewer-1"),
        ("shop-a", "reviewer-1"),
        ("reviews-b", "reviewer-1"),
        ("reviews-b", "solo"),
        ("blog-a", "wp-user:5"),
        ("blog-b", "wp-user:5"),
        ("page-a", "fb-1"),
        ("page-b", "fb-1"),
        ("reviews-a", ""),
    ]:
        channel = channels[channel_name]
        item = Item.objects.create(
            client_id=channel.client_id,
            channel=channel,
            external_id=f"item-{len(items)}",
            author=authors[author_id],
            text="Hallo",
            platform_created_at=FIRST_SEEN,
        )
        ItemTextFingerprint.objects.create(
            item=item, client_id=channel.client_id, author=authors[author_id], minhash=b"\x00" * 8, bands=[1]
        )
        items[item.external_id] = item
    for client_name, is_key_account in [("a", True), ("b", False), ("c", True)]:
        AuthorProfile.objects.create(
            client=clients[client_name],
            author=authors["reviewer-1"],
            is_key_account=is_key_account,
            notes=f"notes of {client_name}",
        )
    AuthorProfile.objects.update(updated_at=PROFILE_CHANGED)
    return {"clients": clients, "channels": channels, "authors": authors, "items": items}


def test_shared_authors_split_per_channel_and_nothing_is_lost(migrate_to):
    world = _old_world(migrate_to(BEFORE))
    channels, authors = world["channels"], world["authors"]

    apps = migrate_to(AFTER)

    Author = apps.get_model("inbox", "Author")
    Item = apps.get_model("inbox", "Item")
    reviewer_rows = {
        author.channel_id: author for author in Author.objects.filter(platform="generic", external_id="reviewer-1")
    }
    assert set(reviewer_rows) == {channels[name].pk for name in ("reviews-a", "shop-a", "reviews-b")}
    assert reviewer_rows[channels["reviews-a"].pk].pk == authors["reviewer-1"].pk  # the first channel keeps the row
    assert {
        (author.display_name, author.follower_count, author.first_seen_at) for author in reviewer_rows.values()
    } == {("Name of reviewer-1", 12, FIRST_SEEN)}
    assert Author.objects.get(external_id="solo").pk == authors["solo"].pk
    assert Author.objects.get(external_id="solo").channel_id == channels["reviews-b"].pk
    assert Author.objects.filter(external_id="wp-user:5").count() == 2
    assert list(
        Author.objects.filter(external_id__in=["fb-1", "", "itemless"]).values_list("channel_id", flat=True)
    ) == [
        None,
        None,
        None,
    ]
    channel_names = {channel.pk: name for name, channel in channels.items()}
    assert {
        item.external_id: (item.author.external_id, channel_names.get(item.author.channel_id))
        for item in Item.objects.select_related("author")
    } == {
        "item-0": ("reviewer-1", "reviews-a"),
        "item-1": ("reviewer-1", "shop-a"),
        "item-2": ("reviewer-1", "shop-a"),
        "item-3": ("reviewer-1", "reviews-b"),
        "item-4": ("solo", "reviews-b"),
        "item-5": ("wp-user:5", "blog-a"),
        "item-6": ("wp-user:5", "blog-b"),
        "item-7": ("fb-1", None),
        "item-8": ("fb-1", None),
        "item-9": ("", None),
    }


def test_the_fingerprints_follow_their_items_author(migrate_to):
    _old_world(migrate_to(BEFORE))

    apps = migrate_to(AFTER)

    ItemTextFingerprint = apps.get_model("inbox", "ItemTextFingerprint")
    assert ItemTextFingerprint.objects.count() == 10
    assert all(
        fingerprint.author_id == fingerprint.item.author_id
        for fingerprint in ItemTextFingerprint.objects.select_related("item")
    )


def test_a_clients_profile_goes_to_each_of_its_channels_rows_of_the_author(migrate_to):
    world = _old_world(migrate_to(BEFORE))
    clients, channels, authors = world["clients"], world["channels"], world["authors"]

    apps = migrate_to(AFTER)

    AuthorProfile = apps.get_model("inbox", "AuthorProfile")
    profiles = {
        (profile.client_id, profile.author.channel_id): (profile.is_key_account, profile.notes, profile.updated_at)
        for profile in AuthorProfile.objects.select_related("author")
    }
    assert profiles == {
        (clients["a"].pk, channels["reviews-a"].pk): (True, "notes of a", PROFILE_CHANGED),
        (clients["a"].pk, channels["shop-a"].pk): (True, "notes of a", PROFILE_CHANGED),
        (clients["b"].pk, channels["reviews-b"].pk): (False, "notes of b", PROFILE_CHANGED),
        # Client c has no item of the author: its profile stays on the row it had.
        (clients["c"].pk, channels["reviews-a"].pk): (True, "notes of c", PROFILE_CHANGED),
    }
    assert AuthorProfile.objects.get(client_id=clients["c"].pk).author_id == authors["reviewer-1"].pk


def test_the_reverse_merges_each_platforms_authors_into_the_oldest_row(migrate_to):
    world = _old_world(migrate_to(BEFORE))
    migrate_to(AFTER)

    apps = migrate_to(BEFORE)

    Author = apps.get_model("inbox", "Author")
    AuthorProfile = apps.get_model("inbox", "AuthorProfile")
    Item = apps.get_model("inbox", "Item")
    ItemTextFingerprint = apps.get_model("inbox", "ItemTextFingerprint")
    assert sorted(Author.objects.values_list("pk", flat=True)) == sorted(
        author.pk for author in world["authors"].values()
    )
    assert all(item.author_id == world["items"][item.external_id].author_id for item in Item.objects.all())
    assert all(
        fingerprint.author_id == fingerprint.item.author_id
        for fingerprint in ItemTextFingerprint.objects.select_related("item")
    )
    assert sorted(AuthorProfile.objects.values_list("client__name", "author_id", "notes")) == [
        (name, world["authors"]["reviewer-1"].pk, f"notes of {name}") for name in ("a", "b", "c")
    ]
