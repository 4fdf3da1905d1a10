"""The admin follows Django's model permissions, and its actions are a shift lead's or an admin's.

A staff account without permissions sees nothing of the crises; one allowed to view a list may not
run the list's actions (retry a send, release claims, accept a quote, also from its page, send invitations).
"""

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from billing.services import quote_create
from communityops.models import ClientContact, User
from communityops.selectors import portal_contact_for_user
from crises.models import Crisis
from inbox.models import OutboundAction
from inbox.services.outbox import outbound_action_retry_now
from tests.billing.conftest import pricing_input


def _staff_agent(user_factory, *codenames: str) -> User:
    agent = user_factory(role=User.Role.AGENT, is_staff=True)
    agent.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return agent


def _failed_action(open_item_factory) -> OutboundAction:
    return OutboundAction.objects.create(
        item=open_item_factory(),
        kind=OutboundAction.Kind.HIDE,
        status=OutboundAction.Status.FAILED,
        attempts=8,
        last_error="HTTP 500",
    )


def test_a_staff_account_without_permissions_sees_no_crisis_in_the_admin(client, user_factory, client_factory):
    crisis = Crisis.objects.create(client=client_factory(), title="Geheime Krise")
    client.force_login(_staff_agent(user_factory))

    listing = client.get(reverse("admin:crises_crisis_changelist"))
    page = client.get(reverse("admin:crises_crisis_change", args=[crisis.pk]))

    assert (listing.status_code, page.status_code) == (403, 403)
    assert "Geheime Krise" not in listing.content.decode() + page.content.decode()


def test_may_view_is_not_may_retry_a_failed_send(client, user_factory, open_item_factory):
    action = _failed_action(open_item_factory)
    client.force_login(_staff_agent(user_factory, "view_outboundaction"))
    changelist = reverse("admin:inbox_outboundaction_changelist")

    listing = client.get(changelist)
    client.post(changelist, {"action": "retry_now", "_selected_action": [action.pk]})

    assert listing.status_code == 200 and "retry_now" not in listing.content.decode()
    action.refresh_from_db()
    assert (action.attempts, action.status) == (8, OutboundAction.Status.FAILED)


def _quote(_open_item_factory) -> None:
    quote_create(pricing_input=pricing_input(windows=[(0, 17, 22)], start=date(2027, 1, 4)))


@pytest.mark.parametrize(
    ("codename", "changelist", "action", "row"),
    [
        ("view_item", "admin:inbox_item_changelist", "release_claims", lambda factory: factory()),
        ("view_quote", "admin:billing_quote_changelist", "accept_for_client", _quote),
        ("view_user", "admin:communityops_user_changelist", "send_invitation", lambda factory: None),
    ],
)
def test_list_actions_are_not_offered_to_an_agent_who_may_only_view(
    client, user_factory, open_item_factory, codename, changelist, action, row
):
    row(open_item_factory)  # the admin offers actions only above a list with rows
    client.force_login(_staff_agent(user_factory, codename))

    listing = client.get(reverse(changelist)).content.decode()

    assert 'id="result_list"' in listing  # the list has rows: actions would be offered here
    assert f'value="{action}"' not in listing


@pytest.mark.parametrize(
    ("role", "offered", "status"),
    [(User.Role.AGENT, False, 403), (User.Role.SHIFT_LEAD, True, 302)],
)
def test_only_shift_leads_and_admins_accept_a_quote_on_its_page(
    client, user_factory, client_factory, role, offered, status
):
    # Both may look at quotes; the page's "Accept for a client" is the list action's, a shift lead's.
    quote = quote_create(pricing_input=pricing_input(windows=[(0, 17, 22)], start=date(2027, 1, 4)))
    customer = client_factory(federal_state="BY")
    user = user_factory(role=role, is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename="view_quote"))
    client.force_login(user)
    accept_url = reverse("admin:billing_quote_accept", args=[quote.pk])

    page = client.get(reverse("admin:billing_quote_change", args=[quote.pk])).content.decode()
    response = client.post(accept_url, {"client": customer.pk, "apply": "1"})

    assert (accept_url in page, response.status_code) == (offered, status)
    quote.refresh_from_db()
    assert (quote.client == customer) is offered


def test_a_shift_lead_is_offered_the_retry_and_it_runs(client, user_factory, open_item_factory):
    action = _failed_action(open_item_factory)
    lead = user_factory(role=User.Role.SHIFT_LEAD, is_staff=True)
    lead.user_permissions.set(Permission.objects.filter(codename="view_outboundaction"))
    client.force_login(lead)
    changelist = reverse("admin:inbox_outboundaction_changelist")

    assert 'value="retry_now"' in client.get(changelist).content.decode()
    client.post(changelist, {"action": "retry_now", "_selected_action": [action.pk]})

    action.refresh_from_db()
    assert action.attempts == 0


def test_the_retry_service_refuses_an_agent(user_factory, open_item_factory):
    action = _failed_action(open_item_factory)

    with pytest.raises(PermissionDenied):
        outbound_action_retry_now(action_id=action.pk, acting_user=user_factory(role=User.Role.AGENT))

    action.refresh_from_db()
    assert action.attempts == 8


def test_an_agency_account_cannot_be_a_contacts_portal_login(client, user_factory, client_factory):
    agent = user_factory(role=User.Role.AGENT)
    client.force_login(user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))
    customer = client_factory()

    response = client.post(
        reverse("admin:communityops_clientcontact_add"),
        {"client": customer.pk, "name": "Sabine", "role": "PR", "email": "s@example.com", "user": agent.pk},
    )

    assert response.status_code == 200 and "user" in response.context["adminform"].form.errors
    assert not ClientContact.objects.exists()


def test_an_agency_account_linked_to_a_contact_anyway_never_acts_as_the_client(user_factory, client_factory):
    agent = user_factory(role=User.Role.AGENT)
    ClientContact.objects.create(
        client=client_factory(), name="Falsch verknüpft", role="PR", email="f@example.com", user=agent
    )

    assert portal_contact_for_user(user=agent) is None
