"""The agent inbox pages: scoping, the live fragments, reply conflicts, query counts."""

import base64
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django_q.models import OrmQ

from billing.pricing import PRESETS
from billing.services import coverage_plan_create
from communityops.models import Channel, User
from inbox.models import AgentPresence, CannedResponse, Item, ItemEvent, OutboundAction
from inbox.services.assignment import presence_heartbeat
from inbox.services.claims import item_claim, item_release, item_take_over
from inbox.services.ingestion import item_mark_removed_on_platform, thread_mark_removed_on_platform
from inbox.services.moderation import item_moderate


@pytest.fixture
def served(client_factory, channel_factory, agent_for):
    client = client_factory()
    channel = channel_factory(client=client)
    return {"client": client, "channel": channel, "agent": agent_for(client)}


def test_queue_page_lists_open_items_most_urgent_first(client, served, open_item_factory):
    later = open_item_factory(channel=served["channel"], due_in=50, text="später fällig")
    sooner = open_item_factory(channel=served["channel"], due_in=5, text="bald fällig")
    client.force_login(served["agent"])

    page = client.get(reverse("inbox:queue")).content.decode()

    assert page.index(sooner.text) < page.index(later.text)


def test_a_queue_row_names_the_channel_and_says_when_an_item_is_urgent(client, served, open_item_factory):
    served["channel"].name = "Kundenportal-Feedback"
    served["channel"].save(update_fields=["name"])
    open_item_factory(channel=served["channel"], priority=1, text="Anwalt eingeschaltet")
    client.force_login(served["agent"])

    with translation.override("de"):
        row = client.get(reverse("inbox:queue")).content.decode()

    assert "Kundenportal-Feedback" in row
    assert '<span class="badge danger">Dringend</span>' in row


def test_a_queue_row_warns_of_spam_and_fakes_from_the_score_triage_tags_them(client, served, open_item_factory):
    below = open_item_factory(channel=served["channel"], spam_score=0.65, fake_score=0.55)
    above = open_item_factory(channel=served["channel"], spam_score=0.75, fake_score=0.65)
    client.force_login(served["agent"])

    with translation.override("de"):
        fragment = client.get(reverse("inbox:queue_list")).content.decode()
    rows = {item.pk: fragment.split(f'id="queue-item-{item.pk}"')[1].split("</li>")[0] for item in (below, above)}

    assert "Spam?" not in rows[below.pk] and "Fake?" not in rows[below.pk]
    assert "Spam?" in rows[above.pk] and "Fake?" in rows[above.pk]


def test_the_queues_status_menu_offers_only_statuses_an_item_can_have(client, served):
    client.force_login(served["agent"])

    page = client.get(reverse("inbox:queue")).content.decode()

    assert '<option value="claimed"' in page
    assert "awaiting_approval" not in page


def test_queue_shows_no_item_of_a_foreign_client(client, served, open_item_factory, channel_factory):
    open_item_factory(channel=channel_factory(), text="fremder Mandant")
    client.force_login(served["agent"])

    assert "fremder Mandant" not in client.get(reverse("inbox:queue")).content.decode()


def test_foreign_item_page_is_404(client, served, open_item_factory, channel_factory):
    foreign = open_item_factory(channel=channel_factory())
    client.force_login(served["agent"])

    assert client.get(reverse("inbox:item", args=[foreign.pk])).status_code == 404
    assert client.post(reverse("inbox:claim", args=[foreign.pk])).status_code == 404


def test_queue_fragment_query_count_does_not_grow_with_the_number_of_items(
    client, served, open_item_factory, django_assert_max_num_queries
):
    client.force_login(served["agent"])
    for _number in range(3):
        open_item_factory(channel=served["channel"])
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("inbox:queue_list"))
    for _number in range(30):
        open_item_factory(channel=served["channel"])

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("inbox:queue_list"))


def test_live_refresh_keeps_as_many_rows_as_the_agent_loaded(client, served, open_item_factory):
    for minutes in range(30):
        open_item_factory(channel=served["channel"], due_in=minutes + 1)
    client.force_login(served["agent"])

    def rows(params):
        return client.get(reverse("inbox:queue_list"), params).content.decode().count("data-queue-row")

    assert rows({}) == 25  # one page
    assert rows({"rows": "30"}) == 30  # the refresh of a list extended with "Load more"
    assert rows({"rows": "3"}) == 25  # never less than a page
    assert rows({"rows": "x"}) == 25  # nonsense is one page


def test_load_more_with_a_cursor_from_before_an_update_shows_the_list_from_the_top(client, served, open_item_factory):
    # "Load more" on a page loaded before a deploy changed the cursors (here: the one before the
    # queue sorted by priority): the list starts again from the top, in place of the list, and says so.
    items = [open_item_factory(channel=served["channel"], due_in=minutes + 1) for minutes in range(30)]
    old_style = base64.urlsafe_b64encode(f"{items[24].sla_due_at.isoformat()}|{items[24].pk}".encode()).decode()
    client.force_login(served["agent"])

    response = client.get(
        reverse("inbox:queue_list"), {"cursor": old_style}, headers={"HX-Request": "true", "Accept-Language": "en"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert (response["HX-Retarget"], response["HX-Reswap"]) == ("#queue-list", "innerHTML")
    assert "it starts again from the top" in page
    assert page.count("data-queue-row") == 25 and f'id="queue-item-{items[0].pk}"' in page
    assert "Load more" in page


def test_item_links_in_the_queue_carry_only_the_filters_set(client, served, open_item_factory):
    item = open_item_factory(channel=served["channel"])
    client.force_login(served["agent"])
    chosen = {
        "client": served["client"].pk,
        "channel": "",
        "status": "",
        "priority": "",
        "tier": "",
        "tag": "",
        "q": "",
    }

    refreshed = client.get(reverse("inbox:queue_list"), chosen).content.decode()
    page = client.get(reverse("inbox:queue"), chosen).content.decode()

    link = f'href="/inbox/items/{item.pk}/?client={served["client"].pk}"'
    assert link in refreshed
    assert link in page


def test_item_links_in_an_unfiltered_queue_carry_no_query(client, served, open_item_factory):
    item = open_item_factory(channel=served["channel"])
    client.force_login(served["agent"])

    refreshed = client.get(reverse("inbox:queue_list"), {"client": "", "q": " "}).content.decode()

    assert f'href="/inbox/items/{item.pk}/"' in refreshed


def test_claim_next_returns_with_only_the_filters_set(client, served, open_item_factory):
    item = open_item_factory(channel=served["channel"])
    client.force_login(served["agent"])

    response = client.post(reverse("inbox:claim_next"), {"client": served["client"].pk, "channel": "", "q": "  "})

    assert response["Location"] == f"/inbox/items/{item.pk}/?client={served['client'].pk}"


def test_a_filter_change_puts_the_chosen_filters_into_the_address_of_the_page_shown(client, served):
    client.force_login(served["agent"])
    chosen = {"client": served["client"].pk, "channel": "", "priority": "3", "q": "Winterbier"}
    item_page = "http://testserver/inbox/items/7/?client=1"

    from_menus = client.get(
        reverse("inbox:queue_list"),
        chosen,
        headers={"HX-Request": "true", "HX-Trigger": "queue-filters", "HX-Current-URL": "http://testserver/inbox/"},
    )
    from_search = client.get(
        reverse("inbox:queue_list"),
        chosen,
        headers={"HX-Request": "true", "HX-Trigger": "queue-search", "HX-Current-URL": item_page},
    )
    cleared = client.get(
        reverse("inbox:queue_list"),
        {"client": "", "q": ""},
        headers={"HX-Request": "true", "HX-Trigger": "queue-filters", "HX-Current-URL": item_page},
    )

    assert from_menus["HX-Replace-Url"] == f"/inbox/?client={served['client'].pk}&priority=3&q=Winterbier"
    assert from_search["HX-Replace-Url"] == f"/inbox/items/7/?client={served['client'].pk}&priority=3&q=Winterbier"
    assert cleared["HX-Replace-Url"] == "/inbox/items/7/"


def test_the_live_refresh_and_foreign_pages_leave_the_address_to_the_queue(client, served):
    client.force_login(served["agent"])
    chosen = {"priority": "3"}

    refresh = client.get(
        reverse("inbox:queue_list"),
        chosen,
        headers={"HX-Request": "true", "HX-Trigger": "queue-list", "HX-Current-URL": "http://testserver/inbox/"},
    )
    forged = client.get(
        reverse("inbox:queue_list"),
        chosen,
        headers={"HX-Request": "true", "HX-Trigger": "queue-filters", "HX-Current-URL": "http://testserver/admin/"},
    )

    assert "HX-Replace-Url" not in refresh
    assert forged["HX-Replace-Url"] == "/inbox/?priority=3"


def test_the_queue_page_opens_with_the_filters_of_its_address(client, served, open_item_factory, channel_factory):
    shown = open_item_factory(channel=served["channel"], text="Winterbier bitte")
    hidden = open_item_factory(channel=served["channel"], text="Lieferung fehlt")
    client.force_login(served["agent"])

    page = client.get(reverse("inbox:queue"), {"client": served["client"].pk, "q": "Winterbier"}).content.decode()

    assert f'id="queue-item-{shown.pk}"' in page and f'id="queue-item-{hidden.pk}"' not in page
    assert f'<option value="{served["client"].pk}" selected>' in page
    assert 'value="Winterbier"' in page


def test_client_counts_show_a_client_without_a_coverage_plan_as_such(client, served, client_factory, agent_for):
    booked = client_factory(name="Gebucht GmbH")
    coverage_plan_create(
        acting_user=None,
        client=booked,
        pattern=PRESETS["always"],
        federal_state="BY",
        holidays_covered=True,
        response_minutes=30,
        valid_from=timezone.localdate() - timedelta(days=1),
    )
    client.force_login(agent_for(served["client"], booked))

    german = client.get(reverse("inbox:client_counts")).content.decode()
    english = client.get(reverse("inbox:client_counts"), headers={"Accept-Language": "en"}).content.decode()

    rows = {row.split("</strong>")[0]: row for row in english.split("<strong>")[1:]}
    assert "covered (no coverage plan)" in rows[served["client"].name]
    assert "no coverage plan" not in rows["Gebucht GmbH"] and "covered now" in rows["Gebucht GmbH"]
    assert "betreut (kein Betreuungsplan)" in german


def test_client_counts_warn_the_agent_when_nothing_new_can_arrive(client, served, agent_for):
    """With the queue workers down the inbox looks quiet at night: the agent is told why."""
    client.force_login(agent_for(served["client"]))
    now = timezone.now()

    working = client.get(reverse("inbox:client_counts")).content.decode()
    OrmQ.objects.create(key="communityops", payload="webhook delivery", lock=now - timedelta(minutes=7))
    stopped = client.get(reverse("inbox:client_counts")).content.decode()
    stopped_english = client.get(reverse("inbox:client_counts"), headers={"Accept-Language": "en"}).content.decode()

    assert "tasks-stalled" not in working
    assert "Es kommt nichts Neues an: Hintergrundaufgaben laufen seit 7 Min. nicht mehr" in stopped
    assert "Nothing new arrives: background tasks have not run for 7 min" in stopped_english


def test_claim_status_shows_who_holds_the_item(client, served, open_item_factory, agent_for):
    item = open_item_factory(channel=served["channel"])
    colleague = agent_for(served["client"], first_name="Clara")
    item_claim(acting_user=colleague, item_id=item.pk)
    client.force_login(served["agent"])

    fragment = client.get(reverse("inbox:claim_status", args=[item.pk])).content.decode()

    assert "Clara" in fragment
    assert 'data-claim-state="other"' in fragment


@pytest.mark.parametrize("poll", ["queue_list", "client_counts", "claim_status", "reply"])
def test_a_live_update_after_the_session_ended_sends_the_whole_page_to_the_login_and_back(
    client, served, open_item_factory, poll
):
    item = open_item_factory(channel=served["channel"])
    url = reverse(f"inbox:{poll}", args=[item.pk] if poll in ("claim_status", "reply") else [])
    page = f"/inbox/items/{item.pk}/?client={served['client'].pk}"
    headers = {"HX-Request": "true", "HX-Current-URL": f"http://testserver{page}"}

    response = (client.post if poll == "reply" else client.get)(url, headers=headers)

    # Not a redirect htmx would follow, swapping the login page into the queue or the claim status.
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reverse('account_login')}?{urlencode({'next': page})}"
    assert response.content == b""


def test_reply_after_the_conversation_changed_shows_what_changed_and_keeps_the_text(
    client, served, open_item_factory, meta_graph_stub
):
    item = open_item_factory(channel=served["channel"], thread_external_id="post-1")
    item_claim(acting_user=served["agent"], item_id=item.pk)
    client.force_login(served["agent"])
    loaded_version = ItemEvent.objects.filter(item=item).latest("id").pk
    newcomer = open_item_factory(
        channel=served["channel"],
        thread_external_id="post-1",
        parent_external_id=item.external_id,
        text="Noch jemand hier?",
    )

    response = client.post(
        reverse("inbox:reply", args=[item.pk]),
        {"text": "Mein Entwurf", "conversation_version": loaded_version},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200  # htmx swaps no 4xx answer: the agent would see nothing
    body = response.content.decode()
    assert newcomer.text in body
    assert "Mein Entwurf" in body
    assert not item.outbound_actions.exists()


@pytest.mark.parametrize(
    "refused_because, reason",
    [
        (
            lambda item, lead: item_take_over(acting_user=lead, item_id=item.pk, reason="Eskalation"),
            "You no longer hold this item",
        ),
        (
            lambda item, lead: item_mark_removed_on_platform(
                channel=item.channel, external_id=item.external_id, reason="removed on Facebook"
            ),
            "This comment was removed on the platform: neither a reply nor a moderation can reach it there.",
        ),
    ],
    ids=["a lead took the item over", "the comment was removed on the platform"],
)
def test_a_refused_reply_says_why_and_keeps_the_text(
    client, served, open_item_factory, user_factory, team_factory, meta_graph_stub, refused_because, reason
):
    item = open_item_factory(channel=served["channel"])
    item_claim(acting_user=served["agent"], item_id=item.pk)
    lead = user_factory(role=User.Role.SHIFT_LEAD)
    team_factory(members=[lead], clients=[served["channel"].client])
    refused_because(item, lead)
    client.force_login(served["agent"])
    version = ItemEvent.objects.filter(item=item).latest("id").pk

    response = client.post(
        reverse("inbox:reply", args=[item.pk]),
        {"text": "Mein langer Entwurf", "conversation_version": version},
        headers={"HX-Request": "true", "Accept-Language": "en"},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert reason in body
    assert "Your unsent reply" in body and "Mein langer Entwurf" in body
    assert "Reply queued" not in body
    assert not item.outbound_actions.exists()
    assert meta_graph_stub.requests == []


def test_an_empty_reply_is_refused_in_the_agents_language(client, served, open_item_factory):
    item = open_item_factory(channel=served["channel"])
    item_claim(acting_user=served["agent"], item_id=item.pk)
    client.force_login(served["agent"])
    version = ItemEvent.objects.filter(item=item).latest("id").pk

    response = client.post(
        reverse("inbox:reply", args=[item.pk]),
        {"text": "   ", "conversation_version": version},
        headers={"HX-Request": "true", "Accept-Language": "de"},
    )

    assert response.status_code == 200
    assert "Eine Antwort braucht einen Text." in response.content.decode()
    assert not item.outbound_actions.exists()


def test_an_item_on_a_channel_that_cannot_reply_offers_no_reply_form(
    client, served, channel_factory, open_item_factory
):
    reviews = channel_factory(client=served["channel"].client, platform=Channel.Platform.GENERIC)
    item = open_item_factory(channel=reviews)
    item_claim(acting_user=served["agent"], item_id=item.pk)
    client.force_login(served["agent"])

    body = client.get(reverse("inbox:item", args=[item.pk]), headers={"Accept-Language": "en"}).content.decode()

    assert "This channel cannot send replies" in body
    assert reverse("inbox:reply", args=[item.pk]) not in body


@pytest.mark.parametrize(
    ("removed", "reason"),
    [
        (
            lambda comment: item_mark_removed_on_platform(
                channel=comment.channel, external_id=comment.external_id, reason="removed on Facebook"
            ),
            "der Kommentar, auf den er antwortet, wurde entfernt",
        ),
        (
            lambda comment: thread_mark_removed_on_platform(channel=comment.channel, thread_external_id="post-1"),
            "der Beitrag wurde entfernt",
        ),
    ],
    ids=["comment", "post"],
)
def test_the_composer_of_a_reply_under_a_comment_or_post_removed_on_the_platform_says_so(
    client, served, open_item_factory, removed, reason
):
    comment = open_item_factory(channel=served["channel"], thread_external_id="post-1")
    reply = open_item_factory(
        channel=served["channel"],
        kind=Item.Kind.REPLY,
        thread_external_id="post-1",
        parent_external_id=comment.external_id,
    )
    removed(comment)
    item_claim(acting_user=served["agent"], item_id=reply.pk)
    client.force_login(served["agent"])

    with translation.override("de"):
        body = client.get(reverse("inbox:item", args=[reply.pk])).content.decode()

    assert "Dieser Kommentar wurde auf der Plattform entfernt" in body
    assert reason in body
    assert reverse("inbox:reply", args=[reply.pk]) not in body


def test_the_composer_of_a_comment_removed_on_the_platform_says_so_and_offers_only_closing(
    client, served, open_item_factory
):
    item = open_item_factory(channel=served["channel"])
    item_mark_removed_on_platform(channel=item.channel, external_id=item.external_id, reason="removed on Facebook")
    item_claim(acting_user=served["agent"], item_id=item.pk)
    client.force_login(served["agent"])

    with translation.override("de"):
        body = client.get(reverse("inbox:item", args=[item.pk])).content.decode()

    assert "Dieser Kommentar wurde auf der Plattform entfernt" in body
    assert reverse("inbox:reply", args=[item.pk]) not in body
    assert 'name="action" value="close"' in body
    assert 'name="action" value="hide"' not in body and 'name="action" value="delete"' not in body
    assert f'name="remove" value="{Item.TAG_REMOVED_ON_PLATFORM}"' not in body
    assert reverse("inbox:note", args=[item.pk]) in body


def test_canned_responses_can_be_copied_where_the_channel_cannot_reply(
    client, served, channel_factory, open_item_factory
):
    reviews = channel_factory(client=served["channel"].client, platform=Channel.Platform.GENERIC)
    CannedResponse.objects.create(client=reviews.client, title="Danke für die Bewertung", body="Vielen Dank!")
    item = open_item_factory(channel=reviews)
    item_claim(acting_user=served["agent"], item_id=item.pk)
    client.force_login(served["agent"])

    body = client.get(reverse("inbox:item", args=[item.pk]), headers={"Accept-Language": "en"}).content.decode()

    assert "Danke für die Bewertung" in body and 'data-copy-text="Vielen Dank!"' in body


def test_reply_goes_out_and_answers_the_item(
    client, served, open_item_factory, meta_graph_stub, django_capture_on_commit_callbacks
):
    item = open_item_factory(channel=served["channel"])
    item_claim(acting_user=served["agent"], item_id=item.pk)
    client.force_login(served["agent"])
    version = ItemEvent.objects.filter(item=item).latest("id").pk

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("inbox:reply", args=[item.pk]), {"text": "Danke!", "conversation_version": version}
        )

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == Item.Status.ANSWERED
    assert [reply["message"] for reply in meta_graph_stub.app.replies] == ["Danke!"]


def test_claim_next_with_nothing_waiting_says_so(client, served):
    client.force_login(served["agent"])

    response = client.post(reverse("inbox:claim_next"), follow=True)

    assert "Gerade wartet nichts auf Sie." in response.content.decode()


def test_close_needs_no_answer_and_sends_nothing(client, served, open_item_factory):
    item = open_item_factory(channel=served["channel"])
    item_claim(acting_user=served["agent"], item_id=item.pk)
    client.force_login(served["agent"])

    client.post(reverse("inbox:moderate", args=[item.pk]), {"action": "close"})

    item.refresh_from_db()
    assert item.status == Item.Status.CLOSED
    assert not item.outbound_actions.exists()


def test_unknown_moderation_action_is_refused_with_a_message(client, served, open_item_factory):
    item = open_item_factory(channel=served["channel"])
    client.force_login(served["agent"])

    response = client.post(
        reverse("inbox:moderate", args=[item.pk]),
        {"action": "explode"},
        headers={"Accept-Language": "de"},
        follow=True,
    )

    assert response.status_code == 200
    assert "Unbekannte Moderationsaktion „explode“." in response.content.decode()
    item.refresh_from_db()
    assert item.status == Item.Status.NEW
    assert not item.outbound_actions.exists()


def test_end_shift_releases_what_the_agent_holds(client, served, open_item_factory):
    item = open_item_factory(channel=served["channel"])
    item_claim(acting_user=served["agent"], item_id=item.pk)
    client.force_login(served["agent"])

    client.post(reverse("inbox:end_shift"))

    item.refresh_from_db()
    assert item.claimed_by is None


def test_after_ending_the_shift_the_queue_offers_to_start_one_and_keeps_the_agent_offline(client, served):
    client.force_login(served["agent"])
    english = {"Accept-Language": "en"}

    page = client.post(reverse("inbox:end_shift"), headers=english, follow=True).content.decode()
    client.post(reverse("api_inbox_presence_heartbeat"))  # the queue page's own heartbeat

    assert f'action="{reverse("inbox:start_shift")}"' in page and "Start shift" in page
    assert AgentPresence.objects.get(user=served["agent"]).is_online is False

    page = client.post(reverse("inbox:start_shift"), headers=english, follow=True).content.decode()

    assert AgentPresence.objects.get(user=served["agent"]).is_online is True
    assert f'action="{reverse("inbox:end_shift")}"' in page


def test_inbox_page_keeps_the_agent_marked_online(client, served):
    client.force_login(served["agent"])

    page = client.get(reverse("inbox:queue")).content.decode()

    assert reverse("api_inbox_presence_heartbeat") in page
    assert client.post(reverse("api_inbox_presence_heartbeat")).status_code in (200, 204)


def test_assign_hands_the_item_to_a_colleague_of_the_client(client, served, open_item_factory, agent_for):
    item = open_item_factory(channel=served["channel"])
    colleague = agent_for(served["client"])
    presence_heartbeat(user=colleague)
    client.force_login(served["agent"])

    client.post(reverse("inbox:assign", args=[item.pk]), {"assignee": colleague.pk})

    item.refresh_from_db()
    assert item.claimed_by == colleague


def test_the_timeline_says_to_whom_an_item_was_handed_over(client, served, open_item_factory, agent_for):
    item = open_item_factory(channel=served["channel"])
    colleague = agent_for(served["client"], first_name="Zora", last_name="Yilmaz")
    presence_heartbeat(user=colleague)
    client.force_login(served["agent"])
    client.post(reverse("inbox:assign", args=[item.pk]), {"assignee": colleague.pk})

    german = client.get(reverse("inbox:item", args=[item.pk])).content.decode()
    english = client.get(reverse("inbox:item", args=[item.pk]), headers={"Accept-Language": "en"}).content.decode()

    assert "an Zora Yilmaz übergeben" in german
    assert "handed over to Zora Yilmaz" in english


def test_a_colleague_offline_is_marked_and_cannot_be_handed_an_item(client, served, open_item_factory, agent_for):
    item = open_item_factory(channel=served["channel"])
    item_claim(acting_user=served["agent"], item_id=item.pk)
    away = agent_for(served["client"], first_name="Ben")
    online = agent_for(served["client"], first_name="Zora")
    presence_heartbeat(user=online)
    client.force_login(served["agent"])

    page = client.get(reverse("inbox:item", args=[item.pk]), headers={"Accept-Language": "en"}).content.decode()
    refused = client.post(
        reverse("inbox:assign", args=[item.pk]), {"assignee": away.pk}, headers={"Accept-Language": "en"}, follow=True
    ).content.decode()

    item.refresh_from_db()
    assert f'<option value="{away.pk}" disabled>' in page and "offline" in page
    assert page.index(f'<option value="{online.pk}">') < page.index(f'<option value="{away.pk}" disabled>')
    assert "is not online: the item would go straight back to the queue." in refused
    assert item.claimed_by == served["agent"]


def test_tags_are_added_and_removed_from_the_composer(client, served, open_item_factory):
    item = open_item_factory(channel=served["channel"])
    client.force_login(served["agent"])

    client.post(reverse("inbox:tags", args=[item.pk]), {"add": "lieferung, rechnung"})
    client.post(reverse("inbox:tags", args=[item.pk]), {"remove": "lieferung"})

    item.refresh_from_db()
    assert item.tags == ["rechnung"]


def test_a_tag_past_the_limit_is_refused_with_a_message_and_nothing_changes(client, served, open_item_factory):
    full = [f"tag-{n}" for n in range(Item.TAGS_MAX)]
    item = open_item_factory(channel=served["channel"], tags=full)
    client.force_login(served["agent"])

    page = client.post(
        reverse("inbox:tags", args=[item.pk]), {"add": "rückruf"}, headers={"Accept-Language": "de"}, follow=True
    ).content.decode()

    assert (
        f"Ein Beitrag kann höchstens {Item.TAGS_MAX} Tags haben; mit dieser Änderung wären es {Item.TAGS_MAX + 1}."
        in page
    )
    item.refresh_from_db()
    assert item.tags == full


def test_a_double_click_on_hide_queues_one_hide(client, served, open_item_factory):
    item = open_item_factory(channel=served["channel"])
    client.force_login(served["agent"])

    for _click in range(2):
        client.post(reverse("inbox:moderate", args=[item.pk]), {"action": "hide", "reason": "Netiquette 1"})

    assert list(item.outbound_actions.values_list("kind", flat=True)) == ["hide"]
    assert item.events.filter(kind=ItemEvent.Kind.ACTION_QUEUED).count() == 1


def test_a_note_sent_twice_from_the_composer_is_stored_once(client, served, open_item_factory):
    item = open_item_factory(channel=served["channel"])
    client.force_login(served["agent"])

    for _submit in range(2):
        client.post(reverse("inbox:note", args=[item.pk]), {"text": "Kunde ruft morgen an"})

    assert list(item.notes.values_list("text", flat=True)) == ["Kunde ruft morgen an"]
    assert item.events.filter(kind=ItemEvent.Kind.NOTE_ADDED).count() == 1


def test_hide_near_duplicates_hides_the_same_text_of_the_client(client, served, open_item_factory, meta_graph_stub):
    campaign = [open_item_factory(channel=served["channel"], text="Boykottiert diese Firma!!!") for _n in range(3)]
    other = open_item_factory(channel=served["channel"], text="Wann öffnet ihr?")
    client.force_login(served["agent"])

    client.post(reverse("inbox:hide_duplicates", args=[campaign[0].pk]))

    statuses = {item.pk: Item.objects.get(pk=item.pk).status for item in [*campaign, other]}
    assert [statuses[item.pk] for item in campaign] == [Item.Status.HIDDEN] * 3
    assert statuses[other.pk] == Item.Status.NEW


def test_queue_filters_by_channel(client, served, open_item_factory, channel_factory):
    other_channel = channel_factory(client=served["client"], name="Instagram")
    open_item_factory(channel=served["channel"], text="auf Facebook")
    open_item_factory(channel=other_channel, text="auf Instagram")
    client.force_login(served["agent"])

    fragment = client.get(reverse("inbox:queue_list"), {"channel": other_channel.pk}).content.decode()

    assert "auf Instagram" in fragment
    assert "auf Facebook" not in fragment


def test_the_queue_search_finds_words_of_the_text_or_the_author(client, served, open_item_factory):
    splinters = open_item_factory(channel=served["channel"], text="Glassplitter im Bier! Rückruf jetzt?")
    open_item_factory(channel=served["channel"], text="Wann kommt das Winterbier?")
    by_author = open_item_factory(channel=served["channel"], text="Hallo", author_external_id="vera-1")
    by_author.author.display_name, by_author.author.handle = "Vera Glasmacher", "vera82b44"
    by_author.author.save()
    client.force_login(served["agent"])

    def found(query: str) -> str:
        return client.get(reverse("inbox:queue_list"), {"q": query}).content.decode()

    both_words, name, no_item_has_both = (
        found("rückruf GLASSPLITTER"),
        found("glasmach"),
        found("Glassplitter Winterbier"),
    )
    assert splinters.text in both_words and "Winterbier" not in both_words and "Vera" not in both_words
    assert "Vera Glasmacher" in name and splinters.text not in name
    assert "Vera Glasmacher" in found("VERA82b")  # the author's handle
    assert splinters.text not in no_item_has_both and "Winterbier" not in no_item_has_both


def test_the_queue_search_reads_the_words_as_the_stored_terms_do(client, served, open_item_factory):
    phone = open_item_factory(channel=served["channel"], text="Mein iPhone15 zeigt nichts an, siehe info@firma.de")
    client.force_login(served["agent"])

    fragment = client.get(reverse("inbox:queue_list"), {"q": "iPhone15 ZEIGT info@firma.de"}).content.decode()

    assert phone.text in fragment  # words with digits and addresses hold no term, on either side


def test_claim_next_takes_the_chosen_client_and_the_page_keeps_the_filter(
    client, served, client_factory, channel_factory, agent_for, team_factory, open_item_factory
):
    other_client = client_factory()
    team_factory(members=[served["agent"]], clients=[other_client])
    open_item_factory(channel=served["channel"], due_in=1)  # more urgent, but not the chosen client
    chosen = open_item_factory(channel=channel_factory(client=other_client), due_in=30)
    client.force_login(served["agent"])

    response = client.post(reverse("inbox:claim_next"), {"client": other_client.pk, "tag": ""})

    assert response.status_code == 302
    assert response.url == f"{reverse('inbox:item', args=[chosen.pk])}?client={other_client.pk}"
    assert Item.objects.get(pk=chosen.pk).claimed_by == served["agent"]


def test_a_lapsed_lease_is_offered_for_claiming_again_not_as_still_held(client, served, open_item_factory):
    item = open_item_factory(channel=served["channel"])
    item_claim(acting_user=served["agent"], item_id=item.pk)
    Item.objects.filter(pk=item.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    client.force_login(served["agent"])

    fragment = client.get(reverse("inbox:claim_status", args=[item.pk])).content.decode()

    assert 'data-claim-state="free"' in fragment


def test_finished_items_show_their_status_instead_of_an_overdue_clock(client, served, open_item_factory):
    item = open_item_factory(channel=served["channel"], due_in=-90)
    Item.objects.filter(pk=item.pk).update(status=Item.Status.ANSWERED)
    client.force_login(served["agent"])

    rows = client.get(
        reverse("inbox:queue_list"), {"status": "answered"}, headers={"Accept-Language": "en"}
    ).content.decode()

    assert "data-due" not in rows and "Answered" in rows


def test_a_client_contact_in_the_agents_inbox_gets_a_page_that_says_why(client, served, contact_user_for):
    client.force_login(contact_user_for(served["client"]))

    response = client.get(reverse("inbox:queue"), headers={"Accept-Language": "en"})

    assert response.status_code == 403
    assert "Not for your role" in response.content.decode()
    assert reverse("home") in response.content.decode()


def test_the_send_status_of_a_reply_is_asked_for_until_it_settles(client, served, open_item_factory):
    item = open_item_factory(channel=served["channel"])
    action = OutboundAction.objects.create(item=item, kind=OutboundAction.Kind.REPLY, text="Danke!")
    client.force_login(served["agent"])
    poll_url = reverse("inbox:outbound_actions", args=[item.pk])

    workspace = client.get(reverse("inbox:item", args=[item.pk]), headers={"HX-Request": "true"}).content.decode()
    assert f'hx-get="{poll_url}"' in workspace and "every 2s" in workspace  # queued: the page keeps asking

    # Failed, a retry planned minutes ahead: still asked, but rarely.
    OutboundAction.objects.filter(pk=action.pk).update(
        status=OutboundAction.Status.FAILED, next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    assert "every 30s" in client.get(poll_url).content.decode()

    OutboundAction.objects.filter(pk=action.pk).update(status=OutboundAction.Status.SENT)
    fragment = client.get(poll_url, headers={"Accept-Language": "en"}).content.decode()

    assert "Sent" in fragment and "Danke!" in fragment
    assert "hx-trigger" not in fragment  # settled: the asking stops


def test_a_failed_action_says_in_german_what_went_wrong_with_the_platforms_text_folded_away(
    client, served, open_item_factory
):
    item = open_item_factory(channel=served["channel"])
    OutboundAction.objects.create(
        item=item,
        kind=OutboundAction.Kind.HIDE,
        status=OutboundAction.Status.FAILED,
        failure=OutboundAction.Failure.REJECTED,
        last_error="HTTP 400: (#100) Invalid comment id (code 100)",
    )
    client.force_login(served["agent"])

    fragment = client.get(
        reverse("inbox:outbound_actions", args=[item.pk]), headers={"Accept-Language": "de"}
    ).content.decode()

    assert "<strong>Die Plattform hat abgelehnt</strong> · keine weiteren Versuche" in fragment
    assert (
        "<summary>Technische Details</summary><code>HTTP 400: (#100) Invalid comment id (code 100)</code>" in fragment
    )


def test_hide_and_spam_can_be_undone_from_the_item(client, served, open_item_factory, meta_graph_stub, api_as):
    # Once hidden or marked as spam an item is closed, and the composer's moderation buttons are
    # gone with the claim: nothing offered to take it back.
    hidden, spam = open_item_factory(channel=served["channel"]), open_item_factory(channel=served["channel"])
    for item, action in ((hidden, "hide"), (spam, "spam")):
        item_claim(acting_user=served["agent"], item_id=item.pk)
        item_moderate(acting_user=served["agent"], item_id=item.pk, action=action)
    client.force_login(served["agent"])
    english = {"Accept-Language": "en"}

    hidden_page = client.get(reverse("inbox:item", args=[hidden.pk]), headers=english).content.decode()
    spam_page = client.get(reverse("inbox:item", args=[spam.pk]), headers=english).content.decode()
    assert "Show it again (unhide)" in hidden_page
    assert "Not spam after all" in spam_page

    undone = client.post(reverse("inbox:not_spam", args=[spam.pk]), headers=english, follow=True).content.decode()
    assert "Not spam after all: the item is back" in undone
    assert Item.objects.get(pk=spam.pk).status == Item.Status.NEW
    again = api_as(served["agent"]).post(reverse("api_inbox_item_not_spam", args=[spam.pk]))
    assert again.status_code == 400  # not spam any more: refused with the reason


def test_a_closed_items_page_keeps_an_unsent_draft_for_the_agent_to_copy_or_discard(client, served, open_item_factory):
    # A colleague closed the item while the agent was typing: the draft is shown, not dropped.
    item = open_item_factory(channel=served["channel"])
    Item.objects.filter(pk=item.pk).update(status=Item.Status.CLOSED)
    client.force_login(served["agent"])

    page = client.get(reverse("inbox:item", args=[item.pk]), headers={"Accept-Language": "en"}).content.decode()

    assert f'data-unsent-draft="reply-{served["agent"].pk}-{item.pk}"' in page
    assert "data-draft-clear" not in page
    assert "this item is closed. Copy it if you still need it." in page and "Discard it" in page


def test_the_authors_history_keeps_its_wording_and_the_admin_keeps_djangos(
    client, served, open_item_factory, user_factory
):
    # "History" and "Change" in the project's catalogue once overrode Django's admin buttons.
    item = open_item_factory(channel=served["channel"])
    german = {"Accept-Language": "de"}
    client.force_login(served["agent"])
    workspace = client.get(reverse("inbox:item", args=[item.pk]), headers=german).content.decode()
    client.force_login(user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))

    change_page = client.get(reverse("admin:inbox_item_change", args=[item.pk]), headers=german).content.decode()
    index = client.get(reverse("admin:index"), headers=german).content.decode()

    assert "<h3>Bisherige Kontakte</h3>" in workspace
    assert 'class="historylink">Geschichte</a>' in change_page
    assert '">Ändern</a></td>' in index  # the change links of the model list
    assert "Bisherige Kontakte" not in change_page and "Veränderung" not in index


def test_numbers_that_are_digits_but_not_decimal_are_ignored_not_a_500(client, served, open_item_factory):
    item = open_item_factory(channel=served["channel"])
    client.force_login(served["agent"])

    queue = client.get(reverse("inbox:queue_list"), {"client": "²", "rows": "³"})
    assign = client.post(reverse("inbox:assign", args=[item.pk]), {"assignee": "²"})

    assert queue.status_code == 200 and assign.status_code == 302


def test_a_message_shows_once_on_a_full_page_and_in_a_swapped_workspace(client, served, open_item_factory):
    item = open_item_factory(channel=served["channel"])
    client.force_login(served["agent"])
    url = reverse("inbox:item", args=[item.pk])

    client.post(reverse("inbox:tags", args=[item.pk]), {"add": "x" * 60})
    full_page = client.get(url).content.decode()
    client.post(reverse("inbox:tags", args=[item.pk]), {"add": "x" * 60})
    workspace = client.get(url, headers={"HX-Request": "true"}).content.decode()

    assert full_page.count("50 Zeichen") == 1
    assert workspace.count("50 Zeichen") == 1


@pytest.fixture
def held_by_colleague(served, open_item_factory, user_factory, agent_for):
    """An item Anna holds, a shift lead on call and Ben, an agent of the same client."""
    item = open_item_factory(channel=served["channel"])
    anna = agent_for(served["client"], first_name="Anna", last_name="Winter")
    item_claim(acting_user=anna, item_id=item.pk)
    lead = user_factory(role=User.Role.SHIFT_LEAD, first_name="Sam")
    return {"item": item, "anna": anna, "lead": lead, "ben": agent_for(served["client"], first_name="Ben")}


def test_a_shift_lead_releases_a_colleagues_claim_from_the_composer(client, held_by_colleague):
    item, anna, lead = held_by_colleague["item"], held_by_colleague["anna"], held_by_colleague["lead"]
    release_url = reverse("inbox:release", args=[item.pk])
    client.force_login(lead)
    composer = client.get(reverse("inbox:item", args=[item.pk]), headers={"Accept-Language": "en"}).content.decode()

    response = client.post(
        release_url, {"reason": ""}, headers={"HX-Request": "true", "Accept-Language": "en"}, follow=True
    )

    assert f'action="{release_url}"' in composer and "Release Anna Winter's claim" in composer
    body = response.content.decode()
    assert "Anna Winter&#x27;s claim was released: the item is back in the queue." in body
    assert 'data-claim-state="free"' in body
    item.refresh_from_db()
    assert (item.status, item.claimed_by) == (Item.Status.NEW, None)
    event = ItemEvent.objects.filter(item=item).latest("id")
    assert (event.kind, event.actor, event.data["previous_holder_id"], event.data["reason"]) == (
        ItemEvent.Kind.RELEASED,
        lead,
        anna.pk,
        "",
    )


def test_a_lead_releasing_a_claim_someone_else_took_meanwhile_releases_nothing(client, held_by_colleague):
    item, anna, ben = held_by_colleague["item"], held_by_colleague["anna"], held_by_colleague["ben"]
    client.force_login(held_by_colleague["lead"])
    composer = client.get(reverse("inbox:item", args=[item.pk])).content.decode()
    item_release(acting_user=anna, item_id=item.pk)  # meanwhile: Anna lets it go, Ben claims it
    item_claim(acting_user=ben, item_id=item.pk)

    response = client.post(
        reverse("inbox:release", args=[item.pk]),
        {"reason": "", "holder": anna.pk},
        headers={"HX-Request": "true", "Accept-Language": "en"},
        follow=True,
    )

    assert f'name="holder" value="{anna.pk}"' in composer
    assert "Ben" in response.content.decode() and "nothing was released" in response.content.decode()
    item.refresh_from_db()
    assert item.claimed_by == ben


def test_the_former_holder_sees_the_item_free_on_the_next_poll_with_room_for_the_unsent_reply(
    client, held_by_colleague
):
    item, anna = held_by_colleague["item"], held_by_colleague["anna"]
    client.force_login(held_by_colleague["lead"])
    client.post(reverse("inbox:release", args=[item.pk]), {"reason": ""})
    client.force_login(anna)

    status = client.get(reverse("inbox:claim_status", args=[item.pk]), headers={"Accept-Language": "en"})
    workspace = client.get(reverse("inbox:item", args=[item.pk]), headers={"HX-Request": "true"}).content.decode()

    assert 'data-claim-state="free"' in status.content.decode() and "Nobody holds this item" in status.content.decode()
    # The composer the poll reloads keeps the typed reply, read-only (inbox.js fills it from the draft).
    assert f'data-unsent-draft="reply-{anna.pk}-{item.pk}"' in workspace
    assert 'id="reply-text"' not in workspace


def test_an_agent_is_not_offered_a_colleagues_claim_to_release_and_is_refused_if_they_post_it(
    client, held_by_colleague
):
    item, anna, ben = held_by_colleague["item"], held_by_colleague["anna"], held_by_colleague["ben"]
    release_url = reverse("inbox:release", args=[item.pk])
    client.force_login(ben)
    composer = client.get(reverse("inbox:item", args=[item.pk])).content.decode()

    response = client.post(
        release_url, {"reason": ""}, headers={"HX-Request": "true", "Accept-Language": "en"}, follow=True
    )

    assert f'action="{release_url}"' not in composer
    assert "only its holder, a shift lead or an admin can release it" in response.content.decode()
    item.refresh_from_db()
    assert item.claimed_by == anna
    assert not ItemEvent.objects.filter(item=item, kind=ItemEvent.Kind.RELEASED).exists()


def test_the_queue_filtered_by_holder_shows_only_that_colleagues_items_and_keeps_the_filter(
    client, served, open_item_factory, user_factory
):
    anna, ben = served["agent"], user_factory(role=User.Role.SHIFT_LEAD, first_name="Ben")
    annas = open_item_factory(channel=served["channel"], text="Anna hält diesen Beitrag")
    bens = open_item_factory(channel=served["channel"], text="Ben hält diesen Beitrag")
    open_item_factory(channel=served["channel"], text="Diesen hält niemand")
    item_claim(acting_user=anna, item_id=annas.pk)
    item_claim(acting_user=ben, item_id=bens.pk)
    client.force_login(ben)

    page = client.get(reverse("inbox:queue"), {"holder": anna.pk}).content.decode()
    refreshed = client.get(reverse("inbox:queue_list"), {"holder": anna.pk}).content.decode()

    assert "Anna hält diesen Beitrag" in page and "Anna hält diesen Beitrag" in refreshed
    for shown in (page, refreshed):
        assert "Ben hält diesen Beitrag" not in shown and "Diesen hält niemand" not in shown
    assert f'<option value="{anna.pk}" selected>{anna}</option>' in page  # named, and "anyone" lets it go
    # Claim-next and the items' links carry it, as every other filter.
    assert f'name="holder" value="{anna.pk}" data-filter-copy' in page
    assert f"?holder={anna.pk}" in page


def test_the_holder_filter_names_no_one_outside_the_agents_clients(
    client, served, user_factory, agent_for, client_factory
):
    stranger = agent_for(client_factory(), first_name="Zora", last_name="Fremd")
    client.force_login(served["agent"])

    page = client.get(reverse("inbox:queue"), {"holder": stranger.pk}).content.decode()

    assert "Zora" not in page
    assert "Kein Beitrag passt zu diesen Filtern." in page
