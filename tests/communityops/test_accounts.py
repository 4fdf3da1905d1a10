import importlib
import re
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.apps import apps as django_apps
from django.contrib import admin as admin_site
from django.core import mail
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

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


def test_a_client_contact_s_login_is_named_after_the_contact(
    client, user_factory, client_factory, django_capture_on_commit_callbacks
):
    contact = ClientContact.objects.create(
        client=client_factory(), name="Jörg Müller", role="Inhaber", email="joerg@baeckerei-suess.example"
    )
    client.force_login(user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))

    with django_capture_on_commit_callbacks(execute=True):
        added = client.post(
            reverse("admin:communityops_user_add"),
            {"email": contact.email, "role": User.Role.CLIENT_CONTACT, "client_contact": contact.pk},
            headers={"Accept-Language": "de"},
            follow=True,
        )

    added_message = [str(message) for message in added.context["messages"]][-1]
    assert (
        added_message.startswith("Benutzer „<a ")
        and ">Jörg Müller</a>“ wurde erfolgreich hinzugefügt." in added_message
    )
    assert str(User.objects.get(email=contact.email)) == "Jörg Müller"
    assert mail.outbox[0].body.startswith("Hallo Jörg Müller,")


def test_the_invitation_says_until_when_its_link_works(user_factory, django_capture_on_commit_callbacks, settings):
    settings.PASSWORD_RESET_TIMEOUT = 2 * 24 * 60 * 60
    admin = user_factory(role=User.Role.ADMIN)

    # 48 hours from now, shown in local time (over a DST change that is not the same wall-clock time).
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        before = date_format(timezone.localtime(timezone.now() + timedelta(days=2)), "DATETIME_FORMAT")
        user_invite(acting_user=admin, email="new@agency.example", role=User.Role.AGENT, base_url="http://t/")
        after = date_format(timezone.localtime(timezone.now() + timedelta(days=2)), "DATETIME_FORMAT")

    assert any(f"The link is valid until {shown}." in mail.outbox[0].body for shown in (before, after))


def _set_password_from_mail(client, message, password: str) -> None:
    """Follow the link in the mail (allauth moves the key into the session) and set the password."""
    link = re.search(r"https?://\S+", message.body).group(0)
    form_page = client.get(link, follow=True)
    client.post(form_page.redirect_chain[-1][0], {"password1": password, "password2": password})


def _log_in_and_activate_totp(client, email: str, password: str):
    logged_in = client.post(reverse("account_login"), {"login": email, "password": password}, follow=True)
    assert logged_in.redirect_chain[-1][0] == reverse("mfa_activate_totp")  # the role requires it
    return client.post(reverse("mfa_activate_totp"), {"code": current_totp_code(logged_in.context["form"].secret)})


def test_an_invited_agent_sets_a_password_from_the_mail_logs_in_and_activates_totp(
    client, user_factory, has_totp, django_capture_on_commit_callbacks
):
    client.force_login(user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:communityops_user_add"), {"email": "greta@agentur.example", "role": User.Role.AGENT})
    client.logout()

    _set_password_from_mail(client, mail.outbox[0], "Greta-neu-2026!")
    activated = _log_in_and_activate_totp(client, "greta@agentur.example", "Greta-neu-2026!")

    assert activated.status_code == 302
    assert has_totp(User.objects.get(email="greta@agentur.example"))
    assert client.get(reverse("client_list")).status_code == 200


def test_a_password_reset_from_the_mail_lets_staff_without_a_verified_address_activate_totp(
    client, user_factory, has_totp
):
    """An account made outside the invitation (createsuperuser, the demo) has no verified address yet."""
    agent = user_factory(role=User.Role.AGENT, with_mfa=False)
    assert not EmailAddress.objects.filter(user=agent, verified=True).exists()
    client.post(reverse("account_reset_password"), {"email": agent.email})

    _set_password_from_mail(client, mail.outbox[0], "Neues-Passwort-2026!")
    activated = _log_in_and_activate_totp(client, agent.email, "Neues-Passwort-2026!")

    assert activated.status_code == 302
    assert has_totp(agent)
    assert EmailAddress.objects.get(user=agent).verified


def test_the_migration_verifies_the_login_address_of_every_existing_account(user_factory):
    migration = importlib.import_module("communityops.migrations.0005_login_addresses_verified")
    stuck = user_factory(role=User.Role.AGENT, with_mfa=False)  # set a password through an invitation
    EmailAddress.objects.create(user=stuck, email=stuck.email, verified=False, primary=False)
    never_synced = user_factory(role=User.Role.SHIFT_LEAD, with_mfa=False)  # made by createsuperuser or the demo

    migration.login_addresses_verify(django_apps, None)

    addresses = EmailAddress.objects.filter(user__in=[stuck, never_synced]).order_by("user_id")
    assert [(address.email, address.verified, address.primary) for address in addresses] == [
        (stuck.email, True, True),
        (never_synced.email, True, True),
    ]


def test_an_address_is_stored_in_lower_case_whoever_creates_the_account(
    user_factory, django_capture_on_commit_callbacks
):
    admin = user_factory(role=User.Role.ADMIN)

    with django_capture_on_commit_callbacks(execute=True):
        invited = user_invite(
            acting_user=admin, email=" Greta.Berg@Agentur.example ", role=User.Role.AGENT, base_url="http://testserver/"
        )
    created = User.objects.create_user(email="Hans@Agentur.example", password=PASSWORD)

    assert (invited.email, created.email) == ("greta.berg@agentur.example", "hans@agentur.example")
    assert EmailAddress.objects.get(user=invited).email == "greta.berg@agentur.example"


def test_the_admin_cannot_add_an_address_again_in_other_capitals(client, user_factory):
    user_factory(email="greta@agentur.example", first_name="Greta", last_name="Berg")
    client.force_login(user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))

    response = client.post(
        reverse("admin:communityops_user_add"),
        {"email": "Greta@Agentur.example", "role": User.Role.AGENT},
        headers={"Accept-Language": "en"},
    )

    assert response.status_code == 200
    assert "already exists: Greta Berg (greta@agentur.example)" in response.content.decode()
    assert User.objects.filter(email__iexact="greta@agentur.example").count() == 1
    assert mail.outbox == []


def test_the_database_refuses_an_address_again_in_other_capitals(user_factory):
    user_factory(email="greta@agentur.example")

    with pytest.raises(IntegrityError):
        User.objects.bulk_create([User(email="GRETA@agentur.example")])  # past every normalisation


def test_login_ignores_the_capitals_of_the_address(client, user_factory):
    agent = user_factory(email="Hans.Meier@Agentur.example", role=User.Role.AGENT)

    response = client.post(reverse("account_login"), {"login": "HANS.MEIER@agentur.EXAMPLE", "password": PASSWORD})

    assert response.status_code == 302 and response.url == reverse("mfa_authenticate")
    assert User.objects.get_by_natural_key("Hans.Meier@agentur.example") == agent


def test_a_password_reset_sends_one_mail_to_the_one_account(client, user_factory):
    user_factory(email="hans@agentur.example")

    client.post(reverse("account_reset_password"), {"email": "Hans@Agentur.example"})

    assert [message.to for message in mail.outbox] == [["hans@agentur.example"]]


def test_the_migration_lowers_the_existing_addresses_in_allauths_address_book_too(user_factory):
    migration = importlib.import_module("communityops.migrations.0006_user_email_unique_ignoring_case")
    greta = user_factory(email="greta@agentur.example")
    User.objects.filter(pk=greta.pk).update(email="Greta@Agentur.example")  # stored before the fix
    EmailAddress.objects.create(user=greta, email="Greta@Agentur.example", verified=True, primary=True)
    EmailAddress.objects.create(user=greta, email="greta@agentur.example", verified=False, primary=False)

    migration.emails_lowercase(django_apps, None)

    greta.refresh_from_db()
    assert greta.email == "greta@agentur.example"
    assert list(EmailAddress.objects.filter(user=greta).values_list("email", "verified", "primary")) == [
        ("greta@agentur.example", True, True)
    ]


def test_allauths_mails_name_the_product_not_the_host(client, user_factory):
    agent = user_factory(role=User.Role.AGENT)

    client.post(reverse("account_reset_password"), {"email": agent.email}, headers={"accept-language": "de"})

    message = mail.outbox[0]
    link = re.search(r"https?://\S+", message.body).group(0)
    assert message.subject.startswith("[CommunityOps] ")
    assert message.body.startswith("Hallo,") and message.body.rstrip().endswith("Ihr CommunityOps-Team")
    assert "testserver" not in message.body.replace(link, "")


def test_the_lockout_after_failed_logins_says_how_long_and_how_out(client, user_factory):
    agent = user_factory(role=User.Role.AGENT)
    for _attempt in range(5):
        client.post(reverse("account_login"), {"login": agent.email, "password": "wrong"})

    german = client.post(
        reverse("account_login"), {"login": agent.email, "password": PASSWORD}, headers={"accept-language": "de"}
    )
    english = client.post(
        reverse("account_login"), {"login": agent.email, "password": PASSWORD}, headers={"accept-language": "en"}
    )

    assert "für höchstens 5 Minuten gesperrt" in german.content.decode()
    assert "über „Passwort vergessen?“ ein neues Passwort fest" in german.content.decode()
    assert "paused for at most 5 minutes" in english.content.decode()


def test_a_deactivated_account_is_told_so_and_whom_to_ask(client, user_factory):
    agent = user_factory(role=User.Role.AGENT, is_active=False)

    response = client.post(
        reverse("account_login"),
        {"login": agent.email, "password": PASSWORD},
        headers={"accept-language": "de"},
        follow=True,
    )

    page = response.content.decode()
    assert "Ihr Konto wurde deaktiviert" in page
    assert "Administrator" in page
    assert "_auth_user_id" not in client.session


def test_an_address_the_admin_changed_away_gets_no_reset_mail_and_can_be_invited_again(
    rf, user_factory, django_capture_on_commit_callbacks, client
):
    admin = user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True)
    with django_capture_on_commit_callbacks(execute=True):
        greta = user_invite(acting_user=admin, email="old@agency.example", role=User.Role.AGENT, base_url="http://t/")
    greta.email = "new@agency.example"
    request = rf.post("/admin/")
    request.user = admin
    admin_site.site._registry[User].save_model(request, greta, SimpleNamespace(changed_data=["email"]), change=True)
    mail.outbox.clear()

    client.post(reverse("account_reset_password"), {"email": "old@agency.example"})
    with django_capture_on_commit_callbacks(execute=True):
        again = user_invite(acting_user=admin, email="old@agency.example", role=User.Role.AGENT, base_url="http://t/")

    assert [message.to for message in mail.outbox] == [["old@agency.example"]]  # the new invitation only
    assert list(EmailAddress.objects.filter(user=greta).values_list("email", "verified", "primary")) == [
        ("new@agency.example", True, True)
    ]
    assert EmailAddress.objects.get(email="old@agency.example").user == again


def _links(response) -> list[str]:
    return re.findall(r'<a [^>]*href="([^"]+)"', response.content.decode())


def _invite(user_factory, django_capture_on_commit_callbacks, **fields) -> None:
    admin = user_factory(role=User.Role.ADMIN)
    with django_capture_on_commit_callbacks(execute=True), translation.override("de"):
        user_invite(acting_user=admin, role=User.Role.AGENT, base_url="http://testserver/", **fields)


def test_the_invitation_page_sets_a_first_password_says_so_once_and_leads_on_to_login(
    client, user_factory, django_capture_on_commit_callbacks
):
    _invite(user_factory, django_capture_on_commit_callbacks, email="greta@agentur.example")
    link = re.search(r"https?://\S+", mail.outbox[0].body).group(0)
    german = {"accept-language": "de"}

    form_page = client.get(link, follow=True, headers=german)
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"password1": "Greta-neu-2026!", "password2": "Greta-neu-2026!"},
        headers=german,
        follow=True,
    )

    form_text = form_page.content.decode()
    assert "<h1>Passwort festlegen</h1>" in form_text and "ändern" not in form_text
    assert done.redirect_chain[-1][0] == reverse("account_reset_password_from_key_done")
    assert [str(message) for message in done.context["messages"]] == []  # the page itself says it, once
    done_text = done.content.decode()
    assert "<h1>Passwort festgelegt</h1>" in done_text and "geändert" not in done_text
    assert reverse("account_login") in _links(done)


def test_a_forgotten_password_is_replaced_on_a_page_that_says_new_password(client, user_factory):
    agent = user_factory(role=User.Role.AGENT)
    client.post(reverse("account_reset_password"), {"email": agent.email})
    link = re.search(r"https?://\S+", mail.outbox[0].body).group(0)

    form_page = client.get(link, follow=True, headers={"accept-language": "en"})

    assert "<h1>Set a new password</h1>" in form_page.content.decode()


def test_the_invitation_mail_has_the_frame_of_the_other_account_mails(user_factory, django_capture_on_commit_callbacks):
    _invite(user_factory, django_capture_on_commit_callbacks, email="greta@agentur.example", first_name="Greta")

    invitation = mail.outbox[0]

    assert invitation.subject.startswith("[CommunityOps] ")
    assert invitation.body.startswith("Hallo Greta,")
    assert invitation.body.rstrip().endswith("Ihr CommunityOps-Team")
    assert "http://testserver/accounts/password/reset/key/" in invitation.body


def test_the_admin_login_form_cannot_skip_the_second_factor(client, user_factory):
    """The admin's own login form asked only for the password: an admin with TOTP was let into
    the admin, the inbox and the API without a code. It now hands over to the login with TOTP."""
    admin = user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True)

    form = client.get("/admin/login/?next=/admin/")
    client.post("/admin/login/?next=/admin/", {"username": admin.email, "password": PASSWORD, "next": "/admin/"})

    assert form.status_code == 302
    assert form.url == reverse("account_login") + "?next=%2Fadmin%2F"
    assert client.get("/admin/").status_code == 302
    assert client.get(reverse("client_list")).status_code == 302
    assert client.get(reverse("api_me")).status_code == 401
