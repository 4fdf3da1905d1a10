"""The Content-Security-Policy allows no inline script or style; the pages that need an inline
<style> carry the request's nonce. Every browser test fails on a violation (conftest.py); these
visit the pages with such a <style> and prove that the recorder sees a blocked one."""

import pytest

from communityops.models import User

from .conftest import CSP_VIOLATIONS

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_blocked_inline_style_is_recorded(browser, live_server):
    context = browser.new_context()
    page = context.new_page()
    page.route(
        f"{live_server.url}/csp-probe",
        lambda route: route.fulfill(
            content_type="text/html",
            headers={"Content-Security-Policy": "style-src 'self'"},
            body='<!DOCTYPE html><p style="color: red">probe</p>',
        ),
    )
    page.goto(f"{live_server.url}/csp-probe")
    page.wait_for_timeout(100)  # console messages arrive after the load
    context.close()

    assert any("inline style" in violation for violation in CSP_VIOLATIONS)
    CSP_VIOLATIONS.clear()


def test_the_api_docs_apply_their_nonced_style(browser, live_server):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".swagger-ui .info").wait_for()

    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    context.close()

    assert background == "rgb(250, 250, 250)"


def test_the_admin_renders_under_the_policy(browser, live_server, browser_login, user_factory, client_factory):
    client_factory(name="Brauhaus Isartal GmbH")
    context = browser.new_context()
    browser_login(context, user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))
    page = context.new_page()
    for path in ("/admin/", "/admin/communityops/client/", "/admin/communityops/client/add/"):
        page.goto(f"{live_server.url}{path}")
    page.wait_for_timeout(100)
    context.close()

    assert CSP_VIOLATIONS == []
