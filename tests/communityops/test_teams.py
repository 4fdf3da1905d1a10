"""Teams are agency staff: a client contact's account never joins one."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from communityops.models import ClientContact, Team, User
from communityops.services import user_invite

ENGLISH = {"Accept-Language": "en"}


@pytest.fixture
def admin_http(client, user_factory):
    client.force_login(user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def portal_user(user_factory, client_factory):
    user = user_factory(role=User.Role.CLIENT_CONTACT, first_name="Sabine", last_name="Portal")
    ClientContact.objects.create(client=client_factory(), name="Sabine", role="PR", email=user.email, user=user)
    return user


def test_the_team_admin_refuses_a_client_contacts_account_by_name(admin_http, user_factory, portal_user):
    agent = user_factory(role=User.Role.AGENT)

    refused = admin_http.post(
        reverse("admin:communityops_team_add"),
        {"name": "Team Süd", "members": [agent.pk, portal_user.pk]},
        headers=ENGLISH,
    )
    saved = admin_http.post(reverse("admin:communityops_team_add"), {"name": "Team Süd", "members": [agent.pk]})

    assert refused.status_code == 200
    assert (
        "Sabine Portal is a client contact&#x27;s account: teams are for agency staff (agents, shift leads, admins)."
        in refused.content.decode()
    )
    assert saved.status_code == 302
    assert list(Team.objects.get(name="Team Süd").members.all()) == [agent]


def test_the_team_admin_offers_staff_and_names_a_client_contact_stored_before(
    admin_http, user_factory, team_factory, portal_user
):
    lead = user_factory(role=User.Role.SHIFT_LEAD, first_name="Lena", last_name="Lead")
    team = team_factory(members=[portal_user])

    add_page = admin_http.get(reverse("admin:communityops_team_add")).content.decode()
    resaved = admin_http.post(
        reverse("admin:communityops_team_change", args=[team.pk]),
        {"name": team.name, "members": [portal_user.pk, lead.pk]},
        headers=ENGLISH,
    )

    assert "Lena Lead" in add_page and "Sabine Portal" not in add_page
    assert resaved.status_code == 200 and "Sabine Portal is a client contact" in resaved.content.decode()
    assert list(team.members.all()) == [portal_user]  # unchanged: the admin removes them by hand


def test_inviting_a_client_contact_into_a_team_is_refused(user_factory, team_factory, client_factory):
    contact = ClientContact.objects.create(client=client_factory(), name="Sabine", role="PR", email="s@client.example")

    with pytest.raises(ValidationError) as refused:
        user_invite(
            acting_user=user_factory(role=User.Role.ADMIN),
            email="s@client.example",
            role=User.Role.CLIENT_CONTACT,
            teams=[team_factory()],
            client_contact=contact,
            base_url="http://testserver/",
        )

    assert [error.code for error in refused.value.error_list] == ["not_agency_staff"]
    assert not User.objects.filter(email="s@client.example").exists()


def test_a_team_member_does_not_become_a_client_contact_while_in_the_team(admin_http, user_factory, team_factory):
    agent = user_factory(role=User.Role.AGENT, first_name="Anna", last_name="Agent")
    team_factory(name="Team Nord", members=[agent])

    response = admin_http.post(
        reverse("admin:communityops_user_change", args=[agent.pk]),
        {
            "email": agent.email,
            "first_name": "Anna",
            "last_name": "Agent",
            "role": User.Role.CLIENT_CONTACT,
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "09:00:00",
        },
        headers=ENGLISH,
    )

    agent.refresh_from_db()
    assert response.status_code == 200
    assert "Anna Agent is a member of Team Nord: teams are for agency staff." in response.content.decode()
    assert agent.role == User.Role.AGENT


def test_the_team_page_invites_nobody_but_still_adds_clients(admin_http):
    page = admin_http.get(reverse("admin:communityops_team_add")).content.decode()

    # The "+" beside the members opened the invitation, which offers the client-contact role.
    assert 'id="add_id_members"' not in page
    assert 'id="add_id_clients"' in page
