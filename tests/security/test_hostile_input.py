"""Hostile input: oversized, malformed and malicious bodies get a clear 4xx and lose nothing;
markup from the platforms is shown as text; CSV exports neutralise formulas."""

import csv
import io
import json

import pytest
from django.test import Client, TestCase
from django.urls import reverse

from communityops.csv_export import csv_delimiter, csv_text
from communityops.models import Channel
from inbox.models import Item, WebhookDelivery
from inbox.webhooks import MAX_BODY_BYTES, meta_signature_for
from tests.inbox.ingest_payloads import facebook_comment_change, meta_body

HOSTILE_TEXT = '<script>window.__xss = 1; alert("x")</script><img src=x onerror="window.__xss=2">"\'&'
HOSTILE_NAME = '<b onmouseover="alert(1)">Mallory</b><svg onload=alert(2)>'
FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.fixture
def facebook(channel_factory):
    return channel_factory(platform=Channel.Platform.FACEBOOK_PAGE)


@pytest.fixture
def post_meta(client):
    def post(channel, body: bytes, **extra):
        return client.post(
            reverse("webhook_meta", args=[channel.pk]),
            data=body,
            content_type="application/json",
            headers={"X-Hub-Signature-256": meta_signature_for(secret=channel.app_secret, body=body)},
            **extra,
        )

    return post


@pytest.fixture
def agent_client(client, facebook, agent_for):
    client.force_login(agent_for(facebook.client))
    return client


def _ingest(post_meta, channel, *, text: str, author_name: str = "Erika", comment_id: str = "p_c1") -> Item:
    body = meta_body(
        channel, changes=[facebook_comment_change(comment_id=comment_id, message=text, author_name=author_name)]
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = post_meta(channel, body)
    assert response.status_code == 200, response.content
    return Item.objects.get(channel=channel, external_id=comment_id)


def test_an_oversized_webhook_body_is_413_and_nothing_is_stored(post_meta, facebook):
    response = post_meta(facebook, b"[" + b" " * (MAX_BODY_BYTES + 1) + b"]")

    assert response.status_code == 413
    assert not WebhookDelivery.objects.exists()


def test_oversized_api_and_form_bodies_are_refused_with_400(agent_client, open_item_factory, facebook):
    item = open_item_factory(channel=facebook)
    too_big = "x" * (3 * 1024 * 1024)  # over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB)

    api = agent_client.post(
        f"/api/inbox/items/{item.pk}/notes/", json.dumps({"text": too_big}), content_type="application/json"
    )
    form = agent_client.post(f"/inbox/items/{item.pk}/notes/", {"text": too_big})

    assert (api.status_code, form.status_code) == (400, 400)
    assert not item.notes.exists()


def test_a_body_django_cannot_read_is_refused_by_the_api_in_json_with_the_reason(
    agent_client, open_item_factory, facebook
):
    # Django answered its HTML "Bad Request (400)" page, without a reason, to an API client.
    item = open_item_factory(channel=facebook)

    response = agent_client.post(
        f"/api/inbox/items/{item.pk}/notes/",
        b"--x\r\nbroken",
        content_type="multipart/form-data",
        headers={"Accept-Language": "en"},
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "parse_error",
        "detail": "The request body could not be read (Invalid boundary in multipart: None).",
        "details": {},
    }
    assert not item.notes.exists()


@pytest.mark.parametrize(
    "body",
    [b'\xff\xfe{"text": "x"}', b'{"text": "\xc3\x28"}', b"[" * 50_000 + b"]" * 50_000],
    ids=["invalid-utf8", "invalid-utf8-in-string", "nested-50000-deep"],
)
def test_malformed_json_to_the_api_is_a_400(agent_client, open_item_factory, facebook, body):
    item = open_item_factory(channel=facebook)

    response = agent_client.post(f"/api/inbox/items/{item.pk}/notes/", body, content_type="application/json")

    assert response.status_code == 400
    assert not item.notes.exists()


@pytest.mark.parametrize("field", ["federal_state", "\ud800"], ids=["in-a-choice-field", "as-a-key"])
def test_a_lone_surrogate_in_an_api_body_is_a_400_that_says_so(client, db, field):
    # A choice field's refusal quotes the value ('"\\ud800" is not a valid choice'), and the
    # response could not be encoded: a 500, from the public quote API too.
    body = json.dumps({field: "\ud800", "coverage": []})  # escaped as JSON must: "\\ud800"

    response = client.post(
        "/api/billing/quote/", body, content_type="application/json", headers={"Accept-Language": "en"}
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "parse_error",
        "detail": "The body is not valid JSON: it escapes half of a character (a lone surrogate).",
        "details": {},
    }


def test_a_body_that_is_not_json_is_refused_in_the_requests_language(client, db):
    # DRF's own "JSON parse error - Expecting value: ..." came out in English on a German request.
    german = client.post(
        "/api/billing/quote/", b"Preis?", content_type="application/json", headers={"Accept-Language": "de"}
    )
    english = client.post(
        "/api/billing/quote/", b"Preis?", content_type="application/json", headers={"Accept-Language": "en"}
    )

    assert german.status_code == english.status_code == 400
    assert german.json()["detail"].startswith("Der Inhalt ist kein gültiges JSON (Expecting value")
    assert english.json()["detail"].startswith("The body is not valid JSON (Expecting value")


@pytest.mark.parametrize(
    "body",
    [
        b"\xff\xfe{}",
        b'{"object": "page", "entry": [], "x": "\xed\xa0\x80"}',
        b'{"object": "page", "entry": [], "n": ' + b"9" * 5000 + b"}",
        b"[" * 50_000 + b"]" * 50_000,
        b'{"object": "page", "entry": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    ],
    ids=["invalid-utf8", "raw-utf8-surrogate", "number-of-5000-digits", "nested-50000-deep", "nested-entry"],
)
def test_malformed_signed_webhooks_are_a_400_and_kept_for_inspection(post_meta, facebook, body):
    response = post_meta(facebook, body)

    assert response.status_code == 400
    assert bytes(WebhookDelivery.objects.get().body) == body


def test_numbers_of_thousands_of_digits_in_pages_are_refused_not_a_server_error(
    agent_client, open_item_factory, facebook
):
    # int() refuses more than 4,300 digits with a ValueError: each of these was a 500.
    item = open_item_factory(channel=facebook)
    digits = "9" * 5000

    queue = agent_client.get("/inbox/queue/", {"client": digits, "rows": digits})
    reply = agent_client.post(f"/inbox/items/{item.pk}/reply/", {"text": "Danke", "conversation_version": digits})
    assign = agent_client.post(f"/inbox/items/{item.pk}/assign/", {"assignee": digits}, follow=True)
    link = agent_client.post(f"/crises/items/{item.pk}/link/", {"crisis": digits})
    escalate = agent_client.post("/crises/from-items/", {"item_ids": digits, "title": "Sturm"})

    assert (queue.status_code, reply.status_code, assign.status_code) == (200, 200, 200)
    assert (link.status_code, escalate.status_code) == (404, 400)
    assert "Bitte wählen Sie eine Kollegin oder einen Kollegen." in assign.content.decode()
    item.refresh_from_db()
    assert (item.status, item.outbound_actions.count(), item.crisis_links.count()) == (Item.Status.NEW, 0, 0)


def test_nul_bytes_in_a_reply_or_note_are_refused_not_a_server_error(agent_client, open_item_factory, facebook):
    item = open_item_factory(channel=facebook)

    api = agent_client.post(
        f"/api/inbox/items/{item.pk}/notes/", json.dumps({"text": "a\x00b"}), content_type="application/json"
    )
    form = agent_client.post(f"/inbox/items/{item.pk}/notes/", {"text": "a\x00b"})
    reply = agent_client.post(f"/inbox/items/{item.pk}/reply/", {"text": "a\x00b", "conversation_version": "0"})

    assert api.status_code == 400
    assert form.status_code < 500 and reply.status_code < 500
    assert not item.notes.exists() and not item.outbound_actions.exists()


def test_a_nul_character_in_an_api_token_is_refused_like_a_wrong_token(client, db):
    # The token lookup raised a DataError (PostgreSQL's text cannot hold U+0000): a 500.
    nul = client.get("/api/me/", headers={"Authorization": "Token abc\x00def"})
    wrong = client.get("/api/me/", headers={"Authorization": "Token abcdef"})

    assert nul.status_code == wrong.status_code == 401
    assert nul.json()["code"] == wrong.json()["code"] == "authentication_failed"


def test_a_nul_character_in_a_webhook_comment_is_dropped_and_the_delivery_ingested(post_meta, facebook):
    item = _ingest(post_meta, facebook, text="Hallo\x00 Welt", author_name="Eve\x00")

    assert (item.text, item.author.display_name) == ("Hallo Welt", "Eve")


def test_a_lone_surrogate_in_a_webhook_comment_is_replaced_and_the_delivery_ingested(post_meta, facebook):
    # The processing task failed to store the change (UnicodeEncodeError) on every retry.
    item = _ingest(post_meta, facebook, text="Hallo \ud800 \U0001f600", author_name="Eve\udc00")

    assert (item.text, item.author.display_name) == ("Hallo \ufffd \U0001f600", "Eve\ufffd")


def test_a_100000_character_comment_is_stored_and_shown_whole(post_meta, facebook, agent_client):
    text = ("Sehr lange Beschwerde. " * 5000)[:100_000]

    item = _ingest(post_meta, facebook, text=text)
    page = agent_client.get(f"/inbox/items/{item.pk}/")

    assert len(item.text) == 100_000
    assert page.status_code == 200 and text.strip() in page.content.decode()


def test_markup_in_comments_and_author_names_is_shown_as_text(post_meta, facebook, agent_client):
    item = _ingest(post_meta, facebook, text=HOSTILE_TEXT, author_name=HOSTILE_NAME)

    pages = [agent_client.get(path) for path in (f"/inbox/items/{item.pk}/", "/inbox/", "/inbox/queue/")]

    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        assert "<script>window.__xss" not in html and 'onerror="window' not in html and "<svg onload" not in html
    assert "&lt;script&gt;window.__xss" in pages[0].content.decode()


@pytest.mark.parametrize("formula", FORMULAS)
def test_the_shared_csv_writer_neutralises_formulas(formula):
    [header, row] = list(csv.reader(io.StringIO(csv_text(header=["a"], rows=[[formula]]).lstrip("\ufeff"))))

    assert row == ["'" + formula]


def test_every_csv_export_neutralises_formulas_from_platform_text(post_meta, facebook, agent_client, contact_user_for):
    """Author names and texts come from strangers on the internet: no cell may start a formula."""
    for number, formula in enumerate(FORMULAS):
        _ingest(post_meta, facebook, text=f"{formula} Text", author_name=formula, comment_id=f"p_f{number}")
    Item.objects.update(tags=["=cmd|' /C calc'!A0"])
    exports = [
        f"/reports/clients/{facebook.client.pk}/csv/{table}/"
        for table in ("authors_reach", "authors_activity", "authors_new", "samples", "tags", "keywords")
    ]
    statement = f"/pricing/statements/{facebook.client.pk}/2026-1/csv/"
    contact = Client()
    contact.force_login(contact_user_for(facebook.client))

    cells = []
    for http, path in [(agent_client, path) for path in exports] + [(contact, statement)]:
        response = http.get(path)
        assert response.status_code == 200, path
        text = response.content.decode("utf-8-sig")
        cells += [cell for row in csv.reader(io.StringIO(text), delimiter=csv_delimiter()) for cell in row]

    assert cells
    dangerous = [
        cell for cell in cells if cell[:1] in ("=", "+", "@", "\t", "\r") or (cell[:1] == "-" and not _number(cell))
    ]
    assert dangerous == []


def _number(cell: str) -> bool:
    """A number as the (German) CSV writes it, with a decimal comma."""
    try:
        float(cell.replace(",", "."))
    except ValueError:
        return False
    return True
