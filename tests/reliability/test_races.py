"""Many agents and shift leads work one queue at once: every item is answered once, every reply sent once."""

import random
import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from communityops.models import Channel, ClientContact, User
from crises.escalation import crisis_escalate_due, notification_send
from crises.models import AgencyRole, Crisis, CrisisEvent, CrisisItem, EscalationPolicy, EscalationStep, Notification
from crises.services import (
    ItemsErased,
    crisis_client_seen,
    crisis_create,
    crisis_create_from_items,
    crisis_escalation_start,
    crisis_items_link,
    crisis_lock,
)
from inbox.lock_objects import item_qs_select_for_update
from inbox.models import AuthorProfile, IngestChange, Item, ItemEvent, OutboundAction, WebhookDelivery
from inbox.normalized import NormalizedAuthor, NormalizedItem
from inbox.selectors import item_conversation_version
from inbox.services import outbox
from inbox.services.author_profiles import author_profile_update
from inbox.services.claims import item_claim_next, item_heartbeat, item_release, item_take_over
from inbox.services.erasure import author_erase
from inbox.services.errors import InboxActionError
from inbox.services.ingestion import item_text_update, webhook_delivery_process
from inbox.services.moderation import item_moderate, item_tags_change, items_hide_near_duplicates
from inbox.services.outbox import item_reply
from tests.inbox.ingest_payloads import facebook_comment_change, meta_body
from tests.threads import held_open, in_thread, wait_until_waiting_on_a_lock

ITEMS = 80
AGENTS = 10
LEADS = 2
# Bounds every worker loop: far more rounds than the queue needs, so a livelock fails the test.
MAX_ROUNDS = 40 * ITEMS


def _open_items_left() -> bool:
    return Item.objects.filter(status__in=Item.OPEN_STATUSES).exists()


@pytest.mark.django_db(transaction=True)
def test_claim_heartbeat_reply_and_take_over_answer_each_item_exactly_once(
    channel_factory, open_item_factory, agent_for, user_factory, team_factory, meta_graph_stub
):
    # Given one Facebook page with a queue of items, ten agents and two shift leads on it
    channel = channel_factory(platform=Channel.Platform.FACEBOOK_PAGE, access_token="page-token")
    items = [
        open_item_factory(channel=channel, external_id=f"post{n}_c{n}", thread_external_id=f"post{n}", due_in=n % 9)
        for n in range(ITEMS)
    ]
    agents = [agent_for(channel.client, with_mfa=False) for _ in range(AGENTS)]
    leads = [user_factory(role=User.Role.SHIFT_LEAD, with_mfa=False) for _ in range(LEADS)]
    team_factory(members=leads, clients=[channel.client])
    accepted: list[tuple[int, int]] = []  # (item id, action id) of every reply the service accepted
    refusals: Counter = Counter()
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(AGENTS + LEADS)

    def reply(user: User, item: Item, version: int) -> None:
        try:
            action = item_reply(
                acting_user=user, item_id=item.pk, text=f"Antwort von {user.pk}", loaded_at_event_id=version
            )
        except InboxActionError as refusal:
            with lock:
                refusals[type(refusal).__name__] += 1
            return
        with lock:
            accepted.append((item.pk, action.pk))

    def agent_work(agent: User, seed: int) -> None:
        chance = random.Random(seed)
        try:
            start.wait()
            for _round in range(MAX_ROUNDS):
                item = item_claim_next(acting_user=agent)
                if item is None:
                    if not _open_items_left():
                        return
                    continue
                version = item_conversation_version(item=item)
                try:
                    item_heartbeat(acting_user=agent, item_id=item.pk)
                except InboxActionError:
                    with lock:
                        refusals["heartbeat lost"] += 1
                    continue
                if chance.random() < 0.2:
                    try:
                        item_release(acting_user=agent, item_id=item.pk, reason="skip")
                    except InboxActionError:  # a lead took it over meanwhile
                        with lock:
                            refusals["release refused"] += 1
                    continue
                reply(agent, item, version)
        except BaseException as error:  # noqa: BLE001 (reported by the assert below)
            errors.append(error)
        finally:
            connection.close()

    def lead_work(lead: User, seed: int) -> None:
        chance = random.Random(seed)
        try:
            start.wait()
            for _round in range(MAX_ROUNDS):
                held = list(Item.objects.filter(status=Item.Status.CLAIMED).values_list("pk", flat=True))
                if not held:
                    if not _open_items_left():
                        return
                    continue
                try:
                    item = item_take_over(acting_user=lead, item_id=chance.choice(held), reason="race test")
                except InboxActionError:
                    with lock:
                        refusals["take-over refused"] += 1
                    continue
                reply(lead, item, item_conversation_version(item=item))
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=agent_work, args=(agent, n)) for n, agent in enumerate(agents)]
    threads += [threading.Thread(target=lead_work, args=(lead, 100 + n)) for n, lead in enumerate(leads)]

    # When they all claim, heartbeat, skip, reply and take over at once
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then every item is answered by exactly one accepted reply, sent exactly once to the platform
    assert errors == []
    item_ids = {item.pk for item in items}
    per_item = Counter(item_id for item_id, _action in accepted)
    assert set(per_item) == item_ids and max(per_item.values()) == 1
    assert set(Item.objects.values_list("status", flat=True)) == {Item.Status.ANSWERED}
    actions = OutboundAction.objects.filter(kind=OutboundAction.Kind.REPLY)
    assert sorted(actions.values_list("pk", flat=True)) == sorted(action_id for _item, action_id in accepted)
    assert set(actions.values_list("status", flat=True)) == {OutboundAction.Status.SENT}
    sent_per_comment = Counter(reply["object_id"] for reply in meta_graph_stub.app.replies)
    assert sent_per_comment == Counter({item.external_id: 1 for item in items})
    assert ItemEvent.objects.filter(kind=ItemEvent.Kind.SENT).count() == ITEMS
    # The race really raced: some replies were refused because a lead took the item over.
    print(f"races: {len(accepted)} accepted replies, refusals {dict(refusals)}")


@pytest.mark.django_db(transaction=True)
def test_two_agents_hiding_one_campaign_from_different_copies_do_not_deadlock(
    channel_factory, open_item_factory, agent_for, meta_graph_stub
):
    # A colleague's open transaction holds copy 2; Anna hides from copy 3 and waits at copy 2, then
    # Ben hides from copy 4. Locking each one's own copy first (as before) deadlocked here.
    channel = channel_factory(platform=Channel.Platform.FACEBOOK_PAGE)
    copies = [open_item_factory(channel=channel, text="Boykott! Diese Firma lügt.") for _ in range(4)]
    anna, ben, colleague = (agent_for(channel.client, with_mfa=False) for _ in range(3))
    errors: list[BaseException] = []

    with held_open(lambda: item_tags_change(acting_user=colleague, item_id=copies[1].pk, add=["kampagne"]), errors):
        anna_hides = in_thread(lambda: items_hide_near_duplicates(acting_user=anna, item_id=copies[2].pk), errors)
        wait_until_waiting_on_a_lock(1)
        ben_hides = in_thread(lambda: items_hide_near_duplicates(acting_user=ben, item_id=copies[3].pk), errors)
        wait_until_waiting_on_a_lock(2)
    for thread in (anna_hides, ben_hides):
        thread.join()

    assert errors == []
    assert set(Item.objects.filter(pk__in=[copy.pk for copy in copies]).values_list("status", flat=True)) == {
        Item.Status.HIDDEN
    }
    hides = Counter(OutboundAction.objects.filter(kind=OutboundAction.Kind.HIDE).values_list("item_id", flat=True))
    assert hides == Counter({copy.pk: 1 for copy in copies})


@pytest.mark.django_db(transaction=True)
def test_a_copy_deleted_while_the_campaign_hide_waits_stays_deleted(
    channel_factory, open_item_factory, agent_for, meta_graph_stub
):
    channel = channel_factory(platform=Channel.Platform.FACEBOOK_PAGE)
    first, second = (open_item_factory(channel=channel, text="Boykott! Diese Firma lügt.") for _ in range(2))
    anna, ben = agent_for(channel.client, with_mfa=False), agent_for(channel.client, with_mfa=False)
    errors: list[BaseException] = []

    with held_open(lambda: item_moderate(acting_user=ben, item_id=second.pk, action="delete"), errors):
        anna_hides = in_thread(lambda: items_hide_near_duplicates(acting_user=anna, item_id=first.pk), errors)
        wait_until_waiting_on_a_lock(1)
    anna_hides.join()

    assert errors == []
    statuses = dict(Item.objects.filter(pk__in=[first.pk, second.pk]).values_list("pk", "status"))
    assert statuses == {first.pk: Item.Status.HIDDEN, second.pk: Item.Status.CLOSED}
    assert list(OutboundAction.objects.filter(item=second).values_list("kind", flat=True)) == ["delete"]


@pytest.mark.django_db(transaction=True)
def test_linking_an_item_to_a_crisis_does_not_wait_for_a_colleague_working_on_it(
    channel_factory, open_item_factory, agent_for, user_factory, meta_graph_stub
):
    # A colleague's open transaction holds the item (here: hiding it). Rows that merely point at the
    # item, such as a crisis link and its ESCALATED event, go in at once: the item lock is FOR NO
    # KEY UPDATE, which their foreign-key checks do not wait for.
    channel = channel_factory(platform=Channel.Platform.FACEBOOK_PAGE)
    item = open_item_factory(channel=channel)
    colleague = agent_for(channel.client, with_mfa=False)
    lead = user_factory(role=User.Role.SHIFT_LEAD, with_mfa=False)
    crisis = crisis_create(acting_user=lead, client=channel.client, title="Glas", now=timezone.now())
    errors: list[BaseException] = []
    linked: list[list[int]] = []

    with held_open(lambda: item_moderate(acting_user=colleague, item_id=item.pk, action="hide"), errors):
        link = in_thread(
            lambda: linked.append(crisis_items_link(crisis=crisis, items=[item], acting_user=lead, now=timezone.now())),
            errors,
        )
        link.join(timeout=5)
        finished_while_held = not link.is_alive()
    link.join()

    assert errors == []
    assert finished_while_held and linked == [[item.pk]]


@pytest.mark.django_db(transaction=True)
def test_a_delivery_editing_campaign_copies_and_an_agent_hiding_them_do_not_deadlock(
    channel_factory, open_item_factory, agent_for, meta_graph_stub, caplog
):
    # A colleague's open transaction holds copy 1; Anna hides the campaign and waits at copy 1 (she
    # locks in id order). Then a delivery edits copy 2 and copy 1, in that order. Locking each
    # edited item as its change came, the batch held copy 2 while it waited for copy 1, which Anna
    # got next, to wait for copy 2: a deadlock, and the batch fell back to one change at a time.
    channel = channel_factory(platform=Channel.Platform.FACEBOOK_PAGE)
    copies = [
        open_item_factory(channel=channel, external_id=f"post_c{number}", text="Boykott! Diese Firma lügt.")
        for number in range(2)
    ]
    anna, colleague = agent_for(channel.client, with_mfa=False), agent_for(channel.client, with_mfa=False)
    body = meta_body(
        channel,
        changes=[
            facebook_comment_change(comment_id=copy.external_id, verb="edited", message="Boykott! Diese Firma lügt!!")
            for copy in reversed(copies)
        ],
    )
    # Stored as the webhook stores it, without its processing task (the test runs it in a thread).
    delivery = WebhookDelivery.objects.create(channel=channel, source=WebhookDelivery.Source.META, body=body)
    errors: list[BaseException] = []

    with held_open(lambda: item_tags_change(acting_user=colleague, item_id=copies[0].pk, add=["kampagne"]), errors):
        anna_hides = in_thread(lambda: items_hide_near_duplicates(acting_user=anna, item_id=copies[0].pk), errors)
        wait_until_waiting_on_a_lock(1)
        ingest = in_thread(lambda: webhook_delivery_process(delivery_id=delivery.pk), errors)
        wait_until_waiting_on_a_lock(2)
    for thread in (anna_hides, ingest):
        thread.join()

    assert errors == []
    assert not [record for record in caplog.records if record.levelname == "ERROR"]
    assert (
        list(Item.objects.filter(pk__in=[copy.pk for copy in copies]).values_list("status", "text"))
        == [(Item.Status.HIDDEN, "Boykott! Diese Firma lügt!!")] * 2
    )
    changes = IngestChange.objects.filter(delivery=delivery)
    assert set(changes.values_list("status", flat=True)) == {IngestChange.Status.INGESTED}


@pytest.mark.django_db(transaction=True)
def test_a_key_account_change_does_not_stall_the_clients_ingestion(channel_factory, agent_for, ingest):
    # A colleague holds one of Vera's open items; the flag change waits there for it (fine), but
    # meanwhile it must not hold the client's row: every new item of the client checks its foreign
    # key against it (FOR KEY SHARE), which FOR UPDATE blocks.
    channel = channel_factory()
    agent, colleague = agent_for(channel.client, with_mfa=False), agent_for(channel.client, with_mfa=False)
    veras = ingest(channel, author_id="vera")
    errors: list[BaseException] = []
    ingested = threading.Event()

    with held_open(lambda: item_tags_change(acting_user=colleague, item_id=veras.pk, add=["rueckruf"]), errors):
        flag = in_thread(
            lambda: author_profile_update(acting_user=agent, item_id=veras.pk, is_key_account=True, notes=""), errors
        )
        wait_until_waiting_on_a_lock(1)
        stranger = in_thread(lambda: (ingest(channel, author_id="someone-else"), ingested.set()), errors)
        finished_while_held = ingested.wait(3)
    flag.join()
    stranger.join()

    assert errors == []
    assert finished_while_held, "a new comment of the client waited for the author-profile transaction"


@pytest.mark.django_db(transaction=True)
def test_a_key_account_change_and_a_delivery_editing_the_authors_item_do_not_deadlock(
    channel_factory, agent_for, ingest, caplog
):
    # The flag change waits at Vera's first item, which a colleague holds. A delivery locks her
    # second item up front (its edit) and brings a new comment of the client. When the flag change
    # also locked the client's row (FOR UPDATE through the join), the new comment's foreign-key
    # check waited for it; once the colleague let go, the flag change waited for the second item:
    # a deadlock. The delivery now goes through while the colleague still holds the first item.
    channel = channel_factory(platform=Channel.Platform.FACEBOOK_PAGE)
    agent, colleague = agent_for(channel.client, with_mfa=False), agent_for(channel.client, with_mfa=False)
    first, second = ingest(channel, author_id="vera"), ingest(channel, author_id="vera")
    body = meta_body(
        channel,
        changes=[
            facebook_comment_change(comment_id="brand-new", author_id="someone-else", message="Hallo?"),
            facebook_comment_change(comment_id=second.external_id, author_id="vera", verb="edited", message="Bitte!"),
        ],
    )
    delivery = WebhookDelivery.objects.create(channel=channel, source=WebhookDelivery.Source.META, body=body)
    errors: list[BaseException] = []

    with held_open(lambda: item_tags_change(acting_user=colleague, item_id=first.pk, add=["rueckruf"]), errors):
        flag = in_thread(
            lambda: author_profile_update(acting_user=agent, item_id=first.pk, is_key_account=True), errors
        )
        wait_until_waiting_on_a_lock(1)
        ingest = in_thread(lambda: webhook_delivery_process(delivery_id=delivery.pk), errors)
        ingest.join(timeout=10)
        finished_while_held = not ingest.is_alive()
    flag.join()
    ingest.join()

    assert errors == []
    assert finished_while_held, "the delivery waited for the key-account change"
    assert not [record.getMessage() for record in caplog.records if record.levelname == "ERROR"]
    assert set(IngestChange.objects.filter(delivery=delivery).values_list("status", flat=True)) == {
        IngestChange.Status.INGESTED
    }
    assert set(Item.objects.filter(pk__in=[first.pk, second.pk]).values_list("author_tier", flat=True)) == {"A"}


@pytest.mark.django_db(transaction=True)
def test_a_notes_only_change_racing_the_first_flag_keeps_the_flag(channel_factory, agent_for, ingest):
    # Anna puts Vera on the list (the first profile row, not committed yet); Ben, at the same time,
    # only types a note and leaves the flag as it is. Before the fix, Ben's `before` was the
    # defaults he read before Anna's row existed, so he wrote is_key_account=False over hers.
    channel = channel_factory()
    anna, ben = agent_for(channel.client, with_mfa=False), agent_for(channel.client, with_mfa=False)
    item = ingest(channel, author_id="vera")
    errors: list[BaseException] = []
    anna_saved, anna_commit = threading.Event(), threading.Event()

    def annas_request():
        try:
            with transaction.atomic():
                author_profile_update(acting_user=anna, item_id=item.pk, is_key_account=True)
                anna_saved.set()
                anna_commit.wait(10)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    def bens_request():
        try:
            author_profile_update(acting_user=ben, item_id=item.pk, notes="Bitte siezen.")
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    first = threading.Thread(target=annas_request)
    first.start()
    assert anna_saved.wait(10)
    second = threading.Thread(target=bens_request)
    second.start()
    wait_until_waiting_on_a_lock(1)  # Ben waits at his insert for Anna's uncommitted row
    anna_commit.set()
    first.join()
    second.join()

    assert errors == []
    profile = AuthorProfile.objects.get(client=channel.client, author=item.author)
    assert (profile.is_key_account, profile.notes) == (True, "Bitte siezen.")
    assert Item.objects.get(pk=item.pk).author_tier == "A"


@pytest.mark.django_db(transaction=True)
def test_an_erasure_waiting_for_an_edit_erases_the_edited_text_too(channel_factory, user_factory, ingest):
    # A delivery is storing Vera's edit (her item locked, the previous text going into the
    # timeline) when a shift lead erases her data: the erasure waits for it, then erases both texts.
    channel = channel_factory(platform=Channel.Platform.FACEBOOK_PAGE)
    lead = user_factory(role=User.Role.SHIFT_LEAD, with_mfa=False)
    item = ingest(channel, author_id="vera", text="Meine Nummer ist 0151 1234567")
    edited = NormalizedItem(
        external_id=item.external_id,
        kind=item.kind,
        text="Meine neue Nummer ist 0171 7654321",
        author=NormalizedAuthor(external_id="vera"),
        platform_created_at=item.platform_created_at,
    )
    errors: list[BaseException] = []

    with held_open(lambda: item_text_update(item=item, normalized=edited), errors):
        erasure = in_thread(lambda: author_erase(acting_user=lead, item_id=item.pk, reference="Ticket 8"), errors)
        wait_until_waiting_on_a_lock(1)
    erasure.join()

    assert errors == []
    assert Item.objects.get(pk=item.pk).text == ""
    assert not [event.data for event in ItemEvent.objects.filter(item=item) if "previous_text" in event.data]


@pytest.mark.django_db(transaction=True)
def test_an_erasure_and_a_publish_on_a_crisis_linking_the_authors_item_do_not_deadlock(
    channel_factory, user_factory, ingest
):
    # A shift lead publishes the crisis response (crisis locked, then its items) while another
    # erases Vera's data, which reaches the crisis's texts too: the erasure locks the crisis
    # before the items as well, so it waits for the publish instead of holding the item it needs.
    channel = channel_factory()
    lead = user_factory(role=User.Role.SHIFT_LEAD, with_mfa=False)
    item = ingest(channel, author_id="vera")
    crisis, _created = crisis_create_from_items(
        acting_user=lead, items=[item], title="Antwort an Dr. Vera Einkauf", now=timezone.now()
    )
    errors: list[BaseException] = []
    crisis_held, erasure_waiting = threading.Event(), threading.Event()

    def publish() -> None:
        with transaction.atomic():
            crisis_lock(crisis_id=crisis.pk)
            crisis_held.set()
            assert erasure_waiting.wait(10)
            list(item_qs_select_for_update().filter(pk=item.pk).values("pk"))

    publisher = in_thread(publish, errors)
    assert crisis_held.wait(10)
    eraser = in_thread(lambda: author_erase(acting_user=lead, item_id=item.pk, reference="Ticket 21"), errors)
    wait_until_waiting_on_a_lock(1)
    erasure_waiting.set()
    publisher.join()
    eraser.join()

    assert errors == []
    crisis.refresh_from_db()
    assert crisis.title == "Antwort an […]"
    assert Item.objects.get(pk=item.pk).erased_at is not None


@pytest.fixture
def crisis_naming_vera(channel_factory, user_factory, ingest) -> tuple[User, Item, Crisis]:
    """A shift lead, Vera's comment, and a crisis naming her that links only Otto's comment."""
    channel = channel_factory()
    lead = user_factory(role=User.Role.SHIFT_LEAD, with_mfa=False)
    vera, otto = ingest(channel, author_id="vera"), ingest(channel, author_id="otto")
    crisis, _created = crisis_create_from_items(
        acting_user=lead, items=[otto], title="Dr. Vera Einkauf und andere", now=timezone.now()
    )
    return lead, vera, crisis


@pytest.mark.django_db(transaction=True)
def test_an_item_linked_to_a_crisis_while_its_author_is_erased_is_skipped(crisis_naming_vera):
    # A crisis names Vera but links none of her items when a shift lead starts erasing her data; a
    # colleague adds her comment to it meanwhile. The link waits for the erasure, then skips the
    # erased item (a tombstone): no crisis links her item and still names her.
    lead, vera, crisis = crisis_naming_vera
    errors: list[BaseException] = []
    linked: list[list[int]] = []

    with held_open(lambda: author_erase(acting_user=lead, item_id=vera.pk, reference="Ticket 22"), errors):
        link = in_thread(
            lambda: linked.append(crisis_items_link(crisis=crisis, items=[vera], acting_user=lead, now=timezone.now())),
            errors,
        )
        wait_until_waiting_on_a_lock(1, unless_done=link)
    link.join()

    assert errors == []
    assert linked == [[]]
    assert not CrisisItem.objects.filter(item=vera).exists()


@pytest.mark.django_db(transaction=True)
def test_a_crisis_linking_an_item_while_its_author_is_erased_no_longer_names_them(crisis_naming_vera):
    # The other way round: the colleague's link is under way when the erasure starts. The erasure
    # waits for it, then finds the crisis linking Vera's item and redacts her name there too.
    lead, vera, crisis = crisis_naming_vera
    errors: list[BaseException] = []

    with held_open(
        lambda: crisis_items_link(crisis=crisis, items=[vera], acting_user=lead, now=timezone.now()), errors
    ):
        eraser = in_thread(lambda: author_erase(acting_user=lead, item_id=vera.pk, reference="Ticket 23"), errors)
        wait_until_waiting_on_a_lock(1, unless_done=eraser)
    eraser.join()

    assert errors == []
    crisis.refresh_from_db()
    assert crisis.title == "[…] und andere"
    assert CrisisItem.objects.filter(crisis=crisis, item=vera).exists()
    assert Item.objects.get(pk=vera.pk).erased_at is not None


@pytest.mark.django_db(transaction=True)
def test_escalating_an_item_while_its_author_is_erased_opens_no_crisis(channel_factory, user_factory, ingest):
    # A colleague escalates Vera's comment (as read before the erasure) while it is being erased:
    # the escalation waits, then refuses the erased item instead of opening a crisis named after her.
    channel = channel_factory()
    lead = user_factory(role=User.Role.SHIFT_LEAD, with_mfa=False)
    vera = ingest(channel, author_id="vera")
    errors: list[BaseException] = []

    with held_open(lambda: author_erase(acting_user=lead, item_id=vera.pk, reference="Ticket 24"), errors):
        escalation = in_thread(
            lambda: crisis_create_from_items(
                acting_user=lead, items=[vera], title="Dr. Vera Einkauf droht", now=timezone.now()
            ),
            errors,
        )
        wait_until_waiting_on_a_lock(1, unless_done=escalation)
    escalation.join()

    assert [type(error) for error in errors] == [ItemsErased]
    assert not Crisis.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_delivery_during_an_erasure_neither_fails_nor_brings_the_erased_text_back(
    channel_factory, user_factory, ingest, caplog
):
    # The erasure is written but not committed when a delivery brings Vera's edit of the erased
    # item and a new comment of hers. The delivery waits at the item's lock; then the edit is
    # ignored and the new comment (new data) is stored under a new row for her; nothing fails.
    channel = channel_factory(platform=Channel.Platform.FACEBOOK_PAGE)
    lead = user_factory(role=User.Role.SHIFT_LEAD, with_mfa=False)
    item = ingest(channel, author_id="vera", text="Meine Nummer ist 0151 1234567")
    old_author_id = item.author_id
    body = meta_body(
        channel,
        changes=[
            facebook_comment_change(comment_id=item.external_id, author_id="vera", verb="edited", message="Neu: 0171"),
            facebook_comment_change(comment_id="brand-new", author_id="vera", message="Und noch etwas"),
        ],
    )
    delivery = WebhookDelivery.objects.create(channel=channel, source=WebhookDelivery.Source.META, body=body)
    errors: list[BaseException] = []

    with held_open(lambda: author_erase(acting_user=lead, item_id=item.pk, reference="Ticket 9"), errors):
        ingest_thread = in_thread(lambda: webhook_delivery_process(delivery_id=delivery.pk), errors)
        wait_until_waiting_on_a_lock(1)
    ingest_thread.join()

    assert errors == []
    assert not [record.getMessage() for record in caplog.records if record.levelname == "ERROR"]
    assert list(
        IngestChange.objects.filter(delivery=delivery).order_by("position").values_list("status", flat=True)
    ) == [
        IngestChange.Status.DUPLICATE,
        IngestChange.Status.INGESTED,
    ]
    erased = Item.objects.select_related("author").get(pk=item.pk)
    assert (erased.text, erased.author.external_id) == ("", "")
    new = Item.objects.select_related("author").get(external_id="brand-new")
    assert new.author.external_id == "vera" and new.author_id != old_author_id


@pytest.mark.django_db(transaction=True)
def test_a_new_comment_stored_while_the_erasure_deletes_its_author_is_stored_under_a_new_row(
    channel_factory, user_factory, ingest, caplog
):
    # The delivery brings only a new comment of Vera's: it reads her row before the erasure commits
    # and inserts its item; the foreign key is checked at its commit, after the erasure deleted
    # the row. The batch runs again and stores the comment under a new row; nothing fails.
    channel = channel_factory(platform=Channel.Platform.FACEBOOK_PAGE)
    lead = user_factory(role=User.Role.SHIFT_LEAD, with_mfa=False)
    item = ingest(channel, author_id="vera")
    body = meta_body(
        channel, changes=[facebook_comment_change(comment_id="brand-new", author_id="vera", message="Hallo?")]
    )
    delivery = WebhookDelivery.objects.create(channel=channel, source=WebhookDelivery.Source.META, body=body)
    errors: list[BaseException] = []

    with held_open(lambda: author_erase(acting_user=lead, item_id=item.pk, reference="Ticket 13"), errors):
        ingest_thread = in_thread(lambda: webhook_delivery_process(delivery_id=delivery.pk), errors)
        wait_until_waiting_on_a_lock(1)  # its commit waits for the author row
    ingest_thread.join()

    assert errors == []
    assert not [record.getMessage() for record in caplog.records if record.levelname == "ERROR"]
    assert IngestChange.objects.get(delivery=delivery).status == IngestChange.Status.INGESTED
    new = Item.objects.select_related("author").get(external_id="brand-new")
    assert (new.author.external_id, new.author_id != item.author_id, new.text) == ("vera", True, "Hallo?")


@pytest.mark.django_db(transaction=True)
def test_a_key_account_change_racing_an_erasure_neither_deadlocks_nor_brings_a_profile_back(
    channel_factory, user_factory, agent_for, ingest
):
    # The erasure holds the client's profile of Vera (creating it) while an agent puts her on the
    # key-account list from another of her items: the agent waits, then is told she was erased.
    channel = channel_factory()
    lead = user_factory(role=User.Role.SHIFT_LEAD, with_mfa=False)
    agent = agent_for(channel.client, with_mfa=False)
    first, second = ingest(channel, author_id="vera"), ingest(channel, author_id="vera")
    errors: list[BaseException] = []

    with held_open(lambda: author_erase(acting_user=lead, item_id=first.pk, reference="Ticket 14"), errors):
        flag = in_thread(
            lambda: author_profile_update(acting_user=agent, item_id=second.pk, is_key_account=True), errors
        )
        wait_until_waiting_on_a_lock(1)
    flag.join()

    assert [type(error).__name__ for error in errors] == ["AuthorAlreadyErased"]
    assert not AuthorProfile.objects.exists()
    assert Item.objects.get(pk=second.pk).author_tier == "C"


@pytest.mark.django_db(transaction=True)
def test_a_reply_failing_for_good_while_its_authors_data_is_erased_does_not_deadlock(
    channel_factory, user_factory, ingest, meta_graph_stub, monkeypatch
):
    # A reply naming Vera fails for good on the platform; its failure is being recorded (the item
    # about to reopen) when a shift lead erases her data, which rewrites the reply's text. Both lock
    # the item before the reply.
    channel = channel_factory(platform=Channel.Platform.FACEBOOK_PAGE, access_token="page-token")
    lead = user_factory(role=User.Role.SHIFT_LEAD, with_mfa=False)
    item = ingest(channel, author_id="vera")
    Item.objects.filter(pk=item.pk).update(status=Item.Status.ANSWERED)
    reply = OutboundAction.objects.create(
        item=item, kind=OutboundAction.Kind.REPLY, text="Hallo Dr. Vera Einkauf, wir rufen Sie an."
    )
    meta_graph_stub.fail_next(1, status=400, body={"error": {"message": "(#100) Invalid comment id", "code": 100}})
    restoring, go_on = threading.Event(), threading.Event()
    real_restore = outbox._item_restore_after_lost_action

    def restore_after_a_pause(**kwargs) -> None:
        restoring.set()
        go_on.wait(10)
        real_restore(**kwargs)

    monkeypatch.setattr(outbox, "_item_restore_after_lost_action", restore_after_a_pause)
    errors: list[BaseException] = []

    sending = in_thread(lambda: outbox.outbound_action_send(action_id=reply.pk), errors)
    assert restoring.wait(10)
    erasure = in_thread(lambda: author_erase(acting_user=lead, item_id=item.pk, reference="Ticket 24"), errors)
    wait_until_waiting_on_a_lock(1, unless_done=erasure)
    go_on.set()
    for thread in (sending, erasure):
        thread.join()

    assert errors == []
    reply.refresh_from_db()
    assert (reply.status, reply.text) == (OutboundAction.Status.FAILED, "Hallo […], wir rufen Sie an.")
    item.refresh_from_db()
    assert (item.status, item.text, item.erased_at is not None) == (Item.Status.CLOSED, "", True)


@pytest.mark.django_db(transaction=True)
def test_two_colleagues_escalating_the_same_item_open_one_crisis(channel_factory, user_factory, ingest):
    channel = channel_factory()
    leads = [user_factory(role=User.Role.SHIFT_LEAD, with_mfa=False) for _ in range(2)]
    item = ingest(channel, author_id="vera", text="Ich gehe damit zur Presse!")
    errors: list[BaseException] = []
    opened: list[tuple[Crisis, bool]] = []
    start = threading.Barrier(2)

    def escalate(lead: User) -> None:
        start.wait()
        opened.append(crisis_create_from_items(acting_user=lead, items=[item], now=timezone.now()))

    threads = [in_thread(lambda lead=lead: escalate(lead), errors) for lead in leads]
    for thread in threads:
        thread.join()

    assert errors == []
    # Both were sent to the same crisis, which one of them opened.
    assert len({crisis.pk for crisis, _created in opened}) == 1
    assert sorted(created for _crisis, created in opened) == [False, True]
    assert CrisisItem.objects.filter(item=item).count() == 1


@pytest.fixture
def escalating_crisis(client_factory, user_factory):
    """A running escalation: step 1 (now) the shift lead, step 2 (10 min) Markus of the client, step 3
    (20 min) Markus and all shift leads. Sabine is another contact of the client."""
    client = client_factory()
    lead = user_factory(role=User.Role.SHIFT_LEAD, with_mfa=False)
    sabine, markus = (
        ClientContact.objects.create(client=client, name=name, role="PR", email=f"{name.lower()}@client.example")
        for name in ("Sabine", "Markus")
    )
    policy = EscalationPolicy.objects.create(client=client, name="Ladder")
    for position, (contacts, roles) in enumerate(
        [([], [AgencyRole.ON_CALL_LEAD]), ([markus], []), ([markus], [AgencyRole.ALL_SHIFT_LEADS])], start=1
    ):
        step = EscalationStep.objects.create(policy=policy, position=position, agency_roles=roles, wait_minutes=10)
        step.contacts.set(contacts)
    start = timezone.now()
    crisis = crisis_create(acting_user=lead, client=client, title="Recall rumour", now=start)
    crisis_escalation_start(crisis=crisis, acting_user=lead, now=start)
    crisis_escalate_due(now=start, enqueue_sends=False)
    return {"crisis": crisis, "start": start, "lead": lead, "sabine": sabine, "markus": markus}


@pytest.mark.django_db(transaction=True)
def test_a_contacts_seen_while_a_step_alerting_a_colleague_fires_keeps_that_alert_from_going_out(
    escalating_crisis,
):
    # Step 2 fires (under the crisis lock) while Sabine presses "seen": her "seen" waits for the step,
    # then Markus's alert, created a moment earlier, is not sent; step 3 alerts only the agency.
    crisis, start, markus = escalating_crisis["crisis"], escalating_crisis["start"], escalating_crisis["markus"]
    errors: list[BaseException] = []
    seen: list[bool] = []

    with held_open(lambda: crisis_escalate_due(now=start + timedelta(minutes=10), enqueue_sends=False), errors):
        saying = in_thread(
            lambda: seen.append(
                crisis_client_seen(crisis=crisis, contact=escalating_crisis["sabine"], via="portal", now=timezone.now())
            ),
            errors,
        )
        wait_until_waiting_on_a_lock(1, unless_done=saying)
    saying.join()
    to_markus = Notification.objects.get(crisis=crisis, recipient_key=f"contact:{markus.pk}")
    sent = notification_send(notification_id=to_markus.pk, now=start + timedelta(minutes=10))
    crisis_escalate_due(now=start + timedelta(minutes=20), enqueue_sends=False)

    to_markus.refresh_from_db()
    crisis.refresh_from_db()
    assert errors == [] and seen == [True]
    assert (sent, to_markus.status) == (False, Notification.Status.CLIENT_SEEN)
    assert set(Notification.objects.filter(step__position=3).values_list("recipient_key", flat=True)) == {
        f"user:{escalating_crisis['lead'].pk}"
    }
    assert crisis.acknowledged_at is None and crisis.client_seen_by == "Sabine"


@pytest.mark.django_db(transaction=True)
def test_a_step_due_while_a_contact_says_seen_fires_after_it_without_the_clients_contacts(escalating_crisis):
    # Sabine's "seen" holds the crisis while step 2 (Markus alone) is due: the due-check leaves the
    # crisis to its next run (skip locked), which then skips the step instead of alerting Markus.
    crisis, start, markus = escalating_crisis["crisis"], escalating_crisis["start"], escalating_crisis["markus"]
    errors: list[BaseException] = []

    with held_open(
        lambda: crisis_client_seen(crisis=crisis, contact=escalating_crisis["sabine"], via="portal", now=start),
        errors,
    ):
        fired_meanwhile = crisis_escalate_due(now=start + timedelta(minutes=10), enqueue_sends=False)
    fired_after = crisis_escalate_due(now=start + timedelta(minutes=10), enqueue_sends=False)

    assert errors == [] and (fired_meanwhile, fired_after) == (0, 0)
    assert crisis.events.filter(kind=CrisisEvent.Kind.STEP_SKIPPED, data__position=2).exists()
    assert not Notification.objects.filter(crisis=crisis, recipient_key=f"contact:{markus.pk}").exists()
