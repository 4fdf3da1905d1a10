"""Screenshots of the main screens for the README (docs/screenshots/), taken on the demo agency's data.

Each screen is first checked to show what it is for, so a screenshot of an error page fails the test.
"""

import re

import pytest
from playwright.sync_api import expect

from crises.models import RecipientLanguage

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 375, "height": 740}


def test_agency_screens(browser, live_server, browser_login, demo_agency, screenshot):
    agent_context, lead_context = browser.new_context(), browser.new_context()
    browser_login(agent_context, demo_agency["agent"])
    browser_login(lead_context, demo_agency["lead"])
    agent, lead = agent_context.new_page(), lead_context.new_page()

    agent.goto(f"{live_server.url}/inbox/")
    agent.keyboard.press("n")
    expect(agent.get_by_text(re.compile("You hold this item"))).to_be_visible()
    screenshot(agent, "inbox-light")
    agent.get_by_role("button", name="Switch light/dark theme").click()
    expect(agent.locator("html")).to_have_attribute("data-theme", "dark")
    screenshot(agent, "inbox-dark")

    lead.goto(f"{live_server.url}/crises/")
    expect(lead.get_by_role("link", name=demo_agency["crisis"].title)).to_be_visible()
    screenshot(lead, "crisis-board")
    lead.get_by_role("link", name=demo_agency["crisis"].title).click()
    expect(lead.get_by_role("heading", name=re.compile("Linked items"))).to_be_visible()
    screenshot(lead, "crisis-page")
    agent_context.close()
    lead_context.close()


def test_client_screens(browser, live_server, browser_login, demo_agency, magic_link_url, screenshot):
    portal_context = browser.new_context()
    browser_login(portal_context, demo_agency["contact_user"])
    portal = portal_context.new_page()
    portal.goto(f"{live_server.url}/portal/")
    expect(portal.get_by_role("heading", name="Brauhaus Isartal GmbH")).to_be_visible()
    screenshot(portal, "client-portal")
    portal_context.close()

    # The magic-link page speaks the contact's language (that of their emails): English, as the other screens.
    RecipientLanguage.objects.create(contact=demo_agency["approval_link"].contact, language="en")
    phone_context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    phone = phone_context.new_page()
    phone.goto(magic_link_url(demo_agency["approval_link"]))
    expect(phone.get_by_role("button", name="Send decision")).to_be_visible()
    screenshot(phone, "approval-magic-link-phone")
    phone_context.close()


def test_public_screens(browser, live_server, demo_agency, screenshot):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    screenshot(page, "login")

    page.goto(f"{live_server.url}/pricing/")
    expect(page.locator("#breakdown .amount")).to_contain_text("€")
    screenshot(page, "pricing-calculator")

    page.goto(f"{live_server.url}/pricing/q/{demo_agency['quote'].token}/")
    expect(page.get_by_role("heading", name="Quote for community management")).to_be_visible()
    screenshot(page, "quote-share")
    context.close()

    phone_context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    phone = phone_context.new_page()
    phone.goto(f"{live_server.url}/pricing/")
    expect(phone.locator("#breakdown .amount")).to_contain_text("€")
    screenshot(phone, "pricing-calculator-phone")
    phone_context.close()
