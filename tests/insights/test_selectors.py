"""Figures on the hand-made week (tests/insights/conftest.py) equal the numbers worked out by hand."""

import hashlib
import uuid
from datetime import date

import pytest

from billing.statements import client_statement
from communityops.expressions import PercentileCont
from communityops.models import Client, User
from inbox.models import AuthorProfile, Item
from insights import selectors
from insights.expressions import response_seconds
from insights.periods import Granularity, ReportFilter, ReportPeriod

from .conftest import BERLIN, NOW, REPORT_WEEK, berlin

MINUTE = 60.0


def visible(*clients: Client):
    return Client.objects.filter(pk__in=[client.pk for client in clients]).values("pk")


def test_response_percentiles_are_wall_clock_and_interpolated(acme_week):
    # Replies after 10, 20, 630 (overnight) and 90 minutes. Median (20 + 90) / 2 = 55;
    # p90 at rank 0.9 * 3 = 2.7: 90 + 0.7 * (630 - 90) = 468. Hiding item 6 is no reply.
    summary = selectors.service_summary(client=acme_week.client, report_filter=acme_week.report_filter(), now=NOW)

    assert summary["responded"] == 4
    assert summary["median_seconds"] == pytest.approx(55 * MINUTE)
    assert summary["p90_seconds"] == pytest.approx(468 * MINUTE)
    assert summary["mean_seconds"] == pytest.approx((10 + 20 + 630 + 90) / 4 * MINUTE)


def test_sla_share_counts_the_overnight_item_as_met_and_skips_items_needing_no_answer(acme_week):
    # Relevant: the answered 1, 2, 3, 4 (5 closed, 6 hidden, 7 spam need no answer; 8 not yet due).
    # Met: 1, 2 and 3, whose 630 minutes lay mostly outside coverage. Missed: 4.
    summary = selectors.service_summary(client=acme_week.client, report_filter=acme_week.report_filter(), now=NOW)

    assert (summary["sla_relevant"], summary["sla_met"]) == (4, 3)
    assert summary["sla_share"] == 75.0


def test_statement_and_client_report_give_the_same_sla_share_for_a_month(acme_week):
    # The week's closed, hidden and spam items are past due: neither figure may count them.
    march = ReportFilter(period=ReportPeriod.month(year=2025, month=3, time_zone=BERLIN))

    statement = client_statement(client=acme_week.client, year=2025, month=3, now=NOW)
    summary = selectors.service_summary(client=acme_week.client, report_filter=march, now=NOW)

    assert (statement.sla_met, statement.sla_due) == (summary["sla_met"], summary["sla_relevant"]) == (3, 4)
    assert float(statement.sla_share) == summary["sla_share"] == 75.0


def test_an_open_item_past_due_counts_as_missed(acme_week):
    Item.objects.filter(pk=acme_week.items[7].pk).update(sla_due_at=NOW - selectors.DUE_SOON)

    summary = selectors.service_summary(client=acme_week.client, report_filter=acme_week.report_filter(), now=NOW)

    assert (summary["sla_relevant"], summary["sla_met"], summary["sla_share"]) == (5, 3, 60.0)


def test_outcomes_split_answered_hidden_ignored_and_open(acme_week):
    summary = selectors.service_summary(client=acme_week.client, report_filter=acme_week.report_filter(), now=NOW)

    assert (summary["answered"], summary["hidden"], summary["ignored"], summary["open"]) == (4, 2, 1, 1)
    assert summary["total"] == 8


def test_percentile_aggregate_returns_null_for_an_empty_group(acme_week):
    empty = Item.objects.filter(pk__lt=0).aggregate(median=PercentileCont(response_seconds(), percentile=0.5))

    assert empty == {"median": None}
    with pytest.raises(ValueError):
        PercentileCont(response_seconds(), percentile=1.5)


def test_sentiment_shares(acme_week):
    # positive 1, 8; neutral 3, 7; negative 2, 4, 5, 6.
    summary = selectors.sentiment_summary(client=acme_week.client, report_filter=acme_week.report_filter())

    assert (summary["total"], summary["positive"], summary["neutral"], summary["negative"]) == (8, 2, 2, 4)
    assert (summary["positive_share"], summary["neutral_share"], summary["negative_share"]) == (25.0, 25.0, 50.0)


def test_channel_filter_limits_every_figure(acme_week):
    blog_only = acme_week.report_filter(channel_id=acme_week.blog.pk)

    summary = selectors.sentiment_summary(client=acme_week.client, report_filter=blog_only)

    assert (summary["total"], summary["positive"], summary["neutral"]) == (2, 1, 1)


def test_volume_per_day_in_the_clients_time_zone_has_every_day(acme_week):
    # Item 8 arrived Sunday 23:50 Berlin = 22:50 UTC: it belongs to Sunday, not Monday.
    days = selectors.volume_over_time(client=acme_week.client, report_filter=acme_week.report_filter())

    assert [row["bucket"] for row in days] == [date(2025, 3, day) for day in range(10, 17)]
    assert [row["total"] for row in days] == [2, 1, 1, 1, 1, 1, 1]
    assert days[0]["positive"] == 1 and days[0]["negative"] == 1


def test_volume_per_week_and_month(acme_week):
    two_weeks = ReportFilter(
        period=ReportPeriod(first_day=date(2025, 3, 3), last_day=date(2025, 3, 16), time_zone=BERLIN),
        granularity=Granularity.WEEK,
    )
    month = ReportFilter(period=ReportPeriod.month(year=2025, month=3, time_zone=BERLIN), granularity=Granularity.MONTH)

    weeks = selectors.volume_over_time(client=acme_week.client, report_filter=two_weeks)
    months = selectors.volume_over_time(client=acme_week.client, report_filter=month)

    assert [(row["bucket"], row["total"]) for row in weeks] == [(date(2025, 3, 3), 1), (date(2025, 3, 10), 8)]
    assert [(row["bucket"], row["total"]) for row in months] == [(date(2025, 3, 1), 9)]


def test_keyword_topics_count_items_not_words_and_skip_stopwords(acme_week):
    # "paket" in items 2, 3, 4; "lieferung" in 1 and 2; "beschädigt" in 2 and 4.
    topics = selectors.topic_counts(client=acme_week.client, report_filter=acme_week.report_filter())["keyword"].top
    counts = {row["term"]: row["items"] for row in topics}

    assert topics[0] == {"term": "paket", "items": 3, "previous_items": 1, "change": 2}
    assert counts["lieferung"] == 2
    assert counts["beschädigt"] == 2
    assert not {"die", "der", "ich", "nicht", "hier", "wann"} & counts.keys()


def test_english_function_words_and_review_filler_are_no_topics(acme_week, item_factory):
    for text in (
        "I highly recommend this lager! It exceeded my expectations, and they were really quick with the delivery.",
        "Absolutely love the lager, but why doesn't the shop ever have it? Would have bought more if it had been there.",
        "Eine Made im Bier, ich sehe sie noch vor mir: nie wieder an den See mit eurem Lager!",
    ):
        item_factory(channel=acme_week.facebook, received_at=berlin(15, 10), text=text)

    topics = selectors.topic_counts(client=acme_week.client, report_filter=acme_week.report_filter(), top=100)
    terms = {row["term"]: row["items"] for row in topics["keyword"].top}

    assert terms["lager"] == 3
    assert {"recommend", "delivery", "quick", "shop", "love", "bought"} <= terms.keys()
    assert {"made", "see"} <= terms.keys()  # German nouns (maggot, lake), though English function words
    filler = {"highly", "exceeded", "expectations", "absolutely", "really", "the", "and", "they", "were", "with"}
    filler |= {"this", "why", "doesn", "ever", "have", "would", "more", "had", "been", "there", "but"}
    assert not filler & terms.keys()


def test_topic_terms_are_the_distinct_words_postgres_keeps_with_the_text(acme_week, item_factory):
    item = item_factory(
        channel=acme_week.facebook, received_at=berlin(15, 10), text="Paket beschädigt! PAKET 2x kaputt, ab x.de/a 😡"
    )

    def terms():
        return Item.objects.values_list("topic_terms", flat=True).get(pk=item.pk)

    assert terms() == ["beschädigt", "kaputt", "paket"]  # once each, lower case, letters only, >= 3 letters
    Item.objects.filter(pk=item.pk).update(text="Neue Lieferung, neue Sorgen")
    assert terms() == ["lieferung", "neue", "sorgen"]  # an edited text has its terms again


def test_tag_topics_are_counted_from_the_tag_array(acme_week):
    tags = selectors.topic_counts(client=acme_week.client, report_filter=acme_week.report_filter())["tag"].top

    assert [(row["term"], row["items"]) for row in tags] == [("lieferung", 1), ("refund", 1)]


def test_rising_topics_compare_with_the_previous_week(acme_week):
    rising = selectors.topic_counts(client=acme_week.client, report_filter=acme_week.report_filter())["keyword"].rising

    assert [(row["term"], row["change"]) for row in rising[:3]] == [
        ("paket", 2),
        ("beschädigt", 2),
        ("lieferung", 2),
    ]


def test_topic_samples_pick_the_latest_items_per_term(acme_week):
    samples = selectors.topic_samples(
        client=acme_week.client, report_filter=acme_week.report_filter(), terms=["paket", "refund"], per_term=2
    )

    assert [sample["id"] for sample in samples["paket"]] == [acme_week.items[3].pk, acme_week.items[2].pk]
    assert [sample["id"] for sample in samples["refund"]] == [acme_week.items[3].pk]


@pytest.fixture
def lead(user_factory):
    return user_factory(role=User.Role.SHIFT_LEAD)


def test_team_figures_by_agent(acme_week, lead):
    rows = selectors.team_figures(
        user=lead, client_ids=visible(acme_week.client), report_filter=acme_week.report_filter(), now=NOW
    ).by["agent"]
    by_name = {row["agent_name"]: row for row in rows}

    # Anna replied first to 1, 2, 3 (10, 20, 630 minutes, all within SLA); Ben replied
    # to 4 (90 minutes, missed) and hid 6 (handled, but no reply and no SLA figure).
    # Nobody acted on 5 (closed), 7 (spam) and 8 (new): the last row, without a name.
    assert [row["agent_name"] for row in rows] == ["Anna Agent", "Ben Agent", None]
    assert rows[-1]["attribution"] == selectors.Attribution.NOBODY
    assert (rows[-1]["items"], rows[-1]["handled"], rows[-1]["responded"]) == (3, 2, 0)
    assert (by_name["Anna Agent"]["handled"], by_name["Anna Agent"]["responded"]) == (3, 3)
    assert by_name["Anna Agent"]["median_seconds"] == pytest.approx(20 * MINUTE)
    assert by_name["Anna Agent"]["sla_share"] == 100.0
    assert (by_name["Ben Agent"]["handled"], by_name["Ben Agent"]["responded"]) == (2, 1)
    assert by_name["Ben Agent"]["median_seconds"] == pytest.approx(90 * MINUTE)
    assert by_name["Ben Agent"]["sla_share"] == 0.0


def test_team_figures_by_hour_and_weekday_use_berlin_time(acme_week, lead):
    scope = {
        "user": lead,
        "client_ids": visible(acme_week.client),
        "report_filter": acme_week.report_filter(),
        "now": NOW,
    }

    figures = selectors.team_figures(**scope)
    hours, weekdays = figures.by["hour"], figures.by["weekday"]

    assert len(hours) == 24 and len(weekdays) == 7
    assert {row["hour"]: row["items"] for row in hours if row["items"]} == {
        9: 1,
        10: 1,
        21: 1,
        14: 1,
        15: 1,
        16: 1,
        12: 1,
        23: 1,
    }
    assert [row["items"] for row in weekdays] == [2, 1, 1, 1, 1, 1, 1]
    assert weekdays[0]["median_seconds"] == pytest.approx(15 * MINUTE)


def test_team_figures_only_cover_visible_clients(acme_week, client_factory, lead):
    other = client_factory()

    figures = selectors.team_figures(
        user=lead, client_ids=visible(other), report_filter=acme_week.report_filter(), now=NOW
    )

    assert all(rows == [] for name, rows in figures.by.items() if name not in ("hour", "weekday"))
    assert figures.summary["items"] == 0 and figures.summary["sla_share"] is None


SUMMED = ("items", "handled", "responded", "sla_relevant", "sla_met")


def sums(rows: list[dict]) -> dict:
    return {name: sum(row[name] for row in rows) for name in SUMMED}


def test_team_figures_agent_rows_add_up_to_the_summary_as_the_client_rows_do(acme_week, lead):
    figures = selectors.team_figures(
        user=lead, client_ids=visible(acme_week.client), report_filter=acme_week.report_filter(), now=NOW
    )

    assert sums(figures.by["agent"]) == sums(figures.by["client"]) == {name: figures.summary[name] for name in SUMMED}
    assert figures.summary["items"] == 8 and figures.summary["handled"] == 7


def test_an_agent_sees_by_name_only_colleagues_serving_their_clients(
    acme_week, lead, user_factory, team_factory, client_factory
):
    # Ben acted on Acme's items 4 and 6, but serves only another client now: the viewer, who
    # shares Acme's team with Anna, sees his items in one row without a name; the lead sees him.
    viewer = user_factory()
    team_factory(members=[viewer, acme_week.anna], clients=[acme_week.client])
    team_factory(members=[acme_week.ben], clients=[client_factory(name="Foreign AG")])
    scope = {"client_ids": visible(acme_week.client), "report_filter": acme_week.report_filter(), "now": NOW}

    seen_by_agent = selectors.team_figures(user=viewer, **scope)
    seen_by_lead = selectors.team_figures(user=lead, **scope)

    Attribution = selectors.Attribution
    assert [(row["agent_name"], row["attribution"], row["items"]) for row in seen_by_agent.by["agent"]] == [
        ("Anna Agent", Attribution.AGENT, 3),
        (None, Attribution.NOT_SHOWN, 2),
        (None, Attribution.NOBODY, 3),
    ]
    assert [(row["agent_name"], row["items"]) for row in seen_by_lead.by["agent"]] == [
        ("Anna Agent", 3),
        ("Ben Agent", 2),
        (None, 3),
    ]
    assert seen_by_agent.by["agent"][1]["median_seconds"] == pytest.approx(90 * MINUTE)
    assert sums(seen_by_agent.by["agent"]) == sums(seen_by_lead.by["agent"]) == sums([seen_by_lead.summary])


def test_top_authors_by_reach_and_new_influencers(acme_week, author_factory, item_factory):
    star = author_factory(handle="star", follower_count=250_000)
    regular = author_factory(handle="regular", follower_count=40_000)
    vip = author_factory(handle="vip", follower_count=12)
    AuthorProfile.objects.create(client=acme_week.client, author=vip, is_key_account=True)
    channel = acme_week.facebook
    item_factory(channel=channel, author=star, received_at=berlin(12, 9), text="Tolles Produkt", sentiment="positive")
    item_factory(channel=channel, author=star, received_at=berlin(13, 9), text="Wirklich toll", sentiment="positive")
    item_factory(channel=channel, author=regular, received_at=berlin(3, 9), text="Schon lange Kunde")
    item_factory(channel=channel, author=regular, received_at=berlin(14, 9), text="Wieder da", sentiment="negative")
    item_factory(channel=channel, author=vip, received_at=berlin(14, 10), text="Rahmenvertrag", author_tier="A")

    authors = selectors.author_figures(client=acme_week.client, report_filter=acme_week.report_filter())
    reach, new = authors.reach, authors.new_influential

    assert [row["author__handle"] for row in reach[:3]] == ["star", "regular", "vip"]
    assert (reach[0]["total"], reach[0]["positive"], reach[0]["latest_text"]) == (2, 2, "Wirklich toll")
    assert reach[2]["is_key_account"] is True and reach[2]["best_tier"] == "A"
    # regular wrote before the period; vip is tier A and new; star crosses the 10,000 threshold.
    assert [row["author__handle"] for row in new] == ["star", "vip"]
    assert [row["author__handle"] for row in authors.activity[:2]] == [
        "star",
        "regular",
    ]  # 2 items each, star more followers
    assert new[0]["latest_text"] == "Wirklich toll" and new[1]["is_key_account"] is True


def test_coordinated_campaign_groups_near_identical_texts(acme_week, author_factory, item_factory):
    texts = [
        "Boykottiert ACME jetzt! Die lügen alle https://x.example/1",
        "boykottiert acme JETZT!! die lügen alle https://x.example/2 @acme",
        "Boykottiert Acme jetzt. Die lügen alle 100%",
    ]
    for number, text in enumerate(texts):
        item_factory(channel=acme_week.facebook, received_at=berlin(15, 10 + number), text=text, status="hidden")
    same_author = author_factory()
    for hour in (10, 11, 12):
        item_factory(
            channel=acme_week.facebook,
            author=same_author,
            received_at=berlin(16, hour),
            text="Ich schreibe immer dasselbe hier",
        )

    campaigns = selectors.coordinated_campaigns(client=acme_week.client, report_filter=acme_week.report_filter())

    assert len(campaigns) == 1
    assert (campaigns[0]["items"], campaigns[0]["authors"], campaigns[0]["moderated"]) == (3, 3, 3)
    # The key is the md5 of the normalised text: links, @handles, digits and punctuation gone.
    normalized = "boykottiert acme jetzt die lügen alle"
    assert campaigns[0]["campaign_key"] == uuid.UUID(
        hashlib.md5(normalized.encode(), usedforsecurity=False).hexdigest()
    )


def test_short_texts_have_no_campaign_key(acme_week, item_factory):
    short = item_factory(channel=acme_week.facebook, received_at=berlin(15, 10), text="Danke!!! 👍 @acme")
    long = item_factory(channel=acme_week.facebook, received_at=berlin(15, 11), text="Danke für die schnelle Hilfe")

    keys = dict(Item.objects.filter(pk__in=[short.pk, long.pk]).values_list("pk", "campaign_key"))

    assert keys[short.pk] is None
    assert keys[long.pk] is not None


def test_moderation_summary(acme_week):
    summary = selectors.moderation_summary(client=acme_week.client, report_filter=acme_week.report_filter())

    assert (summary["hidden"], summary["spam"], summary["high_spam_score"]) == (1, 1, 1)
    assert summary["moderated_share"] == 25.0


def test_dashboard_waiting_due_soon_and_overdue(acme_week, item_factory):
    now = NOW
    channel = acme_week.facebook
    item_factory(channel=channel, received_at=now, sla_due_at=now + selectors.DUE_SOON / 3, status="new")
    item_factory(channel=channel, received_at=now, sla_due_at=now - selectors.DUE_SOON, status="claimed")

    rows = selectors.waiting_by_client_channel(client_ids=visible(acme_week.client), now=now)
    at_risk = selectors.items_at_risk(client_ids=visible(acme_week.client), now=now)

    facebook = next(row for row in rows if row["channel_id"] == channel.pk)
    # The two new ones plus the unanswered question from the week before (no SLA, oldest).
    assert (facebook["waiting"], facebook["due_soon"], facebook["overdue"]) == (3, 1, 1)
    assert facebook["oldest_received_at"] == berlin(5, 12)
    assert [item.sla_due_at for item in at_risk] == sorted(item.sla_due_at for item in at_risk)
    assert len(at_risk) == 2


def test_report_period_previous_and_month():
    march = ReportPeriod.month(year=2025, month=3, time_zone=BERLIN)

    assert (march.first_day, march.last_day, march.days) == (date(2025, 3, 1), date(2025, 3, 31), 31)
    assert (REPORT_WEEK.previous.first_day, REPORT_WEEK.previous.last_day) == (date(2025, 3, 3), date(2025, 3, 9))
    # The DST change on 30 March: the month still ends at local midnight.
    assert march.end.utcoffset().total_seconds() == 7200


def test_the_overnight_items_due_time_comes_from_the_coverage_plan(acme_week):
    # 21:30 + 30 covered minutes to 22:00, the remaining 15 from 08:00 on Wednesday.
    assert Item.objects.get(pk=acme_week.items[2].pk).sla_due_at == berlin(12, 8, 15)


def test_the_report_counts_as_suspected_what_the_inbox_tags_suspect(acme_week, item_factory):
    def suspected() -> tuple[int, int]:
        summary = selectors.moderation_summary(client=acme_week.client, report_filter=acme_week.report_filter())
        return summary["high_spam_score"], summary["suspected_fake"]

    before = suspected()

    item_factory(channel=acme_week.facebook, received_at=berlin(15, 10), spam_score=0.75, fake_score=0.65)
    item_factory(channel=acme_week.facebook, received_at=berlin(15, 11), spam_score=0.65, fake_score=0.55)

    assert suspected() == (before[0] + 1, before[1] + 1)
