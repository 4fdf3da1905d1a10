"""Triage: sentiment in German and English, spam and fake signals, learning, tiers and priority."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from communityops.models import Channel
from inbox.demo import demo_comment
from inbox.models import AuthorProfile, Item, ItemTextFingerprint, SpamTokenStat
from inbox.normalized import NormalizedAuthor, NormalizedItem
from inbox.sentiment import language_detect, sentiment_analyze, text_tokens
from inbox.sentiment.analysis import _SUFFIXES, _valence
from inbox.sentiment.lexicon import POLARITY
from inbox.sentiment.spam import spam_tokens, text_read_signals, text_signals
from inbox.services import triage
from inbox.services.authors import author_upsert
from inbox.services.ingestion import item_ingest
from inbox.services.triage import SPAM_DOCUMENT_TOKEN, spam_feedback_record, triage_assess, triage_assess_batch

_numbers = iter(range(1, 1_000_000))


def incoming(text: str, *, author_id: str | None = None, **author) -> NormalizedItem:
    number = next(_numbers)
    author.setdefault("display_name", "Kim Kunde")
    return NormalizedItem(
        external_id=f"ext-{number}",
        kind="comment",
        text=text,
        author=NormalizedAuthor(external_id=author_id or f"author-{number}", **author),
        platform_created_at=timezone.now(),
    )


@pytest.mark.parametrize(
    "text, label",
    [
        ("Das Bier ist wirklich großartig, danke!", "positive"),
        ("Der Service war nicht gut.", "negative"),
        ("Das gefällt mir überhaupt nicht", "negative"),
        ("Nicht schlecht, gerne wieder", "positive"),
        ("Kein Problem, vielen Dank für die schnelle Hilfe", "positive"),
        ("Gut gemeint, aber viel zu teuer und die Lieferung kam kaputt an", "negative"),
        ("Wann habt ihr am Sonntag geöffnet?", "neutral"),
        ("Absolutely love the new flavour 😍", "positive"),
        ("This is not good at all", "negative"),
        ("I don't like it", "negative"),
        ("Not bad, actually", "positive"),
        ("Worst customer service ever 👎", "negative"),
    ],
)
def test_sentiment_in_german_and_english_with_negation(text, label):
    assert sentiment_analyze(text).label == label


def test_anger_outweighs_mild_disappointment():
    mild = sentiment_analyze("Leider etwas enttäuscht von der Lieferung.")
    angry = sentiment_analyze("Was für eine FRECHHEIT!!! Totale Abzocke, nie wieder! 😡")

    assert (mild.label, mild.angry) == ("negative", False)
    assert angry.angry
    assert angry.score < mild.score


def test_intensifier_and_exclamation_raise_the_score():
    assert sentiment_analyze("sehr gut!!!").score > sentiment_analyze("gut").score


@pytest.mark.parametrize(
    "text, language",
    [("Wann habt ihr wieder geöffnet?", "de"), ("When are you open again?", "en"), ("👍", "")],
)
def test_language_detection(text, language):
    assert language_detect(text) == language


def test_link_spam_gets_a_high_score_low_priority_and_a_visible_reason(channel_factory):
    channel = channel_factory()
    spam = incoming(
        "Verdiene 5000€ pro Woche mit Krypto!!! Schreib mir auf WhatsApp +49 151 2345678 oder bit.ly/rich-now",
        display_name="",
        account_created_at=timezone.now() - timedelta(days=1),
    )

    item, _created = item_ingest(channel=channel, normalized=spam)

    assert item.spam_score >= 0.9
    assert item.priority == Item.Priority.LOW
    assert item.status == Item.Status.NEW  # tools warn, people decide
    assert "spam-suspect" in item.tags
    assert "spam: link shortener" in item.triage_reasons
    assert "spam: account younger than 7 days" in item.triage_reasons


def test_ordinary_question_is_not_spam(channel_factory):
    item, _created = item_ingest(channel=channel_factory(), normalized=incoming("Gibt es das Helle auch alkoholfrei?"))

    assert item.spam_score == 0
    assert item.fake_score == 0
    assert item.priority == Item.Priority.NORMAL


def test_near_duplicates_from_different_authors_are_flagged_as_a_campaign(channel_factory):
    channel = channel_factory()
    texts = [
        "Absolut empfehlenswert! Beste Qualität, schnelle Lieferung, fünf Sterne von mir.",
        "Absolut empfehlenswert!! Beste Qualität und schnelle Lieferung, 5 Sterne von mir!",
        "absolut empfehlenswert - beste Qualität, schnelle Lieferung, fünf Sterne von mir 👍",
    ]
    items = [item_ingest(channel=channel, normalized=incoming(text))[0] for text in texts]

    assert "campaign" not in items[0].tags
    assert "campaign" in items[2].tags
    assert items[2].fake_score >= 0.6
    assert items[2].priority == Item.Priority.LOW
    assert any("coordinated" in reason for reason in items[2].triage_reasons)


def test_the_same_author_repeating_themself_is_not_a_campaign(channel_factory):
    channel = channel_factory()
    text = "Wann kommt endlich die Antwort auf meine Frage zur Rechnung vom letzten Monat?"
    items = [item_ingest(channel=channel, normalized=incoming(text, author_id="same"))[0] for _ in range(3)]

    assert items[2].fake_score == 0


def test_near_duplicates_of_another_client_do_not_count(channel_factory):
    text = "Absolut empfehlenswert! Beste Qualität, schnelle Lieferung, fünf Sterne von mir."
    for _ in range(3):
        item_ingest(channel=channel_factory(), normalized=incoming(text))

    item, _created = item_ingest(channel=channel_factory(), normalized=incoming(text))

    assert "campaign" not in item.tags


def test_agents_decisions_teach_the_client_spam_model(channel_factory, user_factory):
    channel = channel_factory()
    agent = user_factory()
    text = "Hol dir jetzt die neue Sammleredition bei Sammlerhansi, nur heute Rabatt auf alles"
    before = triage_assess(
        client=channel.client,
        author=author_upsert(channel=channel, normalized=incoming(text)),
        normalized=incoming(text),
        received_at=timezone.now(),
    ).spam_score
    for _ in range(3):
        marked, _created = item_ingest(channel=channel, normalized=incoming(text + " bei Sammlerhansi"))
        spam_feedback_record(acting_user=agent, item=marked, is_spam=True)
    legit, _created = item_ingest(channel=channel, normalized=incoming("Wann gibt es wieder Rabatt im Biergarten?"))
    spam_feedback_record(acting_user=agent, item=legit, is_spam=False)

    after, _created = item_ingest(channel=channel, normalized=incoming(text))

    assert after.spam_score > before + 0.2
    assert any("learned" in reason for reason in after.triage_reasons)
    assert SpamTokenStat.objects.get(client=channel.client, token=SPAM_DOCUMENT_TOKEN).spam_count == 3


def test_changing_a_decision_moves_the_counts_and_repeating_it_counts_once(channel_factory, user_factory):
    channel = channel_factory()
    item, _created = item_ingest(channel=channel, normalized=incoming("Sammlerhansi hat Rabatt"))
    agent = user_factory()

    spam_feedback_record(acting_user=agent, item=item, is_spam=True)
    spam_feedback_record(acting_user=agent, item=item, is_spam=True)
    spam_feedback_record(acting_user=agent, item=item, is_spam=False)

    stat = SpamTokenStat.objects.get(client=channel.client, token="sammlerhansi")
    assert (stat.spam_count, stat.ham_count) == (0, 1)


def test_not_spam_decisions_lower_the_score_for_a_trusted_link(channel_factory, user_factory):
    channel = channel_factory()
    agent = user_factory()
    text = "Hier der Link zum Fanclub-Treffen: https://fanclub-isartal.de/treffen"
    first, _created = item_ingest(channel=channel, normalized=incoming(text))
    for _ in range(3):
        legit, _created = item_ingest(channel=channel, normalized=incoming(text + " bis bald"))
        spam_feedback_record(acting_user=agent, item=legit, is_spam=False)
    spam, _created = item_ingest(channel=channel, normalized=incoming("Krypto Gewinn bit.ly/x"))
    spam_feedback_record(acting_user=agent, item=spam, is_spam=True)

    later, _created = item_ingest(channel=channel, normalized=incoming(text))

    assert later.spam_score < first.spam_score


def test_key_account_is_tier_a_and_urgent(channel_factory):
    channel = channel_factory()
    normalized = incoming("Können wir kurz telefonieren?", author_id="vip")
    author = author_upsert(channel=channel, normalized=normalized)
    AuthorProfile.objects.create(client=channel.client, author=author, is_key_account=True)

    item, _created = item_ingest(channel=channel, normalized=normalized)

    assert (item.author_tier, item.priority) == ("A", Item.Priority.URGENT)


def test_follower_threshold_makes_tier_b(channel_factory, client_factory):
    channel = channel_factory(
        client=client_factory(influencer_follower_threshold=5_000), platform=Channel.Platform.GENERIC
    )

    influencer, _created = item_ingest(channel=channel, normalized=incoming("Neues Video kommt!", follower_count=5_000))
    regular, _created = item_ingest(channel=channel, normalized=incoming("Neues Video kommt!", follower_count=4_999))

    assert (influencer.author_tier, influencer.priority) == ("B", Item.Priority.HIGH)
    assert (regular.author_tier, regular.priority) == ("C", Item.Priority.NORMAL)


def test_alert_keyword_is_urgent_even_in_a_spammy_text(channel_factory, client_factory):
    channel = channel_factory(client=client_factory(alert_keywords=["Glassplitter", "Anwalt"]))

    item, _created = item_ingest(
        channel=channel,
        normalized=incoming("GLASSPLITTER in meiner Flasche!!! Fotos hier: bit.ly/foto", display_name=""),
    )

    assert item.priority == Item.Priority.URGENT
    assert "alert keyword: Glassplitter" in item.triage_reasons


def test_angry_customer_is_high_and_angry_influencer_urgent(channel_factory):
    channel = channel_factory()
    text = "Das ist eine bodenlose Frechheit, ich bin stinksauer!!!"

    customer, _created = item_ingest(channel=channel, normalized=incoming(text))
    influencer, _created = item_ingest(channel=channel, normalized=incoming(text, follower_count=200_000))

    assert customer.priority == Item.Priority.HIGH
    assert influencer.priority == Item.Priority.URGENT


def test_triage_reads_the_database_at_most_twice(channel_factory, django_assert_max_num_queries):
    channel = channel_factory()
    normalized = incoming("Eine ganz normale Frage zur Öffnungszeit am Wochenende, bitte.")
    author = author_upsert(channel=channel, normalized=normalized)

    # one query for tier, learned spam counts and similar texts; one for billing's SLA due time
    with django_assert_max_num_queries(2):
        triage_assess(client=channel.client, author=author, normalized=normalized, received_at=timezone.now())


def test_a_batch_gets_the_decisions_items_ingested_one_by_one_get(channel_factory):
    channel = channel_factory()
    campaign = [
        "Absolut empfehlenswert! Beste Qualität, schnelle Lieferung, fünf Sterne von mir.",
        "Absolut empfehlenswert!! Beste Qualität und schnelle Lieferung, 5 Sterne von mir!",
        "Das ist ein Skandal, ich kündige meinen Vertrag sofort, nie wieder diese Firma!",
        "Das ist ein Skandal!!! Ich kündige meinen Vertrag sofort, nie wieder diese Firma",
    ]
    rng = random.Random(4)
    for number in range(12):  # stored earlier: candidates from the database
        text = campaign[number % 4] if number % 3 else demo_comment(rng, "brauhaus-isartal").text
        item_ingest(channel=channel, normalized=incoming(text, author_id=f"earlier-{number % 5}"))
    arrivals = [
        incoming(
            campaign[number % 4] if number % 2 else demo_comment(rng, "brauhaus-isartal").text,
            author_id=f"fan-{number % 7}",
        )
        for number in range(40)
    ]
    entries = [(author_upsert(channel=channel, normalized=normalized), normalized) for normalized in arrivals]

    batch = triage_assess_batch(client=channel.client, entries=entries, received_at=timezone.now())
    one_by_one = [item_ingest(channel=channel, normalized=normalized)[0] for normalized in arrivals]

    decided = [
        (result.priority, result.spam_score, result.fake_score, result.triage_reasons, result.tags)
        for result in one_by_one
    ]
    assert [
        (triage.priority, triage.spam_score, triage.fake_score, triage.reasons, triage.tags) for triage in batch
    ] == decided
    assert sum("campaign" in tags for *_scores, tags in decided) >= 10


def test_a_batch_looks_at_the_same_newest_candidates_as_one_by_one_when_there_are_too_many(
    channel_factory, monkeypatch
):
    # A shitstorm of near-identical texts: more candidates than the limit, so which ones are the
    # newest (other authors' only) decides between "near-duplicate" and "coordinated".
    monkeypatch.setattr(triage, "CANDIDATE_LIMIT", 3)
    channel = channel_factory()
    storm = [
        "Das ist ein Skandal, ich kündige! Nie wieder bestelle ich bei euch.",
        "Das ist ein Skandal, Boykott! Nie wieder bestelle ich bei euch!!",
        "Was für ein Skandal, ich kündige sofort, nie wieder bestelle ich hier.",
    ]
    rng = random.Random(7)
    for number in range(15):  # stored earlier; the newest ones come from few authors
        author_id = f"earlier-{number % 4}" if number < 9 else f"loud-{number % 2}"
        item_ingest(channel=channel, normalized=incoming(storm[number % 3], author_id=author_id))
    arrivals = [
        incoming(
            rng.choice(storm) if rng.random() < 0.7 else demo_comment(rng, "nordlicht-energie").text,
            author_id=f"fan-{rng.randint(1, 6)}",
        )
        for _number in range(40)
    ]
    entries = [(author_upsert(channel=channel, normalized=normalized), normalized) for normalized in arrivals]

    batch = triage_assess_batch(client=channel.client, entries=entries, received_at=timezone.now())
    one_by_one = [item_ingest(channel=channel, normalized=normalized)[0] for normalized in arrivals]

    decided = [(result.fake_score, result.triage_reasons, result.tags) for result in one_by_one]
    assert [(triage.fake_score, triage.reasons, triage.tags) for triage in batch] == decided
    reasons = [reason for _score, item_reasons, _tags in decided for reason in item_reasons]
    assert any("near-duplicate" in reason for reason in reasons)
    assert any("coordinated" in reason for reason in reasons)


def test_each_copy_of_a_text_in_a_batch_sees_only_the_copies_before_it(channel_factory):
    # The copies share one fingerprint, whose candidates the batch finds once; each copy still
    # counts only the earlier copies (of other authors), as if they had been stored one by one.
    channel = channel_factory()
    text = "Absolut empfehlenswert! Beste Qualität, schnelle Lieferung, fünf Sterne von mir."
    arrivals = [incoming(text, author_id=author_id) for author_id in ["first", "second", "first", "third", "fourth"]]
    entries = [(author_upsert(channel=channel, normalized=normalized), normalized) for normalized in arrivals]

    batch = triage_assess_batch(client=channel.client, entries=entries, received_at=timezone.now())

    duplicate_reasons = [
        [reason for reason in result.reasons if "near-duplicate" in reason or "coordinated" in reason]
        for result in batch
    ]
    assert duplicate_reasons == [
        [],
        ["fake: near-duplicate of another author's text in the last hour"],
        ["fake: near-duplicate of another author's text in the last hour"],  # its own earlier copy does not count
        ["fake: coordinated, similar text from 2 other authors in the last hour"],
        ["fake: coordinated, similar text from 3 other authors in the last hour"],
    ]


def test_a_batch_counts_only_recent_texts_of_the_same_client_as_near_duplicates(channel_factory):
    text = "Absolut empfehlenswert! Beste Qualität, schnelle Lieferung, fünf Sterne von mir."
    channel, foreign = channel_factory(), channel_factory()
    for number in range(3):
        item_ingest(channel=foreign, normalized=incoming(text, author_id=f"foreign-{number}"))
    old = [item_ingest(channel=channel, normalized=incoming(text, author_id=f"old-{number}"))[0] for number in range(3)]
    ItemTextFingerprint.objects.filter(item__in=old).update(received_at=timezone.now() - timedelta(hours=2))
    arrival = incoming(text, author_id="new")
    entry = (author_upsert(channel=channel, normalized=arrival), arrival)

    alone = triage_assess_batch(client=channel.client, entries=[entry], received_at=timezone.now())
    item_ingest(channel=channel, normalized=incoming(text, author_id="recent"))
    with_one = triage_assess_batch(client=channel.client, entries=[entry], received_at=timezone.now())

    assert not [reason for reason in alone[0].reasons if "near-duplicate" in reason or "coordinated" in reason]
    assert "fake: near-duplicate of another author's text in the last hour" in with_one[0].reasons


def _valence_by_scanning_every_head(word: str) -> float | None:
    """The compound rule as first written: the lexicon heads longest first, the first the word ends in."""
    heads = sorted((head for head in POLARITY if len(head) >= 6 and " " not in head), key=len, reverse=True)
    return next((POLARITY[head] for head in heads if word.endswith(head)), None)


def test_a_compound_takes_the_valence_of_the_longest_lexicon_word_it_ends_in():
    heads = [head for head in POLARITY if len(head) >= 6 and " " not in head]
    words = [prefix + head for head in heads for prefix in ("service", "kunden", "x", "über", *heads[:20])]
    words += ["lieferung", "kundenservice", "zusammenarbeit", "wahrscheinlich", "servicewüste"]
    # Words the lexicon or its suffix rule already decide never reach the compound rule.
    compounds = [
        word
        for word in words
        if len(word) >= 9
        and word not in POLARITY
        and not any(word.endswith(suffix) and word[: -len(suffix)] in POLARITY for suffix in _SUFFIXES)
    ]

    assert len(compounds) > 1000
    assert [_valence(word) for word in compounds] == [_valence_by_scanning_every_head(word) for word in compounds]


@pytest.mark.parametrize(
    "text",
    [
        "Super Service, danke! Weiter so.",
        "Gratis Krypto für alle: bit.ly/rich-now und www.example.com/angebot, schreib mir!",
        "DON'T BUY THIS, it’s a scam!!!",
    ],
)
def test_words_tokenised_once_give_the_spam_tokens_and_language_of_the_text(text):
    words = text_tokens(text)

    assert spam_tokens(text, words=words) == spam_tokens(text)
    assert language_detect(text, words=words) == language_detect(text)


def test_the_text_signals_read_once_combine_with_each_authors_own():
    # A batch reads a text's signals once for all its copies; each author adds their own.
    read = text_read_signals("Absolut empfehlenswert! 5 Sterne, mehr unter bit.ly/abc", words=[])
    now = timezone.now()
    account = {"display_name": "", "handle": "", "received_at": now, "sentiment_label": "positive"}

    fresh_empty = text_signals(read=read, follower_count=0, account_created_at=now - timedelta(days=1), **account)
    established = text_signals(read=read, follower_count=500, account_created_at=now - timedelta(days=900), **account)

    assert fresh_empty.reasons == [
        "spam: 1 link(s)",
        "spam: link shortener",
        "spam: account younger than 7 days",
        "spam: empty account",
        "fake: generic glowing phrasing (absolut empfehlenswert, 5 sterne)",
        "fake: praise from a new or empty account",
    ]
    assert (fresh_empty.spam_score, fresh_empty.fake_score) == pytest.approx((0.9, 0.55))
    assert established.reasons == [
        "spam: 1 link(s)",
        "spam: link shortener",
        "fake: generic glowing phrasing (absolut empfehlenswert, 5 sterne)",
    ]
    assert (established.spam_score, established.fake_score) == pytest.approx((0.55, 0.4))
