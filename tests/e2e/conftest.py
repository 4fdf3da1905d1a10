"""Browser tests: Playwright driving Debian's chromium against a live Django server."""

import os
import shutil

import pytest

# The sync Playwright API runs an event loop in the test thread; Django must allow ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "screenshots")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            "Browser tests need Debian's chromium at /usr/bin/chromium: run `apt-get install -y chromium` "
            "(Playwright's own browser download does not work here)."
        )
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


CSP_VIOLATIONS: list[str] = []


def _record_csp_violation(message) -> None:
    if "Content Security Policy" in message.text:
        CSP_VIOLATIONS.append(f"{message.page.url if message.page else '?'}: {message.text}")


@pytest.fixture(scope="session")
def browser(browser):
    """Every browser context the tests open, their own or pytest-playwright's, records the
    Content-Security-Policy violations its pages report (settings SECURE_CSP)."""
    open_context = browser.new_context

    def new_context(**options):
        context = open_context(**options)
        context.on("console", _record_csp_violation)
        return context

    browser.new_context = new_context
    return browser


@pytest.fixture(autouse=True)
def no_content_security_policy_violations():
    """A page whose script or style the policy blocks is broken for real users: no browser test
    passes with a violation."""
    CSP_VIOLATIONS.clear()
    yield
    assert not CSP_VIOLATIONS, "\n".join(CSP_VIOLATIONS)


@pytest.fixture
def screenshot():
    """Save a screenshot of a main screen for the README (docs/screenshots/<name>.png)."""

    def take(page, name: str) -> None:
        os.makedirs(SCREENSHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=False)

    return take


@pytest.fixture
def browser_login(live_server):
    """Log a browser context in as `user` by planting a real session cookie (skips the login form)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    def login(context, user) -> None:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": live_server.url}]
        )

    return login


@pytest.fixture
def graph_api(settings):
    """The local Meta Graph API stub; replies sent by the app land in graph_api.app.replies."""
    from inbox.stubs import MetaGraphStub

    with MetaGraphStub() as stub:
        settings.META_GRAPH_API_BASE_URL = stub.base_url
        yield stub


@pytest.fixture
def ingest_comments(db):
    """Comments arriving on a channel through the real ingestion path: ingest(channel, [(author, text), ...])."""
    from datetime import timedelta

    from django.utils import timezone

    from inbox.models import Item
    from inbox.normalized import NormalizedAuthor, NormalizedItem
    from inbox.services.ingestion import item_ingest

    def ingest(channel, comments, *, thread: str = "post1", minutes_ago: int = 5) -> list:
        posted = timezone.now() - timedelta(minutes=minutes_ago)
        return [
            item_ingest(
                channel=channel,
                normalized=NormalizedItem(
                    external_id=f"{thread}_{channel.pk}_{number}",
                    kind=Item.Kind.COMMENT,
                    text=text,
                    author=NormalizedAuthor(external_id=name.lower().replace(" ", "."), display_name=name),
                    platform_created_at=posted,
                    thread_external_id=thread,
                ),
            )[0]
            for number, (name, text) in enumerate(comments)
        ]

    return ingest


DEMO_COMMENTS = {
    "brauhaus-isartal": [
        (
            "Lena Maier",
            "Stimmt es, dass in der Charge 0424 Glassplitter waren? Meine Eltern haben davon noch zwei Kästen.",
        ),
        ("Tom Berger", "Ich trinke euer Helles nicht mehr, bis ihr das aufklärt. Unglaublich, dass ihr schweigt!"),
        ("Mia Schuster", "Habe auf Instagram gelesen, dass ein Anwalt eingeschaltet ist. Was ist da los?"),
        ("Jonas Huber", "Wann gibt es das Winterbier wieder? Letztes Jahr war es im November schon ausverkauft."),
        ("Sophie Wagner", "Danke für das tolle Hoffest gestern, die Blasmusik war großartig!"),
    ],
    "rheinmode": [
        ("Kevin Schmitz", "Meine Retoure ist seit drei Wochen unterwegs und ich habe noch kein Geld zurück."),
        ("Aylin Yilmaz", "Gibt es die Regenjacke aus dem Herbst-Newsletter auch in Größe 44?"),
    ],
    "nordlicht-energie": [
        ("Hauke Jensen", "Seit heute früh Stromausfall in Altona. Gibt es eine Info, wie lange das dauert?"),
    ],
}


@pytest.fixture
def demo_agency(db, ingest_comments):
    """The demo agency from `make run` (clients, staff, coverage plans, an ongoing crisis awaiting
    Sabine Huber's approval, a saved quote) plus open comments in the inbox, for realistic screens."""
    import io

    from billing.demo import seed_billing
    from billing.models import Quote
    from communityops.demo import seed_core
    from communityops.models import Channel, User
    from crises.demo import DEMO_APPROVER_EMAIL, DEMO_LEAD_EMAIL, seed_crises
    from crises.models import ApprovalLink, Crisis
    from inbox.models import Item

    out = io.StringIO()
    seed_core(stdout=out)
    seed_billing(stdout=out)
    for slug, comments in DEMO_COMMENTS.items():
        channel = Channel.objects.get(client__slug=slug, platform=Channel.Platform.FACEBOOK_PAGE)
        ingest_comments(channel, comments, minutes_ago=12)
    # The glass-shard rumour reads negative; the crisis seeder links the negative comments.
    Item.objects.filter(client__slug="brauhaus-isartal", text__regex="Glassplitter|schweigt|Anwalt").update(
        sentiment=Item.Sentiment.NEGATIVE
    )
    seed_crises(stdout=out)
    return {
        "lead": User.objects.get(email=DEMO_LEAD_EMAIL),
        "agent": User.objects.get(email="anna@agentur.example"),
        "contact_user": User.objects.get(email=DEMO_APPROVER_EMAIL),
        "crisis": Crisis.objects.get(client__slug="brauhaus-isartal"),
        "approval_link": ApprovalLink.objects.select_related("draft").get(contact__email=DEMO_APPROVER_EMAIL),
        "quote": Quote.objects.get(),
    }


@pytest.fixture
def magic_link_url(live_server):
    """The address the approval email carries for a link (the token is derived, never stored)."""
    from django.urls import reverse

    from crises.services import approval_token

    def url(link) -> str:
        path = reverse("crises:magic_link", kwargs={"draft_id": link.draft_id, "token": approval_token(link=link)})
        return f"{live_server.url}{path}"

    return url
