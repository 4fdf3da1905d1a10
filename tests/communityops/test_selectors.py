import pytest
from django.http import Http404

from communityops.models import User
from communityops.selectors import client_get_for_user, client_queryset_for_user


def test_agent_sees_only_clients_of_their_teams(client_factory, agent_for):
    served, other = client_factory(), client_factory()
    agent = agent_for(served)

    assert list(client_queryset_for_user(user=agent)) == [served]
    with pytest.raises(Http404):
        client_get_for_user(user=agent, client_id=other.pk)


def test_agent_in_two_teams_sees_each_client_once(client_factory, agent_for, team_factory):
    first, second = client_factory(), client_factory()
    agent = agent_for(first, second)
    team_factory(members=[agent], clients=[first])

    assert sorted(c.pk for c in client_queryset_for_user(user=agent)) == sorted([first.pk, second.pk])


def test_client_contact_sees_only_their_client(client_factory, contact_user_for):
    own, foreign = client_factory(), client_factory()
    contact = contact_user_for(own)

    assert list(client_queryset_for_user(user=contact)) == [own]
    with pytest.raises(Http404):
        client_get_for_user(user=contact, client_id=foreign.pk)


@pytest.mark.parametrize("role", [User.Role.ADMIN, User.Role.SHIFT_LEAD])
def test_admins_and_shift_leads_see_every_client(client_factory, user_factory, role):
    clients = {client_factory().pk, client_factory().pk}
    user = user_factory(role=role)

    assert clients <= set(client_queryset_for_user(user=user).values_list("pk", flat=True))


def test_inactive_user_sees_nothing(client_factory, user_factory):
    client_factory()
    user = user_factory(role=User.Role.ADMIN, is_active=False)

    assert not client_queryset_for_user(user=user).exists()
