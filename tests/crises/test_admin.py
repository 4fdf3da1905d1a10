"""Admin: approval settings and escalation steps name only contacts of their own client."""

import pytest
from django.urls import reverse

from crises.models import AgencyRole, ApprovalSettings, EscalationPolicy, Severity


@pytest.fixture
def two_clients(client_factory, contact_factory):
    own_client = client_factory(name="Brauhaus Isartal")
    own = contact_factory(own_client, name="Sabine Own")
    foreign = contact_factory(client_factory(name="Geheimbrauerei"), name="Fritz Foreign")
    return {"client": own_client, "own": own, "foreign": foreign}


def _settings_data(*, client, approvers, fallback=None) -> dict:
    return {
        "client": client.pk,
        "rule": ApprovalSettings.Rule.ALL,
        "approvers": [contact.pk for contact in approvers],
        "reminder_minutes": 15,
        "deadline_minutes": 30,
        "fallback_approver": fallback.pk if fallback else "",
        "link_valid_hours": 24,
    }


def _policy_data(*, client, step_contacts, step_id="") -> dict:
    return {
        "client": client.pk,
        "name": "Shitstorm ladder",
        "is_active": "on",
        "steps-TOTAL_FORMS": 1,
        "steps-INITIAL_FORMS": 1 if step_id else 0,
        "steps-0-id": step_id,
        "steps-0-position": 1,
        "steps-0-contacts": [contact.pk for contact in step_contacts],
        "steps-0-agency_roles": [],  # ticked boxes: none is nothing posted
        "steps-0-channel": "email",
        "steps-0-webhook_url": "",
        "steps-0-wait_minutes": 15,
        "steps-0-severities": [],
        "steps-0-business_hours": "both",
    }


def _foreign_error(two_clients) -> str:
    return (
        f"{two_clients['foreign'].name} is a contact of Geheimbrauerei, not of {two_clients['client'].name}: "
        "only the client&#x27;s own contacts can be named here."
    )


def test_approval_settings_offer_only_the_clients_own_contacts(admin_http, two_clients):
    settings = ApprovalSettings.objects.create(client=two_clients["client"])

    page = admin_http.get(reverse("admin:crises_approvalsettings_change", args=[settings.pk])).content.decode()

    assert two_clients["own"].name in page
    assert two_clients["foreign"].name not in page


def test_approval_settings_refuse_another_clients_contact_by_name(admin_http, two_clients):
    settings = ApprovalSettings.objects.create(client=two_clients["client"])
    settings.approvers.set([two_clients["own"]])

    response = admin_http.post(
        reverse("admin:crises_approvalsettings_change", args=[settings.pk]),
        _settings_data(
            client=two_clients["client"],
            approvers=[two_clients["own"], two_clients["foreign"]],
            fallback=two_clients["foreign"],
        ),
        headers={"Accept-Language": "en"},
    )

    settings.refresh_from_db()
    assert response.status_code == 200
    assert response.content.decode().count(_foreign_error(two_clients)) == 2  # approvers and fallback
    assert list(settings.approvers.all()) == [two_clients["own"]]
    assert (settings.rule, settings.fallback_approver) == (ApprovalSettings.Rule.ANY, None)


def test_new_approval_settings_are_checked_against_the_chosen_client(admin_http, two_clients):
    refused = admin_http.post(
        reverse("admin:crises_approvalsettings_add"),
        _settings_data(client=two_clients["client"], approvers=[two_clients["foreign"]]),
        headers={"Accept-Language": "en"},
    )
    saved = admin_http.post(
        reverse("admin:crises_approvalsettings_add"),
        _settings_data(client=two_clients["client"], approvers=[two_clients["own"]]),
    )

    assert refused.status_code == 200 and _foreign_error(two_clients) in refused.content.decode()
    assert saved.status_code == 302
    assert list(ApprovalSettings.objects.get(client=two_clients["client"]).approvers.all()) == [two_clients["own"]]


def test_escalation_steps_offer_only_the_clients_own_contacts(admin_http, two_clients, policy_factory):
    policy = policy_factory(two_clients["client"], [{"contacts": [two_clients["own"]]}])

    page = admin_http.get(reverse("admin:crises_escalationpolicy_change", args=[policy.pk])).content.decode()

    assert two_clients["own"].name in page
    assert two_clients["foreign"].name not in page


def test_an_escalation_step_refuses_another_clients_contact_by_name(admin_http, two_clients, policy_factory):
    policy = policy_factory(two_clients["client"], [{"contacts": [two_clients["own"]]}])
    step = policy.steps.get()

    response = admin_http.post(
        reverse("admin:crises_escalationpolicy_change", args=[policy.pk]),
        _policy_data(
            client=two_clients["client"], step_contacts=[two_clients["own"], two_clients["foreign"]], step_id=step.pk
        ),
        headers={"Accept-Language": "en"},
    )

    assert response.status_code == 200 and _foreign_error(two_clients) in response.content.decode()
    assert list(step.contacts.all()) == [two_clients["own"]]


def test_a_new_escalation_policy_is_checked_against_the_chosen_client(admin_http, two_clients):
    refused = admin_http.post(
        reverse("admin:crises_escalationpolicy_add"),
        _policy_data(client=two_clients["client"], step_contacts=[two_clients["foreign"]]),
        headers={"Accept-Language": "en"},
    )
    refused_policies = EscalationPolicy.objects.count()
    saved = admin_http.post(
        reverse("admin:crises_escalationpolicy_add"),
        _policy_data(client=two_clients["client"], step_contacts=[two_clients["own"]]),
    )

    assert refused.status_code == 200 and _foreign_error(two_clients) in refused.content.decode()
    assert refused_policies == 0
    assert saved.status_code == 302
    assert list(EscalationPolicy.objects.get(client=two_clients["client"]).steps.get().contacts.all()) == [
        two_clients["own"]
    ]


def test_the_approval_settings_add_page_offers_no_contacts_before_a_client_is_chosen(admin_http, two_clients):
    page = admin_http.get(reverse("admin:crises_approvalsettings_add"), headers={"Accept-Language": "en"})

    html = page.content.decode()
    assert two_clients["own"].name not in html and two_clients["foreign"].name not in html
    assert "Empty means every contact allowed to approve." in html
    assert "The client's contacts are offered once the client is chosen" in html


def test_the_approval_settings_add_page_for_a_client_offers_only_its_contacts(admin_http, two_clients):
    add_url = f"{reverse('admin:crises_approvalsettings_add')}?client={two_clients['client'].pk}"

    opened = admin_http.get(add_url).content.decode()
    resubmitted = admin_http.post(
        reverse("admin:crises_approvalsettings_add"),
        {**_settings_data(client=two_clients["client"], approvers=[two_clients["own"]]), "reminder_minutes": "x"},
    ).content.decode()

    for page in (opened, resubmitted):
        assert two_clients["own"].name in page
        assert two_clients["foreign"].name not in page


def test_the_escalation_policy_add_page_offers_step_contacts_only_of_the_chosen_client(admin_http, two_clients):
    blank = admin_http.get(reverse("admin:crises_escalationpolicy_add")).content.decode()
    for_client = admin_http.get(
        f"{reverse('admin:crises_escalationpolicy_add')}?client={two_clients['client'].pk}"
    ).content.decode()

    assert two_clients["own"].name not in blank and two_clients["foreign"].name not in blank
    assert two_clients["own"].name in for_client and two_clients["foreign"].name not in for_client


def test_an_escalation_steps_agency_roles_and_severities_are_ticked_by_name(admin_http, two_clients):
    # They were text boxes that wanted the stored codes typed in ("on_call_lead", "1").
    page = admin_http.get(reverse("admin:crises_escalationpolicy_add"), headers={"Accept-Language": "de"})
    saved = admin_http.post(
        reverse("admin:crises_escalationpolicy_add"),
        {
            **_policy_data(client=two_clients["client"], step_contacts=[two_clients["own"]]),
            "steps-0-agency_roles": [AgencyRole.ON_CALL_LEAD, AgencyRole.ALL_SHIFT_LEADS],
            "steps-0-severities": [Severity.CRITICAL, Severity.HIGH],
        },
    )

    html = page.content.decode()
    assert 'type="checkbox" name="steps-__prefix__-agency_roles" value="on_call_lead"' in html
    assert "Schichtleitung in Rufbereitschaft" in html
    assert 'type="checkbox" name="steps-__prefix__-severities" value="1"' in html
    assert saved.status_code == 302
    step = EscalationPolicy.objects.get(client=two_clients["client"]).steps.get()
    assert (step.agency_roles, step.severities) == (["on_call_lead", "all_shift_leads"], [1, 2])


@pytest.mark.parametrize(
    ("step", "field", "error"),
    [
        (
            {"steps-0-channel": "chat_webhook"},
            "webhook_url",
            "A step that alerts through a webhook needs its address.",
        ),
        (
            {"steps-0-channel": "outgoing_webhook", "steps-0-webhook_url": "https://sms.example/send"},
            "contacts",
            "An SMS / phone step reaches a contact by their phone number; none is stored for Sabine Own.",
        ),
    ],
)
def test_an_escalation_step_that_would_not_reach_whom_it_names_is_refused(admin_http, two_clients, step, field, error):
    # Saved, it alerted nobody: the chat alert had no address; the SMS step left out the contact.
    response = admin_http.post(
        reverse("admin:crises_escalationpolicy_add"),
        {**_policy_data(client=two_clients["client"], step_contacts=[two_clients["own"]]), **step},
        headers={"Accept-Language": "en"},
    )

    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.forms[0].errors[field] == [error]
    assert not EscalationPolicy.objects.exists()


def test_an_sms_step_names_contacts_with_a_phone_number(admin_http, two_clients, contact_factory):
    reachable = contact_factory(two_clients["client"], name="Petra Phone", phone="+49 221 123456")

    saved = admin_http.post(
        reverse("admin:crises_escalationpolicy_add"),
        {
            **_policy_data(client=two_clients["client"], step_contacts=[reachable]),
            "steps-0-channel": "outgoing_webhook",
            "steps-0-webhook_url": "https://sms.example/send",
        },
    )

    assert saved.status_code == 302
    assert list(EscalationPolicy.objects.get().steps.get().contacts.all()) == [reachable]


def _two_steps(two_clients, **second) -> dict:
    """A policy whose first step alerts the lead on call by itself, and a second step `second`."""
    data = _policy_data(client=two_clients["client"], step_contacts=[])
    return {
        **data,
        "steps-TOTAL_FORMS": 2,
        **{key.replace("steps-0-", "steps-1-"): value for key, value in data.items() if key.startswith("steps-0-")},
        "steps-1-position": 2,
        **second,
    }


def test_a_later_escalation_step_that_names_nobody_is_refused(admin_http, two_clients):
    # Saved, the second step fired to nobody: only the first one alerts the lead on call by itself.
    response = admin_http.post(
        reverse("admin:crises_escalationpolicy_add"), _two_steps(two_clients), headers={"Accept-Language": "en"}
    )

    forms = response.context["inline_admin_formsets"][0].formset.forms
    assert (forms[0].errors, forms[1].non_field_errors()) == (
        {},
        ["This step alerts nobody: choose client contacts or agency roles, or remove it."],
    )
    assert not EscalationPolicy.objects.exists()


@pytest.mark.parametrize("names", ["contacts", "agency_roles"])
def test_a_later_escalation_step_that_names_contacts_or_roles_is_saved(admin_http, two_clients, names):
    named = {"contacts": [two_clients["own"].pk], "agency_roles": [AgencyRole.ALL_SHIFT_LEADS]}[names]

    saved = admin_http.post(
        reverse("admin:crises_escalationpolicy_add"), _two_steps(two_clients, **{f"steps-1-{names}": named})
    )

    assert saved.status_code == 302
    assert EscalationPolicy.objects.get().steps.count() == 2
