"""A contact of client A can neither see nor approve client B's crisis: pages and API."""

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from crises.models import ResponseDraft
from crises.services import (
    crisis_create,
    crisis_items_link,
    crisis_post_mortem_write,
    response_draft_create,
    response_draft_submit,
)


@pytest.fixture
def two_clients(client_factory, contact_user_for, shift_lead):
    own, foreign = client_factory(), client_factory()
    contact = contact_user_for(own)
    contact_user_for(foreign)
    crises = {}
    for key, client in (("own", own), ("foreign", foreign)):
        crisis = crisis_create(acting_user=shift_lead, client=client, title=f"Crisis {key}", now=timezone.now())
        draft = response_draft_create(crisis=crisis, acting_user=shift_lead, text="Text", now=timezone.now())
        response_draft_submit(draft=draft, acting_user=shift_lead, now=timezone.now())
        crises[key] = (crisis, draft)
    return {"contact": contact, **crises}


def test_portal_pages_show_only_the_contacts_client(client, two_clients):
    client.force_login(two_clients["contact"])
    own, _draft = two_clients["own"]
    foreign, foreign_draft = two_clients["foreign"]

    listing = client.get("/crises/portal/")
    own_page = client.get(f"/crises/portal/{own.pk}/")
    foreign_page = client.get(f"/crises/portal/{foreign.pk}/")
    foreign_decide = client.post(
        f"/crises/portal/{foreign.pk}/decide/", {"decision": "approve", "draft": foreign_draft.pk}
    )

    foreign_draft.refresh_from_db()
    assert listing.status_code == 200 and b"Crisis own" in listing.content and b"Crisis foreign" not in listing.content
    assert own_page.status_code == 200
    assert (foreign_page.status_code, foreign_decide.status_code) == (404, 404)
    assert foreign_draft.status == ResponseDraft.Status.SUBMITTED


def test_portal_approval_of_own_crisis_works(client, two_clients):
    client.force_login(two_clients["contact"])
    own, draft = two_clients["own"]

    client.post(f"/crises/portal/{own.pk}/decide/", {"decision": "approve", "comment": "ok", "draft": draft.pk})

    draft.refresh_from_db()
    assert draft.status == ResponseDraft.Status.APPROVED


def test_a_portal_decision_applies_to_the_version_read_not_a_newer_one(client, two_clients, shift_lead):
    own, read = two_clients["own"]
    client.force_login(two_clients["contact"])
    page = client.get(f"/crises/portal/{own.pk}/")
    newer = response_draft_create(crisis=own, acting_user=shift_lead, text="Newer wording", now=timezone.now())
    response_draft_submit(draft=newer, acting_user=shift_lead, now=timezone.now())

    decided = client.post(
        f"/crises/portal/{own.pk}/decide/",
        {"decision": "approve", "draft": read.pk},
        headers={"Accept-Language": "en"},
        follow=True,
    )

    read.refresh_from_db()
    newer.refresh_from_db()
    assert f'name="draft" value="{read.pk}"' in page.content.decode()
    assert (read.status, newer.status) == (ResponseDraft.Status.SUPERSEDED, ResponseDraft.Status.SUBMITTED)
    assert f"Version {read.version} was replaced by version {newer.version}, which awaits your decision" in (
        decided.content.decode()
    )


def test_api_scopes_a_contact_to_their_client(client, two_clients):
    client.force_login(two_clients["contact"])
    own, _draft = two_clients["own"]
    foreign, foreign_draft = two_clients["foreign"]

    listing = client.get("/api/crises/")
    foreign_detail = client.get(f"/api/crises/{foreign.pk}/")
    foreign_decide = client.post(
        f"/api/crises/{foreign.pk}/drafts/{foreign_draft.pk}/decision/",
        {"decision": "approve"},
        content_type="application/json",
    )
    create = client.post("/api/crises/", {"client_id": own.client_id, "title": "x"}, content_type="application/json")

    foreign_draft.refresh_from_db()
    assert [row["id"] for row in listing.json()] == [own.pk]
    assert (foreign_detail.status_code, foreign_decide.status_code, create.status_code) == (404, 404, 403)
    assert foreign_draft.status == ResponseDraft.Status.SUBMITTED


def test_api_decision_by_a_contact(client, two_clients):
    client.force_login(two_clients["contact"])
    own, draft = two_clients["own"]

    response = client.post(
        f"/api/crises/{own.pk}/drafts/{draft.pk}/decision/", {"decision": "approve"}, content_type="application/json"
    )

    assert response.status_code == 200 and response.json()["status"] == "approved"


def test_staff_pages_are_closed_to_contacts(client, two_clients):
    client.force_login(two_clients["contact"])
    own, _draft = two_clients["own"]

    assert client.get("/crises/").status_code == 403
    assert client.get(f"/crises/{own.pk}/").status_code == 403


def test_a_contact_sees_only_what_the_agency_submitted(client, two_clients, shift_lead):
    own, submitted = two_clients["own"]
    unsubmitted = response_draft_create(crisis=own, acting_user=shift_lead, text="Internal wording", now=timezone.now())
    crisis_post_mortem_write(crisis=own, acting_user=shift_lead, text="Agent Ben missed it", now=timezone.now())
    client.force_login(two_clients["contact"])

    page = client.get(f"/crises/portal/{own.pk}/")
    detail = client.get(f"/api/crises/{own.pk}/").json()
    decide_unsubmitted = client.post(
        f"/api/crises/{own.pk}/drafts/{unsubmitted.pk}/decision/",
        {"decision": "approve"},
        content_type="application/json",
    )

    unsubmitted.refresh_from_db()
    assert page.status_code == 200 and b"Internal wording" not in page.content and b"Text" in page.content
    assert [draft["id"] for draft in detail["drafts"]] == [submitted.pk]
    assert "post_mortem" not in detail and "timeline" not in detail
    assert decide_unsubmitted.status_code == 404 and unsubmitted.status == ResponseDraft.Status.DRAFT


def test_the_agency_sees_every_version_the_post_mortem_and_the_timeline(client, two_clients, shift_lead):
    own, submitted = two_clients["own"]
    unsubmitted = response_draft_create(crisis=own, acting_user=shift_lead, text="Internal wording", now=timezone.now())
    crisis_post_mortem_write(crisis=own, acting_user=shift_lead, text="Agent Ben missed it", now=timezone.now())
    client.force_login(shift_lead)

    detail = client.get(f"/api/crises/{own.pk}/").json()

    assert [draft["id"] for draft in detail["drafts"]] == [unsubmitted.pk, submitted.pk]
    assert detail["post_mortem"] == "Agent Ben missed it" and detail["timeline"]


def test_the_portal_start_page_loads_what_awaits_the_contacts_decision(client, two_clients):
    client.force_login(two_clients["contact"])
    own, draft = two_clients["own"]

    home = client.get("/portal/").content.decode()
    awaiting = client.get("/crises/portal/awaiting/").content.decode()

    assert "/crises/portal/awaiting/" in home
    assert f"/crises/portal/{own.pk}/" in awaiting and "Crisis own · v1" in awaiting
    assert "Crisis foreign" not in awaiting


@pytest.mark.parametrize("auth", ["session", "token"])
def test_a_contact_reads_the_apis_times_in_the_clients_zone(client, two_clients, auth):
    own, _draft = two_clients["own"]
    own.client.time_zone = "Asia/Tokyo"
    own.client.save(update_fields=["time_zone"])
    headers = {}
    if auth == "session":
        client.force_login(two_clients["contact"])
    else:
        headers["Authorization"] = f"Token {Token.objects.create(user=two_clients['contact']).key}"

    created_at = client.get(f"/api/crises/{own.pk}/", headers=headers).json()["created_at"]

    assert created_at.endswith("+09:00")


def test_the_contact_sees_their_decision_with_its_comment_and_no_empty_history(client, two_clients):
    own, draft = two_clients["own"]
    client.force_login(two_clients["contact"])

    before = client.get(f"/crises/portal/{own.pk}/", headers={"Accept-Language": "en"}).content.decode()
    client.post(
        f"/crises/portal/{own.pk}/decide/", {"decision": "reject", "comment": "Bitte kürzer", "draft": draft.pk}
    )
    after = client.get(f"/crises/portal/{own.pk}/", headers={"Accept-Language": "en"}).content.decode()

    assert "Earlier versions and decisions" not in before
    # English quotation marks on the English page (it showed the German „…“), German ones on the German page.
    assert "Rejected</span>" in after and "“Bitte kürzer”" in after
    german = client.get(f"/crises/portal/{own.pk}/", headers={"Accept-Language": "de"}).content.decode()
    assert "Abgelehnt</span>" in german and "„Bitte kürzer“" in german


def test_the_portal_shows_the_posts_the_response_answers_only_of_its_own_crisis(
    client, two_clients, shift_lead, item_factory
):
    own, _draft = two_clients["own"]
    foreign, _foreign_draft = two_clients["foreign"]
    crisis_items_link(
        crisis=own,
        items=[
            item_factory(client=own.client, text="Glas im Bier?!"),
            item_factory(client=own.client, text="Schon gelöscht", tags=["removed-on-platform"]),
        ],
        acting_user=shift_lead,
        now=timezone.now(),
    )
    crisis_items_link(
        crisis=foreign,
        items=[item_factory(client=foreign.client, text="Fremder Beitrag")],
        acting_user=shift_lead,
        now=timezone.now(),
    )
    client.force_login(two_clients["contact"])

    page = client.get(f"/crises/portal/{own.pk}/", headers={"Accept-Language": "en"}).content.decode()

    assert "What the response answers: 2 posts" in page and "Glas im Bier?!" in page
    assert "Removed on the platform" in page  # the response will not reach it
    assert "Fremder Beitrag" not in page
