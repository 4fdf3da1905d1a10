import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from django.urls import reverse

from communityops.models import ClientContact, User
from communityops.services import user_invite
from tests.conftest import PASSWORD, TOTP_SECRET


def current_totp_code(secret: str = TOTP_SECRET) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_staff_without_mfa_is_sent_to_totp_setup_before_anything_else(client, user_factory):
    agent = user_factory(role=User.Role.AGENT, with_mfa=False)
    client.force_login(agent)

    response = client.get(reverse("client_list"))

    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_staff_without_mfa_gets_403_from_the_api(client, user_factory):
    client.force_login(user_factory(role=User.Role.AGENT, with_mfa=False))

    response = client.get(reverse("api_client_list"))

    assert response.status_code == 403


def test_client_contact_needs_no_mfa(client, client_factory, contact_user_for):
    contact = contact_user_for(client_factory())
    client.force_login(contact)

    response = client.get(reverse("portal_home"))

    assert response.status_code == 200


def test_staff_login_asks_for_the_totp_code_and_then_lets_them_in(client, user_factory, has_totp):
    agent = user_factory(role=User.Role.AGENT)
    assert has_totp(agent)

    response = client.post(reverse("account_login"), {"login": agent.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    page = client.get(reverse("mfa_authenticate")).content.decode()
    assert "autofocus" in page[page.index('name="code"') - 200 : page.index('name="code"') + 200]  # type at once

    response = client.post(reverse("mfa_authenticate"), {"code": current_totp_code()})

    assert response.status_code == 302
    assert client.get(reverse("client_list")).status_code == 200


def test_signup_is_closed(client, db):
    response = client.post(
        reverse("account_signup"),
        {"email": "x@example.com", "password1": "a-Long-pass-1", "password2": "a-Long-pass-1"},
    )

    assert not User.objects.filter(email="x@example.com").exists()
    assert response.status_code == 200


def test_after_five_failed_logins_even_the_right_password_is_refused(client, user_factory):
    agent = user_factory(role=User.Role.AGENT)
    for _attempt in range(5):
        client.post(reverse("account_login"), {"login": agent.email, "password": "wrong"})

    response = client.post(reverse("account_login"), {"login": agent.email, "password": PASSWORD})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_admin_invites_staff_with_a_set_password_link(user_factory, django_capture_on_commit_callbacks):
    admin = user_factory(role=User.Role.ADMIN)

    with django_capture_on_commit_callbacks(execute=True):
        invited = user_invite(
            acting_user=admin, email="new.agent@agency.example", role=User.Role.AGENT, base_url="http://testserver/"
        )

    assert not invited.has_usable_password()
    assert len(mail.outbox) == 1
    assert "http://testserver/accounts/password/reset/key/" in mail.outbox[0].body


def test_only_admins_invite(user_factory):
    agent = user_factory(role=User.Role.AGENT)

    with pytest.raises(PermissionError):
        user_invite(acting_user=agent, email="x@agency.example", role=User.Role.AGENT, base_url="http://testserver/")


def test_the_admin_invites_a_client_contact_only_with_their_contact(
    client, user_factory, client_factory, django_capture_on_commit_callbacks
):
    customer = client_factory()
    contact = ClientContact.objects.create(client=customer, name="Sabine", role="PR", email="sabine@client.example")
    client.force_login(user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))
    form = {"email": "sabine@client.example", "role": User.Role.CLIENT_CONTACT, "first_name": "Sabine"}
    add_url = reverse("admin:communityops_user_add")

    without_contact = client.post(add_url, form, headers={"Accept-Language": "en"})
    with django_capture_on_commit_callbacks(execute=True):
        with_contact = client.post(add_url, {**form, "client_contact": contact.pk})

    assert without_contact.status_code == 200
    assert "needs the contact it belongs to" in without_contact.content.decode()
    invited = User.objects.get(email="sabine@client.example")
    contact.refresh_from_db()
    assert with_contact.status_code == 302 and contact.user == invited
    assert not invited.has_usable_password() and len(mail.outbox) == 1
