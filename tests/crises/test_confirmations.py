"""Every change made on the crisis pages says on the page it lands on that it was done (Django's
messages), in the user's language."""

from datetime import timedelta

import pytest
from django.utils import timezone

from crises.models import Crisis, SpikeAlert
from crises.services import crisis_create


@pytest.fixture
def crisis(on_call, client_factory):
    return crisis_create(acting_user=on_call, client=client_factory(), title="Rückrufgerücht", now=timezone.now())


@pytest.fixture
def spike_alert(client_factory):
    at = timezone.now()
    return SpikeAlert.objects.create(
        client=client_factory(),
        kind=SpikeAlert.Kind.TOTAL_VOLUME,
        window_start=at - timedelta(hours=1),
        window_end=at,
        observed=32,
        baseline=1.0,
    )


def _said(http, url: str, data: dict, language: str) -> tuple[str, str]:
    """POST, follow the redirect; the page landed on and the messages it shows."""
    response = http.post(url, data, follow=True, headers={"Accept-Language": language})
    page = response.content.decode()
    shown = page.split('<ul class="messages" role="status">')[1].split("</ul>")[0] if "messages" in page else ""
    return response.redirect_chain[-1][0], shown


@pytest.mark.parametrize(
    ("language", "said"),
    [("en", "The crisis is now: Drafting response."), ("de", "Die Krise ist jetzt: Antwort in Arbeit.")],
)
def test_a_status_change_is_confirmed(lead_client, crisis, language, said):
    landed, shown = _said(lead_client, f"/crises/{crisis.pk}/transition/", {"to_status": "drafting_response"}, language)

    assert landed == f"/crises/{crisis.pk}/" and said in shown


@pytest.mark.parametrize(
    ("language", "said"),
    [("en", "The crisis is now: Resolved."), ("de", "Die Krise ist jetzt: Beendet.")],
)
def test_resolving_is_confirmed(lead_client, crisis, language, said):
    landed, shown = _said(
        lead_client, f"/crises/{crisis.pk}/transition/", {"to_status": "resolved", "post_mortem": "Gut."}, language
    )

    crisis.refresh_from_db()
    assert crisis.status == Crisis.Status.RESOLVED
    assert landed == f"/crises/{crisis.pk}/" and said in shown


@pytest.mark.parametrize(
    ("language", "first", "again"),
    [
        ("en", "Escalation acknowledged: nobody is alerted any more.", "The escalation was acknowledged already."),
        ("de", "Eskalation bestätigt: Es wird niemand mehr alarmiert.", "Die Eskalation war bereits bestätigt."),
    ],
)
def test_an_acknowledgement_is_confirmed_and_a_second_one_says_it_was_done(lead_client, crisis, language, first, again):
    url = f"/crises/{crisis.pk}/acknowledge/"

    (_landed, shown_first), (_landed, shown_again) = [_said(lead_client, url, {}, language) for _ in range(2)]

    assert first in shown_first and again in shown_again


@pytest.mark.parametrize(
    ("language", "said"),
    [("en", "Version 1 of the response saved."), ("de", "Version 1 der Antwort gespeichert.")],
)
def test_a_new_version_of_the_response_is_confirmed(lead_client, crisis, language, said):
    landed, shown = _said(lead_client, f"/crises/{crisis.pk}/drafts/", {"text": "Wir prüfen das."}, language)

    assert landed == f"/crises/{crisis.pk}/" and said in shown


@pytest.mark.parametrize(("language", "said"), [("en", "Post-mortem saved."), ("de", "Nachbetrachtung gespeichert.")])
def test_the_post_mortem_is_confirmed(lead_client, crisis, language, said):
    landed, shown = _said(lead_client, f"/crises/{crisis.pk}/post-mortem/", {"post_mortem": "Gelernt."}, language)

    assert landed == f"/crises/{crisis.pk}/" and said in shown


@pytest.mark.parametrize(
    ("language", "said"), [("en", "Crisis #{number} opened."), ("de", "Krise #{number} eröffnet.")]
)
def test_opening_a_crisis_on_the_board_is_confirmed(lead_client, client_factory, language, said):
    form = {"client": client_factory().pk, "title": "Von Hand", "severity": "2", "idempotency_key": "k-1"}

    landed, shown = _said(lead_client, "/crises/new/", form, language)

    crisis = Crisis.objects.get()
    assert landed == f"/crises/{crisis.pk}/" and said.format(number=crisis.pk) in shown


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"title": ""}, "Give the crisis a title."),
        ({"client": ""}, "Choose a client."),
        ({"title": "x" * 201}, "Ensure this value has at most 200 characters (it has 201)."),
        ({"idempotency_key": "k" * 256}, "This form is damaged; reload the page and open the crisis again."),
    ],
)
def test_the_board_form_refused_says_why_and_opens_nothing(lead_client, client_factory, change, said):
    form = {"client": client_factory().pk, "title": "Von Hand", "severity": "2", "idempotency_key": "k-1"}

    landed, shown = _said(lead_client, "/crises/new/", {**form, **change}, "en")

    assert landed == "/crises/" and said in shown
    assert not Crisis.objects.exists()


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "Crisis #{number} opened from the spike alert."),
        ("de", "Krise #{number} aus der Auffälligkeit eröffnet."),
    ],
)
def test_opening_a_crisis_from_a_spike_alert_is_confirmed(lead_client, spike_alert, language, said):
    landed, shown = _said(lead_client, f"/crises/alerts/{spike_alert.pk}/open/", {}, language)

    crisis = Crisis.objects.get()
    assert landed == f"/crises/{crisis.pk}/" and said.format(number=crisis.pk) in shown


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "Crisis #{number} was opened from this spike alert already; no second one was opened."),
        ("de", "Krise #{number} wurde aus dieser Auffälligkeit bereits eröffnet; es wurde keine zweite eröffnet."),
    ],
)
def test_a_second_click_on_open_crisis_says_none_was_opened(lead_client, spike_alert, language, said):
    # A double click, or a colleague a moment earlier: the crisis there is shown, not confirmed as new.
    lead_client.post(f"/crises/alerts/{spike_alert.pk}/open/", follow=True)

    landed, shown = _said(lead_client, f"/crises/alerts/{spike_alert.pk}/open/", {}, language)

    crisis = Crisis.objects.get()
    assert landed == f"/crises/{crisis.pk}/" and said.format(number=crisis.pk) in shown
    assert "opened from the spike alert." not in shown


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "Spike alert marked as seen; no crisis opened."),
        ("de", "Auffälligkeit als gesehen markiert; keine Krise eröffnet."),
    ],
)
def test_a_spike_alert_seen_without_a_crisis_is_confirmed(lead_client, spike_alert, language, said):
    landed, shown = _said(lead_client, f"/crises/alerts/{spike_alert.pk}/acknowledge/", {}, language)

    spike_alert.refresh_from_db()
    assert spike_alert.status == SpikeAlert.Status.ACKNOWLEDGED
    assert landed == "/crises/" and said in shown


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "Crisis #{number} was opened from this spike alert meanwhile."),
        ("de", "Krise #{number} wurde inzwischen aus dieser Auffälligkeit eröffnet."),
    ],
)
def test_seen_after_a_colleague_opened_a_crisis_from_the_alert_says_so(lead_client, spike_alert, language, said):
    lead_client.post(f"/crises/alerts/{spike_alert.pk}/open/")  # the colleague, a moment earlier

    landed, shown = _said(lead_client, f"/crises/alerts/{spike_alert.pk}/acknowledge/", {}, language)

    spike_alert.refresh_from_db()
    assert spike_alert.status == SpikeAlert.Status.OPENED_CRISIS
    assert landed == "/crises/" and said.format(number=spike_alert.crisis_id) in shown
