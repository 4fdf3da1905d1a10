"""Names are listed as German readers expect: umlauts beside their vowel, capitals among small letters."""

import pytest
from django.urls import reverse

from communityops.alphabetical import AlphabeticalKey, alphabetical_key
from communityops.models import Channel, Client, User

# In German order (DIN 5007-1: "Ä" counts as "A", "ß" as "ss"); by code point, the database's default, every
# capital came first and "Ärztekammer", "Österreich", "Übersee" and "éclair" after "Zoo".
GERMAN_ORDER = [
    *("apfel", "Ärztekammer", "Arztpraxis", "éclair", "Elbe", "ober", "Österreich"),
    *("Straße am Hafen", "Strasse Nord", "Übersee", "Ulm", "Zoo"),
]


def test_python_and_postgresql_make_the_same_keys(client_factory):
    for name in GERMAN_ORDER:
        client_factory(name=name)

    database_keys = dict(Client.objects.annotate(key=AlphabeticalKey("name")).values_list("name", "key"))

    assert database_keys == {name: alphabetical_key(name) for name in GERMAN_ORDER}
    assert sorted(GERMAN_ORDER, key=alphabetical_key) == GERMAN_ORDER


@pytest.fixture
def clients_in_code_point_order(client_factory):
    return [client_factory(name=name) for name in sorted(GERMAN_ORDER)]


def test_clients_and_their_channels_are_listed_alphabetically(clients_in_code_point_order, channel_factory):
    for client in clients_in_code_point_order:
        channel_factory(client=client, name=f"{client.name} Blog")

    assert list(Client.objects.values_list("name", flat=True)) == GERMAN_ORDER
    assert list(Channel.objects.values_list("client__name", flat=True)) == GERMAN_ORDER


def test_the_inbox_client_menu_and_the_admin_list_them_alphabetically(
    client, clients_in_code_point_order, agent_for, user_factory
):
    client.force_login(agent_for(*clients_in_code_point_order, with_mfa=True))
    page = client.get(reverse("inbox:queue")).content.decode()

    assert [page.index(f">{name}<") for name in GERMAN_ORDER] == sorted(
        page.index(f">{name}<") for name in GERMAN_ORDER
    )

    client.force_login(user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))
    admin_page = client.get(reverse("admin:communityops_client_changelist")).content.decode()

    positions = [admin_page.index(f">{name}<") for name in GERMAN_ORDER]
    assert positions == sorted(positions)
