"""Queue page: the inbox page, its list fragment and the list API, first page and 10,000 items deep,
and the fragment searched by an author's name and by a word of the text."""

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

import psycopg

from ..measure import Result, ms, percentile
from ..stack import HttpSession

if TYPE_CHECKING:
    from communityops.keyset import Cursor

REPEAT = 40
DEPTH = 10_000
FILTER = {"priority": "3"}  # "normal": most open items, so the deep page exists under the filter
# An author of the data set ("Fan 1234", handle fan1234: "1234" begins the names of eleven authors),
# a word in some 2 % of the open items' texts, and one in none of them (the list reads every open
# item of the filter to find out).
AUTHOR_SEARCH = "Fan 1234"
TEXT_SEARCHES = ("Lieferung", "Rechnung")
OPEN = ("new", "claimed")


@dataclass(frozen=True)
class Case:
    label: str
    path: str
    deep: bool
    limit: int
    search: str | None = None


def _deep_cursor(url: str) -> str:
    from communityops.keyset import cursor_encode

    with psycopg.connect(url) as connection:
        due, priority, item_id = connection.execute(
            "SELECT sla_due_at, priority, id FROM inbox_item WHERE status = ANY(%s) AND priority = 3"
            " ORDER BY sla_due_at, priority, id OFFSET %s LIMIT 1",
            [list(OPEN), DEPTH - 1],
        ).fetchone()
    return cursor_encode(at=due, rank=priority, pk=item_id)


BASELINE_SQL = """
SELECT i.*, c.name, ch.name, a.display_name, u.email
FROM inbox_item i
JOIN communityops_client c ON c.id = i.client_id
JOIN communityops_channel ch ON ch.id = i.channel_id
JOIN inbox_author a ON a.id = i.author_id
LEFT JOIN communityops_user u ON u.id = i.claimed_by_id
WHERE i.status = ANY(%(open)s) AND i.priority = 3 AND i.client_id = ANY(%(clients)s)
  AND (i.sla_due_at, i.priority, i.id) > (%(due)s, %(priority)s, %(id)s)
  {search}
ORDER BY i.sla_due_at, i.priority, i.id
LIMIT %(limit)s
"""


# The search as one hand-written statement: the author through the GIN index on name_words (asked
# for the search's longest word, all words tested on the authors found, as inbox.lookups does), or
# every term of the text among the item's topic terms. (The app first looks the open items it finds
# up by id, inbox.selectors.search_targets, and is faster than this where few items match.)
SEARCH_SQL = """
  AND (i.author_id IN (SELECT id FROM inbox_author WHERE name_words @@ author_name_key_query(%(search)s)
                         AND ts_match_vq(name_words, author_name_query(%(search)s)))
       OR i.topic_terms @> item_topic_terms(%(search)s))
"""


def _baseline(url: str, *, deep: "Cursor", limit: int, is_deep: bool, search: str | None = None) -> list[float]:
    """The same rows with hand-written SQL over one open psycopg connection (no ORM, no HTTP)."""
    with psycopg.connect(url) as connection:
        clients = [row[0] for row in connection.execute("SELECT id FROM communityops_client").fetchall()]
        params = {
            "open": list(OPEN),
            "clients": clients,
            "due": deep.at if is_deep else "-infinity",
            "priority": deep.rank if is_deep else 0,
            "id": deep.pk if is_deep else 0,
            "limit": limit + 1,
            "search": search,
        }
        sql = BASELINE_SQL.format(search=SEARCH_SQL if search else "")
        samples = []
        for _ in range(REPEAT + 1):
            started = time.perf_counter()
            connection.execute(sql, params).fetchall()
            samples.append(time.perf_counter() - started)
    return samples[1:]


def _query_counts(paths: list[str], user) -> list[int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    counts = []
    for path in paths:
        client.get(path)  # warm (sessions, caches), like the HTTP runs
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        counts.append(len(captured.captured_queries))
    return counts


def run(*, port: int, url: str, log) -> list[Result]:
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from communityops.keyset import cursor_decode
    from communityops.models import User

    log("queue page: HTML page, fragment and API at 1M items, first page and 10,000 deep")
    lead = User.objects.get(email="lead0@bench.example")
    token = Token.objects.get(user=lead).key
    browser = Client(HTTP_HOST="127.0.0.1")
    browser.force_login(lead)
    cookie = f"sessionid={browser.cookies['sessionid'].value}"
    cursor = _deep_cursor(url)
    deep = cursor_decode(cursor)
    query = "&".join(f"{key}={value}" for key, value in FILTER.items())
    cases = [
        Case("inbox page /inbox/ (HTML, first page)", f"/inbox/?{query}", False, 40),
        Case("fragment /inbox/queue/ first page", f"/inbox/queue/?{query}", False, 40),
        Case(f"fragment /inbox/queue/ {DEPTH:,} deep", f"/inbox/queue/?{query}&cursor={cursor}", True, 40),
        Case("API /api/inbox/items/ first page", f"/api/inbox/items/?{query}&limit=50", False, 50),
        Case(f"API /api/inbox/items/ {DEPTH:,} deep", f"/api/inbox/items/?{query}&limit=50&cursor={cursor}", True, 50),
        Case(
            f"fragment /inbox/queue/ searched by author ({AUTHOR_SEARCH!r})",
            f"/inbox/queue/?{query}&q={quote(AUTHOR_SEARCH)}",
            False,
            40,
            AUTHOR_SEARCH,
        ),
        *(
            Case(
                f"fragment /inbox/queue/ searched by a word ({word!r})",
                f"/inbox/queue/?{query}&q={word}",
                False,
                40,
                word,
            )
            for word in TEXT_SEARCHES
        ),
    ]
    html = HttpSession(port, {"Cookie": cookie})
    api = HttpSession(port, {"Authorization": f"Token {token}"})
    results = []
    for case in cases:
        session = api if case.path.startswith("/api/") else html
        samples = session.timed_gets(case.path, REPEAT)
        baseline = _baseline(url, deep=deep, limit=case.limit, is_deep=case.deep, search=case.search)
        p50, p95 = percentile(samples, 0.5), percentile(samples, 0.95)
        base_p50 = percentile(baseline, 0.5)
        results.append(
            Result(
                "Queue page",
                f"{case.label}, filter priority=normal (p50 / p95)",
                f"{ms(p50)} / {ms(p95)}",
                f"bare SQL, same rows: {ms(base_p50)} / {ms(percentile(baseline, 0.95))}",
                base_p50 / p50,
                "p95 < 50 ms",
                p95 < 0.050,
            )
        )
    html.close()
    api.close()
    first_fragment, deep_fragment, first_api, deep_api = _query_counts(
        [cases[1].path, cases[2].path, cases[3].path, cases[4].path], lead
    )
    results.append(
        Result(
            "Queue page",
            "queries per request: fragment first / deep, API first / deep",
            f"{first_fragment} / {deep_fragment}, {first_api} / {deep_api}",
            target="independent of depth",
            met=first_fragment == deep_fragment and first_api == deep_api,
        )
    )
    return results
