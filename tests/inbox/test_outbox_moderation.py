from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django_q.conf import Conf

from communityops.models import Channel, User
from inbox.connectors.wordpress import PENDING_MODERATION_TAG
from inbox.models import Item, ItemEvent, ItemNote, OutboundAction
from inbox.selectors import item_conversation_version, item_moderation_kinds
from inbox.services.claims import item_claim
from inbox.services.errors import ActionNotSupported, InboxActionError, ItemRemovedOnPlatform, ReplyConflict
from inbox.services.ingestion import item_mark_removed_on_platform
from inbox.services.moderation import (
    item_close,
    item_mark_not_spam,
    item_moderate,
    item_tags_change,
    items_hide_near_duplicates,
)
from inbox.services.notes import item_note_add
from inbox.services.outbox import item_reply, outbound_action_retry_now
from tests.threads import held_open, in_thread, wait_until_waiting_on_a_lock


@pytest.fixture
def facebook(channel_factory):
    return channel_factory(platform=Channel.Platform.FACEBOOK_PAGE)


def test_hiding_changes_the_status_at_once_and_hides_on_the_platform(
    facebook, open_item_factory, agent_for, meta_graph_stub, django_capture_on_commit_callbacks
):
    item = open_item_factory(channel=facebook)
    agent = agent_for(facebook.client)

    with django_capture_on_commit_callbacks(execute=True):
        action = item_moderate(acting_user=agent, item_id=item.pk, action="hide", reason="Netiquette 1: Beleidigung")

    item.refresh_from_db()
    action.refresh_from_db()
    assert item.status == Item.Status.HIDDEN
    assert action.status == OutboundAction.Status.SENT
    assert meta_graph_stub.app.hidden == {item.external_id: True}
    changed = item.events.get(kind=ItemEvent.Kind.STATUS_CHANGED)
    assert changed.data["reason"] == "Netiquette 1: Beleidigung"
    assert (changed.data["from"], changed.data["to"]) == ("new", "hidden")


def test_moderation_under_a_colleagues_composer_makes_their_reply_conflict(
    facebook, open_item_factory, agent_for, meta_graph_stub
):
    item = open_item_factory(channel=facebook)
    anna, ben = agent_for(facebook.client), agent_for(facebook.client)
    item_claim(acting_user=anna, item_id=item.pk)
    loaded = item_conversation_version(item=item)

    item_moderate(acting_user=ben, item_id=item.pk, action="delete")

    with pytest.raises(ReplyConflict):
        item_reply(acting_user=anna, item_id=item.pk, text="Danke", loaded_at_event_id=loaded)


def test_an_action_the_channel_cannot_do_is_refused_before_anything_is_written(facebook, open_item_factory, agent_for):
    item = open_item_factory(channel=facebook)

    with pytest.raises(ActionNotSupported):
        item_moderate(acting_user=agent_for(facebook.client), item_id=item.pk, action="approve")

    assert not OutboundAction.objects.exists()
    assert item.events.count() == 1


def test_approving_a_blog_comment_removes_the_pending_tag(
    wordpress_channel, open_item_factory, agent_for, wordpress_stub, django_capture_on_commit_callbacks
):
    comment = wordpress_stub.site.comment_add(post=9, content="Freischalten bitte")
    blog = wordpress_channel()
    item = open_item_factory(
        channel=blog, external_id=str(comment["id"]), thread_external_id="9", tags=[PENDING_MODERATION_TAG]
    )

    with django_capture_on_commit_callbacks(execute=True):
        item_moderate(acting_user=agent_for(blog.client), item_id=item.pk, action="approve")

    item.refresh_from_db()
    assert item.tags == []
    assert item.status == Item.Status.NEW
    assert wordpress_stub.site.comments[comment["id"]]["status"] == "approved"


def test_spam_and_back(facebook, open_item_factory, agent_for, meta_graph_stub):
    item = open_item_factory(channel=facebook)
    agent = agent_for(facebook.client)

    item_moderate(acting_user=agent, item_id=item.pk, action="spam")
    item.refresh_from_db()
    assert item.status == Item.Status.SPAM

    item_mark_not_spam(acting_user=agent, item_id=item.pk)
    item.refresh_from_db()
    assert item.status == Item.Status.NEW
    # Marking spam hid the comment on Facebook: undoing it shows the comment again.
    assert list(item.outbound_actions.order_by("pk").values_list("kind", flat=True)) == ["spam", "unhide"]


def test_hide_all_near_duplicates_of_a_campaign(
    facebook, channel_factory, open_item_factory, agent_for, meta_graph_stub, django_capture_on_commit_callbacks
):
    campaign = "Boykottiert   diese Firma!!"
    origin = open_item_factory(channel=facebook, text=campaign)
    same_client_other_channel = channel_factory(client=facebook.client, platform=Channel.Platform.INSTAGRAM_ACCOUNT)
    twin = open_item_factory(channel=same_client_other_channel, text="boykottiert diese firma!!")
    different_text = open_item_factory(channel=facebook, text="Wann öffnet der Laden?")
    other_client = open_item_factory(channel=channel_factory(), text=campaign)
    long_ago = open_item_factory(channel=facebook, text=campaign)
    Item.objects.filter(pk=long_ago.pk).update(received_at=origin.received_at - timedelta(hours=25))
    agent = agent_for(facebook.client, other_client.client)

    with django_capture_on_commit_callbacks(execute=True):
        actions = items_hide_near_duplicates(acting_user=agent, item_id=origin.pk, reason="koordinierte Kampagne")

    assert {action.item_id for action in actions} == {origin.pk, twin.pk}
    statuses = dict(Item.objects.values_list("pk", "status"))
    assert statuses[different_text.pk] == statuses[other_client.pk] == statuses[long_ago.pk] == Item.Status.NEW
    assert set(meta_graph_stub.app.hidden) == {origin.external_id, twin.external_id}


def _hide_campaign_queries(*, channel, open_item_factory, agent, copies: int) -> tuple[list, list[Item]]:
    """The queries of hiding a campaign of `copies` copies, and the copies."""
    campaign = f"Boykott! Diese Firma lügt. ({copies})"
    items = [open_item_factory(channel=channel, text=campaign) for _ in range(copies)]
    with CaptureQueriesContext(connection) as queries:
        items_hide_near_duplicates(acting_user=agent, item_id=items[0].pk)
    return queries.captured_queries, items


def test_hiding_a_campaign_writes_in_bulk_and_drops_the_copies_claims(
    facebook, channel_factory, open_item_factory, agent_for
):
    """A campaign's copies are hidden with one write per kind of row, whatever their number (one by
    one, 1,000 copies took 2.6 s); each still gets its action and events; a copy on a channel
    that cannot hide is left as it is."""
    agent, colleague = agent_for(facebook.client), agent_for(facebook.client)
    few, _copies = _hide_campaign_queries(channel=facebook, open_item_factory=open_item_factory, agent=agent, copies=3)
    campaign = "Boykott! Diese Firma lügt."
    copies = [open_item_factory(channel=facebook, text=campaign) for _ in range(30)]
    item_claim(acting_user=colleague, item_id=copies[7].pk)
    cannot_hide = open_item_factory(
        channel=channel_factory(client=facebook.client, platform=Channel.Platform.GENERIC), text=campaign
    )

    with CaptureQueriesContext(connection) as many:
        actions = items_hide_near_duplicates(acting_user=agent, item_id=copies[0].pk)

    assert len(many) == len(few)
    assert sorted(action.item_id for action in actions) == sorted(copy.pk for copy in copies)
    hidden = Item.objects.filter(pk__in=[copy.pk for copy in copies])
    assert set(hidden.values_list("status", "claimed_by")) == {(Item.Status.HIDDEN, None)}
    cannot_hide.refresh_from_db()
    assert cannot_hide.status == Item.Status.NEW
    changed = ItemEvent.objects.filter(kind=ItemEvent.Kind.STATUS_CHANGED, item__in=hidden)
    assert changed.count() == 30
    assert changed.get(item=copies[7]).data["from"] == Item.Status.CLAIMED
    queued = ItemEvent.objects.filter(kind=ItemEvent.Kind.ACTION_QUEUED, item__in=hidden)
    assert sorted(event.data["action_id"] for event in queued) == sorted(action.pk for action in actions)


def test_notes_and_tags_are_recorded(facebook, open_item_factory, agent_for):
    item = open_item_factory(channel=facebook, tags=["lieferung"])
    agent = agent_for(facebook.client)

    note = item_note_add(acting_user=agent, item_id=item.pk, text="Kunde hat schon angerufen")
    item_tags_change(acting_user=agent, item_id=item.pk, add=["  Rückruf "], remove=["lieferung"])

    item.refresh_from_db()
    assert ItemNote.objects.get().text == note.text
    assert item.tags == ["rückruf"]
    tagged = item.events.get(kind=ItemEvent.Kind.TAGGED)
    assert tagged.data == {"added": ["rückruf"], "removed": ["lieferung"]}


def test_a_tag_is_added_once_and_an_overlong_one_is_refused_not_cut(facebook, open_item_factory, agent_for):
    item = open_item_factory(channel=facebook)
    agent = agent_for(facebook.client)

    item_tags_change(acting_user=agent, item_id=item.pk, add=["a", "A ", "b", "a"])
    with pytest.raises(InboxActionError) as refused, translation.override("en"):
        item_tags_change(acting_user=agent, item_id=item.pk, add=["c", "x" * 60])

    item.refresh_from_db()
    assert item.tags == ["a", "b"]
    assert "at most 50 characters" in refused.value.message


def test_tags_are_added_only_up_to_the_limit_and_a_change_past_it_is_refused_whole(
    facebook, open_item_factory, agent_for
):
    item = open_item_factory(channel=facebook, tags=[f"tag-{n}" for n in range(Item.TAGS_MAX - 2)])
    agent = agent_for(facebook.client)

    item_tags_change(acting_user=agent, item_id=item.pk, add=["rückruf", "lieferung"])
    with pytest.raises(InboxActionError) as refused, translation.override("en"):
        item_tags_change(acting_user=agent, item_id=item.pk, add=["rechnung"], remove=["nicht-da"])

    item.refresh_from_db()
    assert len(item.tags) == Item.TAGS_MAX
    assert item.tags[-2:] == ["rückruf", "lieferung"]
    assert f"at most {Item.TAGS_MAX} tags, and this would make {Item.TAGS_MAX + 1}" in refused.value.message
    assert item.events.filter(kind=ItemEvent.Kind.TAGGED).count() == 1


def test_an_item_over_the_tag_limit_can_lose_tags_but_gains_none_until_it_is_under(
    facebook, open_item_factory, agent_for
):
    """Rows from before the limit (and the system's own tags, which never count against it) may have more."""
    over = [f"tag-{n}" for n in range(Item.TAGS_MAX + 3)]
    item = open_item_factory(channel=facebook, tags=over)
    agent = agent_for(facebook.client)

    item_tags_change(acting_user=agent, item_id=item.pk, remove=["tag-0"])
    with pytest.raises(InboxActionError):
        item_tags_change(acting_user=agent, item_id=item.pk, add=["neu"], remove=["tag-1", "tag-2"])
    item_tags_change(acting_user=agent, item_id=item.pk, add=["neu"], remove=["tag-1", "tag-2", "tag-3", "tag-4"])

    item.refresh_from_db()
    assert item.tags == [*over[5:], "neu"]
    assert len(item.tags) == Item.TAGS_MAX - 1


def test_the_system_adds_its_tags_to_an_item_at_the_tag_limit(
    wordpress_channel, open_item_factory, agent_for, wordpress_stub, django_capture_on_commit_callbacks
):
    # An approval the blog refuses puts the pending tag back whatever the agents tagged meanwhile.
    blog = wordpress_channel()
    item = open_item_factory(channel=blog, external_id="404", thread_external_id="9", tags=[PENDING_MODERATION_TAG])
    agent = agent_for(blog.client)
    full = [f"tag-{n}" for n in range(Item.TAGS_MAX)]

    with django_capture_on_commit_callbacks(execute=True):
        item_moderate(acting_user=agent, item_id=item.pk, action="approve")
        item_tags_change(acting_user=agent, item_id=item.pk, add=full)

    item.refresh_from_db()
    assert item.tags == [*full, PENDING_MODERATION_TAG]


def test_a_second_identical_moderation_while_the_first_is_pending_returns_it(facebook, open_item_factory, agent_for):
    item = open_item_factory(channel=facebook)
    anna, ben = agent_for(facebook.client), agent_for(facebook.client)

    first = item_moderate(acting_user=anna, item_id=item.pk, action="hide", reason="Netiquette 1")
    again = item_moderate(acting_user=ben, item_id=item.pk, action="hide", reason="Netiquette 1")

    assert again.pk == first.pk
    assert list(item.outbound_actions.values_list("kind", "status", "requested_by")) == [("hide", "queued", anna.pk)]
    assert item.events.filter(kind=ItemEvent.Kind.ACTION_QUEUED).count() == 1
    assert item.events.filter(kind=ItemEvent.Kind.STATUS_CHANGED).count() == 1


def test_a_moderation_waiting_for_a_retry_is_pending_too(
    facebook, open_item_factory, agent_for, meta_graph_stub, django_capture_on_commit_callbacks
):
    item = open_item_factory(channel=facebook)
    agent = agent_for(facebook.client)
    meta_graph_stub.fail_next(1, status=500)

    with django_capture_on_commit_callbacks(execute=True):
        first = item_moderate(acting_user=agent, item_id=item.pk, action="hide")
    again = item_moderate(acting_user=agent, item_id=item.pk, action="hide")

    first.refresh_from_db()
    assert first.status == OutboundAction.Status.FAILED and first.next_attempt_at is not None
    assert again.pk == first.pk
    assert item.outbound_actions.count() == 1


@pytest.mark.parametrize(("refusals", "settled_as"), [(0, "sent"), (1, "failed")], ids=["sent", "failed-for-good"])
def test_once_the_platform_answered_the_same_moderation_queues_a_new_action(
    facebook, open_item_factory, agent_for, meta_graph_stub, django_capture_on_commit_callbacks, refusals, settled_as
):
    item = open_item_factory(channel=facebook)
    agent = agent_for(facebook.client)
    meta_graph_stub.fail_next(refusals, status=400)

    with django_capture_on_commit_callbacks(execute=True):
        first = item_moderate(acting_user=agent, item_id=item.pk, action="hide")
    again = item_moderate(acting_user=agent, item_id=item.pk, action="hide")

    assert again.pk != first.pk
    assert list(item.outbound_actions.order_by("pk").values_list("status", flat=True)) == [settled_as, "queued"]
    assert item.events.filter(kind=ItemEvent.Kind.ACTION_QUEUED).count() == 2


def test_a_hide_queued_behind_a_pending_unhide_is_a_new_action(facebook, open_item_factory, agent_for):
    item = open_item_factory(channel=facebook)
    agent = agent_for(facebook.client)

    for action in ("hide", "unhide", "hide"):
        item_moderate(acting_user=agent, item_id=item.pk, action=action)

    item.refresh_from_db()
    assert list(item.outbound_actions.order_by("pk").values_list("kind", flat=True)) == ["hide", "unhide", "hide"]
    assert item.status == Item.Status.HIDDEN


def test_a_campaign_hide_does_not_hide_a_copy_twice_whose_hide_is_pending(
    facebook, open_item_factory, agent_for, user_factory, meta_graph_stub, django_capture_on_commit_callbacks
):
    """A hide the platform refused put the copy back in the queue; a shift lead tries it again: the
    copy is hideable again while that hide is pending."""
    campaign = "Boykott! Diese Firma lügt."
    origin, copy = (
        open_item_factory(channel=facebook, text=campaign),
        open_item_factory(channel=facebook, text=campaign),
    )
    agent, lead = agent_for(facebook.client), user_factory(role=User.Role.SHIFT_LEAD)
    meta_graph_stub.fail_next(1, status=400)
    with django_capture_on_commit_callbacks(execute=True):
        refused = item_moderate(acting_user=agent, item_id=copy.pk, action="hide")
    outbound_action_retry_now(action_id=refused.pk, acting_user=lead)

    actions = items_hide_near_duplicates(acting_user=agent, item_id=origin.pk)

    assert {action.item_id: action.pk for action in actions}[copy.pk] == refused.pk
    assert copy.outbound_actions.count() == 1
    copy.refresh_from_db()
    assert copy.status == Item.Status.HIDDEN


@pytest.mark.django_db(transaction=True)
def test_two_agents_hiding_the_same_item_at_once_queue_one_hide(
    facebook, open_item_factory, agent_for, meta_graph_stub, monkeypatch
):
    # Given the send tasks wait in the ORM broker (the platform has not answered), and a colleague
    # holds the item's row while both agents press "Hide"
    monkeypatch.setattr(Conf, "SYNC", False)
    item = open_item_factory(channel=facebook)
    anna, ben, colleague = (agent_for(facebook.client, with_mfa=False) for _ in range(3))
    errors: list[BaseException] = []
    returned: list[OutboundAction] = []

    def hide(agent: User):
        return lambda: returned.append(item_moderate(acting_user=agent, item_id=item.pk, action="hide"))

    with held_open(lambda: item_tags_change(acting_user=colleague, item_id=item.pk, add=["kampagne"]), errors):
        hiding = [in_thread(hide(anna), errors), in_thread(hide(ben), errors)]
        wait_until_waiting_on_a_lock(2)
    for thread in hiding:
        thread.join()

    # Then one hide is queued, and both agents were given it
    assert errors == []
    [action] = OutboundAction.objects.filter(item=item)
    assert [queued.pk for queued in returned] == [action.pk, action.pk]
    assert item.events.filter(kind=ItemEvent.Kind.ACTION_QUEUED).count() == 1


def test_copies_with_non_breaking_spaces_are_hidden_too(facebook, open_item_factory, agent_for, meta_graph_stub):
    origin = open_item_factory(channel=facebook, text="Boykott!\u00a0Diese Firma\u202flügt.")
    copy = open_item_factory(channel=facebook, text="boykott! diese  firma lügt.")
    agent = agent_for(facebook.client)

    actions = items_hide_near_duplicates(acting_user=agent, item_id=origin.pk)

    assert {action.item_id for action in actions} == {origin.pk, copy.pk}


@pytest.mark.parametrize(("action", "left_as"), [("hide", "hidden"), ("spam", "spam"), ("delete", "closed")])
def test_a_moderation_the_platform_refuses_puts_the_item_back_in_the_queue(
    facebook, open_item_factory, agent_for, meta_graph_stub, django_capture_on_commit_callbacks, action, left_as
):
    # The comment is still public on Facebook: the item must not sit hidden, spam or closed.
    item = open_item_factory(channel=facebook)
    meta_graph_stub.fail_next(1, status=400, body={"error": {"message": "(#100) Invalid comment id", "code": 100}})

    with django_capture_on_commit_callbacks(execute=True):
        sent = item_moderate(acting_user=agent_for(facebook.client), item_id=item.pk, action=action)

    sent.refresh_from_db()
    item.refresh_from_db()
    assert (sent.status, sent.failure) == (OutboundAction.Status.FAILED, OutboundAction.Failure.REJECTED)
    assert item.status == Item.Status.NEW
    reopened = item.events.filter(kind=ItemEvent.Kind.STATUS_CHANGED).latest("pk")
    assert (reopened.data["from"], reopened.data["to"]) == (left_as, "new")
    assert (reopened.data["reason"], reopened.data["action_id"]) == ("moderation failed on the platform", sent.pk)


def test_a_failed_hide_of_an_answered_item_returns_it_to_answered(
    facebook, open_item_factory, agent_for, meta_graph_stub, django_capture_on_commit_callbacks
):
    item = open_item_factory(channel=facebook, status=Item.Status.ANSWERED, first_response_at=timezone.now())
    meta_graph_stub.fail_next(1, status=403, body={"error": {"message": "(#200) Permissions error", "code": 200}})

    with django_capture_on_commit_callbacks(execute=True):
        item_moderate(acting_user=agent_for(facebook.client), item_id=item.pk, action="hide")

    item.refresh_from_db()
    assert item.status == Item.Status.ANSWERED


def test_a_failed_approval_puts_the_pending_tag_back(
    wordpress_channel, open_item_factory, agent_for, wordpress_stub, django_capture_on_commit_callbacks
):
    # The comment is still held on the blog.
    blog = wordpress_channel()
    item = open_item_factory(channel=blog, external_id="404", thread_external_id="9", tags=[PENDING_MODERATION_TAG])

    with django_capture_on_commit_callbacks(execute=True):
        item_moderate(acting_user=agent_for(blog.client), item_id=item.pk, action="approve")

    item.refresh_from_db()
    assert item.tags == [PENDING_MODERATION_TAG]
    assert item.status == Item.Status.NEW


@pytest.fixture
def removed_on_facebook(facebook, open_item_factory):
    """Makes an item of the Facebook page and has Facebook remove its comment (what the webhook's remove does)."""

    def make(**fields) -> Item:
        item = open_item_factory(channel=facebook, **fields)
        return item_mark_removed_on_platform(
            channel=facebook, external_id=item.external_id, reason="removed on Facebook"
        )

    return make


@pytest.mark.parametrize(
    "status, action",
    [
        (Item.Status.NEW, "hide"),
        (Item.Status.NEW, "delete"),
        (Item.Status.NEW, "spam"),
        (Item.Status.HIDDEN, "unhide"),
    ],
)
def test_a_comment_removed_on_the_platform_is_not_moderated_there(
    removed_on_facebook, agent_for, meta_graph_stub, status, action
):
    item = removed_on_facebook(status=status)
    agent = agent_for(item.client)

    with pytest.raises(ItemRemovedOnPlatform), translation.override("en"):
        item_moderate(acting_user=agent, item_id=item.pk, action=action)

    item.refresh_from_db()
    assert item.status == status
    assert not OutboundAction.objects.exists()
    assert meta_graph_stub.requests == []
    assert item_moderation_kinds(item=item) == []


def test_a_comment_removed_on_the_platform_can_still_be_closed_noted_and_tagged(removed_on_facebook, agent_for):
    item = removed_on_facebook()
    agent = agent_for(item.client)

    item_note_add(acting_user=agent, item_id=item.pk, text="Kommentar gelöscht, Kunde per DM angeschrieben")
    item_tags_change(acting_user=agent, item_id=item.pk, add=["rückruf"])
    item_close(acting_user=agent, item_id=item.pk, reason="removed on the platform")

    item.refresh_from_db()
    assert (item.status, item.tags) == (Item.Status.CLOSED, [Item.TAG_REMOVED_ON_PLATFORM, "rückruf"])
    assert item.notes.count() == 1


@pytest.mark.parametrize("change", [{"remove": [Item.TAG_REMOVED_ON_PLATFORM]}, {"add": ["Removed-On-Platform "]}])
def test_people_can_neither_take_off_nor_set_the_removed_on_platform_tag(
    removed_on_facebook, facebook, open_item_factory, agent_for, change
):
    removed, untouched = removed_on_facebook(), open_item_factory(channel=facebook)
    agent = agent_for(facebook.client)
    target = removed if "remove" in change else untouched

    with pytest.raises(InboxActionError) as refused, translation.override("en"):
        item_tags_change(acting_user=agent, item_id=target.pk, **change)

    assert "removed on the platform" in refused.value.message
    removed.refresh_from_db()
    untouched.refresh_from_db()
    assert (removed.tags, untouched.tags) == ([Item.TAG_REMOVED_ON_PLATFORM], [])
    assert not ItemEvent.objects.filter(kind=ItemEvent.Kind.TAGGED).exists()


def test_a_campaign_hide_leaves_out_the_copies_removed_on_the_platform(
    removed_on_facebook, facebook, open_item_factory, agent_for, meta_graph_stub, django_capture_on_commit_callbacks
):
    removed = removed_on_facebook(text="Boykottiert diese Marke!")
    public = open_item_factory(channel=facebook, text="Boykottiert diese Marke!")
    agent = agent_for(facebook.client)

    with django_capture_on_commit_callbacks(execute=True):
        actions = items_hide_near_duplicates(acting_user=agent, item_id=removed.pk)

    assert [action.item_id for action in actions] == [public.pk]
    assert meta_graph_stub.app.hidden == {public.external_id: True}
    removed.refresh_from_db()
    assert removed.status == Item.Status.NEW


def test_not_spam_after_all_on_a_comment_removed_on_the_platform_sends_nothing(
    facebook, open_item_factory, agent_for, meta_graph_stub, django_capture_on_commit_callbacks
):
    item = open_item_factory(channel=facebook)
    agent = agent_for(facebook.client)
    with django_capture_on_commit_callbacks(execute=True):
        item_moderate(acting_user=agent, item_id=item.pk, action="spam")
    item_mark_removed_on_platform(channel=facebook, external_id=item.external_id, reason="removed on Facebook")
    sent_before = len(meta_graph_stub.requests)

    with django_capture_on_commit_callbacks(execute=True):
        item_mark_not_spam(acting_user=agent, item_id=item.pk)

    item.refresh_from_db()
    assert item.status == Item.Status.NEW
    assert len(meta_graph_stub.requests) == sent_before
    assert list(item.outbound_actions.values_list("kind", flat=True)) == ["spam"]
