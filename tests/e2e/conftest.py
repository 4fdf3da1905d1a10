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
                    author=NormalizedAuthor(external_id=f"{channel.pk}-fan{number}", display_name=name),
                    platform_created_at=posted,
                    thread_external_id=thread,
                ),
            )[0]
            for number, (name, text) in enumerate(comments)
        ]

    return ingest
