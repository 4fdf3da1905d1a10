"""A two-client world for the security tests: everything of the foreign client carries a marker text."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from communityops.models import Channel, Client, User
from crises.models import Crisis, OnCallShift, ResponseDraft, SpikeAlert
from crises.services import crisis_create, response_draft_create, response_draft_submit
from inbox.models import Item
from tests.inbox.conftest import meta_graph_stub, open_item_factory  # noqa: F401 (fixtures re-exported)

# Text that only the foreign client's objects contain: finding it in a response is a leak.
FOREIGN_MARKERS = (
    "Geheimbrauerei",
    "FOREIGN-ITEM-7f3a",
    "FOREIGN-CRISIS-7f3a",
    "FOREIGN-DRAFT-7f3a",
    "FOREIGN-AUTHOR-7f3a",
)


@dataclass
class Tenant:
    client: Client
    channel: Channel
    item: Item
    crisis: Crisis
    draft: ResponseDraft
    alert: SpikeAlert


@dataclass
class World:
    own: Tenant
    foreign: Tenant
    # Who asks: a principal's name -> the user (None: anonymous). Shift leads and admins are
    # not among them: they serve every client by design (communityops/selectors.py).
    principals: dict[str, User | None]
    shift: OnCallShift  # the foreign client's shift lead on call


def _tenant(*, client, channel_factory, open_item_factory, lead, marker: str) -> Tenant:  # noqa: F811
    channel = channel_factory(client=client, platform=Channel.Platform.FACEBOOK_PAGE, name=f"{marker}-CHANNEL-7f3a")
    item = open_item_factory(
        channel=channel,
        text=f"{marker}-ITEM-7f3a wann liefert ihr?",
        author_external_id=f"author-{marker}",
        thread_external_id=f"post-{marker}",
    )
    item.author.display_name = f"{marker}-AUTHOR-7f3a"
    item.author.save(update_fields=["display_name"])
    now = timezone.now()
    crisis = crisis_create(acting_user=lead, client=client, title=f"{marker}-CRISIS-7f3a", now=now)
    draft = response_draft_create(crisis=crisis, acting_user=lead, text=f"{marker}-DRAFT-7f3a", now=now)
    response_draft_submit(draft=draft, acting_user=lead, now=now)
    alert = SpikeAlert.objects.create(
        client=client,
        channel=channel,
        kind=SpikeAlert.Kind.TOTAL_VOLUME,
        window_start=now - timedelta(minutes=15),
        window_end=now,
        observed=40,
        baseline=4.0,
        sample_item_ids=[item.pk],
    )
    return Tenant(client=client, channel=channel, item=item, crisis=crisis, draft=draft, alert=alert)


@pytest.fixture
def world(client_factory, channel_factory, open_item_factory, user_factory, team_factory, contact_user_for):  # noqa: F811
    """Client OWN (served by our team) and client FOREIGN (served by another team), with one of everything.

    The principals all try to reach FOREIGN's objects; none of them may.
    """
    own_client = client_factory(name="Own Bakery")
    foreign_client = client_factory(name="Geheimbrauerei Foreign")
    own_lead = user_factory(role=User.Role.SHIFT_LEAD)
    foreign_lead = user_factory(role=User.Role.SHIFT_LEAD)
    agent = user_factory(role=User.Role.AGENT)
    team_factory(members=[own_lead, agent], clients=[own_client])
    team_factory(members=[foreign_lead], clients=[foreign_client])
    own_contact, foreign_contact = contact_user_for(own_client), contact_user_for(foreign_client)
    own = _tenant(
        client=own_client,
        channel_factory=channel_factory,
        open_item_factory=open_item_factory,
        lead=own_lead,
        marker="OWN",
    )
    foreign = _tenant(
        client=foreign_client,
        channel_factory=channel_factory,
        open_item_factory=open_item_factory,
        lead=foreign_lead,
        marker="FOREIGN",
    )
    principals = {
        "anonymous": None,
        "agent of another team": agent,
        "contact of another client": own_contact,
        "contact of the same client": foreign_contact,
    }
    now = timezone.now()
    shift = OnCallShift.objects.create(
        lead=foreign_lead, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=8), label="night"
    )
    return World(own=own, foreign=foreign, principals=principals, shift=shift)


def http_client_for(user: User | None, **kwargs) -> HttpClient:
    http = HttpClient(**kwargs)
    if user is not None:
        http.force_login(user)
    return http


def leaked_markers(content: bytes) -> list[str]:
    text = content.decode("utf-8", errors="replace")
    return [marker for marker in FOREIGN_MARKERS if marker in text]
