"""Composer under a shitstorm post: an item's page and its claim-status poll, for a comment under a
post with BUSY_POST_COMMENTS comments, against an item of an ordinary thread in the same run.

Before the conversation was scoped (selectors.item_conversation_queryset), the composer loaded every
item under the post and the poll (every 4 s per open composer) read them all again: 895 ms and
240 ms in process for a post with 5,000 comments. The busy post is made here with one INSERT ...
SELECT from the data set's items (the next run's reset deletes it), so the scenario needs no burst.
"""

import psycopg

from ..measure import Result, ms, percentile
from ..stack import HttpSession

REPEAT = 40
BUSY_POST_COMMENTS = 10_000
BUSY_POST = "bench-shitstorm-post"


def _busy_post_create(url: str, max_item_id: int) -> int:
    """BUSY_POST_COMMENTS top-level comments under one post of the first item's channel, each with its
    RECEIVED event; returns the newest comment's id. (A comment with thousands of replies of its
    own costs in proportion to them: 84 ms in process for 5,000, see BENCHMARKS.md.)"""
    with psycopg.connect(url) as connection:
        connection.execute(
            """
            INSERT INTO inbox_item (client_id, channel_id, external_id, kind, thread_external_id, parent_external_id,
                permalink, author_id, author_tier, text, language, platform_created_at, received_at, status, priority,
                sentiment, sentiment_score, spam_score, fake_score, triage_reasons, sla_due_at, tags)
            SELECT client_id, channel_id, %(post)s || '_c' || id, 'comment', %(post)s, '', permalink, author_id,
                author_tier, text, language, now() - (%(comments)s - id) * interval '1 second', now(), 'new',
                priority, sentiment, sentiment_score, spam_score, fake_score, triage_reasons, sla_due_at, tags
            FROM inbox_item
            WHERE channel_id = (SELECT channel_id FROM inbox_item WHERE id = 1) AND id <= %(max_item_id)s
            ORDER BY id LIMIT %(comments)s
            """,
            {"post": BUSY_POST, "comments": BUSY_POST_COMMENTS, "max_item_id": max_item_id},
        )
        connection.execute(
            "INSERT INTO inbox_itemevent (item_id, kind, data, created_at)"
            " SELECT id, 'received', '{}', now() FROM inbox_item WHERE id > %s AND thread_external_id = %s",
            [max_item_id, BUSY_POST],
        )
        connection.execute("ANALYZE inbox_item")
        connection.execute("ANALYZE inbox_itemevent")
        return connection.execute(
            "SELECT max(id) FROM inbox_item WHERE id > %s AND thread_external_id = %s", [max_item_id, BUSY_POST]
        ).fetchone()[0]


def run(*, port: int, url: str, max_item_id: int, log) -> list[Result]:
    from django.test import Client

    from communityops.models import User

    log(f"composer: an item under a post with {BUSY_POST_COMMENTS:,} comments against an ordinary one")
    busy_item_id = _busy_post_create(url, max_item_id)
    lead = User.objects.get(email="lead0@bench.example")
    browser = Client(HTTP_HOST="127.0.0.1")
    browser.force_login(lead)
    session = HttpSession(port, {"Cookie": f"sessionid={browser.cookies['sessionid'].value}", "HX-Request": "true"})
    results = []
    for label, path in (
        ("item page (HTMX fragment)", "/inbox/items/{}/"),
        ("claim-status poll", "/inbox/items/{}/claim-status/"),
    ):
        busy = session.timed_gets(path.format(busy_item_id), REPEAT)
        ordinary = session.timed_gets(path.format(1), REPEAT)
        p50, p95 = percentile(busy, 0.5), percentile(busy, 0.95)
        results.append(
            Result(
                "Composer",
                f"{label} of a comment under a post with {BUSY_POST_COMMENTS:,} comments (p50 / p95)",
                f"{ms(p50)} / {ms(p95)}",
                f"an item of an ordinary thread: {ms(percentile(ordinary, 0.5))} / {ms(percentile(ordinary, 0.95))}",
                percentile(ordinary, 0.5) / p50,
                "p95 < 50 ms",
                p95 < 0.050,
            )
        )
    session.close()
    return results
