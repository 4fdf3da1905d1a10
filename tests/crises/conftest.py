"""Crisis fixtures: items with a chosen arrival time, a shift lead on call, an escalation policy."""

import itertools
import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from communityops.models import ClientContact, User
from crises.models import EscalationPolicy, EscalationStep, NotificationChannel, OnCallShift
from inbox.models import Author, Item
from inbox.services.authors import author_namespace

BERLIN = ZoneInfo("Europe/Berlin")
_sequence = itertools.count(1)


@pytest.fixture
def item_factory(db, channel_factory):
    """An inbox item; received_at is set after creation (the model stamps it on insert)."""

    def make(*, client=None, channel=None, received_at: datetime | None = None, **fields) -> Item:
        number = next(_sequence)
        channel = channel or channel_factory(client=client)
        author, _created = Author.objects.get_or_create(
            **author_namespace(channel), external_id=f"author-{number}", defaults={"display_name": f"Author {number}"}
        )
        fields.setdefault("text", f"Comment {number}")
        fields.setdefault("platform_created_at", received_at or timezone.now())
        item = Item.objects.create(
            client=channel.client, channel=channel, external_id=f"ext-{number}", author=author, **fields
        )
        if received_at is not None:
            Item.objects.filter(pk=item.pk).update(received_at=received_at)
            item.received_at = received_at
        return item

    return make


@pytest.fixture
def shift_lead(user_factory):
    return user_factory(role=User.Role.SHIFT_LEAD, email="lead@agency.example")


@pytest.fixture
def admin_http(client, user_factory):
    """The test client, logged in as an agency admin who may use the admin."""
    client.force_login(user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def on_call(shift_lead):
    """The shift lead is on call from a week ago to a week ahead."""
    now = timezone.now()
    OnCallShift.objects.create(
        lead=shift_lead, starts_at=now - timedelta(days=7), ends_at=now + timedelta(days=7), label="night"
    )
    return shift_lead


@pytest.fixture
def lead_client(client, on_call):
    """The test client, logged in as the shift lead on call."""
    client.force_login(on_call)
    return client


@pytest.fixture
def contact_factory(db):
    def make(client, *, name: str = "", may_approve: bool = True, user=None, phone: str = "") -> ClientContact:
        number = next(_sequence)
        return ClientContact.objects.create(
            client=client,
            name=name or f"Contact {number}",
            role="PR",
            email=f"contact{number}@client.example",
            phone=phone,
            may_approve=may_approve,
            user=user,
        )

    return make


@pytest.fixture
def policy_factory(db):
    """A policy from step specs: dicts with contacts, agency_roles, channel, wait_minutes, ..."""

    def make(client, steps: list[dict]) -> EscalationPolicy:
        policy = EscalationPolicy.objects.create(client=client, name=f"Policy {client.slug}")
        for position, spec in enumerate(steps, start=1):
            spec = dict(spec)
            contacts = spec.pop("contacts", [])
            spec.setdefault("channel", NotificationChannel.EMAIL)
            step = EscalationStep.objects.create(policy=policy, position=position, **spec)
            step.contacts.set(contacts)
        return policy

    return make


class StubWebhook:
    """A loopback HTTP server recording JSON POSTs (an SMS gateway or a chat incoming webhook)."""

    def __init__(self):
        self.requests: list[bytes] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                recorder.requests.append(self.rfile.read(length))
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stub_webhook():
    stub = StubWebhook()
    yield stub
    stub.close()
