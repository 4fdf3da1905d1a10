"""A real django-q2 cluster is SIGKILLed while escalation steps and outbox sends are due.

`manage.py qcluster` runs as a subprocess against the test database (settings.test with
CO_TEST_QCLUSTER=1: ORM broker, short timeouts, mail as files). The test enqueues the work,
kills the cluster's whole process group mid-work, starts it again and waits (bounded) until
everything is delivered. The periodic schedules (retry due sends, escalate due steps) run
every minute in production; here the test enqueues the same tasks every second instead.
"""

import email
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_q.conf import Conf
from django_q.tasks import async_task

from communityops.models import Channel
from crises.models import AgencyRole, Notification, NotificationChannel
from crises.services import crisis_create, crisis_escalation_start
from inbox.models import Item, OutboundAction
from inbox.selectors import item_conversation_version
from inbox.services.claims import item_claim
from inbox.services.outbox import item_reply
from inbox.stubs import MetaGraphStub
from tests.crises.conftest import StubWebhook

REPLIES = 16
CRISES = 4
DEADLINE_SECONDS = 60
PLATFORM_SECONDS_PER_REPLY = 0.15  # the stub platform takes this long to answer, so sends are in flight
ROOT = Path(settings.BASE_DIR)


class SlowMetaGraphStub(MetaGraphStub):
    def dispatch(self, **kwargs):
        time.sleep(PLATFORM_SECONDS_PER_REPLY)
        return super().dispatch(**kwargs)


def _database_url() -> str:
    """The test database as a URL, over TCP or (the embedded server) a unix socket directory."""
    params = connection.get_connection_params()
    host, port = params.get("host") or "", params.get("port") or ""
    if host.startswith("/"):
        return f"postgresql://{params['user']}@/{params['dbname']}?host={host}" + (f"&port={port}" if port else "")
    return f"postgresql://{params['user']}@{host}:{port or 5432}/{params['dbname']}"


def _start_cluster(*, graph_url: str, mail_dir: Path, log) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "communityops.settings.test",
        "CO_TEST_QCLUSTER": "1",
        "CO_TEST_EMAIL_DIR": str(mail_dir),
        "DATABASE_URL": _database_url(),
        "META_GRAPH_API_BASE_URL": graph_url,
        "SITE_URL": "http://127.0.0.1:8000",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: SIGKILL reaches every worker at once
    )


def _kill(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            _kill(process)


def _wait_for(condition, *, seconds: float, tick=None) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        if tick is not None:
            tick()
        time.sleep(0.5)
    return condition()


def _emails(mail_dir: Path) -> list[email.message.Message]:
    messages = []
    for path in sorted(mail_dir.glob("*.log")):
        # The file backend separates messages with a line of 79 dashes.
        for chunk in path.read_bytes().split(b"-" * 79):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk.strip()))
    return messages


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_loses_nothing_and_sends_each_message_under_one_key(
    channel_factory,
    open_item_factory,
    agent_for,
    client_factory,
    contact_factory,
    policy_factory,
    on_call,
    tmp_path,
    monkeypatch,
):
    # Given replies waiting to be sent and crises whose escalation steps are due, all queued in the ORM broker
    monkeypatch.setattr(Conf, "SYNC", False)
    chat, graph = StubWebhook(), SlowMetaGraphStub().start()
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    channel = channel_factory(platform=Channel.Platform.FACEBOOK_PAGE, access_token="page-token")
    agent = agent_for(channel.client, with_mfa=False)
    for number in range(REPLIES):
        item = open_item_factory(channel=channel, external_id=f"post{number}_c1", thread_external_id=f"post{number}")
        item_claim(acting_user=agent, item_id=item.pk)
        item_reply(
            acting_user=agent,
            item_id=item.pk,
            text=f"Antwort {number}",
            loaded_at_event_id=item_conversation_version(item=item),
        )
    for number in range(CRISES):
        client = client_factory()
        contacts = [contact_factory(client), contact_factory(client)]
        policy_factory(
            client,
            [
                {"contacts": contacts, "agency_roles": [AgencyRole.ON_CALL_LEAD], "wait_minutes": 0},
                {"channel": NotificationChannel.CHAT_WEBHOOK, "webhook_url": chat.url, "wait_minutes": 0},
            ],
        )
        crisis = crisis_create(
            acting_user=on_call, client=client, title=f"Krise {number}", severity=1, now=timezone.now()
        )
        crisis_escalation_start(crisis=crisis, acting_user=on_call, now=timezone.now())
    log = (tmp_path / "qcluster.log").open("wb")
    kills = 0
    try:
        # When the cluster is SIGKILLed twice in the middle of the work and started again
        for kill_after in (REPLIES // 4, REPLIES // 2):
            cluster = _start_cluster(graph_url=graph.base_url, mail_dir=mail_dir, log=log)
            reached = _wait_for(lambda n=kill_after: len(graph.app.replies) >= n, seconds=DEADLINE_SECONDS)
            assert reached, "the cluster sent nothing; see qcluster.log"
            _kill(cluster)
            kills += 1
        cluster = _start_cluster(graph_url=graph.base_url, mail_dir=mail_dir, log=log)

        def schedules():
            async_task("inbox.tasks.outbound_actions_retry_task")
            async_task("crises.tasks.crisis_escalate_due_task")

        def all_delivered() -> bool:
            return (
                not OutboundAction.objects.exclude(status=OutboundAction.Status.SENT).exists()
                and Notification.objects.count() == CRISES * 4
                and not Notification.objects.exclude(status=Notification.Status.SENT).exists()
            )

        done = _wait_for(all_delivered, seconds=DEADLINE_SECONDS, tick=schedules)
    finally:
        _stop(cluster)
        graph.stop()
        chat.close()
        log.close()

    # Then every reply and every notification went out, once
    assert done, (tmp_path / "qcluster.log").read_text(errors="replace")[-3000:]
    actions = OutboundAction.objects.all()
    assert actions.count() == REPLIES and {a.status for a in actions} == {OutboundAction.Status.SENT}
    assert set(Item.objects.values_list("status", flat=True)) == {Item.Status.ANSWERED}
    sent_keys = Counter((r.path, r.header("Idempotency-Key")) for r in graph.requests if not r.failed_on_purpose)
    raw_per_comment = Counter(reply["object_id"] for reply in graph.app.replies)
    keys_per_comment = Counter(path.split("/")[-2] for path, _key in sent_keys)
    assert keys_per_comment == Counter({f"post{n}_c1": 1 for n in range(REPLIES)})  # one logical reply each
    resent = sum(raw_per_comment.values()) - REPLIES
    # A send whose worker died after the platform accepted it is sent again with the same
    # Idempotency-Key (at-least-once, see inbox/services/outbox.py); at most one per worker per kill.
    assert resent <= kills * 2  # two workers
    mails = Counter((m["To"], m["Subject"]) for m in _emails(mail_dir))
    chat_messages = Counter(chat.requests)
    assert len(mails) == CRISES * 3 and len(chat_messages) == CRISES  # every alert went out
    # An alert delivered by a worker killed before its commit goes again (at-least-once: a
    # duplicate alert beats a lost one); at most one per worker per kill.
    repeated = sum(mails.values()) - len(mails) + sum(chat_messages.values()) - len(chat_messages)
    assert repeated <= kills * 2
    print(
        f"crash: {kills} kills, {REPLIES} replies ({resent} re-sent with the same key), {sum(mails.values())} mails,"
        f" {len(chat.requests)} chat posts ({repeated} alerts repeated)"
    )
