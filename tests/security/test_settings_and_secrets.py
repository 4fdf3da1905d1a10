"""Security settings, CSRF, MFA, login throttling, and secrets kept out of API output, logs and the admin."""

import json
import logging
import re

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from communityops.models import User
from inbox.services.outbox import outbound_action_send
from tests.conftest import PASSWORD
from tests.production import run_in_production

from .conftest import http_client_for
from .test_isolation_matrix import SKIPPED_PREFIXES, _api_path, _walk, api_operations

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style(?![^>]*\bnonce=)|<[a-z][^>]*\sstyle=", re.IGNORECASE)
SECRETS = ("SECRET-ACCESS-TOKEN-91", "SECRET-APP-SECRET-91", "SECRET-VERIFY-TOKEN-91", "SECRET-API-PASSWORD-91")


def _own_pages(world) -> list[str]:
    """Every page (not API, not webhook) with the OWN client's objects filled in."""
    own = world.own
    values = {
        "client_id": own.client.pk,
        "item_id": own.item.pk,
        "crisis_id": own.crisis.pk,
        "draft_id": own.draft.pk,
        "alert_id": own.alert.pk,
        "year": 2026,
        "month": 1,
        "table": "channels",
        "token": "x",
        "channel_id": own.channel.pk,
    }
    paths = []
    for page in _walk(get_resolver().url_patterns):
        if page.route.startswith(("api/", "admin/", "webhooks/", *SKIPPED_PREFIXES)):
            continue
        if any(name not in values for name in page.parameters):
            continue
        paths.append("/" + re.sub(r"<(?:[^>:]+:)?([^>]+)>", lambda m: str(values[m[1]]), page.route))
    return paths


@pytest.mark.django_db
def test_every_html_page_has_a_csp_without_inline_scripts_or_styles(world, user_factory, team_factory):
    lead = user_factory(role=User.Role.SHIFT_LEAD)
    viewers = {"lead": lead, "contact": world.principals["contact of another client"], "anonymous": None}
    checked = []
    for name, user in viewers.items():
        http = http_client_for(user)
        for path in _own_pages(world):
            response = http.get(path)
            if "text/html" not in response.get("Content-Type", "") or response.status_code != 200:
                continue
            policy = dict(part.strip().split(" ", 1) for part in response.get("Content-Security-Policy", "").split(";"))
            assert "unsafe-inline" not in policy["script-src"], (name, path, policy)
            assert "unsafe-inline" not in policy["style-src"], (name, path, policy)
            assert not INLINE_SCRIPT.search(response.content.decode()), (name, path)
            assert not INLINE_STYLE.search(response.content.decode()), (name, path)
            assert "camera=()" in response.get("Permissions-Policy", ""), (name, path)
            checked.append(path)
    assert len(checked) > 20


def test_production_settings_secure_the_cookies_and_set_hsts():
    """Read in a fresh interpreter: the production module refuses to load without its environment."""
    code = (
        "import json, django; from django.conf import settings; django.setup(); print(json.dumps({name: getattr(settings, name)"
        " for name in ['SESSION_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'SESSION_COOKIE_SAMESITE', 'CSRF_COOKIE_SECURE',"
        " 'CSRF_COOKIE_HTTPONLY', 'LANGUAGE_COOKIE_SECURE', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS',"
        " 'SECURE_SSL_REDIRECT', 'DEBUG']}))"
    )
    output = run_in_production(["-c", code])
    assert output.returncode == 0, output.stderr
    values = json.loads(output.stdout.strip().splitlines()[-1])

    assert values == {
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "LANGUAGE_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_SSL_REDIRECT": True,
        "DEBUG": False,
    }


@pytest.mark.django_db
def test_every_html_form_post_without_a_csrf_token_is_403(world, user_factory):
    lead = user_factory(role=User.Role.SHIFT_LEAD)
    for user in (lead, world.principals["contact of another client"], None):
        http = http_client_for(user, enforce_csrf_checks=True)
        refused = {path: http.post(path, {"text": "x"}).status_code for path in _own_pages(world)}
        assert set(refused.values()) == {403}, {path: code for path, code in refused.items() if code != 403}
    # The login form too.
    assert (
        Client(enforce_csrf_checks=True).post(reverse("account_login"), {"login": "a@b.c", "password": "x"}).status_code
        == 403
    )


@pytest.mark.django_db
def test_staff_without_mfa_reach_no_page_but_the_mfa_setup(world, user_factory):
    staff = [
        user_factory(role=role, with_mfa=False) for role in (User.Role.AGENT, User.Role.SHIFT_LEAD, User.Role.ADMIN)
    ]
    api_paths = [_api_path(path, world) for path, method, _op in api_operations() if method == "get"]
    for user in staff:
        http = http_client_for(user)
        for path in _own_pages(world):
            if path.startswith("/i18n/"):
                continue  # the language switch stays usable during the MFA setup
            response = http.get(path)
            reached = (
                response.status_code == 200 and path not in ("/", "/pricing/") and not path.startswith("/crises/ack/")
            )
            assert not reached or response.status_code == 302, (user.role, path)
            if response.status_code == 302:
                assert response["Location"] in (reverse("mfa_activate_totp"),) or response["Location"].startswith(
                    "/accounts/"
                ), (user.role, path, response["Location"])
        for path in api_paths:
            if path in ("/api/schema/",):
                continue
            assert http.get(path).status_code in (401, 403), (user.role, path)


@pytest.mark.django_db
def test_repeated_failed_logins_are_throttled(user_factory):
    """allauth's login_failed limit (5 per 5 minutes per account): then even the right password waits."""
    user = user_factory(role=User.Role.AGENT)
    http = Client()
    for attempt in range(6):
        http.post(reverse("account_login"), {"login": user.email, "password": f"wrong-{attempt}"})

    right = http.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    assert right.status_code in (200, 429)
    assert "_auth_user_id" not in http.session
    assert right.status_code == 429 or "für höchstens 5 Minuten gesperrt" in right.content.decode()


def test_colleagues_mistyping_from_one_office_do_not_lock_out_the_others(user_factory):
    """One office, one NAT address: ten wrong passwords of two colleagues leave a third's login alone."""
    emil, frieda, clara = (user_factory(role=User.Role.AGENT, with_mfa=False) for _ in range(3))
    http = Client()
    for attempt in range(10):
        http.post(reverse("account_login"), {"login": (emil, frieda)[attempt % 2].email, "password": f"x-{attempt}"})

    http.post(reverse("account_login"), {"login": clara.email, "password": PASSWORD})

    assert http.session.get("_auth_user_id") == str(clara.pk)


@pytest.fixture
def secret_channel(world):
    channel = world.own.channel
    channel.access_token, channel.app_secret, channel.verify_token, channel.api_password = SECRETS
    channel.save()
    return channel


@pytest.mark.django_db
def test_secrets_never_appear_in_api_output(world, secret_channel, user_factory):
    lead = user_factory(role=User.Role.SHIFT_LEAD)
    http = http_client_for(lead)
    own = {
        "client_id": world.own.client.pk,
        "item_id": world.own.item.pk,
        "crisis_id": world.own.crisis.pk,
        "table": "channels",
    }
    checked = 0
    for path, method, _operation in api_operations():
        if method != "get":
            continue
        response = http.get(re.sub(r"{(\w+)}", lambda m: str(own[m[1]]), path))
        body = response.content.decode()
        assert not any(secret in body for secret in SECRETS), path
        checked += response.status_code == 200
    assert checked >= 8


@pytest.mark.django_db
def test_secrets_never_appear_in_the_logs_of_a_failing_connector_or_webhook(
    world, secret_channel, user_factory, meta_graph_stub, caplog, client
):
    from inbox.models import OutboundAction

    action = OutboundAction.objects.create(item=world.own.item, kind=OutboundAction.Kind.REPLY, text="Danke")
    meta_graph_stub.fail_next(1, status=400, body={"error": {"message": "bad token", "code": 190}})
    caplog.set_level(logging.DEBUG)

    outbound_action_send(action_id=action.pk)
    client.post(
        reverse("webhook_meta", args=[secret_channel.pk]),
        b"{}",
        content_type="application/json",
        headers={"X-Hub-Signature-256": "sha256=00"},
    )
    client.get(
        reverse("webhook_meta", args=[secret_channel.pk]), {"hub.mode": "subscribe", "hub.verify_token": "wrong"}
    )

    action.refresh_from_db()
    assert action.status == OutboundAction.Status.FAILED
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert logged and not any(secret in logged for secret in SECRETS)
    assert not any(secret in action.last_error for secret in SECRETS)


@pytest.mark.django_db
def test_secrets_never_appear_in_admin_changelists(world, secret_channel, user_factory):
    admin = user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True)
    http = http_client_for(admin)
    changelists = [
        "/" + page.route
        for page in _walk(get_resolver().url_patterns)
        if page.route.startswith("admin/") and page.name.endswith("_changelist")
    ]
    for path in changelists:
        response = http.get(path)
        assert response.status_code == 200, path
        assert not any(secret in response.content.decode() for secret in SECRETS), path
    assert len(changelists) > 20
