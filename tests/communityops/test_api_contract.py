"""The published OpenAPI schema tells the truth: an integrator who reads only /api/schema/ gets what it says.

For a real request to every operation (as the role it is for, on data from the factories), the
status code is documented and the body matches the documented schema, strictly: no undocumented
field, none missing, nothing null that is not documented nullable. The same for the refusals
every operation can answer with (401 for a caller without login, 403 for another role, 404 for an
object one may not see, 400 for a body that is not JSON, the crises' refusals by their state),
each in the request's language and with its code.
"""

import copy
import re
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.test import Client as HttpClient
from django.test import override_settings
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from jsonschema import Draft202012Validator, FormatChecker
from rest_framework.authtoken.models import Token
from rest_framework.throttling import ScopedRateThrottle

from communityops.models import Channel, User
from crises import services as crisis_services
from crises.models import Approval, ApprovalLink
from inbox.models import Item
from inbox.selectors import item_conversation_version
from inbox.services.assignment import presence_heartbeat
from inbox.services.claims import item_claim
from inbox.stubs import MetaGraphStub
from tests.inbox.conftest import open_item_factory  # noqa: F401 (fixture)

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def openapi():
    """The schema as an integrator fetches it (no login needed)."""
    response = HttpClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def _operations(openapi) -> dict[str, tuple[str, str, dict]]:
    return {
        operation["operationId"]: (method, path, operation)
        for path, methods in openapi["paths"].items()
        for method, operation in methods.items()
        if method in METHODS
    }


def _strict(node):
    """OpenAPI 3.0's schema dialect as JSON Schema: `nullable` becomes a null alternative, and an
    object with documented properties admits no others (an undocumented field is a lie too)."""
    if isinstance(node, list):
        return [_strict(child) for child in node]
    if not isinstance(node, dict):
        return node
    node = {key: _strict(value) for key, value in node.items()}
    if node.get("type") == "object" and "properties" in node and "additionalProperties" not in node:
        node["additionalProperties"] = False
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


def _documented_errors(openapi, operation_id: str, status: str, body) -> list:
    _method, _path, operation = _operations(openapi)[operation_id]
    schema = operation["responses"][status]["content"]["application/json"]["schema"]
    document = {**_strict(schema), "components": _strict(openapi["components"])}
    return list(Draft202012Validator(document, format_checker=FormatChecker()).iter_errors(body))


def assert_documented(openapi, operation_id: str, response) -> None:
    """The response's status code is documented for the operation, and its body matches that schema."""
    _method, _path, operation = _operations(openapi)[operation_id]
    status = str(response.status_code)
    assert status in operation["responses"], f"{operation_id} answered an undocumented {status}: {response.content!r}"
    documented = operation["responses"][status]
    if "content" not in documented:
        assert not response.content, f"{operation_id} {status} documents no body but sent {response.content!r}"
        return
    assert list(documented["content"]) == [response["Content-Type"].split(";")[0]] == ["application/json"]
    errors = _documented_errors(openapi, operation_id, status, response.json())
    assert errors == [], f"{operation_id} {status}: " + "; ".join(
        f"{list(error.absolute_path)}: {error.message[:300]}" for error in errors
    )


@pytest.fixture(scope="module")
def graph_stub():
    """One Graph API stub for the module: replies, moderation and the published response go out to it."""
    with MetaGraphStub() as stub, override_settings(META_GRAPH_API_BASE_URL=stub.base_url):
        yield stub


@dataclass
class World:
    client: object
    channel: Channel
    item: Item
    other_item: Item
    agent: User
    colleague: User
    lead: User
    contact: User
    crisis: object


@pytest.fixture
def world(channel_factory, open_item_factory, agent_for, user_factory, team_factory, contact_user_for, graph_stub):  # noqa: F811
    channel = channel_factory(platform=Channel.Platform.FACEBOOK_PAGE)
    client = channel.client
    item = open_item_factory(channel=channel, thread_external_id="post-1")
    other_item = open_item_factory(channel=channel, thread_external_id="post-2")
    agent, colleague = agent_for(client), agent_for(client)
    lead = user_factory(role=User.Role.SHIFT_LEAD)
    team_factory(members=[lead], clients=[client])
    contact = contact_user_for(client)
    crisis = crisis_services.crisis_create(acting_user=lead, client=client, title="Rückruf", now=timezone.now())
    return World(client, channel, item, other_item, agent, colleague, lead, contact, crisis)


class Caller:
    """The test client as one user (a session login, as the browser and most integrations use)."""

    def __init__(self, client, openapi):
        self.http = client
        self.openapi = openapi

    def as_(self, user):
        self.http.logout()
        if user is not None:
            self.http.force_login(user)
        return self

    def call(self, method: str, path: str, body=None, **query):
        if method == "get":
            return self.http.get(path, query)
        return self.http.post(path, body if body is not None else {}, content_type="application/json")


def _draft(world, *, submitted=False, approved=False):
    now = timezone.now()
    draft = crisis_services.response_draft_create(
        crisis=world.crisis, acting_user=world.lead, text="Wir prüfen das und melden uns.", now=now
    )
    if submitted or approved:
        crisis_services.response_draft_submit(draft=draft, acting_user=world.lead, now=now)
    if approved:
        crisis_services.approval_decide(
            draft=draft,
            contact=world.contact.client_contact,
            decision=Approval.Decision.APPROVE,
            comment="",
            via=Approval.Via.PORTAL,
            now=now,
        )
    return draft


def _claimed(world, user=None):
    item_claim(acting_user=user or world.agent, item_id=world.item.pk)
    return world.item


QUOTE = {
    "coverage": [{"weekday": day, "start_hour": 17, "end_hour": 22} for day in range(5)],
    "federal_state": "BY",
    "channels": 2,
    "comments_per_month": 2000,
    "response_minutes": 60,
}


# operationId -> (who calls, method, path, body) for a representative successful request; the
# world is built before, and a `prepare` step, where given, puts it into the state the call needs.
def _cases(w: World) -> dict:
    crisis, item = w.crisis, w.item
    return {
        "me_retrieve": (w.agent, "get", "/api/me/", None),
        "clients_list": (w.agent, "get", "/api/clients/", None),
        "clients_retrieve": (w.contact, "get", f"/api/clients/{w.client.pk}/", None),
        "crises_list": (w.lead, "get", "/api/crises/", {"status": "open"}),
        "crises_create": (
            w.lead,
            "post",
            "/api/crises/",
            {"client_id": w.client.pk, "title": "Welle", "item_ids": [item.pk]},
        ),
        "crises_retrieve": (w.lead, "get", f"/api/crises/{crisis.pk}/", None),
        "crises_items_list": (w.contact, "get", f"/api/crises/{crisis.pk}/items/", {"limit": 1}),
        "crises_items_link": (
            w.lead,
            "post",
            f"/api/crises/{crisis.pk}/items/",
            {"item_ids": [item.pk, w.other_item.pk]},
        ),
        "crises_transition": (
            w.lead,
            "post",
            f"/api/crises/{crisis.pk}/transition/",
            {"to_status": "drafting_response"},
        ),
        "crises_drafts_create": (w.agent, "post", f"/api/crises/{crisis.pk}/drafts/", {"text": "Wir prüfen das."}),
        "crises_drafts_submit": (w.lead, "post", "/api/crises/{crisis}/drafts/{draft}/submit/", None),
        "crises_drafts_decide": (
            w.contact,
            "post",
            "/api/crises/{crisis}/drafts/{submitted}/decision/",
            {"decision": "approve"},
        ),
        "crises_drafts_new_link": (
            w.lead,
            "post",
            "/api/crises/{crisis}/drafts/{submitted}/contacts/{contact}/new-link/",
            None,
        ),
        "crises_publish": (w.lead, "post", f"/api/crises/{crisis.pk}/publish/", None),
        "inbox_items_list": (w.agent, "get", "/api/inbox/items/", {"limit": 1}),
        "inbox_items_retrieve": (w.agent, "get", f"/api/inbox/items/{item.pk}/", None),
        "inbox_claim_next": (w.agent, "post", "/api/inbox/claim-next/", {}),
        "inbox_items_claim": (w.agent, "post", f"/api/inbox/items/{item.pk}/claim/", None),
        "inbox_items_heartbeat": (w.agent, "post", f"/api/inbox/items/{item.pk}/heartbeat/", None),
        "inbox_items_release": (w.agent, "post", f"/api/inbox/items/{item.pk}/release/", {"reason": "Pause"}),
        "inbox_items_take_over": (w.lead, "post", f"/api/inbox/items/{item.pk}/take-over/", {"reason": "Übergabe"}),
        "inbox_items_reply": (
            w.agent,
            "post",
            f"/api/inbox/items/{item.pk}/reply/",
            {"text": "Danke!", "loaded_at_event_id": "{version}"},
        ),
        "inbox_items_notes_create": (w.agent, "post", f"/api/inbox/items/{item.pk}/notes/", {"text": "Stammkunde"}),
        "inbox_items_moderate": (
            w.agent,
            "post",
            f"/api/inbox/items/{item.pk}/moderate/",
            {"action": "hide", "reason": "Spam"},
        ),
        "inbox_items_not_spam": (w.agent, "post", f"/api/inbox/items/{item.pk}/not-spam/", None),
        "inbox_items_hide_near_duplicates": (w.agent, "post", f"/api/inbox/items/{item.pk}/hide-near-duplicates/", {}),
        "inbox_items_assign": (w.agent, "post", f"/api/inbox/items/{item.pk}/assign/", {"assignee_id": w.colleague.pk}),
        "inbox_items_tags_change": (w.agent, "post", f"/api/inbox/items/{item.pk}/tags/", {"add": ["lieferung"]}),
        "inbox_items_author_profile_update": (
            w.agent,
            "post",
            f"/api/inbox/items/{item.pk}/author-profile/",
            {"is_key_account": True},
        ),
        "inbox_items_author_erase": (
            w.lead,
            "post",
            f"/api/inbox/items/{item.pk}/author-erasure/",
            {"reference": "T-1", "confirm": True},
        ),
        "inbox_presence_heartbeat": (w.agent, "post", "/api/inbox/presence/heartbeat/", None),
        "inbox_presence_start_shift": (w.agent, "post", "/api/inbox/presence/start-shift/", None),
        "inbox_presence_end_shift": (w.agent, "post", "/api/inbox/presence/end-shift/", None),
        "reports_dashboard": (w.lead, "get", "/api/reports/dashboard/", None),
        "reports_team_table": (w.lead, "get", "/api/reports/team/agents/", {"client": w.client.pk}),
        "reports_client_summary": (w.contact, "get", f"/api/reports/clients/{w.client.pk}/", None),
        "reports_client_table": (w.contact, "get", f"/api/reports/clients/{w.client.pk}/channels/", None),
        "billing_quote_price": (None, "post", "/api/billing/quote/", QUOTE),
    }


def _prepare(operation_id: str, w: World) -> dict:
    """Put the world into the state the operation's call needs; returns values for the path and body."""
    values = {"crisis": w.crisis.pk}
    if operation_id in (
        "inbox_items_heartbeat",
        "inbox_items_release",
        "inbox_items_moderate",
        "inbox_items_take_over",
    ):
        _claimed(w)
    if operation_id == "inbox_items_reply":
        values["version"] = _claimed(w) and _loaded_version(w)
    if operation_id == "inbox_items_assign":
        _claimed(w)
        presence_heartbeat(user=w.colleague)
    if operation_id == "inbox_items_not_spam":
        Item.objects.filter(pk=w.item.pk).update(status=Item.Status.SPAM)
    if operation_id == "crises_drafts_submit":
        values["draft"] = _draft(w).pk
    if operation_id in ("crises_drafts_decide", "crises_drafts_new_link"):
        values["submitted"] = _draft(w, submitted=True).pk
    if operation_id == "crises_drafts_new_link":  # the first link went out a while ago
        ApprovalLink.objects.update(created_at=timezone.now() - timedelta(hours=1))
        values["contact"] = w.contact.client_contact.pk
    if operation_id == "crises_publish":
        crisis_services.crisis_items_link(crisis=w.crisis, items=[w.item], acting_user=w.lead, now=timezone.now())
        _draft(w, approved=True)
    if operation_id == "crises_items_list":
        crisis_services.crisis_items_link(
            crisis=w.crisis, items=[w.item, w.other_item], acting_user=w.lead, now=timezone.now()
        )
    return values


def _loaded_version(w: World) -> int:
    return item_conversation_version(item=Item.objects.get(pk=w.item.pk))


def _fill(value, values: dict):
    if isinstance(value, str):
        return int(values[value[1:-1]]) if value.startswith("{") and value.endswith("}") else value.format(**values)
    if isinstance(value, dict):
        return {key: _fill(child, values) for key, child in value.items()}
    if isinstance(value, list):
        return [_fill(child, values) for child in value]
    return value


def _request(operation_id: str, w: World):
    user, method, path, body = _cases(w)[operation_id]
    values = _prepare(operation_id, w)
    return user, method, _fill(path, values), _fill(copy.deepcopy(body), values)


# The operations by what the schema says of them (generated from the code, as it is served), for
# the parametrization; the tests check the answers against the schema the URL serves.
GENERATED = SchemaGenerator().get_schema(request=None, public=True)
OPERATION_IDS = sorted(_operations(GENERATED))
REFUSED_WITHOUT_LOGIN = [name for name, (_m, _p, op) in _operations(GENERATED).items() if op.get("security")]
NAMING_AN_OBJECT = [name for name, (_m, path, _op) in _operations(GENERATED).items() if "{" in path]
TAKING_A_BODY = [name for name, (_m, _p, op) in _operations(GENERATED).items() if "requestBody" in op]


def test_every_operation_has_a_representative_request(openapi):
    placeholder = SimpleNamespace(pk=0)
    assert sorted(_cases(World(*[placeholder] * 9))) == sorted(_operations(openapi)) == OPERATION_IDS


@pytest.mark.parametrize("operation_id", OPERATION_IDS)
def test_a_successful_request_gets_the_documented_answer(openapi, client, world, operation_id):
    user, method, path, body = _request(operation_id, world)
    caller = Caller(client, openapi).as_(user)

    response = caller.call(method, path, body) if method == "post" else caller.http.get(path, body or {})

    assert 200 <= response.status_code < 300, response.content
    assert_documented(openapi, operation_id, response)


@pytest.mark.parametrize("operation_id", REFUSED_WITHOUT_LOGIN)
def test_a_caller_without_login_is_refused_as_documented(openapi, client, world, operation_id):
    _user, method, path, body = _request(operation_id, world)

    response = Caller(client, openapi).as_(None).call(method, path, body)

    assert (response.status_code, response["WWW-Authenticate"]) == (401, "Token")
    assert response.json()["code"] == "not_authenticated"
    assert_documented(openapi, operation_id, response)


@pytest.mark.parametrize("operation_id", NAMING_AN_OBJECT)
def test_an_object_that_is_not_there_is_not_found_as_documented(openapi, client, world, user_factory, operation_id):
    _user, method, path, body = _request(operation_id, world)
    admin = user_factory(role=User.Role.ADMIN)  # sees every client: only the object's absence refuses
    missing = re.sub(r"/\d+/", "/987654321/", path).replace("/team/agents/", "/team/no-such-table/")

    response = Caller(client, openapi).as_(admin).call(method, missing, body)

    assert response.status_code == 404
    assert_documented(openapi, operation_id, response)


@pytest.mark.parametrize("operation_id", TAKING_A_BODY)
def test_a_body_that_is_not_json_is_refused_as_documented(openapi, client, world, operation_id):
    user, _method, path, _body = _request(operation_id, world)
    caller = Caller(client, openapi).as_(user)

    response = caller.http.post(path, "{", content_type="application/json")

    assert response.status_code == 400
    assert_documented(openapi, operation_id, response)


def test_the_documented_security_schemes_are_the_ones_accepted(openapi, client, world, settings):
    schemes = openapi["components"]["securitySchemes"]
    token = Token.objects.create(user=world.agent).key

    by_token = client.get("/api/me/", headers={"Authorization": f"Token {token}"})
    wrong_token = client.get("/api/me/", headers={"Authorization": "Token not-a-token"})
    client.force_login(world.agent)
    by_session = client.get("/api/me/", headers={"Authorization": ""})

    assert schemes["cookieAuth"] == {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}
    assert (schemes["tokenAuth"]["in"], schemes["tokenAuth"]["name"]) == ("header", "Authorization")
    assert (by_token.status_code, by_session.status_code) == (200, 200)
    assert by_token.json()["id"] == by_session.json()["id"] == world.agent.pk
    assert (wrong_token.status_code, wrong_token["WWW-Authenticate"]) == (401, "Token")
    assert wrong_token.json()["code"] == "authentication_failed"
    assert_documented(openapi, "me_retrieve", wrong_token)


@pytest.mark.parametrize(
    ("operation_id", "role"),
    [
        ("crises_transition", "agent"),
        ("crises_drafts_submit", "agent"),
        ("crises_publish", "agent"),
        ("crises_drafts_decide", "agent"),
        ("crises_drafts_new_link", "agent"),
        ("crises_create", "contact"),
        ("inbox_items_list", "contact"),
        ("inbox_items_take_over", "agent"),
        ("inbox_items_author_erase", "agent"),
        ("reports_dashboard", "contact"),
        ("reports_team_table", "contact"),
    ],
)
def test_an_operation_for_another_role_is_refused_as_documented(openapi, client, world, operation_id, role):
    _user, method, path, body = _request(operation_id, world)

    response = Caller(client, openapi).as_(getattr(world, role)).call(method, path, body)

    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert_documented(openapi, operation_id, response)


@pytest.mark.parametrize(
    ("language", "not_found", "not_logged_in"),
    [
        ("de", "Nicht gefunden.", "Anmeldedaten fehlen."),
        ("en", "Not found.", "Authentication credentials were not provided."),
    ],
)
@pytest.mark.parametrize(
    "path", ["/api/clients/{}/", "/api/inbox/items/{}/", "/api/crises/{}/", "/api/reports/clients/{}/"]
)
def test_every_app_refuses_in_the_same_shape_and_the_callers_language(
    client, world, user_factory, path, language, not_found, not_logged_in
):
    headers = {"Accept-Language": language}
    anonymous = client.get(path.format(1), headers=headers)
    client.force_login(user_factory(role=User.Role.ADMIN))
    missing = client.get(path.format(987654321), headers=headers)

    assert (anonymous.status_code, anonymous.json()) == (
        401,
        {"code": "not_authenticated", "detail": not_logged_in, "details": {}},
    )
    assert (missing.status_code, missing.json()) == (404, {"code": "not_found", "detail": not_found, "details": {}})


def test_the_public_quote_api_is_rate_limited_as_documented(openapi, client, db, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"public_quote": "1/minute"})

    priced = client.post("/api/billing/quote/", QUOTE, content_type="application/json")
    limited = client.post(
        "/api/billing/quote/", QUOTE, content_type="application/json", headers={"Accept-Language": "en"}
    )

    assert (priced.status_code, limited.status_code) == (200, 429)
    assert limited.json()["code"] == "throttled"
    assert limited.json()["detail"].startswith("Request was throttled.")
    assert int(limited["Retry-After"]) > 0
    assert "Retry-After" in _operations(openapi)["billing_quote_price"][2]["responses"]["429"]["headers"]
    assert_documented(openapi, "billing_quote_price", limited)


def test_the_public_quote_api_ignores_credentials_and_explains_invalid_input(openapi, client, db):
    with_a_wrong_token = client.post(
        "/api/billing/quote/", QUOTE, content_type="application/json", headers={"Authorization": "Token wrong"}
    )
    invalid = client.post(
        "/api/billing/quote/",
        {**QUOTE, "channels": 0},
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )

    assert "security" not in _operations(openapi)["billing_quote_price"][2]
    assert with_a_wrong_token.status_code == 200
    assert (invalid.status_code, invalid.json()) == (
        400,
        {"channels": ["Ensure this value is greater than or equal to 1."]},
    )
    assert_documented(openapi, "billing_quote_price", invalid)


def test_the_inbox_documents_its_refusals_and_invalid_input_and_nothing_else(openapi, client, world):
    Caller(client, openapi).as_(world.agent)

    refused = client.post(f"/api/inbox/items/{world.item.pk}/not-spam/", headers={"Accept-Language": "en"})
    invalid = client.post(f"/api/inbox/items/{world.item.pk}/reply/", {}, content_type="application/json")

    assert (refused.status_code, refused.json()["code"]) == (400, "inbox_action_refused")
    assert invalid.status_code == 400 and set(invalid.json()) == {"text", "loaded_at_event_id"}
    assert_documented(openapi, "inbox_items_not_spam", refused)
    assert_documented(openapi, "inbox_items_reply", invalid)
    assert _documented_errors(openapi, "inbox_items_reply", "400", {"reason": 1}) != []  # any object passed


@pytest.mark.parametrize(("language", "not_found"), [("de", "Nicht gefunden."), ("en", "Not found.")])
def test_an_id_that_is_not_a_number_is_not_found_in_the_apis_shape(openapi, client, world, language, not_found):
    # The URL pattern (<int:client_id>) does not match: Django's HTML page answered, undocumented.
    client.force_login(world.agent)

    response = client.get("/api/clients/1.5e-3/", headers={"Accept-Language": language})

    assert (response.status_code, response.json()) == (404, {"code": "not_found", "detail": not_found, "details": {}})
    assert_documented(openapi, "clients_retrieve", response)


def _resolved(w: World) -> None:
    crisis_services.crisis_transition(crisis=w.crisis, to_status="resolved", acting_user=w.lead, now=timezone.now())


# operationId -> (prepare the world, body, who calls, the refusal's code): a request the crisis's
# state refuses, answered with its code in the Refusal shape (as the inbox's refusals are).
CRISIS_REFUSALS = {
    "crises_transition": (lambda w: None, {"to_status": "monitoring"}, "lead", "crisis_transition_not_allowed"),
    "crises_items_link": (_resolved, None, "lead", "crisis_resolved"),
    "crises_drafts_create": (_resolved, None, "agent", "crisis_resolved"),
    "crises_drafts_submit": (lambda w: None, None, "lead", "draft_not_submittable"),
    "crises_drafts_decide": (lambda w: None, {"decision": "reject"}, "contact", "rejection_needs_comment"),
    "crises_publish": (lambda w: None, None, "lead", "no_approved_response"),
}


@pytest.mark.parametrize("operation_id", sorted(CRISIS_REFUSALS))
def test_a_crisis_refusal_has_a_code_and_is_documented(openapi, client, world, operation_id):
    prepare, body, role, code = CRISIS_REFUSALS[operation_id]
    _user, method, path, default_body = _cases(world)[operation_id]
    submitted = _draft(world, submitted=True).pk  # submitted already: a second submit is refused
    path = _fill(path, {"crisis": world.crisis.pk, "draft": submitted, "submitted": submitted})
    prepare(world)

    response = Caller(client, openapi).as_(getattr(world, role)).call(method, path, body or default_body)

    assert (response.status_code, response.json()["code"]) == (400, code), response.content
    assert_documented(openapi, operation_id, response)
    assert f"`{code}`" in _operations(openapi)[operation_id][2]["responses"]["400"]["description"]


@pytest.mark.parametrize(
    ("language", "detail"),
    [("de", "Die Krise ist beendet."), ("en", "The crisis is resolved.")],
)
def test_a_crisis_refusal_speaks_the_callers_language(client, world, language, detail):
    _resolved(world)
    client.force_login(world.agent)

    response = client.post(
        f"/api/crises/{world.crisis.pk}/drafts/",
        {"text": "Wir prüfen das."},
        content_type="application/json",
        headers={"Accept-Language": language},
    )

    assert (response.status_code, response.json()) == (
        400,
        {"code": "crisis_resolved", "detail": detail, "details": {}},
    )


def test_an_idempotency_key_sent_again_with_another_request_is_refused_with_its_code(openapi, client, world):
    client.force_login(world.lead)
    headers = {"Idempotency-Key": "d5c1f1e6-0d1c-4a7e-9f0e-1f2a3b4c5d6e", "Accept-Language": "en"}
    body = {"client_id": world.client.pk, "title": "Welle"}
    opened = client.post("/api/crises/", body, content_type="application/json", headers=headers)

    reused = client.post(
        "/api/crises/", {**body, "title": "Andere Welle"}, content_type="application/json", headers=headers
    )

    assert (opened.status_code, reused.status_code) == (201, 422)
    assert reused.json()["code"] == "idempotency_key_reused"
    assert reused.json()["details"] == {"crisis_id": opened.json()["id"]}
    assert_documented(openapi, "crises_create", reused)
