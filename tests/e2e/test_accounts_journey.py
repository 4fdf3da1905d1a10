"""Journeys 5 and 6 of the browser tests: first login with TOTP setup, and the language switch."""

import base64
import hashlib
import hmac
import re
import struct
import time

import pytest
from playwright.sync_api import expect

from communityops.models import User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def totp_code(secret: str, *, offset: int = 0) -> str:
    """RFC 6238, computed independently of allauth (the test plays the authenticator app)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int(time.time()) // 30 + offset
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    start = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[start : start + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def log_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label(re.compile("E-Mail|Email")).fill(email)
    page.get_by_label(re.compile("Passwort|Password")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Anmelden|Log in")).click()


def test_new_agent_sets_up_totp_on_first_login_and_lands_in_the_inbox(page, live_server, user_factory, screenshot):
    agent = user_factory(role=User.Role.AGENT, with_mfa=False)

    log_in(page, live_server.url, agent.email)

    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    secret = page.get_by_label(
        re.compile("Authenticator secret|Authentifizierungsgeheimnis|secret", re.I)
    ).input_value()
    screenshot(page, "mfa-setup")
    page.get_by_label(re.compile("Authenticator code|Authentifizierungscode|code", re.I)).fill(totp_code(secret))
    page.get_by_role("button", name=re.compile("Aktivieren|Activate")).click()

    # The recovery codes come straight after, without asking for the password again.
    expect(page).to_have_url(re.compile(r"/accounts/2fa/recovery-codes/$"))
    expect(page.locator("#recovery_codes")).to_be_visible()
    page.get_by_role("link", name=re.compile("Weiter zur App|Continue to the app")).click()
    expect(page).to_have_url(re.compile(r"/inbox/"))


def test_language_switch_between_german_and_english(page, live_server, db):
    page.goto(f"{live_server.url}/")  # the browser asks for English first
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_test_id("language-de").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("link", name="Anmelden").first).to_be_visible()

    page.get_by_test_id("language-en").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Log in").first).to_be_visible()
