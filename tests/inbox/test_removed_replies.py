"""A comment removed on Facebook or Instagram takes its replies with it, a post removed on Facebook
every comment under it: ingestion marks them removed too."""

import pytest
from django.utils import timezone

from communityops.models import Channel
from inbox.models import Author, Item, ItemEvent, RemovedThread
from inbox.normalized import NormalizedAuthor, NormalizedItem
from inbox.services.authors import author_namespace
from inbox.services.ingestion import item_ingest, item_mark_removed_on_platform, thread_mark_removed_on_platform

from .ingest_payloads import facebook_comment_change, facebook_post_removal_change, meta_body


def _removed_events(items: list[Item]) -> list[tuple[int, str]]:
    return sorted(
        ItemEvent.objects.filter(item__in=items, kind=ItemEvent.Kind.REMOVED).values_list("item_id", "data__reason")
    )


def _many_items_create(channel: Channel, *, count: int, kind: str, parent_external_id: str = "") -> None:
    """`count` items of one author under the post "post-1" of the channel, in one statement."""
    author = Author.objects.create(**author_namespace(channel), external_id="fan", display_name="Fan")
    now = timezone.now()
    Item.objects.bulk_create(
        Item(
            client=channel.client,
            channel=channel,
            author=author,
            kind=kind,
            external_id=f"{parent_external_id or 'c'}-{number}",
            thread_external_id="post-1",
            parent_external_id=parent_external_id,
            text="Genau!",
            platform_created_at=now,
        )
        for number in range(count)
    )


def test_removing_a_comment_on_facebook_marks_its_replies_removed_and_nothing_else(
    facebook_channel, channel_factory, open_item_factory, post_meta, django_capture_on_commit_callbacks
):
    comment = open_item_factory(channel=facebook_channel, thread_external_id="post-1", external_id="c-1")
    replies = [
        open_item_factory(
            channel=facebook_channel,
            kind=Item.Kind.REPLY,
            thread_external_id="post-1",
            parent_external_id="c-1",
            external_id=f"c-1-r{number}",
        )
        for number in range(2)
    ]
    sibling = open_item_factory(channel=facebook_channel, thread_external_id="post-1", external_id="c-2")
    sibling_reply = open_item_factory(
        channel=facebook_channel, thread_external_id="post-1", parent_external_id="c-2", external_id="c-2-r"
    )
    elsewhere = open_item_factory(
        channel=channel_factory(client=facebook_channel.client),
        thread_external_id="post-1",
        parent_external_id="c-1",
        external_id="c-1-r0",
    )

    with django_capture_on_commit_callbacks(execute=True):
        post_meta(
            facebook_channel,
            meta_body(
                facebook_channel, changes=[facebook_comment_change(comment_id="c-1", post_id="post-1", verb="remove")]
            ),
        )

    removed = {item.pk for item in Item.objects.filter(tags__contains=[Item.TAG_REMOVED_ON_PLATFORM])}
    assert removed == {comment.pk, *(reply.pk for reply in replies)}
    assert _removed_events([comment, *replies, sibling, sibling_reply, elsewhere]) == sorted(
        [(comment.pk, "removed on Facebook")]
        + [(reply.pk, "the comment it replies to was removed") for reply in replies]
    )


def test_a_redelivered_removal_adds_nothing_but_marks_a_reply_that_arrived_meanwhile(
    facebook_channel, open_item_factory
):
    comment = open_item_factory(channel=facebook_channel, thread_external_id="post-1", external_id="c-1")
    reply = open_item_factory(
        channel=facebook_channel, thread_external_id="post-1", parent_external_id="c-1", external_id="c-1-r1"
    )
    item_mark_removed_on_platform(channel=facebook_channel, external_id="c-1", reason="removed on Facebook")
    late = open_item_factory(
        channel=facebook_channel, thread_external_id="post-1", parent_external_id="c-1", external_id="c-1-r2"
    )

    item_mark_removed_on_platform(channel=facebook_channel, external_id="c-1", reason="removed on Facebook")
    item_mark_removed_on_platform(channel=facebook_channel, external_id="c-1", reason="removed on Facebook")

    assert [event[0] for event in _removed_events([comment, reply, late])] == sorted([comment.pk, reply.pk, late.pk])
    late.refresh_from_db()
    assert late.tags == [Item.TAG_REMOVED_ON_PLATFORM]


def test_the_replies_of_a_removed_comment_not_in_the_inbox_are_found_under_its_post(
    facebook_channel, open_item_factory, post_meta, django_capture_on_commit_callbacks
):
    """The page's own comments are not ingested; the customers' replies to one are."""
    reply = open_item_factory(
        channel=facebook_channel, thread_external_id="post-1", parent_external_id="page-comment", external_id="c-9"
    )

    with django_capture_on_commit_callbacks(execute=True):
        post_meta(
            facebook_channel,
            meta_body(
                facebook_channel,
                changes=[facebook_comment_change(comment_id="page-comment", post_id="post-1", verb="remove")],
            ),
        )

    reply.refresh_from_db()
    assert reply.removed_on_platform


@pytest.mark.parametrize("platform", [Channel.Platform.WORDPRESS_BLOG, Channel.Platform.GENERIC])
def test_where_replies_outlive_their_comment_they_stay_answerable(channel_factory, open_item_factory, platform):
    """WordPress trashes a comment alone; a generic source tells of each item it deletes."""
    channel = channel_factory(platform=platform)
    open_item_factory(channel=channel, thread_external_id="17", external_id="40")
    reply = open_item_factory(channel=channel, thread_external_id="17", parent_external_id="40", external_id="41")

    item_mark_removed_on_platform(channel=channel, external_id="40", reason="deleted at the source")

    reply.refresh_from_db()
    assert not reply.removed_on_platform
    assert not reply.events.filter(kind=ItemEvent.Kind.REMOVED).exists()


def test_removing_a_comment_with_ten_thousand_replies_takes_a_few_queries(
    facebook_channel, open_item_factory, django_assert_max_num_queries
):
    comment = open_item_factory(channel=facebook_channel, thread_external_id="post-1", external_id="c-1")
    _many_items_create(facebook_channel, count=10_000, kind=Item.Kind.REPLY, parent_external_id="c-1")

    with django_assert_max_num_queries(8):
        item_mark_removed_on_platform(channel=facebook_channel, external_id="c-1", reason="removed on Facebook")

    assert Item.objects.filter(tags__contains=[Item.TAG_REMOVED_ON_PLATFORM]).count() == 10_001
    assert ItemEvent.objects.filter(kind=ItemEvent.Kind.REMOVED).exclude(item=comment).count() == 10_000


def test_a_reply_delivered_after_its_comment_was_removed_arrives_removed(
    facebook_channel, open_item_factory, post_meta, django_capture_on_commit_callbacks
):
    """Meta retries a failed delivery for up to 36 hours: the removal can come before the reply."""
    open_item_factory(channel=facebook_channel, thread_external_id="post-1", external_id="c-1")
    item_mark_removed_on_platform(channel=facebook_channel, external_id="c-1", reason="removed on Facebook")
    late = facebook_comment_change(comment_id="c-1-r1", post_id="post-1", parent_id="c-1", message="Genau!")
    other = facebook_comment_change(comment_id="c-2-r1", post_id="post-1", parent_id="c-2", message="Stimmt.")

    with django_capture_on_commit_callbacks(execute=True):
        post_meta(facebook_channel, meta_body(facebook_channel, changes=[late, other]))

    late_item, other_item = Item.objects.get(external_id="c-1-r1"), Item.objects.get(external_id="c-2-r1")
    assert (late_item.removed_on_platform, other_item.removed_on_platform) == (True, False)
    assert list(late_item.events.values_list("kind", flat=True)) == [ItemEvent.Kind.RECEIVED, ItemEvent.Kind.REMOVED]
    assert _removed_events([other_item]) == []


_REMOVALS = {
    "comment": lambda channel: item_mark_removed_on_platform(
        channel=channel, external_id="c-1", reason="removed on Facebook"
    ),
    "post": lambda channel: thread_mark_removed_on_platform(channel=channel, thread_external_id="post-1"),
}


@pytest.mark.parametrize(
    ("removed", "kind", "parent", "reason"),
    [
        ("comment", Item.Kind.REPLY, "c-1", "the comment it replies to was removed"),
        ("post", Item.Kind.COMMENT, "", "the post was removed"),
    ],
)
def test_an_item_ingested_one_by_one_after_its_comment_or_post_was_removed_arrives_removed(
    facebook_channel, open_item_factory, removed, kind, parent, reason
):
    open_item_factory(channel=facebook_channel, thread_external_id="post-1", external_id="c-1")
    _REMOVALS[removed](facebook_channel)

    late, _created = item_ingest(
        channel=facebook_channel,
        normalized=NormalizedItem(
            external_id="c-late",
            kind=kind,
            text="Genau!",
            author=NormalizedAuthor(external_id="fan", display_name="Fan"),
            platform_created_at=timezone.now(),
            thread_external_id="post-1",
            parent_external_id=parent,
        ),
    )

    assert late.removed_on_platform
    assert _removed_events([late]) == [(late.pk, reason)]


# --- a removed post ------------------------------------------------------------------------------


def test_removing_a_post_marks_every_item_under_it_and_nothing_else(
    facebook_channel, channel_factory, open_item_factory, post_meta, django_capture_on_commit_callbacks
):
    comments = [
        open_item_factory(channel=facebook_channel, thread_external_id="post-1", external_id=f"c-{number}")
        for number in range(2)
    ]
    reply = open_item_factory(
        channel=facebook_channel,
        kind=Item.Kind.REPLY,
        thread_external_id="post-1",
        parent_external_id="c-0",
        external_id="c-0-r",
    )
    removed_before = open_item_factory(channel=facebook_channel, thread_external_id="post-1", external_id="c-9")
    item_mark_removed_on_platform(channel=facebook_channel, external_id="c-9", reason="removed on Facebook")
    other_post = open_item_factory(channel=facebook_channel, thread_external_id="post-2", external_id="c-20")
    elsewhere = open_item_factory(
        channel=channel_factory(client=facebook_channel.client), thread_external_id="post-1", external_id="c-0"
    )

    with django_capture_on_commit_callbacks(execute=True):
        post_meta(
            facebook_channel, meta_body(facebook_channel, changes=[facebook_post_removal_change(post_id="post-1")])
        )

    removed = {item.pk for item in Item.objects.filter(tags__contains=[Item.TAG_REMOVED_ON_PLATFORM])}
    assert removed == {*(comment.pk for comment in comments), reply.pk, removed_before.pk}
    assert _removed_events([*comments, reply, removed_before, other_post, elsewhere]) == sorted(
        [(item.pk, "the post was removed") for item in [*comments, reply]]
        + [(removed_before.pk, "removed on Facebook")]
    )


def test_a_redelivered_post_removal_adds_nothing(facebook_channel, open_item_factory):
    comment = open_item_factory(channel=facebook_channel, thread_external_id="post-1", external_id="c-1")

    for _delivery in range(3):
        thread_mark_removed_on_platform(channel=facebook_channel, thread_external_id="post-1")

    comment.refresh_from_db()
    assert comment.tags == [Item.TAG_REMOVED_ON_PLATFORM]
    assert _removed_events([comment]) == [(comment.pk, "the post was removed")]
    assert RemovedThread.objects.filter(channel=facebook_channel).count() == 1


def test_a_comment_delivered_after_its_post_was_removed_arrives_removed(
    facebook_channel, channel_factory, post_meta, django_capture_on_commit_callbacks
):
    """Meta retries a failed delivery for up to 36 hours: the post's removal can come first."""
    thread_mark_removed_on_platform(channel=facebook_channel, thread_external_id="post-1")
    thread_mark_removed_on_platform(
        channel=channel_factory(client=facebook_channel.client), thread_external_id="post-2"
    )
    late = facebook_comment_change(comment_id="c-1", post_id="post-1", message="Wo ist der Beitrag hin?")
    late_reply = facebook_comment_change(comment_id="c-1-r", post_id="post-1", parent_id="c-1", message="Weg!")
    other = facebook_comment_change(comment_id="c-2", post_id="post-2", message="Schöner Beitrag.")

    with django_capture_on_commit_callbacks(execute=True):
        post_meta(facebook_channel, meta_body(facebook_channel, changes=[late, late_reply, other]))

    items = [Item.objects.get(external_id=external_id) for external_id in ("c-1", "c-1-r", "c-2")]
    assert [item.removed_on_platform for item in items] == [True, True, False]
    assert list(items[0].events.values_list("kind", flat=True)) == [ItemEvent.Kind.RECEIVED, ItemEvent.Kind.REMOVED]
    assert _removed_events(items) == sorted((item.pk, "the post was removed") for item in items[:2])


def test_removing_a_post_with_five_thousand_items_takes_a_few_queries(facebook_channel, django_assert_max_num_queries):
    _many_items_create(facebook_channel, count=5_000, kind=Item.Kind.COMMENT)

    with django_assert_max_num_queries(6):
        thread_mark_removed_on_platform(channel=facebook_channel, thread_external_id="post-1")

    assert Item.objects.filter(tags__contains=[Item.TAG_REMOVED_ON_PLATFORM]).count() == 5_000
    assert ItemEvent.objects.filter(kind=ItemEvent.Kind.REMOVED, data__reason="the post was removed").count() == 5_000
