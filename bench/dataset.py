"""The agency-scale data set: 50 clients, 200 agents, a year of items, loaded with COPY.

Core rows (clients, channels, teams, users, tokens) go through the ORM: there are a few hundred.
Authors, items, item events and outbound replies go through psycopg COPY with explicit ids, in
the shapes the app writes them: triage fields from the app's own sentiment and language code,
`sla_due_at` by the default coverage (24/7, 60 minutes: no coverage plans are generated), open
items NEW and unclaimed, answered items with their first reply (OutboundAction, sent) and the
RECEIVED, CLAIMED and SENT events the timeline and the reports read.

A finished build writes a row into `bench_dataset`; the next run reuses the data when that row
says the same version and size (`--rebuild` forces a new build). What a run changes is undone
by `dataset_reset` before the scenarios start (rows above the recorded high-water ids).
"""

import json
import random
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg

VERSION = "1"
CLIENTS = 50
TEAMS = 10  # 5 clients and 20 agents each
AGENTS = 200
AUTHORS = 200_000
DAYS = 365
TEXT_POOL = 6_000
PASSWORD_HASH_SOURCE = "bench-password"
DEMO_SLUGS = ("brauhaus-isartal", "nordlicht-energie", "rheinmode")


@dataclass(frozen=True)
class Dataset:
    items: int
    max_item_id: int
    max_event_id: int
    max_outbound_id: int
    built_at: datetime
    build_seconds: float


def dataset_read(url: str) -> Dataset | None:
    with psycopg.connect(url) as connection:
        exists = connection.execute("SELECT to_regclass('bench_dataset')").fetchone()[0]
        if exists is None:
            return None
        row = connection.execute(
            "SELECT items, max_item_id, max_event_id, max_outbound_id, built_at, build_seconds"
            " FROM bench_dataset WHERE version = %s",
            [VERSION],
        ).fetchone()
    return Dataset(*row) if row else None


def dataset_is_complete(dataset: Dataset | None, items: int) -> bool:
    return dataset is not None and dataset.items == items


# --- texts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PooledText:
    text: str
    category: str
    language: str
    sentiment: str
    sentiment_score: float
    angry: bool


def _text_pool(rng: random.Random) -> list[PooledText]:
    """Comments from the demo's templates, some stitched into longer posts: lengths from a word to a rant."""
    from inbox.demo import demo_comment
    from inbox.sentiment import sentiment_analyze

    pool = []
    for number in range(TEXT_POOL):
        slug = DEMO_SLUGS[number % len(DEMO_SLUGS)]
        first = demo_comment(rng, slug)
        parts = [first.text]
        roll = rng.random()
        if roll < 0.08:
            parts = [rng.choice(["Top!", "👍", "Danke!", "Wann?", "Nice", "Preis?", "😡"])]
        elif roll < 0.30:
            parts += [demo_comment(rng, slug, category=first.category).text for _ in range(rng.randint(1, 5))]
        text = " ".join(parts)
        sentiment = sentiment_analyze(text)
        pool.append(PooledText(text, first.category, first.language, sentiment.label, sentiment.score, sentiment.angry))
    return pool


# --- core rows through the ORM ---------------------------------------------------------------


def _core_create(rng: random.Random) -> dict:
    from allauth.mfa.models import Authenticator
    from django.contrib.auth.hashers import make_password
    from rest_framework.authtoken.models import Token

    from communityops.models import Channel, Client, Team, User

    password = make_password(PASSWORD_HASH_SOURCE)
    clients = Client.objects.bulk_create(
        Client(
            name=f"Bench Client {number:02d}",
            slug=f"bench-client-{number:02d}",
            federal_state=rng.choice(["BY", "BW", "NW", "HE", "BE", "HH", "SN"]),
            alert_keywords=["Anwalt", "Rückruf", "Boykott"],
        )
        for number in range(CLIENTS)
    )
    channels = Channel.objects.bulk_create(
        Channel(
            client=client,
            platform=platform,
            name=f"{client.name} {label}",
            external_id=f"bench-{client.slug}-{label}",
            app_secret=f"secret-{client.slug}-{label}",
            verify_token=f"verify-{client.slug}",
            access_token="bench-token",
        )
        for client in clients
        for platform, label in ((Channel.Platform.FACEBOOK_PAGE, "fb"), (Channel.Platform.INSTAGRAM_ACCOUNT, "ig"))
    )
    agents = User.objects.bulk_create(
        User(
            email=f"agent{number:03d}@bench.example",
            first_name=f"Agent{number:03d}",
            last_name="Bench",
            role=User.Role.AGENT,
            password=password,
        )
        for number in range(AGENTS)
    )
    leads = User.objects.bulk_create(
        User(
            email=f"lead{number}@bench.example",
            first_name=f"Lead{number}",
            role=User.Role.SHIFT_LEAD,
            password=password,
        )
        for number in range(2)
    )
    staff = [*agents, *leads]
    Token.objects.bulk_create(Token(user=user, key=uuid.uuid4().hex[:40]) for user in staff)
    Authenticator.objects.bulk_create(
        Authenticator(user=user, type=Authenticator.Type.TOTP, data={"secret": "bench"}) for user in staff
    )
    team_clients = CLIENTS // TEAMS
    team_agents = AGENTS // TEAMS
    agents_of_client: dict[int, list[int]] = {}
    for number in range(TEAMS):
        team = Team.objects.create(name=f"Bench Team {number}")
        members = agents[number * team_agents : (number + 1) * team_agents]
        served = clients[number * team_clients : (number + 1) * team_clients]
        team.members.set(members)
        team.clients.set(served)
        for client in served:
            agents_of_client[client.pk] = [agent.pk for agent in members]
    return {"clients": clients, "channels": channels, "agents_of_client": agents_of_client}


# --- bulk rows through COPY ------------------------------------------------------------------

ITEM_COLUMNS = (
    "id, client_id, channel_id, external_id, kind, thread_external_id, parent_external_id, permalink, author_id,"
    " author_tier, text, language, platform_created_at, received_at, status, priority, sentiment, sentiment_score,"
    " spam_score, fake_score, triage_reasons, sla_due_at, tags, claimed_by_id, claimed_at, lease_expires_at,"
    " first_response_at, closed_at"
)
EVENT_COLUMNS = "item_id, actor_id, kind, data, created_at"
OUTBOUND_COLUMNS = (
    "item_id, kind, text, requested_by_id, status, idempotency_key, external_id, attempts, next_attempt_at,"
    " last_error, failure, created_at, sent_at"
)
SLA = timedelta(minutes=60)
REPLY_TEXT = "Hallo, danke für Ihre Nachricht! Wir kümmern uns darum und melden uns gleich per Direktnachricht."


def _authors_copy(cursor, rng: random.Random, now: datetime) -> None:
    with cursor.copy(
        "COPY inbox_author (id, platform, external_id, handle, display_name, follower_count, verified,"
        " account_created_at, first_seen_at) FROM STDIN"
    ) as copy:
        for author_id in range(1, AUTHORS + 1):
            platform = "facebook_page" if author_id <= AUTHORS // 2 else "instagram_account"
            followers = int(rng.paretovariate(1.1) * 40) if rng.random() < 0.6 else 0
            copy.write_row(
                (
                    author_id,
                    platform,
                    f"bench-author-{author_id}",
                    f"fan{author_id}",
                    f"Fan {author_id}",
                    min(followers, 2_000_000),
                    followers > 500_000,
                    now - timedelta(days=rng.randint(30, 4000)),
                    now - timedelta(days=DAYS),
                )
            )
    cursor.execute("SELECT setval('inbox_author_id_seq', %s)", [AUTHORS])


def _author_for(rng: random.Random, platform: str) -> int:
    # A few authors write a lot, most once or twice (Pareto ranks within the platform's half).
    half = AUTHORS // 2
    rank = min(int(rng.paretovariate(0.6)) - 1, half - 1)
    offset = (rank * 7919) % half  # spread heavy writers over the id range
    return 1 + offset + (0 if platform == "facebook_page" else half)


def _item_state(rng: random.Random, age: timedelta) -> str:
    if age < timedelta(days=3) or (age < timedelta(days=30) and rng.random() < 0.5):
        return "new"
    return rng.choices(["answered", "closed", "hidden", "spam"], [64, 26, 5, 5])[0]


def _priority(text: PooledText, tier: str) -> tuple[int, list[str], list[str], float, float]:
    reasons, tags = [], []
    priority = {"A": 1, "B": 2}.get(tier, 3)
    spam_score = 0.85 if text.category in ("spam", "link_spam") else 0.05
    fake_score = 0.7 if text.category == "fake" else 0.0
    if text.angry:
        priority = min(priority, 2)
        reasons.append("angry")
    if text.category == "alert":
        priority = 1
        reasons.append("alert keyword")
    if spam_score >= 0.7:
        tags.append("spam-suspect")
        priority = 4
        reasons.append("likely spam: low priority, left for an agent to decide")
    if fake_score >= 0.6:
        tags.append("fake-suspect")
    return priority, reasons, tags, spam_score, fake_score


def _items_copy(connection, core: dict, pool: list[PooledText], rng: random.Random, items: int, now: datetime) -> None:
    channels = core["channels"]
    agents_of_client = core["agents_of_client"]
    start = now - timedelta(days=DAYS)
    span = (now - start).total_seconds()
    # Arrivals grow over the year (an agency gains clients); sorted so ids follow arrival time.
    offsets = sorted(span * (rng.random() ** 0.8) for _ in range(items))
    threads: dict[int, tuple[str, int]] = {}
    with connection.cursor() as cursor:
        with (
            cursor.copy(f"COPY inbox_item ({ITEM_COLUMNS}) FROM STDIN") as item_copy,
        ):
            replies = []
            for item_id, offset in enumerate(offsets, start=1):
                channel = channels[rng.randrange(len(channels))]
                received_at = start + timedelta(seconds=offset)
                text = pool[rng.randrange(len(pool))]
                author_id = _author_for(rng, channel.platform)
                tier = "A" if author_id % 997 == 0 else ("B" if author_id % 101 == 0 else "C")
                priority, reasons, tags, spam_score, fake_score = _priority(text, tier)
                # A post collects comments for a while; a new one starts every ~20 items.
                thread, thread_count = threads.get(channel.pk, ("", 99))
                if thread_count >= rng.randint(5, 40):
                    thread, thread_count = f"post-{channel.pk}-{item_id}", 0
                threads[channel.pk] = (thread, thread_count + 1)
                parent = thread if rng.random() < 0.8 else f"{thread}_c{item_id - rng.randint(1, 5)}"
                status = _item_state(rng, now - received_at)
                first_response_at = closed_at = None
                if status == "answered":
                    first_response_at = received_at + timedelta(minutes=rng.expovariate(1 / 35))
                    agent_id = rng.choice(agents_of_client[channel.client_id])
                    replies.append((item_id, agent_id, received_at, first_response_at))
                elif status in ("closed", "hidden", "spam"):
                    closed_at = received_at + timedelta(minutes=rng.expovariate(1 / 50))
                item_copy.write_row(
                    (
                        item_id,
                        channel.client_id,
                        channel.pk,
                        f"{thread}_c{item_id}",
                        "comment" if parent == thread else "reply",
                        thread,
                        parent,
                        "",
                        author_id,
                        tier,
                        text.text,
                        text.language,
                        received_at - timedelta(seconds=rng.randint(1, 90)),
                        received_at,
                        status,
                        priority,
                        text.sentiment,
                        text.sentiment_score,
                        spam_score,
                        fake_score,
                        json.dumps(reasons),
                        received_at + SLA,
                        tags,
                        None,
                        None,
                        None,
                        first_response_at,
                        closed_at,
                    )
                )
        cursor.execute("SELECT setval('inbox_item_id_seq', %s)", [items])
        _history_copy(cursor, rng, items, offsets, start, replies)


def _history_copy(cursor, rng: random.Random, items: int, offsets: list[float], start: datetime, replies) -> None:
    with cursor.copy(f"COPY inbox_itemevent ({EVENT_COLUMNS}) FROM STDIN") as copy:
        for item_id, offset in enumerate(offsets, start=1):
            copy.write_row((item_id, None, "received", '{"triage": []}', start + timedelta(seconds=offset)))
        for item_id, agent_id, received_at, answered_at in replies:
            claimed_at = received_at + (answered_at - received_at) / 2
            copy.write_row((item_id, agent_id, "claimed", json.dumps({"holder_id": agent_id}), claimed_at))
            copy.write_row((item_id, None, "sent", '{"kind": "reply"}', answered_at))
    with cursor.copy(f"COPY inbox_outboundaction ({OUTBOUND_COLUMNS}) FROM STDIN") as copy:
        for item_id, agent_id, _received_at, answered_at in replies:
            copy.write_row(
                (
                    item_id,
                    "reply",
                    REPLY_TEXT,
                    agent_id,
                    "sent",
                    uuid.UUID(int=rng.getrandbits(128)),
                    f"reply-{item_id}",
                    1,
                    None,
                    "",
                    "",
                    answered_at,
                    answered_at,
                )
            )


def dataset_build(*, url: str, items: int, log) -> Dataset:
    """Build the data set into the (freshly migrated, empty) database behind Django's default connection."""
    from django.db import connection as django_connection

    started = time.monotonic()
    rng = random.Random(20260701)
    now = datetime.now(UTC)
    log("  texts: building the pool with the app's sentiment analysis")
    pool = _text_pool(rng)
    log("  core: clients, channels, teams, agents, API tokens")
    core = _core_create(rng)
    django_connection.close()
    with psycopg.connect(url) as connection:
        connection.execute("SET synchronous_commit = off")
        # The rows are valid by construction; skipping the deferred foreign-key triggers turns a
        # COMMIT that checks ~4 million references one by one (minutes) into nothing.
        connection.execute("SET session_replication_role = replica")
        with connection.cursor() as cursor:
            log(f"  authors: {AUTHORS:,} with COPY")
            _authors_copy(cursor, rng, now)
        log(f"  items: {items:,} with COPY, then their events and replies")
        _items_copy(connection, core, pool, rng, items, now)
        connection.commit()
        log("  analyze")
        connection.autocommit = True
        connection.execute("VACUUM (ANALYZE) inbox_item")
        connection.execute("VACUUM (ANALYZE) inbox_itemevent")
        connection.execute("VACUUM (ANALYZE) inbox_outboundaction")
        connection.execute("VACUUM (ANALYZE) inbox_author")
        max_event = connection.execute("SELECT coalesce(max(id), 0) FROM inbox_itemevent").fetchone()[0]
        max_outbound = connection.execute("SELECT coalesce(max(id), 0) FROM inbox_outboundaction").fetchone()[0]
        seconds = time.monotonic() - started
        connection.execute(
            "CREATE TABLE IF NOT EXISTS bench_dataset (version text PRIMARY KEY, items integer, max_item_id bigint,"
            " max_event_id bigint, max_outbound_id bigint, built_at timestamptz, build_seconds double precision)"
        )
        connection.execute(
            "INSERT INTO bench_dataset VALUES (%s, %s, %s, %s, %s, now(), %s)",
            [VERSION, items, items, max_event, max_outbound, seconds],
        )
    return dataset_read(url)


def dataset_reset(*, url: str, dataset: Dataset) -> None:
    """Undo what earlier runs did: their items, events, replies, deliveries, crises and queued tasks."""
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(
            """
            UPDATE inbox_item SET status = 'new', claimed_by_id = NULL, claimed_at = NULL,
                   lease_expires_at = NULL, first_response_at = NULL
            WHERE id <= %(items)s AND id IN (
                SELECT item_id FROM inbox_itemevent WHERE id > %(events)s
                UNION SELECT item_id FROM inbox_outboundaction WHERE id > %(outbound)s)
            """,
            {"items": dataset.max_item_id, "events": dataset.max_event_id, "outbound": dataset.max_outbound_id},
        )
        # TRUNCATE ... CASCADE also empties what references these (changes, notifications, crisis items).
        connection.execute(
            "TRUNCATE inbox_webhookdelivery, crises_crisis, crises_escalationpolicy, django_q_ormq, django_q_task"
            " CASCADE"
        )
        connection.execute("DELETE FROM inbox_itemtextfingerprint WHERE item_id > %s", [dataset.max_item_id])
        connection.execute("DELETE FROM inbox_itemevent WHERE id > %s", [dataset.max_event_id])
        connection.execute("DELETE FROM inbox_outboundaction WHERE id > %s", [dataset.max_outbound_id])
        connection.execute("DELETE FROM inbox_item WHERE id > %s", [dataset.max_item_id])
        # The burst's fresh accounts: each run starts with them new again.
        connection.execute("DELETE FROM inbox_author WHERE id > %s", [AUTHORS])
        connection.execute("VACUUM (ANALYZE) inbox_item")
