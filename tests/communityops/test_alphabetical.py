"""Names are listed as German readers expect: umlauts beside their vowel, capitals among small letters."""

import re

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


def test_the_admin_lists_per_client_settings_by_client_alphabetically(
    client, clients_in_code_point_order, user_factory
):
    """The changelists of what each client has once (a coverage plan, an escalation policy,
    detection and approval settings) list "Ärztekammer" beside "Arztpraxis", not after "Zoo"
    (coverage plans sorted by code point; the others had no order at all: newest first)."""
    from billing.models import CoveragePlan
    from billing.selectors import rate_card_current
    from crises.models import ApprovalSettings, DetectionSettings, EscalationPolicy

    rate_card = rate_card_current()
    for number, one in enumerate(reversed(clients_in_code_point_order)):
        CoveragePlan.objects.create(
            client=one,
            windows=[[0, 8, 18]],
            federal_state="BY",
            response_minutes=60,
            channels=1,
            comments_per_month=100,
            valid_from=f"2026-01-{number + 1:02d}",
            rate_card=rate_card,
        )
    for one in clients_in_code_point_order:  # created in code point order: newest first is "Zoo" first
        EscalationPolicy.objects.create(client=one, name=f"Kette {one.name}")
        DetectionSettings.objects.create(client=one)
        ApprovalSettings.objects.create(client=one)
    client.force_login(user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))

    for changelist in (
        "admin:billing_coverageplan_changelist",
        "admin:crises_escalationpolicy_changelist",
        "admin:crises_detectionsettings_changelist",
        "admin:crises_approvalsettings_changelist",
    ):
        page = client.get(reverse(changelist)).content.decode()
        listed = page[page.index('id="result_list"') :]
        positions = [listed.index(name) for name in GERMAN_ORDER]
        assert positions == sorted(positions), changelist


def test_the_admin_user_list_sorts_by_the_name_as_the_column_shows_it(client, user_factory):
    # The column shows "first last" and sorted by the last name alone, by code point.
    for first_name, last_name in [("Anna", "Zimmer"), ("Bert", "Albrecht"), ("Ömer", "Yilmaz"), ("otto", "Ernst")]:
        user_factory(first_name=first_name, last_name=last_name)
    client.force_login(user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True, first_name="Zora"))
    name_column = 2  # after the checkbox and the email

    page = client.get(reverse("admin:communityops_user_changelist"), {"o": name_column}).content.decode()

    names = re.findall(r'<td class="field-name">([^<]*)</td>', page)
    assert names == ["Anna Zimmer", "Bert Albrecht", "Ömer Yilmaz", "otto Ernst", "Zora"]
