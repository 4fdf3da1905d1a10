"""The tenant isolation matrix, generated from the URL configuration and the OpenAPI schema.

Every page and API operation is requested by every principal of the `world` fixture with
the ids of a FOREIGN client's objects. A new endpoint is covered without writing a test;
a new path parameter name fails `test_every_path_parameter_is_mapped` until it is mapped
in PATH_OBJECTS below.
"""

import json
import re
from dataclasses import dataclass

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator

from communityops.models import Client
from crises.models import CrisisEvent, OnCallShift
from inbox.models import ItemEvent, OutboundAction

from .conftest import World, http_client_for, leaked_markers

# Path parameter name -> the foreign object's value. Tokens get a wrong token: a valid one
# is the secret that grants access (tested separately in test_links.py).
PATH_OBJECTS = {
    "client_id": lambda world: world.foreign.client.pk,
    "channel_id": lambda world: world.foreign.channel.pk,
    "item_id": lambda world: world.foreign.item.pk,
    "crisis_id": lambda world: world.foreign.crisis.pk,
    "draft_id": lambda world: world.foreign.draft.pk,
    "contact_id": lambda world: world.foreign.client.contacts.order_by("pk").first().pk,
    "alert_id": lambda world: world.foreign.alert.pk,
    # The on-call roster is the agency's, not a client's: only shift leads and admins change it,
    # and none of the principals is one.
    "shift_id": lambda world: world.shift.pk,
    "token": lambda world: "not-a-valid-token-9a8b7c",
    # Not objects: these pick a view of the caller's own data (checked like lists, below).
    "year": lambda world: 2026,
    "month": lambda world: 1,
    "table": lambda world: "channels",
    # The admin's object ids: only is_staff users get in, and none of the principals is one.
    "object_id": lambda world: world.foreign.client.pk,
    "content_type_id": lambda world: ContentType.objects.get_for_model(Client).pk,
    "app_label": lambda world: "communityops",
    "id": lambda world: world.foreign.crisis.owner_id,  # admin's user password change
    "url": lambda world: "communityops/client/",  # the admin's catch-all
}

NOT_OBJECTS = {"year", "month", "table"}

# Fields of request bodies that name objects: filled with the foreign client's ids.
BODY_OBJECTS = {
    "client": lambda world: world.foreign.client.pk,
    "client_id": lambda world: world.foreign.client.pk,
    "item_ids": lambda world: [world.foreign.item.pk],
    "statement": lambda world: 1,
}

# Param-less pages an anonymous visitor may open, with the reason. Everything else needs a login.
PUBLIC_PAGES = {
    "landing": "the public landing page",
    "billing:calculator": "the free price calculator, without registration (DOMAIN.md)",
    "billing:preview": "the calculator's live preview fragment",
    "billing:quote_save": "saving a quote from the public calculator (share link)",
    "api_billing_quote": "the public quote API behind the calculator (throttled)",
    "api_schema": "the OpenAPI schema (documents the API, holds no data)",
    "api_docs": "Swagger UI for the schema",
    "set_language": "the language switch",
    "admin:login": "the admin's login form",
    "health": "the load balancer's health check (database answers; no data)",
    "health_tasks": "the monitoring's task check (counts, ages and schedule names; no tenant data)",
}
# Endpoints with an object id in the path that are public by design: the path's secret is checked.
PUBLIC_WITH_SECRET = {
    "billing:quote_detail": "share link: the unguessable token is the permission",
    "crises:acknowledge": "escalation email link: a signed token",
    "crises:magic_link": "client approval magic link: a hashed one-use token bound to the draft",
    "webhook_meta": "Meta webhook: hub.verify_token handshake, X-Hub-Signature-256 with the channel's app secret",
    "webhook_generic": "generic webhook: HMAC over timestamp and body with the channel's secret",
}
# Where a contact of the FOREIGN client itself legitimately sees their own client's objects.
CONTACT_OWN_CLIENT = {
    "crises:portal_detail",
    "crises:portal_decide",
    "crises:portal_acknowledge",
    "billing:statement_current",
    "billing:statement",
    "billing:statement_csv",
    "insights:client_report",
    "insights:client_csv",
    "insights:client_monthly",
    "clients_retrieve",
    "crises_retrieve",
    "crises_items_list",
    "crises_drafts_decide",
    "reports_client_summary",
    "reports_client_table",
}
# Not walked, with the reason: the account flows have their own tests and tokens, and
# logging out would end the principal's session mid-matrix.
SKIPPED_PREFIXES = {
    "accounts/": "allauth's login, MFA and password-reset flows (tests/communityops/test_accounts.py)",
    "admin/logout/": "ends the session",
    "static/": "static files",
}

LOGIN_PATHS = ("/accounts/login/", "/admin/login/")
DENIED = {400, 401, 403, 404, 405, 410}
ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
REGEX_PARAMETER = re.compile(r"\(\?P<(?P<name>\w+)>(?:[^()]|\([^()]*\))*\)")


@dataclass(frozen=True)
class Page:
    route: str
    name: str

    @property
    def object_parameters(self) -> list[str]:
        return [name for name in self.parameters if name not in NOT_OBJECTS]

    @property
    def parameters(self) -> list[str]:
        return [m["name"] for m in ROUTE_PARAMETER.finditer(self.route)] + [
            m["name"] for m in REGEX_PARAMETER.finditer(self.route)
        ]

    def path_for(self, world: World) -> str:
        path = ROUTE_PARAMETER.sub(lambda m: str(PATH_OBJECTS[m["name"]](world)), self.route)
        path = REGEX_PARAMETER.sub(lambda m: str(PATH_OBJECTS[m["name"]](world)), path)
        return "/" + path.replace("^", "").replace("$", "")


def _walk(patterns, prefix: str = "", namespace: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield Page(route=prefix + str(pattern.pattern), name=f"{namespace}{pattern.name or ''}")


def all_pages() -> list[Page]:
    """Every HTML page and form endpoint (the API is walked through its schema instead)."""
    return [
        page
        for page in _walk(get_resolver().url_patterns)
        if not page.route.startswith("api/") and not page.route.startswith(tuple(SKIPPED_PREFIXES))
    ]


def api_operations() -> list[tuple[str, str, dict]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (path, method, operation) for path, methods in schema["paths"].items() for method, operation in methods.items()
    ]


def _api_object_parameters(path: str) -> list[str]:
    return [name for name in re.findall(r"{(\w+)}", path) if name not in NOT_OBJECTS]


def _api_path(path: str, world: World) -> str:
    return re.sub(r"{(\w+)}", lambda m: str(PATH_OBJECTS[m[1]](world)), path)


def _example(schema: dict, components: dict, world: World, name: str = ""):
    """A minimal valid-looking value for a request schema, foreign ids where a field names an object."""
    if "$ref" in schema:
        return _example(components[schema["$ref"].rsplit("/", 1)[-1]], components, world, name)
    if name in BODY_OBJECTS:
        return BODY_OBJECTS[name](world)
    if "enum" in schema:
        return schema["enum"][0]
    if "allOf" in schema or "oneOf" in schema:
        return _example((schema.get("allOf") or schema["oneOf"])[0], components, world, name)
    kind = schema.get("type")
    if kind == "object":
        return {key: _example(value, components, world, key) for key, value in schema.get("properties", {}).items()}
    if kind == "array":
        return [_example(schema.get("items", {}), components, world)]
    return {"integer": 1, "number": 1, "boolean": True}.get(kind, "matrix probe")


def _may_have_written(method: str, response) -> bool:
    """A GET, or a request turned away at the login page, ran no view code that writes."""
    return method != "get" and not (response.status_code == 302 and response["Location"].startswith(LOGIN_PATHS))


def _foreign_fingerprint(world: World) -> tuple:
    """Everything a successful write on the foreign client would change."""
    foreign = world.foreign
    foreign.item.refresh_from_db()
    foreign.crisis.refresh_from_db()
    foreign.draft.refresh_from_db()
    foreign.alert.refresh_from_db()
    return (
        foreign.item.status,
        foreign.item.claimed_by_id,
        foreign.item.tags,
        ItemEvent.objects.filter(item__client=foreign.client).count(),
        OutboundAction.objects.filter(item__client=foreign.client).count(),
        foreign.crisis.status,
        CrisisEvent.objects.filter(crisis__client=foreign.client).count(),
        foreign.draft.status,
        foreign.alert.status,
        foreign.client.crises.count(),
        list(OnCallShift.objects.values_list("pk", "lead_id", "starts_at", "ends_at").order_by("pk")),
    )


def _request(http, method: str, path: str, data=None, **kwargs):
    """One request; a redirect to anywhere but a login page is followed (it may lead to data)."""
    response = getattr(http, method)(path, data, **kwargs)
    if response.status_code in (301, 302) and not response["Location"].startswith(LOGIN_PATHS):
        response = http.get(response["Location"], follow=True)
    return response


def _denied(response) -> bool:
    if response.status_code in (301, 302):
        return response["Location"].startswith(LOGIN_PATHS)
    if getattr(response, "redirect_chain", None):
        return response.redirect_chain[-1][0].startswith(LOGIN_PATHS) or response.status_code in DENIED
    return response.status_code in DENIED


FORM_BODY = {
    "title": "matrix probe",
    "severity": 3,
    "to_status": "resolved",
    "text": "matrix probe",
    "conversation_version": 99999999,
    "decision": "approve",
    "reason": "matrix probe",
    "action": "hide",
    "post_mortem": "matrix probe",
}


def test_every_path_parameter_is_mapped():
    routes = [(page.route, page.parameters) for page in all_pages()]
    routes += [(path, re.findall(r"{(\w+)}", path)) for path, _method, _operation in api_operations()]
    unmapped = sorted({f"{name} (in {route})" for route, names in routes for name in names if name not in PATH_OBJECTS})
    # allauth's own flows (skipped above) carry `key`/`uidb36`; nothing else may be unmapped.
    assert unmapped == [], (
        "New path parameters have no foreign object in the isolation matrix. Add each name to "
        f"PATH_OBJECTS in tests/security/test_isolation_matrix.py: {unmapped}"
    )


@pytest.mark.django_db
def test_no_page_gives_anyone_the_foreign_clients_objects(world):
    checked, failures = 0, []
    before = _foreign_fingerprint(world)
    pages = [page for page in all_pages() if page.object_parameters]
    form = {**FORM_BODY, **{key: value(world) for key, value in BODY_OBJECTS.items()}}
    form["item_ids"] = str(world.foreign.item.pk)
    for principal, user in world.principals.items():
        http = http_client_for(user)
        for page in pages:
            if principal == "contact of the same client" and page.name in CONTACT_OWN_CLIENT:
                continue
            path = page.path_for(world)
            for method in ("get", "post"):
                response = _request(http, method, path, form if method == "post" else None)
                checked += 1
                leaks = leaked_markers(response.content)
                if not _denied(response) or leaks:
                    failures.append(f"{principal} {method.upper()} {path} -> {response.status_code} leaks={leaks}")
                after = _foreign_fingerprint(world) if _may_have_written(method, response) else before
                if after != before:
                    failures.append(
                        f"{principal} {method.upper()} {path} changed the foreign client: {before} -> {after}"
                    )
                    before = after
    assert failures == [], "\n".join(failures)
    assert checked > 100
    print(f"isolation pages: {len(pages)} endpoints, {checked} requests")


@pytest.mark.django_db
def test_no_api_operation_gives_anyone_the_foreign_clients_objects(world):
    schema_components = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    checked, failures = 0, []
    before = _foreign_fingerprint(world)
    operations = [(path, method, op) for path, method, op in api_operations() if _api_object_parameters(path)]
    for principal, user in world.principals.items():
        http = http_client_for(user)
        for path_template, method, operation in operations:
            if principal == "contact of the same client" and operation["operationId"] in CONTACT_OWN_CLIENT:
                continue
            path = _api_path(path_template, world)
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            payload = json.dumps(_example(body, schema_components, world)) if body else None
            response = getattr(http, method)(path, payload, content_type="application/json")
            checked += 1
            leaks = leaked_markers(response.content)
            if response.status_code not in DENIED or leaks:
                failures.append(f"{principal} {method.upper()} {path} -> {response.status_code} leaks={leaks}")
            after = _foreign_fingerprint(world) if _may_have_written(method, response) else before
            if after != before:
                failures.append(f"{principal} {method.upper()} {path} changed the foreign client: {before} -> {after}")
                before = after
    assert failures == [], "\n".join(failures)
    assert checked > 50
    print(f"isolation api: {len(operations)} operations, {checked} requests")


@pytest.mark.django_db
def test_lists_and_param_less_endpoints_never_show_the_foreign_client(world):
    """Queues, boards, lists and actions like claim-next: each principal sees only their own side."""
    schema_components = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    failures, checked = [], 0
    before = _foreign_fingerprint(world)
    form = {**FORM_BODY, **{key: value(world) for key, value in BODY_OBJECTS.items()}}
    form["item_ids"] = str(world.foreign.item.pk)
    requests = [("page", page.name, page.path_for(world)) for page in all_pages() if not page.object_parameters]
    requests += [
        ("api", op["operationId"], _api_path(path, world))
        for path, _m, op in api_operations()
        if not _api_object_parameters(path)
    ]
    for principal, user in world.principals.items():
        if principal == "contact of the same client":
            continue  # their own client's lists rightly show its objects
        http = http_client_for(user)
        for kind, name, path in requests:
            for method in ("get", "post"):
                if kind == "page":
                    response = _request(http, method, path, form if method == "post" else None)
                else:
                    operation = dict(api_operations_by_id()[name])
                    if method not in operation:
                        continue
                    body = operation[method].get("requestBody", {}).get("content", {}).get("application/json", {})
                    payload = json.dumps(_example(body["schema"], schema_components, world)) if body else None
                    response = getattr(http, method)(path, payload, content_type="application/json")
                checked += 1
                leaks = leaked_markers(response.content)
                if leaks:
                    failures.append(f"{principal} {method.upper()} {path} leaks {leaks}")
                if principal == "anonymous" and name not in PUBLIC_PAGES and not _denied(response):
                    failures.append(f"anonymous {method.upper()} {path} -> {response.status_code} without a login")
                after = _foreign_fingerprint(world) if _may_have_written(method, response) else before
                if after != before:
                    failures.append(
                        f"{principal} {method.upper()} {path} changed the foreign client: {before} -> {after}"
                    )
                    before = after
    assert failures == [], "\n".join(failures)
    assert checked > 50
    print(f"isolation lists: {len(requests)} endpoints, {checked} requests")


def api_operations_by_id() -> dict[str, list[tuple[str, dict]]]:
    found: dict[str, list[tuple[str, dict]]] = {}
    for _path, method, operation in api_operations():
        found.setdefault(operation["operationId"], []).append((method, operation))
    return found


@pytest.mark.django_db
def test_an_alert_shows_no_sample_of_another_client_even_when_its_ids_name_one(world):
    """Sample ids are stored as a list, not a relation: the alert page reads them within the alert's client."""
    alert = world.own.alert
    alert.sample_item_ids = [world.foreign.item.pk, world.own.item.pk]
    alert.save(update_fields=["sample_item_ids"])

    page = http_client_for(world.principals["agent of another team"]).get(f"/crises/alerts/{alert.pk}/")

    assert page.status_code == 200 and b"OWN-ITEM-7f3a" in page.content
    assert leaked_markers(page.content) == []
