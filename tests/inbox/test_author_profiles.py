"""The client's team keeps its key-account list and notes about authors from the item page and the API."""

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import translation

from communityops.models import User
from inbox.models import AuthorProfile, Item, ItemEvent
from inbox.services.author_profiles import NOTES_MAX_LENGTH, author_profile_update
from inbox.services.errors import InboxActionError


def _tiers(*items: Item) -> list[tuple[str, int]]:
    return [
        (item.author_tier, item.priority) for item in Item.objects.filter(pk__in=[i.pk for i in items]).order_by("pk")
    ]


def test_putting_an_author_on_the_key_account_list_triages_their_open_items_again(channel_factory, agent_for, ingest):
    channel = channel_factory()
    agent = agent_for(channel.client, with_mfa=False)
    first, second = ingest(channel, author_id="vera"), ingest(channel, author_id="vera")
    answered = ingest(channel, author_id="vera")
    Item.objects.filter(pk=answered.pk).update(status=Item.Status.ANSWERED)
    stranger = ingest(channel, author_id="someone-else")
    assert _tiers(first, second, answered, stranger) == [("C", Item.Priority.NORMAL)] * 4

    result = author_profile_update(acting_user=agent, item_id=first.pk, is_key_account=True, notes=" Einkaufsleiterin ")

    profile = AuthorProfile.objects.get(client=channel.client, author=first.author)
    assert (profile.is_key_account, profile.notes, profile.updated_by) == (True, "Einkaufsleiterin", agent)
    assert sorted(item.pk for item in result.triaged_again) == [first.pk, second.pk]
    # Open items follow at once; the answered one keeps what it was worked with, a stranger's is untouched.
    assert _tiers(first, second, answered, stranger) == [
        ("A", Item.Priority.URGENT),
        ("A", Item.Priority.URGENT),
        ("C", Item.Priority.NORMAL),
        ("C", Item.Priority.NORMAL),
    ]
    event = ItemEvent.objects.get(item=first, kind=ItemEvent.Kind.TRIAGED)
    assert event.actor == agent
    assert event.data["reason"] == "put on the key-account list"
    assert "key account" in event.data["triage"]
    assert Item.objects.get(pk=first.pk).sla_due_at == first.sla_due_at  # the promise stays

    author_profile_update(acting_user=agent, item_id=second.pk, is_key_account=False, notes="Einkaufsleiterin")

    assert _tiers(first, second) == [("C", Item.Priority.NORMAL)] * 2
    assert ItemEvent.objects.filter(item=first, kind=ItemEvent.Kind.TRIAGED).count() == 2


def test_the_list_is_per_client(channel_factory, client_factory, agent_for, ingest):
    # The same person writes to two clients of the agency: one client's VIP is another's customer.
    ours, theirs = channel_factory(client=client_factory()), channel_factory(client=client_factory())
    agent = agent_for(ours.client, with_mfa=False)
    item, elsewhere = ingest(ours, author_id="vera"), ingest(theirs, author_id="vera")

    author_profile_update(acting_user=agent, item_id=item.pk, is_key_account=True, notes="")

    assert _tiers(item, elsewhere) == [("A", Item.Priority.URGENT), ("C", Item.Priority.NORMAL)]
    assert not AuthorProfile.objects.filter(client=theirs.client).exists()


def test_notes_alone_triage_nothing_again(channel_factory, agent_for, ingest):
    channel = channel_factory()
    agent = agent_for(channel.client, with_mfa=False)
    item = ingest(channel, author_id="vera")

    result = author_profile_update(acting_user=agent, item_id=item.pk, is_key_account=False, notes="Bitte siezen.")

    assert result.triaged_again == []
    assert result.profile.notes == "Bitte siezen."
    assert not ItemEvent.objects.filter(kind=ItemEvent.Kind.TRIAGED).exists()
    change = ItemEvent.objects.get(item=item, kind=ItemEvent.Kind.AUTHOR_PROFILE_CHANGED)
    assert (change.actor, change.data) == (agent, {"is_key_account": False, "notes_changed": True})


def test_saving_the_unchanged_empty_form_stores_no_profile(channel_factory, agent_for, ingest):
    channel = channel_factory()
    agent = agent_for(channel.client, with_mfa=False)
    item = ingest(channel, author_id="vera")

    result = author_profile_update(acting_user=agent, item_id=item.pk, is_key_account=False, notes="  ")

    assert (result.profile.pk, result.triaged_again) == (None, [])
    assert not AuthorProfile.objects.exists()
    assert not ItemEvent.objects.filter(kind=ItemEvent.Kind.AUTHOR_PROFILE_CHANGED).exists()


PRAISE = "Ich finde euer neues Produkt wirklich großartig und empfehle es allen meinen Freunden und Kollegen weiter"


def test_on_and_off_the_list_leaves_an_item_as_it_arrived_though_copies_came_later(channel_factory, agent_for, ingest):
    # Two other accounts post the same text after Vera: they look like a campaign, her original does not.
    channel = channel_factory()
    agent = agent_for(channel.client, with_mfa=False)
    veras = ingest(channel, author_id="vera", text=PRAISE)
    as_arrived = Item.objects.values_list("priority", "fake_score", "tags", "triage_reasons").get(pk=veras.pk)
    copies = [ingest(channel, author_id=f"bot-{number}", text=PRAISE) for number in (1, 2)]
    assert "campaign" in Item.objects.get(pk=copies[1].pk).tags

    author_profile_update(acting_user=agent, item_id=veras.pk, is_key_account=True)
    author_profile_update(acting_user=agent, item_id=veras.pk, is_key_account=False)

    assert Item.objects.values_list("priority", "fake_score", "tags", "triage_reasons").get(pk=veras.pk) == as_arrived


def test_too_long_notes_are_refused_and_nothing_is_saved(channel_factory, agent_for, ingest):
    channel = channel_factory()
    agent = agent_for(channel.client, with_mfa=False)
    item = ingest(channel, author_id="vera")

    with pytest.raises(InboxActionError, match=str(NOTES_MAX_LENGTH)):
        author_profile_update(
            acting_user=agent, item_id=item.pk, is_key_account=True, notes="x" * (NOTES_MAX_LENGTH + 1)
        )

    assert not AuthorProfile.objects.exists()
    assert _tiers(item) == [("C", Item.Priority.NORMAL)]


def test_an_item_of_a_client_the_user_does_not_serve_looks_missing(channel_factory, agent_for, ingest):
    item = ingest(channel_factory(), author_id="vera")
    outsider = agent_for(channel_factory().client, with_mfa=False)

    with pytest.raises(Http404):
        author_profile_update(acting_user=outsider, item_id=item.pk, is_key_account=True, notes="")

    assert not AuthorProfile.objects.exists()


def test_the_item_page_edits_the_profile(client, channel_factory, agent_for, ingest):
    channel = channel_factory()
    agent = agent_for(channel.client)
    item = ingest(channel, author_id="vera")
    client.force_login(agent)

    page = client.get(reverse("inbox:item", args=[item.pk]))
    assert reverse("inbox:author_profile", args=[item.pk]) in page.content.decode()

    response = client.post(
        reverse("inbox:author_profile", args=[item.pk]),
        {"is_key_account": "on", "notes": "Einkaufsleiterin, Budget 1 Mio."},
        follow=True,
    )

    body = response.content.decode()
    assert "Einkaufsleiterin, Budget 1 Mio." in body
    assert "1 offener Beitrag dieser Person wurde neu eingestuft." in body  # the German UI
    assert 'name="is_key_account" checked' in body
    assert _tiers(item) == [("A", Item.Priority.URGENT)]


def test_the_api_edits_the_profile_and_the_item_detail_shows_it(channel_factory, agent_for, ingest, api_as):
    channel = channel_factory()
    agent = agent_for(channel.client)
    item = ingest(channel, author_id="vera")
    api = api_as(agent)
    url = reverse("api_inbox_item_author_profile", args=[item.pk])

    response = api.post(url, {"is_key_account": True, "notes": "Einkaufsleiterin"}, format="json")

    assert response.status_code == 200
    assert response.json()["triaged_again"] == [item.pk]
    assert response.json()["updated_by"]["id"] == agent.pk
    detail = api.get(reverse("api_inbox_item", args=[item.pk])).json()
    assert detail["author_profile"]["is_key_account"] is True
    assert detail["item"]["author_tier"] == "A"

    too_long = api.post(url, {"is_key_account": True, "notes": "x" * (NOTES_MAX_LENGTH + 1)}, format="json")
    assert too_long.status_code == 400
    assert "notes" in too_long.json()
    assert api.post(url, {}, format="json").status_code == 400  # nothing to set


def test_the_api_keeps_what_a_request_leaves_out(channel_factory, agent_for, ingest, api_as):
    channel = channel_factory()
    agent = agent_for(channel.client)
    item = ingest(channel, author_id="vera")
    api = api_as(agent)
    url = reverse("api_inbox_item_author_profile", args=[item.pk])
    api.post(url, {"notes": "Bitte siezen."}, format="json")

    flagged = api.post(url, {"is_key_account": True}, format="json").json()

    assert (flagged["is_key_account"], flagged["notes"]) == (True, "Bitte siezen.")


def test_an_empty_profile_is_null_in_the_item_detail(channel_factory, agent_for, ingest, api_as):
    channel = channel_factory()
    agent = agent_for(channel.client)
    item = ingest(channel, author_id="vera")
    api = api_as(agent)

    saved = api.post(reverse("api_inbox_item_author_profile", args=[item.pk]), {"is_key_account": False}, format="json")

    assert (saved.status_code, saved.json()["updated_at"]) == (200, None)
    assert api.get(reverse("api_inbox_item", args=[item.pk])).json()["author_profile"] is None


def test_an_admin_putting_an_author_on_the_list_triages_their_open_items_too(
    client, channel_factory, user_factory, ingest
):
    channel = channel_factory()
    item = ingest(channel, author_id="vera")
    admin = user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)

    response = client.post(
        reverse("admin:inbox_authorprofile_add"),
        {"client": channel.client.pk, "author": item.author.pk, "is_key_account": "on", "notes": "Einkauf"},
    )

    assert response.status_code == 302
    profile = AuthorProfile.objects.get(client=channel.client, author=item.author)
    assert (profile.is_key_account, profile.notes, profile.updated_by) == (True, "Einkauf", admin)
    assert _tiers(item) == [("A", Item.Priority.URGENT)]

    client.post(
        reverse("admin:inbox_authorprofile_change", args=[profile.pk]), {"notes": "Einkauf"}
    )  # the box unticked

    assert _tiers(item) == [("C", Item.Priority.NORMAL)]


def test_deleting_a_key_account_profile_in_the_admin_takes_their_items_off_tier_a(
    client, channel_factory, user_factory, agent_for, ingest
):
    channel = channel_factory()
    agent = agent_for(channel.client, with_mfa=False)
    item = ingest(channel, author_id="vera")
    profile = author_profile_update(acting_user=agent, item_id=item.pk, is_key_account=True).profile
    client.force_login(user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))

    response = client.post(reverse("admin:inbox_authorprofile_delete", args=[profile.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not AuthorProfile.objects.exists()
    assert _tiers(item) == [("C", Item.Priority.NORMAL)]


def test_deleting_selected_profiles_in_the_admin_takes_their_items_off_tier_a(
    client, channel_factory, user_factory, agent_for, ingest
):
    channel = channel_factory()
    agent = agent_for(channel.client, with_mfa=False)
    vip, noted = ingest(channel, author_id="vera"), ingest(channel, author_id="kim")
    profiles = [
        author_profile_update(acting_user=agent, item_id=vip.pk, is_key_account=True).profile,
        author_profile_update(acting_user=agent, item_id=noted.pk, notes="Bitte siezen.").profile,
    ]
    client.force_login(user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))

    client.post(
        reverse("admin:inbox_authorprofile_changelist"),
        {"action": "delete_selected", "_selected_action": [profile.pk for profile in profiles], "post": "yes"},
    )

    assert not AuthorProfile.objects.exists()
    assert _tiers(vip, noted) == [("C", Item.Priority.NORMAL)] * 2


def test_the_profile_s_fields_have_german_labels():
    with translation.override("de"):
        labels = [
            str(AuthorProfile._meta.get_field(name).verbose_name)
            for name in ("client", "author", "updated_by", "updated_at")
        ]

    assert labels == ["Kunde", "Autor", "zuletzt geändert von", "zuletzt geändert"]
