"""Claim storm: N agents at once doing claim-next -> reply through the API, against a bare SQL loop.

Every agent is a thread with its own keep-alive connection and API token. The baseline is the
smallest thing that hands out rows safely: `UPDATE ... WHERE id = (SELECT ... FOR UPDATE SKIP
LOCKED LIMIT 1) RETURNING id` on its own connection per agent, picking as claim-next does. The
HTTP floor sends that same statement through the app's stack, one authenticated request per
claim (bench/claim_floor.py): the most any claim-next -> reply over HTTP can reach here. Double
claims are counted from the CLAIMED ItemEvent rows written during the run.
"""

import json
import threading
import time

import psycopg

from ..claim_floor import BASELINE_CLAIM
from ..measure import Result, ms, percentile
from ..stack import HttpSession

DURATION = 12.0
REPLY = "Danke für Ihre Nachricht! Wir kümmern uns sofort darum."


def _agents(count: int) -> list[tuple[int, str, list[int]]]:
    from rest_framework.authtoken.models import Token

    from communityops.models import Client

    tokens = Token.objects.filter(user__email__startswith="agent").select_related("user").order_by("user__email")
    agents = []
    for token in tokens[:count]:
        clients = list(Client.objects.filter(teams__members=token.user).values_list("pk", flat=True))
        agents.append((token.user_id, token.key, clients))
    return agents


def _run_threads(count: int, work) -> float:
    threads = [threading.Thread(target=work, args=(index,)) for index in range(count)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def _baseline(url: str, agents) -> tuple[float, list[float], list[int]]:
    latencies: list[float] = []
    claimed: list[int] = []
    lock = threading.Lock()
    connections = [psycopg.connect(url, autocommit=True) for _ in agents]
    deadline = time.perf_counter() + DURATION

    def work(index: int) -> None:
        agent_id, _token, clients = agents[index]
        connection = connections[index]
        mine, times = [], []
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            row = connection.execute(BASELINE_CLAIM, {"agent": agent_id, "clients": clients}).fetchone()
            times.append(time.perf_counter() - started)
            if row:
                mine.append(row[0])
        with lock:
            latencies.extend(times)
            claimed.extend(mine)

    elapsed = _run_threads(len(agents), work)
    for connection in connections:
        connection.close()
    return elapsed, latencies, claimed


def _http_floor(port: int, agents) -> tuple[float, list[float], list[int]]:
    latencies: list[float] = []
    claimed: list[int] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + DURATION

    def work(index: int) -> None:
        _agent_id, token, clients = agents[index]
        session = HttpSession(port, {"Authorization": f"Token {token}"})
        mine, times = [], []
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            status, body = session.request("POST", "/bench/claim-floor/", {"clients": clients})
            times.append(time.perf_counter() - started)
            if status == 200 and (item_id := json.loads(body)["id"]) is not None:
                mine.append(item_id)
        session.close()
        with lock:
            latencies.extend(times)
            claimed.extend(mine)

    elapsed = _run_threads(len(agents), work)
    return elapsed, latencies, claimed


def _claims_undo(url: str, item_ids: list[int]) -> None:
    """Put the rows a yardstick claimed back into the queue (the app's own claims are answered)."""
    with psycopg.connect(url) as connection:
        connection.execute(
            "UPDATE inbox_item SET status = 'new', claimed_by_id = NULL, claimed_at = NULL, lease_expires_at = NULL"
            " WHERE id = ANY(%s)",
            [item_ids],
        )


def _app(port: int, agents) -> tuple[float, list[float], int, dict[int, int]]:
    latencies: list[float] = []
    outcomes: dict[int, int] = {}
    claims = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + DURATION

    def work(index: int) -> None:
        _agent_id, token, _clients = agents[index]
        session = HttpSession(port, {"Authorization": f"Token {token}"})
        times, statuses, mine = [], {}, 0
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            status, body = session.request("POST", "/api/inbox/claim-next/", {})
            times.append(time.perf_counter() - started)
            if status != 200:
                statuses[status] = statuses.get(status, 0) + 1
                if status == 204:
                    break
                continue
            mine += 1
            claimed = json.loads(body)
            status, _ = session.request(
                "POST",
                f"/api/inbox/items/{claimed['item']['id']}/reply/",
                {"text": REPLY, "loaded_at_event_id": claimed["loaded_at_event_id"]},
            )
            statuses[status] = statuses.get(status, 0) + 1
        session.close()
        with lock:
            latencies.extend(times)
            claims[0] += mine
            for status, number in statuses.items():
                outcomes[status] = outcomes.get(status, 0) + number

    elapsed = _run_threads(len(agents), work)
    return elapsed, latencies, claims[0], outcomes


def _double_claims(url: str, since_event_id: int) -> int:
    with psycopg.connect(url) as connection:
        return connection.execute(
            "SELECT count(*) FROM (SELECT item_id FROM inbox_itemevent WHERE id > %s AND kind = 'claimed'"
            " GROUP BY item_id HAVING count(*) > 1) AS doubled",
            [since_event_id],
        ).fetchone()[0]


def run(*, port: int, url: str, log) -> list[Result]:
    results = []
    for concurrency in (32, 128):
        agents = _agents(concurrency)
        log(f"claim storm: {concurrency} agents, bare SQL baseline, HTTP floor, then the API, {DURATION:.0f} s each")
        base_elapsed, base_latencies, base_claimed = _baseline(url, agents)
        _claims_undo(url, base_claimed)
        base_rate = len(base_claimed) / base_elapsed
        floor_elapsed, floor_latencies, floor_claimed = _http_floor(port, agents)
        _claims_undo(url, floor_claimed)
        floor_rate = len(floor_claimed) / floor_elapsed
        with psycopg.connect(url) as connection:
            since = connection.execute("SELECT coalesce(max(id), 0) FROM inbox_itemevent").fetchone()[0]
        elapsed, latencies, claims, outcomes = _app(port, agents)
        rate = claims / elapsed
        doubled = _double_claims(url, since)
        ratio = rate / base_rate if base_rate else None
        replies = ", ".join(f"{status}: {number}" for status, number in sorted(outcomes.items()))
        results += [
            Result(
                "Claim storm",
                f"{concurrency} agents: claims/s (claim-next -> reply)",
                f"{rate:.0f}/s ({claims} claims; replies and misses by HTTP status {replies})",
                f"SQL SKIP LOCKED loop: {base_rate:.0f}/s",
                ratio,
                "ratio >= 0.5",
                ratio is not None and ratio >= 0.5,
            ),
            Result(
                "Claim storm",
                f"{concurrency} agents: HTTP floor, the bare UPDATE as one authenticated POST per claim",
                f"{floor_rate:.0f}/s, p50 / p99 {ms(percentile(floor_latencies, 0.5))} /"
                f" {ms(percentile(floor_latencies, 0.99))}",
                f"SQL SKIP LOCKED loop: {base_rate:.0f}/s",
                floor_rate / base_rate if base_rate else None,
            ),
            Result(
                "Claim storm",
                f"{concurrency} agents: claim latency p50 / p99",
                f"{ms(percentile(latencies, 0.5))} / {ms(percentile(latencies, 0.99))}",
                f"SQL: {ms(percentile(base_latencies, 0.5))} / {ms(percentile(base_latencies, 0.99))}",
            ),
            Result("Claim storm", f"{concurrency} agents: double claims", str(doubled), target="0", met=doubled == 0),
        ]
    return results
