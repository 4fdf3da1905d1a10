"""make soak: mixed load against a real gunicorn + qcluster on 127.0.0.1, the worker SIGKILLed at random.

An hour by default (SOAK_SECONDS); every loop is bounded by that deadline, every address is
loopback. Load: signed Meta webhooks (new comments, replays, concurrent duplicates), agents
claiming and replying through the API (replies go to a local Graph API stub), crises whose
escalation steps fall due (email to files, a chat webhook stub), public quotes. Then a drain
phase (SOAK_DRAIN_SECONDS) and an exact reconciliation:

- every change a webhook accepted is exactly one item;
- every reply the API accepted is one SENT action, delivered under one Idempotency-Key
  (re-sends after a kill are counted and reported);
- every due notification is SENT, each mail and chat post delivered (re-sends reported).

Exit code 1 when anything is lost or duplicated in the database. Uses its own database
(SOAK_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/co_soak), dropped and
re-created at the start, and settings.test with CO_TEST_QCLUSTER=1 (see that module).
"""

import email
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOAK_SECONDS = int(os.environ.get("SOAK_SECONDS", "3600"))
DRAIN_SECONDS = int(os.environ.get("SOAK_DRAIN_SECONDS", "240"))
DATABASE_URL = os.environ.get("SOAK_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/co_soak")
KILL_EVERY = (15, 45)  # seconds between SIGKILLs of the queue worker, drawn at random
AGENTS = 3
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
WORK_DIR = Path(tempfile.mkdtemp(prefix="co-soak-"))
MAIL_DIR = WORK_DIR / "mail"


def _prepare_environment() -> None:
    parsed = urllib.parse.urlsplit(DATABASE_URL)
    assert parsed.hostname in ("127.0.0.1", "localhost"), "the soak runs against a local database only"
    import psycopg

    name = parsed.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    MAIL_DIR.mkdir(parents=True)
    os.environ.update(
        DATABASE_URL=DATABASE_URL,
        DJANGO_SETTINGS_MODULE="communityops.settings.test",
        CO_TEST_QCLUSTER="1",
        CO_TEST_EMAIL_DIR=str(MAIL_DIR),
        SITE_URL="http://127.0.0.1:8000",
    )
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Processes:
    """gunicorn and qcluster, each in its own process group so a SIGKILL takes all its workers."""

    def __init__(self, graph_url: str):
        self.port = _free_port()
        self.env = {**os.environ, "META_GRAPH_API_BASE_URL": graph_url}
        self.log = (WORK_DIR / "processes.log").open("ab")
        self.web = self._spawn(
            [sys.executable, "-m", "gunicorn", "communityops.wsgi", "-b", f"127.0.0.1:{self.port}"]
            + ["-w", "2", "--threads", "4", "--timeout", "30"]
        )
        self.cluster = self._spawn([sys.executable, "manage.py", "qcluster"])
        self.kills = 0

    def _spawn(self, command: list[str]) -> subprocess.Popen:
        return subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill_cluster(self) -> None:
        os.killpg(self.cluster.pid, signal.SIGKILL)
        self.cluster.wait(timeout=10)
        self.kills += 1
        self.cluster = self._spawn([sys.executable, "manage.py", "qcluster"])

    def stop(self) -> None:
        for process in (self.web, self.cluster):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
        self.log.close()


def _request(url: str, *, body: bytes | None = None, headers: dict | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError:
        return 599, b""  # connection refused or reset: a server error for the sender


class Load:
    """The figures every load thread adds to, under one lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.statuses: Counter = Counter()
        self.accepted_changes: set[str] = set()
        self.accepted_replies: Counter = Counter()  # item id -> replies the API accepted (202)
        self.refusals: Counter = Counter()
        self.crises: list[int] = []
        self.quotes: Counter = Counter()

    def count(self, kind: str, status: int) -> None:
        with self.lock:
            self.statuses[f"{kind} {status}"] += 1


def _seed(graph_url: str, chat_url: str) -> dict:
    from datetime import timedelta

    from allauth.mfa.totp.internal.auth import TOTP
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from communityops.models import Channel, Client, ClientContact, Team, User
    from crises.models import AgencyRole, EscalationPolicy, EscalationStep, NotificationChannel, OnCallShift

    client = Client.objects.create(name="Soak Brauerei", slug="soak", federal_state="BY")
    channel = Channel.objects.create(
        client=client,
        platform=Channel.Platform.FACEBOOK_PAGE,
        name="Soak page",
        external_id="soak-page",
        app_secret="soak-app-secret",
        verify_token="soak-verify",
        access_token="soak-token",
    )
    team = Team.objects.create(name="Soak team")
    team.clients.add(client)
    tokens = []
    for number in range(AGENTS):
        agent = User.objects.create_user(email=f"agent{number}@soak.example", password="x" * 12, role=User.Role.AGENT)
        TOTP.activate(agent, TOTP_SECRET)
        team.members.add(agent)
        tokens.append(Token.objects.create(user=agent).key)
    lead = User.objects.create_user(email="lead@soak.example", password="x" * 12, role=User.Role.SHIFT_LEAD)
    TOTP.activate(lead, TOTP_SECRET)
    now = timezone.now()
    OnCallShift.objects.create(lead=lead, starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=2))
    contacts = [
        ClientContact.objects.create(client=client, name=f"PR {n}", role="PR", email=f"pr{n}@soak.example")
        for n in range(2)
    ]
    policy = EscalationPolicy.objects.create(client=client, name="Soak ladder")
    first = EscalationStep.objects.create(
        policy=policy, position=1, agency_roles=[AgencyRole.ON_CALL_LEAD], wait_minutes=1
    )
    first.contacts.set(contacts)
    EscalationStep.objects.create(
        policy=policy, position=2, channel=NotificationChannel.CHAT_WEBHOOK, webhook_url=chat_url, wait_minutes=0
    )
    return {"channel": channel, "client": client, "lead": lead, "tokens": tokens}


def _ingest_worker(base: str, channel, load: Load, deadline: float) -> None:
    from inbox.webhooks import meta_signature_for

    chance = random.Random(1)
    sent: list[bytes] = []
    number = 0
    while time.monotonic() < deadline:
        if sent and chance.random() < 0.2:
            body, fresh = chance.choice(sent), []  # a replay, as Meta does for up to 36 hours
        else:
            fresh = [f"soak_post{number}_c{part}" for part in range(chance.randint(1, 3))]
            # Most comments start their own thread; some pile onto one busy post, where a reply
            # written while a new comment arrived is refused as a conflict (409), as it should be.
            post = "soak_busy_post" if chance.random() < 0.2 else f"soak_post{number}"
            number += 1
            changes = [
                {
                    "field": "feed",
                    "value": {
                        "from": {"id": f"fan-{chance.randint(1, 500)}", "name": "Fan"},
                        "post_id": post,
                        "comment_id": comment_id,
                        "parent_id": post,
                        "created_time": int(time.time()),
                        "item": "comment",
                        "verb": "add",
                        "message": f"Wann liefert ihr? ({comment_id})",
                    },
                }
                for comment_id in fresh
            ]
            body = json.dumps(
                {"object": "page", "entry": [{"id": "soak-page", "time": 0, "changes": changes}]}
            ).encode()
            sent.append(body)
        signature = meta_signature_for(secret=channel.app_secret, body=body)
        for _attempt in range(8):  # the sender retries server errors, like Meta
            status, _content = _request(
                f"{base}/webhooks/meta/{channel.pk}/", body=body, headers={"X-Hub-Signature-256": signature}
            )
            load.count("webhook", status)
            if status < 500:
                break
            time.sleep(0.5)
        if status == 200:
            with load.lock:
                load.accepted_changes.update(fresh)
        time.sleep(chance.uniform(0.05, 0.3))


def _agent_worker(base: str, token: str, load: Load, deadline: float, seed: int) -> None:
    chance = random.Random(seed)
    headers = {"Authorization": f"Token {token}"}
    while time.monotonic() < deadline:
        status, content = _request(f"{base}/api/inbox/claim-next/", body=b"{}", headers=headers)
        load.count("claim-next", status)
        if status != 200:
            time.sleep(0.5)
            continue
        claimed = json.loads(content)
        item = claimed["item"]
        time.sleep(chance.uniform(0.05, 0.4))  # reading and writing
        reply = json.dumps({"text": f"Danke! ({item['id']})", "loaded_at_event_id": claimed["loaded_at_event_id"]})
        status, _content = _request(f"{base}/api/inbox/items/{item['id']}/reply/", body=reply.encode(), headers=headers)
        load.count("reply", status)
        with load.lock:
            if status == 202:
                load.accepted_replies[item["id"]] += 1
            else:
                load.refusals[status] += 1


def _crisis_worker(seed_data: dict, load: Load, deadline: float) -> None:
    from django.db import connection
    from django.utils import timezone

    from crises.services import crisis_create, crisis_escalation_start

    try:
        while time.monotonic() < deadline:
            crisis = crisis_create(
                acting_user=seed_data["lead"],
                client=seed_data["client"],
                title=f"Soak-Krise {len(load.crises) + 1}",  # mails are told apart by their subject
                severity=1,
                now=timezone.now(),
            )
            crisis_escalation_start(crisis=crisis, acting_user=seed_data["lead"], now=timezone.now())
            with load.lock:
                load.crises.append(crisis.pk)
            _sleep_until(min(deadline, time.monotonic() + 20))
    finally:
        connection.close()


def _quote_worker(base: str, load: Load, deadline: float) -> None:
    body = json.dumps(
        {
            "coverage": [{"weekday": day, "start_hour": 18, "end_hour": 23} for day in range(7)],
            "federal_state": "BY",
            "holidays_covered": True,
            "channels": 2,
            "comments_per_month": 3000,
            "response_minutes": 60,
        }
    ).encode()
    while time.monotonic() < deadline:
        status, _content = _request(f"{base}/api/billing/quote/", body=body)
        with load.lock:
            load.quotes[status] += 1
        time.sleep(1.5)  # under the public throttle of 60 a minute


def _chaos_worker(processes: Processes, deadline: float) -> None:
    chance = random.Random(7)
    while True:
        wake = time.monotonic() + chance.uniform(*KILL_EVERY)
        if wake >= deadline:
            return
        _sleep_until(wake)
        processes.kill_cluster()


def _sleep_until(moment: float) -> None:
    while (left := moment - time.monotonic()) > 0:
        time.sleep(min(left, 1.0))


def _wait_for_web(base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if _request(f"{base}/pricing/")[0] == 200:
            return
        time.sleep(0.5)
    raise SystemExit("gunicorn did not come up; see processes.log in " + str(WORK_DIR))


def _emails() -> Counter:
    found: Counter = Counter()
    for path in MAIL_DIR.glob("*.log"):
        for chunk in path.read_bytes().split(b"-" * 79):
            if chunk.strip():
                message = email.message_from_bytes(chunk.strip())
                found[(message["To"], message["Subject"])] += 1
    return found


def _reconcile(load: Load, graph, chat) -> dict:
    from crises.models import Notification
    from inbox.models import IngestChange, Item, OutboundAction

    items = Counter(Item.objects.values_list("external_id", flat=True))
    actions = OutboundAction.objects.filter(kind=OutboundAction.Kind.REPLY)
    keys = Counter(
        request.path.split("/")[-2]
        for request in {(r.path, r.header("Idempotency-Key")): r for r in graph.requests}.values()
        if request.method == "POST" and request.path.endswith("/comments")
    )
    raw = Counter(reply["object_id"] for reply in graph.app.replies)
    replied = dict(Item.objects.filter(pk__in=list(load.accepted_replies)).values_list("pk", "external_id"))
    notifications = Notification.objects.all()
    mails = _emails()
    chats = Counter(chat.requests)
    return {
        "items": sum(items.values()),
        "items lost": len(load.accepted_changes - set(items)),
        "items duplicated": sum(1 for count in items.values() if count > 1),
        "changes pending or failed": IngestChange.objects.filter(status__in=["pending", "failed"]).count(),
        "replies accepted": sum(load.accepted_replies.values()),
        "items answered twice": sum(1 for count in load.accepted_replies.values() if count > 1),
        "reply actions": actions.count(),
        "reply actions not sent": actions.exclude(status=OutboundAction.Status.SENT).count(),
        "replies lost": sum(1 for item_id in load.accepted_replies if keys[replied[item_id]] == 0),
        "replies under two keys": sum(1 for count in keys.values() if count > 1),
        "replies re-sent under the same key": sum(raw.values()) - len(raw),
        "crises": len(load.crises),
        "notifications": notifications.count(),
        "notifications expected": 4 * len(load.crises),
        "notifications not sent": notifications.exclude(status=Notification.Status.SENT).count(),
        "mails": sum(mails.values()),
        "mails re-sent": sum(count - 1 for count in mails.values()),
        "chat posts": sum(chats.values()),
        "chat posts re-sent": sum(count - 1 for count in chats.values()),
    }


def _settled(figures: dict) -> bool:
    return (
        figures["items lost"] == figures["items duplicated"] == figures["changes pending or failed"] == 0
        and figures["reply actions"] == figures["replies accepted"]
        and figures["reply actions not sent"] == figures["replies lost"] == figures["replies under two keys"] == 0
        and figures["items answered twice"] == 0
        and figures["notifications"] == figures["notifications expected"]
        and figures["notifications not sent"] == 0
    )


def main() -> int:
    _prepare_environment()
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django_q.tasks import async_task

    from inbox.models import WebhookDelivery
    from inbox.stubs import MetaGraphStub, StubResponse, StubServer

    class ChatApp:
        def __init__(self):
            self.lock = threading.Lock()

        def handle(self, request):
            return StubResponse(200, {"ok": True})

    graph = MetaGraphStub().start()
    chat_server = StubServer([ChatApp()]).start()

    class Chat:  # the chat posts' bodies, as the receiver saw them
        @property
        def requests(self):
            return [request.body for request in chat_server.requests]

    seed_data = _seed(graph.base_url, f"{chat_server.url}/chat")
    processes = Processes(graph.base_url)
    load = Load()
    started = time.monotonic()
    deadline = started + SOAK_SECONDS
    try:
        _wait_for_web(processes.url)
        threads = [threading.Thread(target=_ingest_worker, args=(processes.url, seed_data["channel"], load, deadline))]
        threads += [
            threading.Thread(target=_agent_worker, args=(processes.url, token, load, deadline, n))
            for n, token in enumerate(seed_data["tokens"])
        ]
        threads += [
            threading.Thread(target=_crisis_worker, args=(seed_data, load, deadline)),
            threading.Thread(target=_quote_worker, args=(processes.url, load, deadline)),
            threading.Thread(target=_chaos_worker, args=(processes, deadline)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        # Drain: the schedules (every minute in production) are enqueued every few seconds here.
        drain_deadline = time.monotonic() + DRAIN_SECONDS
        figures = _reconcile(load, graph, Chat())
        while not _settled(figures) and time.monotonic() < drain_deadline:
            async_task("inbox.tasks.outbound_actions_retry_task")
            async_task("crises.tasks.crisis_escalate_due_task")
            for delivery_id in WebhookDelivery.objects.filter(status="pending").values_list("pk", flat=True):
                async_task("inbox.tasks.webhook_delivery_process_task", delivery_id)
            time.sleep(3)
            figures = _reconcile(load, graph, Chat())
    finally:
        processes.stop()
        graph.stop()
        chat_server.stop()
    figures.update(
        {
            "seconds": round(time.monotonic() - started),
            "worker kills (SIGKILL)": processes.kills,
            "requests": dict(load.statuses),
            "reply refusals": dict(load.refusals),
            "quotes": dict(load.quotes),
            "settled": _settled(figures),
            "logs": str(WORK_DIR),
        }
    )
    print(json.dumps(figures, indent=2, default=str))
    return 0 if figures["settled"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
