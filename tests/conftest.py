"""Factory fixtures shared by every app's tests (allauth's conftest style)."""

import importlib
import itertools
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.apps import apps
from django.utils import timezone, translation
from django_q.models import Schedule

from communityops.models import Channel, Client, ClientContact, Team, User

_sequence = itertools.count(1)

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PASSWORD = "correct-horse-battery-9"

_seed_default_rate_card = importlib.import_module("billing.migrations.0002_seed_default_rate_card").seed


def _uses_database(request) -> bool:
    if not (request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(request.fixturenames)):
        return False
    request.getfixturevalue("db")  # transactional where the test asked for it (pytest-django decides)
    return True


@pytest.fixture(autouse=True)
def _default_rate_card(request):
    """The rate card the data migration seeds, for every test with the database: a transactional
    test (transaction=True, the live-server browser tests) ends with a flush that empties the table,
    and billing.selectors.rate_card_current only reads it."""
    if _uses_database(request):
        _seed_default_rate_card(apps, None)  # only into an empty table


@pytest.fixture(autouse=True)
def _schedules_on_time(request):
    """Tasks run inline in the tests (Q_CLUSTER sync), so no scheduler moves the periodic schedules
    on: they are set as a running cluster keeps them, or pages would warn that background tasks have
    stopped (communityops.health). The tests of that warning make a schedule late themselves."""
    if _uses_database(request):
        Schedule.objects.update(next_run=timezone.now() + timedelta(minutes=1))


@pytest.fixture(autouse=True)
def _language_reset():
    """Each test starts in the default language: LocaleMiddleware leaves a request's language active
    in the thread, so a test whose last request asked for English turned a later test's German
    strings (services, mails, admin labels read outside a request) English."""
    yield
    translation.deactivate()


@pytest.fixture
def client_factory(db):
    def make(**fields) -> Client:
        number = next(_sequence)
        fields.setdefault("name", f"Client {number}")
        fields.setdefault("slug", f"client-{number}")
        fields.setdefault("federal_state", "BY")
        return Client.objects.create(**fields)

    return make


@pytest.fixture
def channel_factory(db, client_factory):
    def make(*, client: Client | None = None, **fields) -> Channel:
        number = next(_sequence)
        fields.setdefault("platform", Channel.Platform.FACEBOOK_PAGE)
        fields.setdefault("name", f"Channel {number}")
        fields.setdefault("external_id", f"page-{number}")
        fields.setdefault("app_secret", f"app-secret-{number}")
        fields.setdefault("verify_token", f"verify-{number}")
        fields.setdefault("access_token", f"token-{number}")
        return Channel.objects.create(client=client or client_factory(), **fields)

    return make


@pytest.fixture
def user_factory(db):
    def make(*, role: str = User.Role.AGENT, with_mfa: bool | None = None, **fields) -> User:
        number = next(_sequence)
        fields.setdefault("email", f"user{number}@agency.example")
        fields.setdefault("first_name", f"User{number}")
        user = User.objects.create_user(password=PASSWORD, role=role, **fields)
        if with_mfa if with_mfa is not None else user.is_agency_staff:
            TOTP.activate(user, TOTP_SECRET)
        return user

    return make


@pytest.fixture
def team_factory(db):
    def make(*, members=(), clients=(), **fields) -> Team:
        fields.setdefault("name", f"Team {next(_sequence)}")
        team = Team.objects.create(**fields)
        team.members.add(*members)
        team.clients.add(*clients)
        return team

    return make


@pytest.fixture
def agent_for(user_factory, team_factory):
    """An agent whose team serves the given clients."""

    def make(*clients: Client, **fields) -> User:
        agent = user_factory(role=User.Role.AGENT, **fields)
        team_factory(members=[agent], clients=clients)
        return agent

    return make


@pytest.fixture
def contact_user_for(user_factory):
    """A client contact with a portal login for the given client."""

    def make(client: Client, *, may_approve: bool = True) -> User:
        user = user_factory(role=User.Role.CLIENT_CONTACT)
        ClientContact.objects.create(
            client=client, name=user.first_name, role="PR", email=user.email, may_approve=may_approve, user=user
        )
        return user

    return make


@pytest.fixture
def has_totp():
    def check(user: User) -> bool:
        return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()

    return check


@pytest.fixture
def ingest(db):
    """An item arriving through ingestion (triaged as in production) from the given author."""
    from django.utils import timezone

    from inbox.normalized import NormalizedAuthor, NormalizedItem
    from inbox.services.ingestion import item_ingest

    def arrive(channel: Channel, *, author_id: str, text: str = "Können wir kurz telefonieren?"):
        normalized = NormalizedItem(
            external_id=f"comment-{next(_sequence)}",
            kind="comment",
            text=text,
            author=NormalizedAuthor(external_id=author_id, display_name="Dr. Vera Einkauf"),
            platform_created_at=timezone.now(),
        )
        return item_ingest(channel=channel, normalized=normalized)[0]

    return arrive
