"""Links that are their own permission: share links, escalation acknowledgements, magic links.

The valid secret opens exactly its own object; any other or altered secret opens nothing.
"""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from billing.services import quote_create
from communityops.models import ClientContact
from crises.escalation import acknowledge_token
from crises.models import ApprovalLink
from crises.services import approval_link_send, approval_token, approval_token_hash
from tests.billing.conftest import pricing_input

from .conftest import leaked_markers


@pytest.mark.django_db
def test_a_share_link_opens_its_quote_and_no_other_token_does(client):
    quote = quote_create(
        pricing_input=pricing_input(windows=[(0, 17, 22)], start=date(2026, 8, 1)), name="Geheimbrauerei Foreign"
    )

    own = client.get(f"/pricing/q/{quote.token}/")
    altered = [quote.token[:-1], quote.token + "x", quote.token.upper(), "x" * len(quote.token), "%00", "..%2f"]
    refused = [client.get(f"/pricing/q/{token}/") for token in altered]

    assert own.status_code == 200 and b"Geheimbrauerei" in own.content
    assert [response.status_code for response in refused] == [404] * len(altered)
    assert all(leaked_markers(response.content) == [] for response in refused)


@pytest.mark.django_db
def test_an_acknowledge_link_is_refused_when_altered(client, world):
    crisis = world.foreign.crisis
    token = acknowledge_token(crisis_id=crisis.pk, recipient_key="user:1")

    tampered = client.get(f"/crises/ack/{token[:-2]}xy/")
    forged = client.post(f"/crises/ack/{token.replace(':', '.')}/")
    crisis.refresh_from_db()

    assert (tampered.status_code, forged.status_code) == (400, 400)
    assert leaked_markers(tampered.content) == leaked_markers(forged.content) == []
    assert crisis.acknowledged_at is None


@pytest.mark.django_db
def test_a_magic_link_opens_only_its_own_draft(client, world):
    own_link = ApprovalLink.objects.get(draft=world.own.draft)
    foreign_link = ApprovalLink.objects.get(draft=world.foreign.draft)

    own = client.get(f"/crises/approve/{world.own.draft.pk}/{approval_token(link=own_link)}/")
    crossed = client.get(f"/crises/approve/{world.foreign.draft.pk}/{approval_token(link=own_link)}/")
    crossed_decision = client.post(
        f"/crises/approve/{world.foreign.draft.pk}/{approval_token(link=own_link)}/", {"decision": "approve"}
    )
    foreign_token = approval_token(link=foreign_link)
    other_last = "1" if foreign_token.endswith("0") else "0"  # a different last character, always
    altered = client.get(f"/crises/approve/{world.foreign.draft.pk}/{foreign_token[:-1]}{other_last}/")
    world.foreign.draft.refresh_from_db()

    assert own.status_code == 200 and b"OWN-DRAFT-7f3a" in own.content
    assert (crossed.status_code, crossed_decision.status_code, altered.status_code) == (403, 403, 403)
    assert all(leaked_markers(r.content) == [] for r in (crossed, crossed_decision, altered))
    assert world.foreign.draft.status == "submitted"


def _acknowledge_path(*, crisis, contact: ClientContact) -> str:
    return f"/crises/ack/{acknowledge_token(crisis_id=crisis.pk, recipient_key=f'contact:{contact.pk}')}/"


@pytest.mark.django_db
def test_an_acknowledge_link_counts_only_for_a_contact_of_the_crisiss_client(client, world):
    crisis = world.foreign.crisis
    crossed_path = _acknowledge_path(crisis=crisis, contact=ClientContact.objects.get(client=world.own.client))
    rightful_path = _acknowledge_path(crisis=crisis, contact=ClientContact.objects.get(client=world.foreign.client))

    shown = client.get(crossed_path)
    confirmed = client.post(crossed_path)
    crisis.refresh_from_db()
    rightful = client.get(rightful_path)

    assert (shown.status_code, confirmed.status_code, rightful.status_code) == (400, 400, 200)
    assert leaked_markers(shown.content) == leaked_markers(confirmed.content) == []
    assert crisis.acknowledged_at is None


@pytest.mark.django_db
def test_a_magic_link_issued_to_another_clients_contact_shows_sends_and_decides_nothing(client, world):
    """A link issued before the approvers were limited to the client's own contacts."""
    own_contact = ClientContact.objects.get(client=world.own.client)
    link = ApprovalLink(
        draft=world.foreign.draft, contact=own_contact, nonce="7f" * 32, expires_at=timezone.now() + timedelta(hours=1)
    )
    link.token_hash = approval_token_hash(approval_token(link=link))
    link.save()
    path = f"/crises/approve/{world.foreign.draft.pk}/{approval_token(link=link)}/"

    shown = client.get(path)
    decided = client.post(path, {"decision": "approve"})
    reminded = approval_link_send(link_id=link.pk, purpose="reminder", now=timezone.now())
    world.foreign.draft.refresh_from_db()

    assert (shown.status_code, decided.status_code) == (403, 403)
    assert leaked_markers(shown.content) == leaked_markers(decided.content) == []
    assert reminded is False and [message for message in mail.outbox if own_contact.email in message.to] == []
    assert world.foreign.draft.status == "submitted"
