"""Reads of the inbox, always scoped to the clients the user may see."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Max,
    Q,
    QuerySet,
    TextField,
    Value,
)
from django.db.models.expressions import RawSQL

# The row-value lookups Django uses for composite primary keys: (a, b) > (x, y) in SQL.
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from billing.selectors import ClientCoverage, clients_coverage_overview
from communityops.alphabetical import alphabetical
from communityops.keyset import InvalidCursor, cursor_decode, cursor_encode
from communityops.models import Channel, Client, User
from communityops.selectors import (
    client_id_list_for_user,
    client_ids_for_user,
    client_queryset_for_user,
    staff_serving_clients_q,
)

from .lookups import AnyOf, NameWordsBegin
from .models import (
    AgentPresence,
    Author,
    AuthorProfile,
    CannedResponse,
    IngestChange,
    Item,
    ItemEvent,
    ItemNote,
    OutboundAction,
    WebhookDelivery,
)
from .services.ingest_formats import meta_changes_split

# Event kinds that mean "the conversation changed under the composer": a new message
# arrived, a message was edited or removed on the platform, someone else's answer was queued,
# or the item was moderated away.
CONVERSATION_CHANGE_EVENT_KINDS = (
    ItemEvent.Kind.RECEIVED,
    ItemEvent.Kind.EDITED,
    ItemEvent.Kind.REMOVED,
    ItemEvent.Kind.REPLY_QUEUED,
    ItemEvent.Kind.STATUS_CHANGED,
)


def item_queryset_for_user(*, user: User) -> QuerySet[Item]:
    return Item.objects.filter(client__in=client_ids_for_user(user=user))


def item_get_for_user(*, user: User, item_id: int) -> Item:
    return get_object_or_404(
        item_queryset_for_user(user=user).select_related("client", "channel", "author", "claimed_by"), pk=item_id
    )


@dataclass(frozen=True)
class ItemFilters:
    """The queue filters; None means "any". Status defaults to the open statuses."""

    client_id: int | None = None
    channel_id: int | None = None
    statuses: tuple[str, ...] | None = None
    priority: int | None = None
    tier: str | None = None
    tag: str | None = None
    # Words of the text (all of them), or the beginnings of words of the author's name or handle
    # (all of them): see item_filters_apply.
    search: str | None = None
    holder_id: int | None = None  # the items this colleague holds (the operations dashboard links here)

    @property
    def any_chosen(self) -> bool:
        return any(value is not None for value in vars(self).values())


def item_filters_apply(*, queryset: QuerySet[Item], filters: ItemFilters) -> QuerySet[Item]:
    """The queue filters other than status (claim-next and the list share them), on a queryset of
    the items of `filters.statuses` (the open ones when None): a search among open items looks the
    queryset's items it finds up by id (search_targets).

    The search finds an item when its text has all the words searched for (whole words of three
    letters or more), or when its author is one authors_named finds (every word searched for
    begins a word of the author's name or handle); a search without any word, say punctuation
    only, finds nothing.
    """
    if filters.client_id is not None:
        queryset = queryset.filter(client_id=filters.client_id)
    if filters.channel_id is not None:
        queryset = queryset.filter(channel_id=filters.channel_id)
    if filters.priority is not None:
        queryset = queryset.filter(priority=filters.priority)
    if filters.tier:
        queryset = queryset.filter(author_tier=filters.tier)
    if filters.tag:
        queryset = queryset.filter(tags__contains=[filters.tag])
    if filters.holder_id is not None:
        queryset = queryset.filter(claimed_by_id=filters.holder_id)
    if filters.search:
        open_only = filters.statuses is None or set(filters.statuses) <= set(Item.OPEN_STATUSES)
        # Among the items of the other filters (and the caller's scope): a word that many open
        # items hold but few of those, say of one priority, still goes in as their ids.
        targets = search_targets(filters.search, among=queryset if open_only else None)
        if targets.item_ids is not None:  # every item of the queryset the search finds, a few: by id
            return queryset.filter(AnyOf(F("id"), targets.item_ids))
        if targets.author_ids is None:  # a common name: a hashed subplan, through the GIN index
            matches = Q(author_id__in=authors_named(filters.search).values("pk"))
        elif targets.author_ids:
            matches = Q(AnyOf(F("author_id"), targets.author_ids))
        elif targets.terms:
            matches = Q()
        else:  # no word, or none that any name begins with or any text holds: nothing to look at
            return queryset.none()
        if targets.terms:
            matches |= Q(topic_terms__contains=targets.terms)
        queryset = queryset.filter(matches)
    return queryset


def authors_named(search: str) -> QuerySet[Author]:
    """The authors with a word of their name or handle beginning with each word of `search`, in any
    order: "Müll", "anna m" and "müller anna" find "Anna Müller"; "brauhaus", "fan" and
    "@brauhaus_fan" find the handle "brauhaus_fan". Words are split at spaces and at ASCII
    punctuation (so "_", ".", "-", "@" and the tsquery syntax ' & | ! : * ( ) only separate words),
    compared in lower case, umlauts and accents as the letters they are ("mul" does not find
    "Müller"). Word beginnings, not any part of a word: "üller" finds nobody. A search without a
    word finds nobody. Served by the GIN index on Author.name_words (migration 0034 defines the
    words and the query); unscoped, as authors are shared between clients: scope what it finds.
    """
    return Author.objects.filter(NameWordsBegin(F("name_words"), search))


# A search's authors, and the open items it finds (by their author, by the words of their text),
# go into the item query as their ids when there are at most this many. Items: a few hundred,
# where reading the ids and walking the queue cost about the same (5-7 ms at a million, 40,000
# open items under the filter). The item query reads, joins and sorts every item it is given
# before it takes a page, and with a selective filter PostgreSQL, multiplying its selectivity by
# the ids', expects one row and joins the small tables by scanning them once for each item: 896
# urgent items holding "das" took 37 ms as ids, the walk 0.4 ms (they are most of the urgent queue).
SEARCH_AUTHORS_LISTED = 1000
SEARCH_ITEMS_LISTED = 300


@dataclass(frozen=True)
class SearchTargets:
    terms: list[str]  # what the items' topic terms must all hold
    author_ids: list[int] | None  # the authors named, or None: more than SEARCH_AUTHORS_LISTED
    # Every item of `among` the search finds, by author or by text, or None: more than
    # SEARCH_ITEMS_LISTED either way, or not asked for (a search among closed items).
    item_ids: list[int] | None = None


def search_targets(text: str, *, among: QuerySet[Item] | None = None) -> SearchTargets:
    """What a queue search looks for: the terms among the items' topic terms (Item.topic_terms),
    made by the same PostgreSQL function from the search text so that both sides always agree
    (words with digits, addresses and links hold no term on either side), and the ids of the
    authors authors_named finds, in one query; for a search among open items (`among`: the queue's
    items, scoped and filtered, of open statuses only), also every one of those it finds: those
    holding the terms (through the partial GIN index item_open_topic_terms, in the same query) and
    the authors' (a second query).

    Ids of the open items too, while they are few: a word or a name that few open items have made
    the item query walk the whole open queue in its order, testing every item (~40 ms for 46,000
    open items): PostgreSQL cannot tell a rare word from its statistics, and from the author ids
    it expected some 70 items each where there were 5. With the items' ids it knows how many to
    read. A word that many of them hold is left to that walk, which then finds a page at once;
    counted among `among`, not all open items: "Rechnung" is in 1,751 open items at a million and
    in none of priority normal, whose queue the walk then read to its end (~50 ms).

    Ids rather than the subquery, while they are few: PostgreSQL plans the item query from their
    number. For the subquery it estimates the authors from the statistics of their words, which
    for a word beginning outside the common words is a guess (2 % of all authors while fewer than
    100 words are common, as in the benchmark's names); with that guess it walked the whole open
    queue testing every item's author for a name that one author has, whose items
    item_author_history finds in a millisecond.
    """
    authors = authors_named(text).values_list("pk", flat=True)[: SEARCH_AUTHORS_LISTED + 1]
    authors_sql, authors_params = authors.query.sql_with_params()
    if among is not None:
        # The text's terms once more in SQL (item_topic_terms is immutable: computed once); none
        # (a search of short words or numbers only) looks for no item.
        terms = Func(Value(text), function="item_topic_terms", output_field=ArrayField(TextField()))
        items = (
            among.alias(searched=Func(terms, function="cardinality", output_field=IntegerField()))
            .filter(topic_terms__len__gt=0, searched__gt=0, topic_terms__contains=terms)
            .values_list("pk", flat=True)[: SEARCH_ITEMS_LISTED + 1]
        )
        items_sql, items_params = items.query.sql_with_params()
        items_sql = f"ARRAY({items_sql})"
    else:
        items_sql, items_params = "NULL", []
    with connection.cursor() as cursor:
        # The authors' and items' queries are the ORM's own, their values parameters.
        cursor.execute(
            f"SELECT item_topic_terms(%s), ARRAY({authors_sql}), {items_sql}",  # noqa: S608
            [text, *authors_params, *items_params],
        )
        terms, author_ids, by_text = cursor.fetchone()
    author_ids = author_ids if len(author_ids) <= SEARCH_AUTHORS_LISTED else None
    found = None
    if by_text is not None and author_ids is not None and len(by_text) <= SEARCH_ITEMS_LISTED:
        # The authors' open items by the ids themselves: as a subquery, PostgreSQL expected some 70
        # items an author and read the whole open queue rather than item_author_history.
        by_author = among.filter(AnyOf(F("author_id"), author_ids))
        by_author = list(by_author.values_list("pk", flat=True)[: SEARCH_ITEMS_LISTED + 1]) if author_ids else []
        if len(by_author) <= SEARCH_ITEMS_LISTED:
            found = sorted({*(by_text if terms else ()), *by_author})
    return SearchTargets(terms=terms, author_ids=author_ids, item_ids=found)


# What a queue row and the list API show: the item without its report columns and triage
# detail, and only the names of what it points to (not the channel's settings or the user's
# password hash). Less to send and to build for every row of every page.
ITEM_LIST_FIELDS = (
    *("id", "kind", "status", "priority", "author_tier", "text", "language", "sentiment", "permalink", "tags"),
    *("external_id", "thread_external_id", "parent_external_id"),
    *("platform_created_at", "received_at", "sla_due_at", "spam_score", "fake_score"),
    *("claimed_at", "lease_expires_at", "first_response_at", "erased_at"),
    *("client__name", "channel__name", "channel__platform", "author__display_name", "author__handle"),
    *("author__external_id", "claimed_by__email", "claimed_by__first_name", "claimed_by__last_name"),
)


def item_list_for_user(*, user: User, filters: ItemFilters | None = None) -> QuerySet[Item]:
    """Scoped, filtered items in keyset order: Item.URGENT_ORDER, the order claim-next takes them in."""
    filters = filters or ItemFilters()
    # The visible client ids as values, not the usual subquery: joined with the four related
    # tables, the subquery's extra relations made PostgreSQL plan for 6-7 ms to execute for 0.5.
    visible_client_ids = client_id_list_for_user(user=user)
    queryset = Item.objects.filter(client_id__in=visible_client_ids, status__in=filters.statuses or Item.OPEN_STATUSES)
    queryset = item_filters_apply(queryset=queryset, filters=filters)
    return (
        queryset.select_related("client", "channel", "author", "claimed_by")
        .only(*ITEM_LIST_FIELDS)
        .order_by(*Item.URGENT_ORDER)
    )


def item_page(*, queryset: QuerySet[Item], cursor: str | None, limit: int) -> tuple[list[Item], str | None]:
    """One keyset page after `cursor`: a range scan on (sla_due_at, priority, id), never an OFFSET.

    The condition is a row-value comparison, `(sla_due_at, priority, id) > (due, priority, id)`,
    which PostgreSQL turns into an index range condition on item_open_queue_by_urgency; the
    equivalent OR of terms was only a filter, scanning every earlier open item (27 ms instead of
    0.2 ms 10,000 items deep at a million, see BENCHMARKS.md). Items without a due time sort last:
    they are read only once the dated part of the queue runs out.
    """
    if not cursor:
        items = list(queryset[: limit + 1])
    else:
        after = cursor_decode(cursor)
        if after.rank is None:  # not a queue cursor (or one from before the queue sorted by priority)
            raise InvalidCursor()
        if after.at is None:
            undated_after = TupleGreaterThan(Tuple(F("priority"), F("id")), (after.rank, after.pk))
            items = list(queryset.filter(undated_after, sla_due_at__isnull=True)[: limit + 1])
        else:
            dated_after = TupleGreaterThan(
                Tuple(F("sla_due_at"), F("priority"), F("id")), (after.at, after.rank, after.pk)
            )
            items = list(queryset.filter(dated_after)[: limit + 1])
            if len(items) <= limit:
                items += list(queryset.filter(sla_due_at__isnull=True)[: limit + 1 - len(items)])
    last = items[limit - 1] if len(items) > limit else None
    next_cursor = cursor_encode(at=last.sla_due_at, rank=last.priority, pk=last.pk) if last else None
    return items[:limit], next_cursor


# How deep the conversation query follows replies of replies (and back up to the top-level
# comment): platforms nest two levels (Meta) to five (WordPress).
CONVERSATION_MAX_DEPTH = 20
# The messages the composer shows: the conversation's first one, the item, and the newest of the rest.
CONVERSATION_SHOWN = 50
# How many of the other comments under the post the composer counts.
ELSEWHERE_COUNTED = 1000

# Up the parent ids to the top-level comment (within the item's post; a parent id that is empty,
# the post's own id, or not stored ends the climb), then down every reply under it. A cycle of
# parent ids (a generic source may send one) can only lead back to the top: the walk down stops
# there, and the walk up at the depth cap.
_CONVERSATION_SQL = f"""
WITH RECURSIVE ancestors AS (
    SELECT id, external_id, parent_external_id, 0 AS depth FROM {Item._meta.db_table} WHERE id = %s
  UNION ALL
    SELECT parent.id, parent.external_id, parent.parent_external_id, ancestors.depth + 1
    FROM {Item._meta.db_table} AS parent JOIN ancestors ON parent.external_id = ancestors.parent_external_id
    WHERE parent.channel_id = %s AND parent.thread_external_id = %s
      AND ancestors.parent_external_id NOT IN ('', %s) AND ancestors.depth < {CONVERSATION_MAX_DEPTH}
),
conversation AS (
    (SELECT id, external_id, id AS top_id, 0 AS depth FROM ancestors ORDER BY ancestors.depth DESC LIMIT 1)
  UNION ALL
    SELECT reply.id, reply.external_id, conversation.top_id, conversation.depth + 1
    FROM {Item._meta.db_table} AS reply JOIN conversation ON reply.parent_external_id = conversation.external_id
    WHERE reply.channel_id = %s AND reply.thread_external_id = %s
      AND reply.id <> conversation.top_id AND conversation.depth < {CONVERSATION_MAX_DEPTH}
)
SELECT id FROM conversation
"""  # noqa: S608 - the table name is ours, values are parameters


def _items_under_the_post(*, item: Item) -> QuerySet[Item]:
    """The items of the item's client and channel under the same post (or in the same chat)."""
    return Item.objects.filter(
        client_id=item.client_id, channel_id=item.channel_id, thread_external_id=item.thread_external_id
    )


def item_conversation_queryset(*, item: Item) -> QuerySet[Item]:
    """The conversation an agent answers into, what the composer shows and the reply's
    compare-and-set watches.

    A direct message's conversation is its whole thread (the chat). A comment's is the top-level
    comment it belongs to with every reply nested under it, not the whole post: under a post
    with thousands of comments (a shitstorm) the others are other people's conversations, and
    each new one would otherwise have refused every reply under the post and made the composer
    load them all. One recursive query (see _CONVERSATION_SQL; the walk up uses the unique
    index on channel and external id, the walk down item_conversation on channel, post and
    parent). A reply whose parent is not stored yet is the top of its own conversation until the
    parent arrives (whose RECEIVED event then counts as a change). Always within the item's
    client: a channel moved to another client in the admin does not show the old client's items.
    """
    if item.kind == Item.Kind.DM and item.thread_external_id:
        return _items_under_the_post(item=item)
    thread = item.thread_external_id
    # Values go as parameters; the SQL is a constant of ours.
    ids = RawSQL(_CONVERSATION_SQL, (item.pk, item.channel_id, thread, thread, item.channel_id, thread))  # noqa: S611
    return Item.objects.filter(pk__in=ids, client_id=item.client_id)


def item_conversation_version(*, item: Item) -> int:
    """The newest conversation-changing event id: what the composer loads and the reply compares against."""
    version = ItemEvent.objects.filter(
        item__in=item_conversation_queryset(item=item).values("pk"), kind__in=CONVERSATION_CHANGE_EVENT_KINDS
    ).aggregate(newest=Max("id"))["newest"]
    return version or 0


def item_conversation_reply_bounds(*, item: Item) -> tuple[int, int]:
    """The conversation version and the newest event id of any kind in the conversation, in one query.

    A reply's loaded_at_event_id lies between them: below the version something changed since it
    was loaded; above the newest event it names no event the conversation had, so it was never
    loaded (a made-up or another item's number would otherwise pass every comparison)."""
    bounds = ItemEvent.objects.filter(item__in=item_conversation_queryset(item=item).values("pk")).aggregate(
        version=Max("id", filter=Q(kind__in=CONVERSATION_CHANGE_EVENT_KINDS)), newest=Max("id")
    )
    return bounds["version"] or 0, bounds["newest"] or 0


def item_conversation_changes_since(*, item: Item, event_id: int) -> list[ItemEvent]:
    return list(
        ItemEvent.objects.filter(
            item__in=item_conversation_queryset(item=item).values("pk"),
            kind__in=CONVERSATION_CHANGE_EVENT_KINDS,
            id__gt=event_id,
        )
        .select_related("item", "actor")
        .order_by("id")
    )


@dataclass
class Conversation:
    """What the composer shows of an item's conversation, oldest first."""

    # Each shown message with the number of the conversation's messages left out just before it.
    shown: list[tuple[int, Item]]
    not_shown: int
    # Comments under the same post that belong to other conversations (a busy post's many others),
    # counted up to ELSEWHERE_COUNTED; more_elsewhere says there are more than that.
    elsewhere_under_post: int
    more_elsewhere: bool = False

    @property
    def messages(self) -> list[Item]:
        return [message for _left_out, message in self.shown]


def item_conversation_for_composer(*, item: Item) -> Conversation:
    """The conversation's first message, the item, and the newest CONVERSATION_SHOWN of the rest:
    a comment with thousands of replies is not loaded whole. Three queries."""
    ordered = list(
        item_conversation_queryset(item=item).order_by("platform_created_at", "id").values_list("pk", flat=True)
    )
    shown_ids = {*ordered[:1], item.pk, *ordered[-CONVERSATION_SHOWN:]}
    messages = {
        message.pk: message
        for message in Item.objects.filter(pk__in=shown_ids).select_related("author", "client", "channel", "claimed_by")
    }
    shown, left_out = [], 0
    for pk in ordered:
        if pk in messages:
            shown.append((left_out, messages[pk]))
            left_out = 0
        else:
            left_out += 1
    elsewhere = 0
    if item.thread_external_id and item.kind != Item.Kind.DM:
        # Counting all of a viral post's comments read every one of them (5 ms for 10,000) each
        # time an agent opened one; "more than 1,000" tells them as much.
        elsewhere = _items_under_the_post(item=item)[: len(ordered) + ELSEWHERE_COUNTED + 1].count() - len(ordered)
    return Conversation(
        shown=shown,
        not_shown=len(ordered) - len(shown),
        elsewhere_under_post=min(elsewhere, ELSEWHERE_COUNTED),
        more_elsewhere=elsewhere > ELSEWHERE_COUNTED,
    )


@dataclass
class ItemDetail:
    item: Item
    conversation: Conversation
    events: list[ItemEvent]
    notes: list[ItemNote]
    outbound_actions: list[OutboundAction]
    conversation_version: int
    author_profile: AuthorProfile | None  # what the client's team knows about the author

    @property
    def outbound_poll_seconds(self) -> int | None:
        return outbound_poll_seconds(self.outbound_actions)


def outbound_poll_seconds(actions: list[OutboundAction]) -> int | None:
    """How often the item's page asks for the status of what the agency sent: every 2 s while
    something is queued or being sent, every 30 s while only retries are planned (minutes
    apart), not at all once everything is settled."""
    if any(action.status in (OutboundAction.Status.QUEUED, OutboundAction.Status.SENDING) for action in actions):
        return 2
    return 30 if any(action.is_pending for action in actions) else None


def item_outbound_actions(*, item: Item) -> list[OutboundAction]:
    """What the agency sent or is sending for the item (replies, moderation), oldest first."""
    return list(item.outbound_actions.select_related("requested_by").order_by("id"))


def item_detail_for_user(*, user: User, item_id: int) -> ItemDetail:
    """Everything the composer shows, in a fixed number of queries."""
    item = item_get_for_user(user=user, item_id=item_id)
    # The version first: a message arriving between the two reads is then shown but newer than the
    # version (the reply gets a conflict that shows it again), never counted without being shown.
    version = item_conversation_version(item=item)
    return ItemDetail(
        item=item,
        conversation=item_conversation_for_composer(item=item),
        events=list(item.events.select_related("actor").order_by("id")),
        notes=list(item.notes.select_related("author").order_by("created_at", "id")),
        outbound_actions=item_outbound_actions(item=item),
        conversation_version=version,
        author_profile=author_profile_for_item(item=item),
    )


def staff_may_serve_client(*, user: User, client_id: int) -> bool:
    """Whether a staff member may work on a client's items (assignment target check)."""
    return User.objects.filter(staff_serving_clients_q(client_ids=[client_id]), pk=user.pk).exists()


# --- reads for the agent inbox pages ---


@dataclass(frozen=True)
class ClaimState:
    """Who holds an item, from the point of view of `user`: mine, other, free or closed."""

    state: str


def lease_is_live(*, item: Item, now: datetime) -> bool:
    """Someone holds the item and their lease has not run out."""
    return item.claimed_by_id is not None and item.lease_expires_at is not None and item.lease_expires_at > now


def item_claim_state(*, item: Item, user: User, now: datetime | None = None) -> ClaimState:
    now = now or timezone.now()
    if item.status not in Item.OPEN_STATUSES:
        return ClaimState("closed")
    if not lease_is_live(item=item, now=now):
        # Also for its last holder: a reply needs a live lease, and claiming again gives one.
        return ClaimState("free")
    return ClaimState("mine" if item.claimed_by_id == user.pk else "other")


def author_profile_for_item(*, item: Item) -> AuthorProfile | None:
    return (
        AuthorProfile.objects.filter(client_id=item.client_id, author_id=item.author_id)
        .select_related("updated_by")
        .first()
    )


def author_history_for_item(*, item: Item, user: User, limit: int = 8) -> list[Item]:
    """The author's other items the user may see, newest first; none for an erased item (its
    placeholder author stands for many people)."""
    if item.erased_at is not None:
        return []
    return list(
        item_queryset_for_user(user=user)
        .filter(author_id=item.author_id)
        .exclude(pk=item.pk)
        .select_related("client")
        .order_by("-received_at")[:limit]
    )


@dataclass(frozen=True)
class CannedText:
    title: str
    text: str


def canned_responses_for_item(*, item: Item) -> list[CannedText]:
    """The client's canned responses in the item's language, with their placeholders
    (CannedResponse.PLACEHOLDERS) filled in. Every response has a language; an item whose language
    is unknown, or one the client has no responses in, gets them all (something to start from)."""
    values = {"author_name": str(item.author), "client_name": item.client.name}
    responses = list(CannedResponse.objects.filter(client_id=item.client_id).order_by(alphabetical("title"), "title"))
    fitting = [canned for canned in responses if canned.language == item.language] or responses
    return [CannedText(title=canned.title, text=_placeholders_fill(canned.body, values)) for canned in fitting]


def _placeholders_fill(body: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        body = body.replace("{" + name + "}", value)
    return body


@dataclass(frozen=True)
class ClientQueueCount:
    client: Client
    open: int
    overdue: int
    due_soon: int
    coverage: ClientCoverage


def client_queue_counts(*, user: User, now: datetime | None = None) -> list[ClientQueueCount]:
    """Per visible client, covered ones first: open items, how many are past their SLA,
    how many are due within 15 minutes, and whether the client is covered right now."""
    now = now or timezone.now()
    rows = (
        item_queryset_for_user(user=user)
        .filter(status__in=Item.OPEN_STATUSES)
        .values("client_id")
        .annotate(
            open=Count("id"),
            overdue=Count("id", filter=Q(sla_due_at__lt=now)),
            due_soon=Count("id", filter=Q(sla_due_at__gte=now, sla_due_at__lt=now + timedelta(minutes=15))),
        )
    )
    by_client = {row["client_id"]: row for row in rows}
    clients = client_queryset_for_user(user=user).filter(is_active=True)
    return [
        ClientQueueCount(
            client=entry.client,
            open=by_client.get(entry.client.pk, {}).get("open", 0),
            overdue=by_client.get(entry.client.pk, {}).get("overdue", 0),
            due_soon=by_client.get(entry.client.pk, {}).get("due_soon", 0),
            coverage=entry,
        )
        for entry in clients_coverage_overview(clients=clients, at=now)
    ]


def channel_can_reply(*, channel: Channel) -> bool:
    """Whether a reply can go out through the channel (reviews by webhook cannot)."""
    from .connectors import connector_for_channel

    return connector_for_channel(channel).supports(OutboundAction.Kind.REPLY)


class ReplyRefusal(StrEnum):
    """Why a reply without a lease (a crisis's statement, inbox.services.outbox.outbound_replies_enqueue)
    leaves an item unanswered."""

    ERASED = "erased"  # its author's data was erased: a tombstone
    HIDDEN = "hidden"  # taken off the platform
    SPAM = "spam"
    REMOVED = "removed"  # removed on the platform: nothing left there to answer
    CHANNEL_CANNOT_REPLY = "channel_cannot_reply"  # answered on the platform itself
    TOO_LONG = "too_long"  # the text is longer than a reply on the channel's platform may be


def reply_refusal(*, status: str, erased: bool, removed: bool, channel: Channel, text: str) -> ReplyRefusal | None:
    """Why a reply of `text` (trimmed) without a lease would not answer an item in this state on this
    channel; None if it would. The one rule for the outbox and for what the crisis pages expect of a
    publish."""
    from .connectors import connector_class, reply_length

    if erased:
        return ReplyRefusal.ERASED
    if removed:
        return ReplyRefusal.REMOVED
    if status == Item.Status.HIDDEN:
        return ReplyRefusal.HIDDEN
    if status == Item.Status.SPAM:
        return ReplyRefusal.SPAM
    if not channel_can_reply(channel=channel):
        return ReplyRefusal.CHANNEL_CANNOT_REPLY
    if reply_length(text) > connector_class(channel.platform).reply_max_length():
        return ReplyRefusal.TOO_LONG
    return None


def item_moderation_kinds(*, item: Item) -> list[str]:
    """The moderation actions the item's channel can carry out, given the item's status; none on a
    comment removed on the platform (each of them acts on the comment there)."""
    from .connectors import connector_for_channel
    from .connectors.wordpress import PENDING_MODERATION_TAG

    if item.removed_on_platform:
        return []
    connector = connector_for_channel(item.channel)
    hidden = item.status == Item.Status.HIDDEN
    return [
        kind
        for kind in OutboundAction.MODERATION_KINDS
        if connector.supports(kind)
        and not (kind == OutboundAction.Kind.HIDE and hidden)
        and not (kind == OutboundAction.Kind.UNHIDE and not hidden)
        and not (kind == OutboundAction.Kind.APPROVE and PENDING_MODERATION_TAG not in item.tags)
    ]


def presence_timeout() -> timedelta:
    return timedelta(seconds=settings.INBOX_PRESENCE_TIMEOUT_SECONDS)


def presence_shift_ended(*, user: User) -> bool:
    """Whether the user ended their shift and has not started one since (they stay offline)."""
    return AgentPresence.objects.filter(user=user, shift_ended_at__isnull=False).exists()


def user_is_online_q(*, now: datetime) -> Q:
    """Users at their desk: a presence heartbeat within the timeout (see AgentPresence)."""
    return Q(presence__is_online=True, presence__last_seen_at__gte=now - presence_timeout())


def queue_holder_for_user(*, user: User, holder_id: int) -> User | None:
    """The colleague the queue's "held by" filter names (the filter itself only narrows `user`'s
    queue): for a shift lead or an admin any staff member, for an agent one who may work on a client
    the agent sees (as the operations dashboard shows them); None for anyone else."""
    holders = User.objects.filter(pk=holder_id, role__in=User.STAFF_ROLES)
    if not user.is_shift_lead_or_admin:
        holders = holders.filter(staff_serving_clients_q(client_ids=client_id_list_for_user(user=user)))
    return holders.only("first_name", "last_name", "email").first()


def colleagues_for_item(*, item: Item, user: User, now: datetime | None = None) -> QuerySet[User]:
    """Active agency staff who may work on the item's client (assignment targets), except `user`;
    those online first (`is_online`): a hand-over to someone offline would come straight back."""
    return (
        User.objects.filter(staff_serving_clients_q(client_ids=[item.client_id]))
        .exclude(pk=user.pk)
        .annotate(
            is_online=Coalesce(
                ExpressionWrapper(user_is_online_q(now=now or timezone.now()), BooleanField()), Value(False)
            )
        )
        .distinct()
        .order_by("-is_online", alphabetical("first_name"), "first_name", "email")
    )


def ingest_change_as_received(*, change: IngestChange) -> dict | None:
    """A change's payload as it arrived: stored with the change while it may run again (pending,
    failed), otherwise taken from its delivery's body (a Meta change settled in the batch that
    stored it keeps no copy of its own). None once the retention rule dropped the raw data."""
    if change.payload is not None:
        return change.payload
    body, dropped_at = WebhookDelivery.objects.values_list("body", "body_dropped_at").get(pk=change.delivery_id)
    if dropped_at is not None:
        return None
    return meta_changes_split(bytes(body))[change.position]
