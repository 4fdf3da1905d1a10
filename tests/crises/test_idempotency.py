"""Opening a crisis twice by accident (a retried API request, a double click on the board's form)
opens one crisis: the Idempotency-Key."""

import threading

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.utils import timezone

from communityops.models import User
from crises.models import Crisis, CrisisEvent, CrisisItem
from crises.services import crisis_create_for_request, crisis_transition
from tests.threads import held_open, in_thread, wait_until_waiting_on_a_lock

KEY = "9b7c1a52-0a8e-4d7e-9a52-6e1f0c3b2d11"


def _open(http, body: dict, key: str | None = KEY, language: str = "en"):
    headers = {"Accept-Language": language}
    if key is not None:
        headers["Idempotency-Key"] = key
    return http.post("/api/crises/", body, content_type="application/json", headers=headers)


def test_the_same_key_again_answers_the_crisis_it_opened_and_opens_none(lead_client, client_factory):
    body = {"client_id": client_factory().pk, "title": "Rückrufgerücht", "severity": 1}

    first, retry = _open(lead_client, body), _open(lead_client, body)

    crisis = Crisis.objects.get()
    assert (first.status_code, retry.status_code) == (201, 200)
    assert first.json()["id"] == retry.json()["id"] == crisis.pk
    assert retry.json().keys() == first.json().keys()
    assert CrisisEvent.objects.filter(kind=CrisisEvent.Kind.OPENED).count() == 1
    assert crisis.idempotency_key == KEY


def test_without_a_key_each_request_opens_a_crisis(lead_client, client_factory):
    body = {"client_id": client_factory().pk, "title": "Zwei verschiedene Krisen"}

    responses = [_open(lead_client, body, key=None) for _ in range(2)]

    assert [response.status_code for response in responses] == [201, 201]
    assert Crisis.objects.count() == 2


def test_the_key_answers_its_crisis_whatever_became_of_it(lead_client, on_call, client_factory):
    body = {"client_id": client_factory().pk, "title": "Schon erledigt"}
    first = _open(lead_client, body)
    crisis_transition(
        crisis=Crisis.objects.get(), to_status=Crisis.Status.RESOLVED, acting_user=on_call, now=timezone.now()
    )

    retry = _open(lead_client, body)

    assert retry.status_code == 200 and retry.json()["id"] == first.json()["id"]
    assert retry.json()["status"] == "resolved" and Crisis.objects.count() == 1


@pytest.mark.parametrize(
    "change",
    [{"title": "Ein anderer Titel"}, {"severity": 3}, {"client": True}],
    ids=["title", "severity", "client"],
)
def test_a_key_sent_again_with_another_request_is_refused_and_opens_nothing(lead_client, client_factory, change):
    body = {"client_id": client_factory().pk, "title": "Rückrufgerücht", "severity": 2}
    first = _open(lead_client, body)
    other = {**body, **change}
    if other.pop("client", False):
        other["client_id"] = client_factory().pk

    refused = _open(lead_client, other)

    assert refused.status_code == 422
    assert refused.json() == {
        "code": "idempotency_key_reused",
        "detail": f"This Idempotency-Key opened crisis #{first.json()['id']} for a different request. "
        "Send a new request with a new key.",
        "details": {"crisis_id": first.json()["id"]},
    }
    assert Crisis.objects.count() == 1


def test_the_refusal_is_german_for_a_german_caller(lead_client, client_factory):
    body = {"client_id": client_factory().pk, "title": "Rückrufgerücht"}
    first = _open(lead_client, body, language="de")

    refused = _open(lead_client, {**body, "title": "Anders"}, language="de")

    assert refused.status_code == 422
    assert refused.json()["detail"] == (
        f"Dieser Idempotency-Key hat die Krise #{first.json()['id']} für eine andere Anfrage eröffnet. "
        "Senden Sie eine neue Anfrage mit einem neuen Schlüssel."
    )


def test_keys_are_per_user(lead_client, client, user_factory, client_factory):
    body = {"client_id": client_factory().pk, "title": "Gleicher Schlüssel"}
    colleague = HttpClient()
    colleague.force_login(user_factory(role=User.Role.SHIFT_LEAD))

    mine, theirs = _open(lead_client, body), _open(colleague, body)

    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["id"] != theirs.json()["id"]


@pytest.mark.parametrize("key", ["", "x" * 256, "schlüssel-ä", "tab\there"], ids=["empty", "long", "umlaut", "tab"])
def test_a_key_the_database_cannot_keep_is_a_400_and_opens_nothing(lead_client, client_factory, key):
    response = _open(lead_client, {"client_id": client_factory().pk, "title": "x"}, key=key)

    assert response.status_code == 400
    assert response.json() == {"Idempotency-Key": ["An Idempotency-Key is 1 to 255 printable ASCII characters."]}
    assert not Crisis.objects.exists()


def test_a_key_with_items_answers_its_crisis_and_refuses_other_items(lead_client, channel_factory, item_factory):
    channel = channel_factory()
    items = [item_factory(channel=channel) for _ in range(3)]
    body = {"client_id": channel.client_id, "title": "Scherben", "item_ids": [items[0].pk, items[1].pk]}

    first = _open(lead_client, body)
    retry = _open(lead_client, {**body, "item_ids": [items[1].pk, items[0].pk, items[0].pk]})
    other_items = _open(lead_client, {**body, "item_ids": [items[2].pk]})

    assert (first.status_code, retry.status_code, other_items.status_code) == (201, 200, 422)
    assert retry.json()["id"] == first.json()["id"] == Crisis.objects.get().pk
    assert CrisisItem.objects.count() == 2


def test_a_key_with_items_a_crisis_links_already_answers_that_crisis_and_keeps_no_key(
    lead_client, channel_factory, item_factory
):
    # As without a key: the items are escalated already, nothing is opened, so the key opened nothing.
    channel = channel_factory()
    body = {"client_id": channel.client_id, "title": "Scherben", "item_ids": [item_factory(channel=channel).pk]}
    first = _open(lead_client, body, key=None)

    keyed = _open(lead_client, body)

    assert (first.status_code, keyed.status_code) == (201, 200)
    assert keyed.json()["id"] == first.json()["id"]
    assert Crisis.objects.get().idempotency_key is None


def test_the_schema_documents_the_header_and_the_answers(lead_client):
    schema = lead_client.get("/api/schema/", headers={"Accept": "application/json"}).json()

    create = schema["paths"]["/api/crises/"]["post"]
    assert [(p["name"], p["in"]) for p in create["parameters"]] == [("Idempotency-Key", "header")]
    assert set(create["responses"]) >= {"200", "201", "400", "422"}


@pytest.mark.django_db(transaction=True)
def test_a_retry_while_the_first_request_is_at_work_waits_and_answers_its_crisis(on_call, client_factory):
    """The first request's transaction is open (its crisis not yet committed): the retry waits for it,
    then finds that crisis instead of opening a second."""
    client = client_factory()
    body = {"client_id": client.pk, "title": "Zeitüberschreitung", "severity": 2}
    errors: list[BaseException] = []
    answers = []

    def first_request():
        crisis_create_for_request(
            acting_user=on_call,
            client=client,
            title=body["title"],
            severity=body["severity"],
            items=[],
            idempotency_key=KEY,
            now=timezone.now(),
        )

    def retry():
        http = HttpClient()
        http.force_login(on_call)
        answers.append(_open(http, body))

    with held_open(first_request, errors):
        retrying = in_thread(retry, errors)
        wait_until_waiting_on_a_lock(1, unless_done=retrying)
        assert answers == []  # still waiting
    retrying.join()

    assert errors == []
    crisis = Crisis.objects.get()
    assert answers[0].status_code == 200 and answers[0].json()["id"] == crisis.pk


@pytest.mark.django_db(transaction=True)
def test_many_requests_with_one_key_at_once_open_one_crisis(on_call, client_factory):
    body = {"client_id": client_factory().pk, "title": "Doppelklick"}
    requests = 6
    start = threading.Barrier(requests)
    answers, errors = [], []
    lock = threading.Lock()

    def send():
        try:
            http = HttpClient()
            http.force_login(on_call)
            start.wait()
            response = _open(http, body)
            with lock:
                answers.append((response.status_code, response.json()["id"]))
        except BaseException as error:  # noqa: BLE001 (reported by the assert below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    crisis = Crisis.objects.get()
    assert sorted(status for status, _id in answers) == [200] * (requests - 1) + [201]
    assert {crisis_id for _status, crisis_id in answers} == {crisis.pk}
    assert CrisisEvent.objects.filter(kind=CrisisEvent.Kind.OPENED).count() == 1


def test_the_board_form_carries_a_new_key_each_time_it_is_shown(lead_client):
    pages = [lead_client.get("/crises/").content.decode() for _ in range(2)]

    keys = [page.split('name="idempotency_key" value="')[1].split('"')[0] for page in pages]
    assert keys[0] != keys[1] and all(len(key) == 36 for key in keys)


def test_the_board_form_sent_twice_opens_one_crisis(lead_client, client_factory):
    form = {"client": client_factory().pk, "title": "Doppelklick", "severity": "2", "idempotency_key": KEY}

    first, again = [
        lead_client.post("/crises/new/", form, follow=True, headers={"Accept-Language": "en"}) for _ in range(2)
    ]

    crisis = Crisis.objects.get()
    assert [first.redirect_chain[-1][0], again.redirect_chain[-1][0]] == [f"/crises/{crisis.pk}/"] * 2
    assert f"Crisis #{crisis.pk} opened." in first.content.decode()
    assert f"Crisis #{crisis.pk} was opened with this form already; no second one was opened." in again.content.decode()


def test_the_board_form_sent_again_changed_opens_nothing_and_says_why(lead_client, client_factory):
    form = {"client": client_factory().pk, "title": "Erste", "severity": "2", "idempotency_key": KEY}
    lead_client.post("/crises/new/", form)

    again = lead_client.post("/crises/new/", {**form, "title": "Zweite"}, follow=True)

    crisis = Crisis.objects.get()
    assert again.redirect_chain[-1][0] == "/crises/" and crisis.title == "Erste"
    assert (
        f"Dieses Formular hat die Krise #{crisis.pk} bereits eröffnet. Um eine weitere Krise zu eröffnen, "
        "verwenden Sie das Formular unten erneut." in again.content.decode()
    )
