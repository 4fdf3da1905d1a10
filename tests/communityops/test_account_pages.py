"""A logged-in user finds their account settings from every page, and the account pages stay in the app."""

import re
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import reverse

from communityops.models import User
from tests.conftest import PASSWORD, TOTP_SECRET


def _links(response) -> list[str]:
    return re.findall(r'<a [^>]*href="([^"]+)"', response.content.decode())


@pytest.fixture
def seen_by_staff_and_contact(client, user_factory, client_factory, contact_user_for):
    """A page as an agent sees it, and one as a client contact sees it."""

    def get(staff_url: str, contact_url: str):
        client.force_login(user_factory(role=User.Role.AGENT))
        staff_view = client.get(staff_url)
        client.force_login(contact_user_for(client_factory()))
        return staff_view, client.get(contact_url)

    return get


def test_every_page_of_staff_and_client_contacts_links_to_their_account(seen_by_staff_and_contact):
    staff_page, portal_page = seen_by_staff_and_contact(reverse("client_list"), reverse("portal_home"))

    assert reverse("account_settings") in _links(staff_page)
    assert reverse("account_settings") in _links(portal_page)


def test_the_account_page_leads_to_password_two_factor_and_recovery_codes(client, user_factory):
    lead = user_factory(role=User.Role.SHIFT_LEAD)
    RecoveryCodes.activate(lead)
    client.force_login(lead)

    response = client.get(reverse("account_settings"))

    assert response.status_code == 200
    assert {reverse("account_change_password"), reverse("mfa_index"), reverse("mfa_view_recovery_codes")} <= set(
        _links(response)
    )


def test_without_recovery_codes_the_account_page_leads_to_making_them_not_to_a_404(client, user_factory):
    # TOTP set up outside allauth's flow (the demo's staff, the test factory) has no recovery codes,
    # and allauth's page that shows them is a 404 without.
    client.force_login(user_factory(role=User.Role.AGENT))

    links = _links(client.get(reverse("account_settings")))

    assert reverse("mfa_view_recovery_codes") not in links
    assert reverse("mfa_generate_recovery_codes") in links
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})  # allauth asks before making codes
    assert client.get(reverse("mfa_generate_recovery_codes")).status_code == 200


def test_account_pages_keep_the_apps_navigation_for_whoever_is_logged_in(client, seen_by_staff_and_contact):
    staff_view, contact_view = seen_by_staff_and_contact(reverse("mfa_index"), reverse("account_change_password"))
    client.logout()
    anonymous_view = client.get(reverse("account_reset_password"))

    assert {reverse("inbox:queue"), reverse("crises:board"), reverse("client_list")} <= set(_links(staff_view))
    assert {reverse("portal_home"), reverse("crises:portal_list")} <= set(_links(contact_view))
    assert reverse("inbox:queue") not in _links(anonymous_view)


def test_the_recovery_codes_page_has_separate_buttons_and_leads_on_into_the_app(client, user_factory):
    agent = user_factory(role=User.Role.AGENT)
    RecoveryCodes.activate(agent)
    client.force_login(agent)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})  # allauth asks before showing codes

    page = client.get(reverse("mfa_view_recovery_codes"), headers={"accept-language": "en"}).content.decode()

    buttons = re.findall(r'<a class="button( primary)?" href="([^"]+)">([^<]+)</a>', page)
    assert [(href, text) for _primary, href, text in buttons] == [
        (reverse("mfa_download_recovery_codes"), "Download codes"),
        (reverse("mfa_generate_recovery_codes"), "Generate new codes"),
        (reverse("home"), "Continue to the app"),
    ]
    assert buttons[-1][0] == " primary"


def test_the_second_login_step_says_log_in_on_a_styled_button(client, user_factory):
    agent = user_factory(role=User.Role.AGENT)
    client.post(reverse("account_login"), {"login": agent.email, "password": PASSWORD})

    german = client.get(reverse("mfa_authenticate"), headers={"accept-language": "de"}).content.decode()
    english = client.get(reverse("mfa_authenticate"), headers={"accept-language": "en"}).content.decode()

    assert '<button type="submit" class="primary">Anmelden</button>' in german
    assert '<button type="submit" class="primary">Log in</button>' in english
    assert "Anmeldung" not in german and "Sign In" not in english


def test_allauths_address_management_is_closed_the_admin_keeps_the_login_address(client, user_factory):
    agent = user_factory(role=User.Role.AGENT)
    client.force_login(agent)

    shown = client.get("/accounts/email/")
    added = client.post("/accounts/email/", {"action_add": "", "email": "private@example.com"})

    assert shown.status_code == 302 and shown.url == reverse("account_settings")
    assert added.status_code == 302 and added.url == reverse("account_settings")
    assert not EmailAddress.objects.filter(email="private@example.com").exists()


def test_no_account_page_links_to_the_address_management(client, user_factory):
    agent = user_factory(role=User.Role.AGENT)
    RecoveryCodes.activate(agent)
    client.force_login(agent)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    pages = ["account_settings", "account_change_password", "mfa_index", "mfa_view_recovery_codes", "home"]

    links = {url for name in pages for url in _links(client.get(reverse(name), follow=True))}

    assert links and "/accounts/email/" not in links


@pytest.mark.django_db(transaction=True)  # allauth announces the new authenticator once the activation commits
def test_after_the_first_totp_activation_the_recovery_codes_show_without_asking_the_password_again(
    client, user_factory
):
    agent = user_factory(role=User.Role.AGENT, with_mfa=False)
    logged_in = client.post(reverse("account_login"), {"login": agent.email, "password": PASSWORD}, follow=True)
    secret = logged_in.context["form"].secret
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))

    activated = client.post(reverse("mfa_activate_totp"), {"code": code}, follow=True)

    assert activated.redirect_chain == [(reverse("mfa_view_recovery_codes"), 302)]
    assert activated.status_code == 200
    assert len(activated.context["unused_codes"]) == 10 and "****" not in activated.context["unused_codes"]
    assert client.get(reverse("mfa_download_recovery_codes")).status_code == 200


def test_the_recovery_codes_of_a_later_session_still_ask_for_the_password(client, user_factory):
    agent = user_factory(role=User.Role.AGENT)
    RecoveryCodes.activate(agent)
    client.post(reverse("account_login"), {"login": agent.email, "password": PASSWORD})
    client.post(
        reverse("mfa_authenticate"), {"code": format_hotp_value(hotp_value(TOTP_SECRET, int(time.time()) // 30))}
    )

    response = client.get(reverse("mfa_view_recovery_codes"))

    assert response.status_code == 302 and response.url.startswith(reverse("account_reauthenticate"))
