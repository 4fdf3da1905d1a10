"""The search by author: every word searched for begins a word of the author's name or handle
(selectors.authors_named, Author.name_words and its GIN index), in the queue, its API and the admin."""

import unicodedata

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communityops.models import User
from inbox import selectors
from inbox.models import ERASED_AUTHOR_EXTERNAL_ID, Author, Item
from inbox.selectors import ItemFilters, authors_named, item_filters_apply
from inbox.services.claims import item_claim_next

pytestmark = pytest.mark.django_db

# The characters of the tsquery syntax, and a quote and backslash, which must never reach it as such.
TSQUERY_SYNTAX = "'&|!:*()<>\\"


@pytest.fixture
def people(db):
    def author(external_id: str, display_name: str, handle: str = "") -> Author:
        return Author.objects.create(
            platform="instagram_account", external_id=external_id, display_name=display_name, handle=handle
        )

    return {
        "anna": author("1", "Anna Müller", "anna.mueller"),
        "fan": author("2", "Bernd Schäfer", "@brauhaus_fan"),
        "jean": author("3", "Jean-Luc Ørsted", "jl_1984"),
        "annabel": author("4", "Annabel Lee", "annabel"),
    }


def _named(search: str) -> set[str]:
    return set(authors_named(search).values_list("external_id", flat=True))


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("Müll", {"1"}),  # the beginning of a word
        ("anna m", {"1"}),  # several words: all of them
        ("müller anna", {"1"}),  # in any order
        ("anna", {"1", "4"}),  # "Annabel" begins with it too
        ("anna lee", {"4"}),
        ("anna schäfer", set()),  # each word must begin a word of the same author
        ("üller", set()),  # a part inside a word is not a beginning
        ("MÜLLER", {"1"}),  # case, umlauts too
        ("mul", set()),  # an umlaut is its own letter (no unaccent)
        ("SCHÄF", {"2"}),
        ("ørs", {"3"}),
        ("luc", {"3"}),  # a hyphenated name is two words
        ("jean-luc", {"3"}),
        ("@brauhaus_fan", {"2"}),  # the handle as written, with @ and _
        ("brauhaus", {"2"}),
        ("fan", {"2"}),
        ("brauhaus fan", {"2"}),
        ("mueller", {"1"}),  # a handle with a dot is two words, not a host name
        ("anna.muel", {"1"}),
        ("jl_19", {"3"}),
        ("1984", {"3"}),
    ],
)
def test_words_of_the_search_begin_words_of_the_name_or_handle(people, search, found):
    assert _named(search) == found


def test_a_name_typed_with_a_combining_diaeresis_is_the_same_name(people):
    decomposed = unicodedata.normalize("NFD", "Müll")

    assert decomposed != "Müll"
    assert _named(decomposed) == {"1"}


@pytest.mark.parametrize("search", ["", "   ", "!!!", "@", "_", "-", "...", TSQUERY_SYNTAX, "' & '", ":*"])
def test_a_search_without_a_word_finds_nobody(people, search):
    assert _named(search) == set()


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("müll' & !", {"1"}),  # the syntax only separates words
        ("anna | lee", {"4"}),  # no OR: still both words
        ("!anna", {"1", "4"}),  # no NOT
        ("anna:*", {"1", "4"}),
        ("(anna) & (müll)", {"1"}),
        ("anna<->m", {"1"}),
        ("a'b\\c", set()),
        (f"anna{TSQUERY_SYNTAX}müll", {"1"}),
    ],
)
def test_the_tsquery_syntax_in_a_search_is_never_read_as_such(people, search, found):
    assert _named(search) == found


def test_a_very_long_search_is_no_error(people):
    long_word = "müller" + "x" * 3000  # longer than a tsvector word may be: ignored by the parser
    many_words = " ".join(["anna"] * 2000)

    assert _named(long_word) == set()
    assert _named(f"{long_word} müll") == {"1"}
    assert _named(many_words) == {"1", "4"}


def test_the_words_follow_a_changed_name_and_an_erased_one(people):
    anna = people["anna"]
    Author.objects.filter(pk=anna.pk).update(display_name="Anna Schmidt")
    schmidt, mueller = _named("schmidt"), _named("müller")
    Author.objects.filter(pk=anna.pk).update(display_name="", handle="")

    assert (schmidt, mueller) == ({"1"}, set())
    assert _named("anna") == {"4"}


def test_the_author_table_has_the_words_and_their_gin_index():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attgenerated, format_type(atttypid, atttypmod) FROM pg_attribute"
            " WHERE attrelid = 'inbox_author'::regclass AND attname = 'name_words'"
        )
        column = cursor.fetchone()
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'author_name_search'")
        (index,) = cursor.fetchone()

    assert column == ("s", "tsvector")  # stored, generated
    assert "USING gin (name_words)" in index


def test_the_index_is_searched_for_the_longest_word_and_the_others_tested_on_what_it_finds(people):
    # All the words in the index condition made PostgreSQL gather every author whose name has a
    # word beginning with "anna" or "m" before it intersected them.
    Author.objects.bulk_create(
        Author(platform="instagram_account", external_id=f"x{number}", display_name=f"Mia Muster {number}")
        for number in range(200)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE inbox_author")
        cursor.execute("SET LOCAL enable_seqscan = off")  # a small table: look at the index's use
    with CaptureQueriesContext(connection) as queries:
        assert _named("anna m") == {"1"}
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {queries[0]['sql']}")
        plan = "\n".join(line for (line,) in cursor.fetchall())

    index_conditions = [line for line in plan.splitlines() if "Index Cond" in line]
    assert index_conditions and all("''anna'':*" in line and "''m'':*" not in line for line in index_conditions)
    assert "ts_match_vq" in plan


# -- the queue: text words or author ---------------------------------------------------------


@pytest.fixture
def queue(channel_factory, agent_for, open_item_factory):
    channel = channel_factory(platform="instagram_account")
    anna = open_item_factory(channel=channel, text="Wo bleibt meine Bestellung?", author_external_id="anna")
    Author.objects.filter(pk=anna.author_id).update(display_name="Anna Müller", handle="anna.mueller")
    fan = open_item_factory(channel=channel, text="Bestes Bier der Stadt", author_external_id="fan")
    Author.objects.filter(pk=fan.author_id).update(display_name="Bernd", handle="brauhaus_fan")
    about = open_item_factory(channel=channel, text="Das Brauhaus hat heute zu", author_external_id="other")
    return {"channel": channel, "agent": agent_for(channel.client), "anna": anna, "fan": fan, "about": about}


def _searched(search: str) -> set[int]:
    """The open items a queue search finds (the list's default statuses, as item_list_for_user asks)."""
    open_items = Item.objects.filter(status__in=Item.OPEN_STATUSES)
    return set(item_filters_apply(queryset=open_items, filters=ItemFilters(search=search)).values_list("pk", flat=True))


def test_the_queue_search_finds_the_author_or_the_words_of_the_text(queue):
    assert _searched("Müll") == {queue["anna"].pk}
    assert _searched("anna m") == {queue["anna"].pk}
    # the handle's word, and the same word in another author's text
    assert _searched("brauhaus") == {queue["fan"].pk, queue["about"].pk}
    assert _searched("@brauhaus_fan") == {queue["fan"].pk}
    assert _searched("bestellung") == {queue["anna"].pk}
    assert _searched("bestell") == set()  # words of the text are whole words
    assert _searched("üller") == set()


def test_many_authors_are_a_subquery_and_find_the_same_items(queue, monkeypatch):
    listed = _searched("b")  # Bernd and brauhaus_fan: one author, as ids

    monkeypatch.setattr(selectors, "SEARCH_AUTHORS_LISTED", 0)
    targets = selectors.search_targets("b")

    assert targets.author_ids is None  # more than listed: the item query keeps the subquery
    assert _searched("b") == listed == {queue["fan"].pk}
    assert _searched("brauhaus") == {queue["fan"].pk, queue["about"].pk}


@pytest.mark.parametrize("search", ["!!!", TSQUERY_SYNTAX, "@_-.", "x" * 3000])
def test_a_queue_search_without_a_word_finds_no_item(queue, search):
    assert _searched(search) == set()


def test_the_queue_fragment_searches_by_author(client, queue):
    client.force_login(queue["agent"])

    def found(search: str) -> str:
        response = client.get(reverse("inbox:queue_list"), {"q": search})
        assert response.status_code == 200
        return response.content.decode()

    by_name, by_handle, by_syntax = found("anna m"), found("@brauhaus_fan"), found(TSQUERY_SYNTAX)

    assert queue["anna"].text in by_name and queue["fan"].text not in by_name
    assert queue["fan"].text in by_handle and queue["about"].text not in by_handle
    assert not any(queue[name].text in by_syntax for name in ("anna", "fan", "about"))


def test_the_list_api_and_claim_next_search_by_author(client, queue):
    client.force_login(queue["agent"])
    url = reverse("api_inbox_items")

    by_name = client.get(url, {"q": "MÜLL"})
    by_syntax = client.get(url, {"q": f"{TSQUERY_SYNTAX} anna"})
    nothing = client.get(url, {"q": TSQUERY_SYNTAX})
    claimed = client.post(reverse("api_inbox_claim_next"), {"q": "brauhaus_f"}, content_type="application/json")

    assert [entry["id"] for entry in by_name.json()["results"]] == [queue["anna"].pk]
    assert [entry["id"] for entry in by_syntax.json()["results"]] == [queue["anna"].pk]
    assert (nothing.status_code, nothing.json()["results"]) == (200, [])
    assert claimed.json()["item"]["id"] == queue["fan"].pk


def test_the_api_describes_the_search(client, queue):
    client.force_login(queue["agent"])

    schema = client.get(reverse("api_schema"), {"format": "json"}).json()

    parameters = {
        parameter["name"]: parameter for parameter in schema["paths"]["/api/inbox/items/"]["get"]["parameters"]
    }
    assert "begin" in parameters["q"]["description"]


# -- the admin ---------------------------------------------------------------------------


def test_the_author_admin_finds_names_as_the_queue_does_and_ids_whole(client, people, user_factory):
    Author.objects.create(platform="instagram_account", external_id=ERASED_AUTHOR_EXTERNAL_ID)
    client.force_login(user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))
    changelist = reverse("admin:inbox_author_changelist")

    def found(search: str) -> set[str]:
        response = client.get(changelist, {"q": search})
        return {str(author.external_id) for author in response.context["cl"].result_list}

    assert found("anna m") == {"1"}
    assert found("@brauhaus_fan") == {"2"}
    assert found("3") == {"3"}  # the external id, whole
    assert found(TSQUERY_SYNTAX) == set()
    assert ERASED_AUTHOR_EXTERNAL_ID not in found("")


def test_the_open_items_a_search_finds_are_looked_up_as_ids(queue, open_item_factory, monkeypatch):
    answered = open_item_factory(channel=queue["channel"], text="Das Brauhaus war toll", status=Item.Status.ANSWERED)

    open_items = Item.objects.filter(status__in=Item.OPEN_STATUSES)
    among_open = selectors.search_targets("brauhaus", among=open_items)
    among_any = selectors.search_targets("brauhaus")
    without_terms = selectors.search_targets("ab", among=open_items)  # no word of three letters

    # Every open item found, by its author's handle or its text (item_open_topic_terms), as ids.
    assert among_open.item_ids == sorted([queue["fan"].pk, queue["about"].pk])
    assert among_any.item_ids is None  # among any status: the item query tests the words itself
    assert without_terms.item_ids == []  # no word, and no name begins with "ab": nothing
    # A search among answered items is not limited to the open ones' ids.
    assert set(
        item_filters_apply(
            queryset=Item.objects.filter(status=Item.Status.ANSWERED),
            filters=ItemFilters(search="brauhaus", statuses=(Item.Status.ANSWERED,)),
        ).values_list("pk", flat=True)
    ) == {answered.pk}
    # More open items than listed: the item query tests the terms itself, and finds the same.
    monkeypatch.setattr(selectors, "SEARCH_ITEMS_LISTED", 0)
    assert selectors.search_targets("brauhaus", among=open_items).item_ids is None
    assert _searched("brauhaus") == {queue["fan"].pk, queue["about"].pk}


def test_a_word_many_open_items_hold_goes_in_as_ids_when_few_of_the_filtered_do(
    agent_for, channel_factory, open_item_factory, monkeypatch
):
    # Given a word in many open items (more than listed), all but one of high priority or of a
    # client the agent does not serve
    monkeypatch.setattr(selectors, "SEARCH_ITEMS_LISTED", 3)
    channel, elsewhere = channel_factory(), channel_factory()
    agent = agent_for(channel.client)
    for _ in range(3):
        open_item_factory(channel=channel, text="Wo ist die Rechnung?", priority=Item.Priority.HIGH)
        open_item_factory(channel=elsewhere, text="Die Rechnung fehlt", priority=Item.Priority.NORMAL)
    normal = open_item_factory(channel=channel, text="Rechnung doppelt bezahlt", priority=Item.Priority.NORMAL)
    open_item_factory(channel=channel, text="Wann kommt die Lieferung?", priority=Item.Priority.NORMAL)
    open_item_factory(
        channel=channel, text="Rechnung erledigt", priority=Item.Priority.NORMAL, status=Item.Status.ANSWERED
    )

    # When the agent searches the word in the queue of priority normal
    filters = ItemFilters(priority=Item.Priority.NORMAL, search="rechnung")
    with CaptureQueriesContext(connection) as queries:
        found = list(selectors.item_list_for_user(user=agent, filters=filters))

    # Then the list holds the one item of the agent's clients, priority and open statuses with
    # the word, read by its id: the list query tests no terms (it does not walk the open queue)
    assert [item.pk for item in found] == [normal.pk]
    listed = queries.captured_queries[-1]["sql"]
    assert f"= ANY('{{{normal.pk}}}')" in listed and "topic_terms" not in listed
    # while among all open items, the word is in too many to list
    assert (
        selectors.search_targets("rechnung", among=Item.objects.filter(status__in=Item.OPEN_STATUSES)).item_ids is None
    )
    # and claim-next, searching among the claimable items, takes the same one
    assert item_claim_next(acting_user=agent, filters=filters) == normal
