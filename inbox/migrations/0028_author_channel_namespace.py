"""Authors whose ids the source chooses belong to their channel (Author.channel).

Until now an author was one row per (platform, external id) for every client. That is right for
Facebook and Instagram, whose ids Meta assigns, but a generic webhook's sender (or a file import)
and a WordPress blog choose their authors' ids themselves: client A's webhook naming "reviewer-1"
renamed client B's "reviewer-1", lifted their follower count (and so B's triage), and merged the
two people's history, profiles and erasures. From now on such an author is one row per (channel,
external id); Meta authors keep an empty channel and stay shared.

The data step splits the existing shared generic and WordPress authors by the channels of their
items. An author whose items are all in one channel is re-keyed in place (one UPDATE); an author
with items in several channels keeps its row for the first of them (lowest id) and gets a copy for
each other one (same name, handle, followers, first seen), to which that channel's items and their
near-duplicate fingerprints are moved. A client's profile of the author (key-account flag, notes)
moves with the client's items: to the row of the client's first such channel, and copied to the
rows of its others. Nothing else refers to an author (erasure records name only the platform).
Left as they were, in the shared namespace that no source reaches any more: the erasure
placeholders (external id "") and authors without items (nothing tells whose they are; their
profiles stay readable in the admin).

The reverse merges the rows of each (platform, external id) into the oldest one, which keeps its
name and counts; of a client's profiles of the merged rows the last changed one is kept.
"""

from collections import defaultdict

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery

# As they were when this migration was written (the models' constant may change later).
PLATFORMS_WITH_SOURCE_CHOSEN_IDS = ("generic", "wordpress_blog")
ERASED_AUTHOR_EXTERNAL_ID = ""
BATCH_SIZE = 1000


def _item_fingerprints_follow(*, ItemTextFingerprint, Item, author_ids) -> None:
    """The fingerprints' copy of the author follows their item's author."""
    ItemTextFingerprint.objects.filter(author_id__in=author_ids).update(
        author_id=Subquery(Item.objects.filter(pk=OuterRef("item_id")).values("author_id"))
    )


def authors_split_per_channel(apps, schema_editor):
    Author = apps.get_model("inbox", "Author")
    AuthorProfile = apps.get_model("inbox", "AuthorProfile")
    Item = apps.get_model("inbox", "Item")
    ItemTextFingerprint = apps.get_model("inbox", "ItemTextFingerprint")
    Channel = apps.get_model("communityops", "Channel")
    # Foreign keys checked at once: deferred to the commit, they would leave the author table with
    # pending trigger events, and the constraint that follows could not alter it.
    schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    shared = Author.objects.filter(platform__in=PLATFORMS_WITH_SOURCE_CHOSEN_IDS, channel__isnull=True).exclude(
        external_id=ERASED_AUTHOR_EXTERNAL_ID
    )
    # Each author's row goes to the first channel of its items (none: it stays as it is).
    shared.update(
        channel_id=Subquery(
            Item.objects.filter(author_id=OuterRef("pk")).order_by("channel_id").values("channel_id")[:1]
        )
    )
    # The other channels of those items need rows of their own.
    elsewhere = sorted(
        Item.objects.filter(author__platform__in=PLATFORMS_WITH_SOURCE_CHOSEN_IDS, author__channel__isnull=False)
        .exclude(channel_id=F("author__channel_id"))
        .values_list("author_id", "channel_id")
        .distinct()
    )
    if not elsewhere:
        return
    originals = Author.objects.in_bulk({author_id for author_id, _channel_id in elsewhere})
    copies = {
        (author_id, channel_id): Author(
            platform=originals[author_id].platform,
            channel_id=channel_id,
            external_id=originals[author_id].external_id,
            handle=originals[author_id].handle,
            display_name=originals[author_id].display_name,
            follower_count=originals[author_id].follower_count,
            verified=originals[author_id].verified,
            account_created_at=originals[author_id].account_created_at,
        )
        for author_id, channel_id in elsewhere
    }
    Author.objects.bulk_create(copies.values(), batch_size=BATCH_SIZE)
    for (author_id, _channel_id), copy in copies.items():
        copy.first_seen_at = originals[author_id].first_seen_at  # stamped anew by the insert (auto_now_add)
    Author.objects.bulk_update(copies.values(), ["first_seen_at"], batch_size=BATCH_SIZE)
    for (author_id, channel_id), copy in copies.items():
        Item.objects.filter(author_id=author_id, channel_id=channel_id).update(author_id=copy.pk)
    _item_fingerprints_follow(ItemTextFingerprint=ItemTextFingerprint, Item=Item, author_ids=list(originals))

    rows_of = {author_id: [(author.channel_id, author_id)] for author_id, author in originals.items()}
    for (author_id, channel_id), copy in copies.items():
        rows_of[author_id].append((channel_id, copy.pk))
    client_of = dict(
        Channel.objects.filter(
            pk__in={channel_id for rows in rows_of.values() for channel_id, _row in rows}
        ).values_list("pk", "client_id")
    )
    profile_copies = []
    for profile in AuthorProfile.objects.filter(author_id__in=list(originals)).order_by("pk"):
        own_rows = [
            row for channel_id, row in sorted(rows_of[profile.author_id]) if client_of[channel_id] == profile.client_id
        ]
        if not own_rows:  # the client has no item of the author: its profile stays where it is
            continue
        first, *others = own_rows
        if first != profile.author_id:
            AuthorProfile.objects.filter(pk=profile.pk).update(author_id=first)
        profile_copies += [
            AuthorProfile(
                client_id=profile.client_id,
                author_id=row,
                is_key_account=profile.is_key_account,
                notes=profile.notes,
                updated_by_id=profile.updated_by_id,
                updated_at=profile.updated_at,
            )
            for row in others
        ]
    # The insert stamps updated_at anew (auto_now, on the instances too); the copies keep the profile's.
    last_changed = [copy.updated_at for copy in profile_copies]
    AuthorProfile.objects.bulk_create(profile_copies, batch_size=BATCH_SIZE)
    for copy, updated_at in zip(profile_copies, last_changed, strict=True):
        copy.updated_at = updated_at
    AuthorProfile.objects.bulk_update(profile_copies, ["updated_at"], batch_size=BATCH_SIZE)


def authors_merge_per_platform(apps, schema_editor):
    Author = apps.get_model("inbox", "Author")
    AuthorProfile = apps.get_model("inbox", "AuthorProfile")
    Item = apps.get_model("inbox", "Item")
    ItemTextFingerprint = apps.get_model("inbox", "ItemTextFingerprint")
    schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    rows_by_key = defaultdict(list)
    authors = Author.objects.filter(platform__in=PLATFORMS_WITH_SOURCE_CHOSEN_IDS).order_by("pk")
    for pk, platform, external_id in authors.values_list("pk", "platform", "external_id"):
        rows_by_key[platform, external_id].append(pk)
    merged_away = []
    for kept, *merged in (rows for rows in rows_by_key.values() if len(rows) > 1):
        Item.objects.filter(author_id__in=merged).update(author_id=kept)
        profiles = AuthorProfile.objects.filter(author_id__in=[kept, *merged]).order_by(
            "client_id", "-updated_at", "-pk"
        )
        latest_per_client = {}
        for client_id, pk in profiles.values_list("client_id", "pk"):
            latest_per_client.setdefault(client_id, pk)
        profiles.exclude(pk__in=latest_per_client.values()).delete()
        AuthorProfile.objects.filter(pk__in=latest_per_client.values()).update(author_id=kept)
        merged_away += merged
    _item_fingerprints_follow(ItemTextFingerprint=ItemTextFingerprint, Item=Item, author_ids=merged_away)
    Author.objects.filter(pk__in=merged_away).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("communityops", "0003_guideline_label"),
        ("inbox", "0027_canned_response_language_choices"),
    ]

    operations = [
        migrations.AddField(
            model_name="author",
            name="channel",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                help_text="The channel whose source chose the author's id; empty where the platform assigns it (Facebook, Instagram).",
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="communityops.channel",
                verbose_name="channel",
            ),
        ),
        migrations.AlterField(
            model_name="item",
            name="author",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.RESTRICT,
                related_name="items",
                to="inbox.author",
            ),
        ),
        # The copies share (platform, external id) with their original.
        migrations.RemoveConstraint(model_name="author", name="author_unique_platform_id"),
        migrations.RunPython(authors_split_per_channel, authors_merge_per_platform),
        migrations.AddConstraint(
            model_name="author",
            constraint=models.UniqueConstraint(
                fields=("channel", "platform", "external_id"), name="author_unique_per_namespace", nulls_distinct=False
            ),
        ),
    ]
