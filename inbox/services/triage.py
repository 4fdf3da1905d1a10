"""Triage on arrival: tier, language, sentiment, spam and fake suspicion, priority, SLA due time.

Deterministic and fast: no network, no model downloads. Everything triage needs from the
database (key-account flag, the client's learned spam statistics, similar recent texts of
other authors) comes back from one query, see `_triage_context`.

Tools warn, people decide: a likely spam or fake item is never hidden or auto-marked; it stays
in the queue with low priority, a tag and a reason the agent can read.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection, transaction
from django.db.models import Exists, F, Func, Lookup, OuterRef, Value
from django.db.models.functions import JSONObject
from django.utils import timezone

from billing.selectors import client_sla_due_at
from communityops.models import Client, User

from ..lock_objects import spam_feedback_qs_select_for_update
from ..lookups import AnyOf, array_literal
from ..models import Author, AuthorProfile, AuthorTier, Item, ItemTextFingerprint, SpamFeedback, SpamTokenStat
from ..normalized import NormalizedItem
from ..sentiment import SentimentResult, language_detect, sentiment_analyze, text_tokens
from ..sentiment.fingerprint import (
    BANDS,
    SIGNATURE_SIZE,
    minhash_bands,
    minhash_similarities,
    minhash_to_bytes,
    minhashes_from_bytes,
    text_minhash,
    texts_minhash,
)
from ..sentiment.spam import TextReadSignals, TextSignals, spam_tokens, text_read_signals, text_signals

# The reserved SpamTokenStat token that counts the decisions themselves (spaces never occur in tokens).
SPAM_DOCUMENT_TOKEN = " decisions"
CAMPAIGN_WINDOW = timedelta(hours=1)
NEAR_DUPLICATE_SIMILARITY = 0.6
CANDIDATE_LIMIT = 300
BATCH_CANDIDATE_LIMIT = 3000
LEARNED_WEIGHT = 0.8  # what the team has taught moves the spam score by at most +-0.4
LEARNED_TOKENS_CONSIDERED = 15

TAG_SPAM_SUSPECT = "spam-suspect"
TAG_FAKE_SUSPECT = "fake-suspect"
TAG_CAMPAIGN = "campaign"


@dataclass
class TriageResult:
    author_tier: str
    priority: int
    sentiment: str
    sentiment_score: float
    spam_score: float
    fake_score: float
    sla_due_at: datetime | None  # None: the client's plan covers no hour, nothing is due
    reasons: list[str] = field(default_factory=list)
    language: str = ""
    tags: list[str] = field(default_factory=list)
    # Kept so item_ingest can store the fingerprint without computing it twice.
    minhash: list[int] | None = None
    bands: list[int] | None = None


def _tier(*, client: Client, author: Author, is_key_account: bool) -> str:
    if is_key_account:
        return AuthorTier.A
    if author.follower_count >= client.influencer_follower_threshold:
        return AuthorTier.B
    return AuthorTier.C


class _SharesABand(Lookup):
    """`fingerprint bands` share a band with `bands`: EXISTS (SELECT FROM unnest(bands) ... = ANY(...)),
    the test the batch path makes (_fingerprints_sharing_bands). The client's recent rows come from
    fingerprint_client_recent and each tests its eight bands in a hash table of `bands`; no index
    on bands is needed (an `&&` overlap would want the GIN index that every insert paid for)."""

    lookup_name = "shares_a_band"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        sql = f"EXISTS (SELECT FROM unnest({lhs}) AS band WHERE band = ANY({rhs}::bigint[]))"
        return sql, (*lhs_params, *rhs_params)


def _triage_context(
    *,
    client: Client,
    author: Author,
    tokens: list[str],
    bands: list[int] | None,
    since: datetime,
    before_item_id: int | None = None,
) -> dict:
    """One query: the key-account flag, the client's counts for these tokens, similar recent texts
    (only those of items stored before `before_item_id`, when given)."""
    token_stats = SpamTokenStat.objects.filter(client=OuterRef("pk"), token__in=[*tokens, SPAM_DOCUMENT_TOKEN]).values(
        row=JSONObject(token="token", spam="spam_count", ham="ham_count")
    )
    annotations = {
        "is_key_account": Exists(
            AuthorProfile.objects.filter(client=OuterRef("pk"), author=author, is_key_account=True)
        ),
        "token_stats": ArraySubquery(token_stats),
    }
    if bands:
        minhash_hex = Func("minhash", Value("hex"), function="encode")  # JSON carries no bytes
        candidates = ItemTextFingerprint.objects.filter(client=OuterRef("pk"), received_at__gte=since)
        if before_item_id is not None:
            candidates = candidates.filter(item_id__lt=before_item_id)
        similar = (
            candidates.filter(_SharesABand(F("bands"), bands))
            .exclude(author=author)
            .order_by("-received_at")
            .values(row=JSONObject(author="author_id", minhash=minhash_hex))[:CANDIDATE_LIMIT]
        )
        annotations["similar"] = ArraySubquery(similar)
    return Client.objects.filter(pk=client.pk).annotate(**annotations).values(*annotations).get()


def _learned_spam_adjustment(token_stats: list[dict]) -> float:
    """Robinson-style token probabilities from the team's decisions, combined as log-odds: -0.4 .. +0.4."""
    by_token = {row["token"]: row for row in token_stats}
    documents = by_token.pop(SPAM_DOCUMENT_TOKEN, None)
    if documents is None or not by_token:
        return 0.0
    spam_documents = max(documents["spam"], 1)
    ham_documents = max(documents["ham"], 1)
    probabilities = []
    for row in by_token.values():
        seen = row["spam"] + row["ham"]
        if seen <= 0:
            continue
        spam_rate = row["spam"] / spam_documents
        ham_rate = row["ham"] / ham_documents
        probability = spam_rate / (spam_rate + ham_rate)
        probabilities.append((0.5 + seen * probability) / (1 + seen))
    if not probabilities:
        return 0.0
    probabilities.sort(key=lambda value: abs(value - 0.5), reverse=True)
    log_odds = sum(
        math.log(min(max(value, 0.01), 0.99) / (1 - min(max(value, 0.01), 0.99)))
        for value in probabilities[:LEARNED_TOKENS_CONSIDERED]
    )
    combined = 1 / (1 + math.exp(-log_odds))
    return (combined - 0.5) * LEARNED_WEIGHT


def _similar_authors(minhash: list[int] | None, signatures: np.ndarray, authors: np.ndarray) -> int:
    """How many distinct authors wrote a candidate text (signatures as rows) near-identical to this one."""
    if minhash is None or not len(authors):
        return 0
    similar = minhash_similarities(minhash, signatures) >= NEAR_DUPLICATE_SIMILARITY
    return len(set(authors[similar].tolist()))  # a set of at most CANDIDATE_LIMIT: cheaper than np.unique


@dataclass(frozen=True)
class _TextReading:
    """What triage reads from the text alone. The same for every copy of a text, so a batch reads
    each distinct text once (a campaign's copies, the many "Danke!")."""

    sentiment: SentimentResult
    language: str  # as detected; a language the source states wins
    tokens: list[str]
    signals: TextReadSignals
    minhash: list[int] | None
    bands: list[int] | None


def _text_read(text: str, minhash: list[int] | None) -> _TextReading:
    words = text_tokens(text)
    return _TextReading(
        sentiment=sentiment_analyze(text),
        language=language_detect(text, words=words),
        tokens=spam_tokens(text, words=words),
        signals=text_read_signals(text, words=words),
        minhash=minhash,
        bands=minhash_bands(minhash) if minhash else None,
    )


@dataclass(frozen=True)
class _TextAssessment:
    """What triage reads from the text and the author alone, without the database."""

    language: str
    sentiment: SentimentResult
    signals: TextSignals
    tokens: list[str]
    minhash: list[int] | None
    bands: list[int] | None


def _text_assess(
    *, author: Author, normalized: NormalizedItem, received_at: datetime, reading: _TextReading
) -> _TextAssessment:
    return _TextAssessment(
        language=normalized.language or reading.language,
        sentiment=reading.sentiment,
        signals=text_signals(
            read=reading.signals,
            sentiment_label=reading.sentiment.label,
            follower_count=author.follower_count,
            display_name=author.display_name,
            handle=author.handle,
            account_created_at=author.account_created_at,
            received_at=received_at,
        ),
        tokens=reading.tokens,
        minhash=reading.minhash,
        bands=reading.bands,
    )


def triage_assess(
    *,
    client: Client,
    author: Author,
    normalized: NormalizedItem,
    received_at: datetime,
    stored_item_id: int | None = None,
) -> TriageResult:
    """Assess one incoming item. Reads only (one query, and the client's coverage plan once per
    Client instance); item_ingest stores the result.

    `stored_item_id` assesses a stored item again as it arrived: near-duplicates are then only the
    texts stored before it (a text copied later does not make the original part of a campaign)."""
    assessed = _text_assess(
        author=author,
        normalized=normalized,
        received_at=received_at,
        reading=_text_read(normalized.text, text_minhash(normalized.text)),
    )
    context = _triage_context(
        client=client,
        author=author,
        tokens=assessed.tokens,
        bands=assessed.bands,
        since=received_at - CAMPAIGN_WINDOW,
        before_item_id=stored_item_id,
    )
    similar = context.get("similar") or []
    signatures = minhashes_from_bytes([bytes.fromhex(candidate["minhash"]) for candidate in similar])
    return _triage_decide(
        client=client,
        author=author,
        normalized=normalized,
        sla_due_at=client_sla_due_at(client=client, received_at=received_at),
        assessed=assessed,
        is_key_account=context["is_key_account"],
        token_stats=context["token_stats"],
        similar_authors=_similar_authors(
            assessed.minhash,
            signatures,
            np.array([candidate["author"] for candidate in similar], dtype=np.int64),
        ),
    )


def _fingerprints_sharing_bands(*, client: Client, since: datetime, bands: set[int]) -> tuple[np.ndarray, np.ndarray]:
    """The author ids and the minhash and bands (one row each: SIGNATURE_SIZE values, then BANDS) of
    the client's texts since `since` sharing a band with `bands`: the newest BATCH_CANDIDATE_LIMIT,
    oldest first.

    A batch brings some 2,000 bands. `bands && array` compares every band of a row with every band
    of the array (16,000 comparisons a row); `band = ANY(constant array)` is looked up in a hash
    table PostgreSQL builds once, so testing a recent row costs eight lookups. The minhash comes as
    stored (bytes, read by numpy at once), a row's bands as one line of text that numpy parses in C:
    psycopg parsing 3,000 rows of bigint arrays into lists cost three times as much.
    """
    if not bands:  # no text of the batch is long enough for a fingerprint
        return np.empty(0, dtype=np.int64), np.empty((0, SIGNATURE_SIZE + BANDS), dtype=np.int64)
    table = ItemTextFingerprint._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT author_id, minhash, array_to_string(bands, ' ') FROM {table}
            WHERE client_id = %s AND received_at >= %s
              AND EXISTS (SELECT FROM unnest(bands) AS band WHERE band = ANY(%s::bigint[]))
            ORDER BY received_at DESC
            LIMIT %s
            """,  # noqa: S608 - the table name is ours, values are parameters
            [client.pk, since, array_literal(sorted(bands)), BATCH_CANDIDATE_LIMIT],
        )
        rows = cursor.fetchall()
    rows.reverse()
    authors = np.array([author_id for author_id, _minhash, _bands in rows], dtype=np.int64)
    minhashes = minhashes_from_bytes([minhash for _author_id, minhash, _bands in rows])
    bands = np.fromstring(" ".join(bands for _author_id, _minhash, bands in rows), dtype=np.int64, sep=" ")
    return authors, np.hstack([minhashes, bands.reshape(len(rows), BANDS)])


def _rows_sharing_a_band(band_columns: np.ndarray, bands: list[int]) -> np.ndarray:
    """The rows (columns of `band_columns`, which holds one row per band position) that have one of
    `bands` at its position, in ascending order."""
    shared = band_columns[0] == bands[0]
    for position in range(1, len(bands)):
        shared |= band_columns[position] == bands[position]
    return np.flatnonzero(shared)


def triage_assess_batch(
    *, client: Client, entries: list[tuple[Author, NormalizedItem]], received_at: datetime
) -> list[TriageResult]:
    """Assess a batch of incoming items of one client, in order, as if each were ingested after
    the one before: the same decisions as triage_assess, from three queries for the whole batch.

    An earlier entry's text counts as a recent text of its author for the later ones (the single
    path sees it because the earlier item is stored first). Near-duplicate candidates come from one
    query over all the batch's bands, capped at BATCH_CANDIDATE_LIMIT rows (newest first).
    """
    if not entries:
        return []
    texts = list(dict.fromkeys(normalized.text for _author, normalized in entries))  # each distinct text once
    readings = {text: _text_read(text, minhash) for text, minhash in zip(texts, texts_minhash(texts), strict=True)}
    assessed = [
        _text_assess(author=author, normalized=normalized, received_at=received_at, reading=readings[normalized.text])
        for author, normalized in entries
    ]
    author_ids = {author.pk for author, _normalized in entries}
    key_accounts = set(
        AuthorProfile.objects.filter(AnyOf(F("author_id"), author_ids), client=client, is_key_account=True).values_list(
            "author_id", flat=True
        )
    )
    tokens = {token for entry in assessed for token in entry.tokens}
    stats = {
        row["token"]: row
        for row in SpamTokenStat.objects.filter(
            AnyOf(F("token"), [*tokens, SPAM_DOCUMENT_TOKEN]), client=client
        ).values("token", spam=F("spam_count"), ham=F("ham_count"))
    }
    bands = {band for entry in assessed if entry.bands for band in entry.bands}
    found_authors, found = _fingerprints_sharing_bands(client=client, since=received_at - CAMPAIGN_WINDOW, bands=bands)
    sla_due_at = client_sla_due_at(client=client, received_at=received_at)  # the whole batch arrived now
    candidates = _BatchCandidates(found_authors, found, entries=entries, assessed=assessed)
    results = []
    for (author, normalized), entry in zip(entries, assessed, strict=True):
        results.append(
            _triage_decide(
                client=client,
                author=author,
                normalized=normalized,
                sla_due_at=sla_due_at,
                assessed=entry,
                is_key_account=author.pk in key_accounts,
                token_stats=[stats[token] for token in {*entry.tokens, SPAM_DOCUMENT_TOKEN} if token in stats],
                similar_authors=candidates.similar_authors(author=author, entry=entry),
            )
        )
    return results


class _BatchCandidates:
    """The near-duplicate candidates of a batch's entries, each entry seeing what the single path
    would: the stored texts, then the batch's earlier texts (an entry's own and later ones are not
    stored yet when it is ingested one by one).

    All candidates are rows of arrays, oldest first: the stored texts, then the batch's texts with
    a fingerprint in entry order, so a higher row is newer and an entry sees the rows below its
    own. A band's hash includes its position (see minhash_bands), so two texts share a band
    exactly when they agree at some band position. Copies of a text (a campaign's, the many
    "Danke!") have one fingerprint: which rows share a band with it, and which of those are
    near-identical, is found once per distinct fingerprint over all rows; each entry then takes
    the part below its own row (per entry, comparing its bands with every row was most of the
    batch's triage).
    """

    def __init__(
        self,
        found_authors: np.ndarray,
        found: np.ndarray,
        *,
        entries: list[tuple[Author, NormalizedItem]],
        assessed: list[_TextAssessment],
    ) -> None:
        fingerprinted = [
            (author.pk, entry.minhash, entry.bands)
            for (author, _normalized), entry in zip(entries, assessed, strict=True)
            if entry.minhash
        ]
        batch = np.array([[*minhash, *bands] for _author_id, minhash, bands in fingerprinted], dtype=np.int64).reshape(
            len(fingerprinted), SIGNATURE_SIZE + BANDS
        )
        rows = np.concatenate([found, batch])
        self._signatures = rows[:, :SIGNATURE_SIZE]
        # One contiguous array per band position: comparing a position across all rows is one numpy pass.
        self._band_columns = np.ascontiguousarray(rows[:, SIGNATURE_SIZE:].T)
        batch_authors = np.array([author_id for author_id, _minhash, _bands in fingerprinted], dtype=np.int64)
        self._authors = np.concatenate([found_authors, batch_authors])
        self._next_row = len(found_authors)  # the row of the next entry with a fingerprint
        self._by_fingerprint: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def _sharing(self, minhash: list[int], bands: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The rows sharing a band with the fingerprint (ascending), their authors, and whether each
        is near-identical to it."""
        key = tuple(minhash)
        found = self._by_fingerprint.get(key)
        if found is None:
            rows = _rows_sharing_a_band(self._band_columns, bands)
            close = minhash_similarities(minhash, self._signatures[rows]) >= NEAR_DUPLICATE_SIMILARITY
            found = self._by_fingerprint[key] = (rows, self._authors[rows], close)
        return found

    def similar_authors(self, *, author: Author, entry: _TextAssessment) -> int:
        """_similar_authors of the entry's newest CANDIDATE_LIMIT candidates by other authors; call
        it for the batch's entries in order."""
        if not entry.minhash:
            return 0
        own_row = self._next_row
        self._next_row += 1
        rows, authors, close = self._sharing(entry.minhash, entry.bands)
        seen = int(np.searchsorted(rows, own_row))  # the rows below the entry's own
        if not seen:  # nothing older shares a band with it (a text new to the last hour)
            return 0
        newest_first_authors, newest_first_close = authors[:seen][::-1], close[:seen][::-1]
        chosen = np.flatnonzero(newest_first_authors != author.pk)[:CANDIDATE_LIMIT]
        return len(set(newest_first_authors[chosen[newest_first_close[chosen]]].tolist()))


def _triage_decide(
    *,
    client: Client,
    author: Author,
    normalized: NormalizedItem,
    sla_due_at: datetime | None,
    assessed: _TextAssessment,
    is_key_account: bool,
    token_stats: list[dict],
    similar_authors: int,
) -> TriageResult:
    text = normalized.text
    language, sentiment, signals, minhash = assessed.language, assessed.sentiment, assessed.signals, assessed.minhash
    reasons: list[str] = []
    tags: list[str] = []
    tier = _tier(client=client, author=author, is_key_account=is_key_account)

    spam_score = signals.spam_score
    learned = _learned_spam_adjustment(token_stats)
    if abs(learned) >= 0.05:
        spam_score += learned
        reasons.append(f"spam: learned from team decisions ({learned:+.2f})")
    spam_score = round(min(max(spam_score, 0.0), 1.0), 3)

    fake_score = signals.fake_score
    campaign = similar_authors >= 2
    if campaign:
        fake_score += 0.6
        reasons.append(f"fake: coordinated, similar text from {similar_authors} other authors in the last hour")
        tags.append(TAG_CAMPAIGN)
    elif similar_authors == 1:
        fake_score += 0.3
        reasons.append("fake: near-duplicate of another author's text in the last hour")
    fake_score = round(min(fake_score, 1.0), 3)
    reasons.extend(signals.reasons)

    priority = Item.Priority.NORMAL
    if tier == AuthorTier.A:
        priority = Item.Priority.URGENT
        reasons.append("key account")
    elif tier == AuthorTier.B:
        priority = Item.Priority.HIGH
        reasons.append("influencer")
    if sentiment.angry:
        priority = Item.Priority.URGENT if tier != AuthorTier.C else min(priority, Item.Priority.HIGH)
        reasons.append("angry")
    if campaign and sentiment.label == "negative":
        # Many similar complaints at once can be the start of a shitstorm: a human looks soon.
        priority = min(priority, Item.Priority.HIGH)
    lowered = text.lower()
    hits = [keyword for keyword in client.alert_keywords if keyword.lower() in lowered]
    if hits:
        priority = Item.Priority.URGENT
        reasons.append("alert keyword: " + ", ".join(hits))
    protected = bool(hits) or tier == AuthorTier.A
    if spam_score >= Item.SPAM_LIKELY:
        tags.append(TAG_SPAM_SUSPECT)
        if not protected:
            priority = Item.Priority.LOW
            reasons.append("likely spam: low priority, left for an agent to decide")
    if fake_score >= Item.FAKE_LIKELY:
        tags.append(TAG_FAKE_SUSPECT)
        if not protected and sentiment.label != "negative":
            priority = Item.Priority.LOW
            reasons.append("likely fake praise: low priority, left for an agent to decide")

    return TriageResult(
        author_tier=tier,
        priority=priority,
        sentiment=sentiment.label,
        sentiment_score=sentiment.score,
        spam_score=spam_score,
        fake_score=fake_score,
        sla_due_at=sla_due_at,
        reasons=reasons,
        language=language,
        tags=tags,
        minhash=minhash,
        bands=assessed.bands,
    )


# What a new assessment of a stored item writes (item_triage_set: tags only added to); the SLA due time is not among them.
TRIAGE_FIELDS = (
    "author_tier", "priority", "language", "sentiment", "sentiment_score", "spam_score", "fake_score", "triage_reasons",
    "tags",
)  # fmt: skip


def item_triage_set(*, item: Item, triage: TriageResult) -> None:
    """Put a new assessment of a stored item (its text edited, its author's standing changed) on it,
    for the caller to save with TRIAGE_FIELDS: tier, priority, scores and reasons are replaced, tags
    only added (an agent may have set or kept them); the SLA due time stays what the arrival promised."""
    item.author_tier, item.priority, item.language = triage.author_tier, triage.priority, triage.language
    item.sentiment, item.sentiment_score = triage.sentiment, triage.sentiment_score
    item.spam_score, item.fake_score, item.triage_reasons = triage.spam_score, triage.fake_score, triage.reasons
    item.tags = list(dict.fromkeys([*item.tags, *triage.tags]))


def fingerprint_row(
    *, item_id: int, client_id: int, author_id: int, received_at: datetime, minhash: list[int], bands: list[int] | None
) -> dict:
    """An ItemTextFingerprint row by column name, as every writer stores it; `bands` as triage
    computed them (TriageResult.bands), None to compute them here."""
    return {
        "item_id": item_id,
        "client_id": client_id,
        "author_id": author_id,
        "received_at": received_at,
        "minhash": minhash_to_bytes(minhash),
        "bands": minhash_bands(minhash) if bands is None else bands,
    }


def item_fingerprint_store(*, item: Item, minhash: list[int] | None, bands: list[int] | None = None) -> None:
    """Remember the item's text fingerprint (new, or replacing the one of its earlier text) so later
    arrivals can find it as a near-duplicate: one INSERT ... ON CONFLICT."""
    if minhash is None:
        return
    row = fingerprint_row(
        item_id=item.pk,
        client_id=item.client_id,
        author_id=item.author_id,
        received_at=item.received_at,
        minhash=minhash,
        bands=bands,
    )
    ItemTextFingerprint.objects.bulk_create(
        [ItemTextFingerprint(**row)],
        update_conflicts=True,
        unique_fields=["item"],
        update_fields=["client", "author", "received_at", "minhash", "bands"],
    )


def _spam_token_counts_add(*, client_id: int, tokens: list[str], spam: int, ham: int) -> None:
    # An atomic increment-or-insert; the ORM's bulk upsert can only overwrite, not add.
    # Sorted tokens give concurrent decisions the same lock order (no deadlocks).
    table = SpamTokenStat._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (client_id, token, spam_count, ham_count)
            SELECT %s, token, %s, %s FROM unnest(%s::varchar[]) AS token
            ON CONFLICT (client_id, token) DO UPDATE
            SET spam_count = {table}.spam_count + EXCLUDED.spam_count,
                ham_count = {table}.ham_count + EXCLUDED.ham_count
            """,  # noqa: S608 - the table name is ours, values are parameters
            [client_id, spam, ham, sorted({*tokens, SPAM_DOCUMENT_TOKEN})],
        )


def _spam_counts_undo(feedback: SpamFeedback) -> None:
    """Take a recorded decision out of its client's word counts (its side, spam or not, minus one)."""
    _spam_token_counts_add(
        client_id=feedback.client_id,
        tokens=feedback.tokens,
        spam=-1 if feedback.is_spam else 0,
        ham=0 if feedback.is_spam else -1,
    )


@transaction.atomic
def spam_feedback_record(*, acting_user: User | None, item: Item, is_spam: bool) -> SpamFeedback:
    """Teach the item's client's spam model an agent's decision (call it from mark-spam / not-spam).

    Idempotent: the same decision twice counts once; a changed decision moves the item's tokens
    from one side to the other. Locks the item's feedback row. Writes no ItemEvent: the moderation
    action that calls this records the item's state change itself.
    """
    feedback = spam_feedback_qs_select_for_update().filter(item=item).first()
    if feedback is not None and feedback.is_spam == is_spam:
        return feedback
    if feedback is not None:
        _spam_counts_undo(feedback)
        feedback.is_spam = is_spam
        feedback.decided_by = acting_user
        feedback.decided_at = timezone.now()
        feedback.save(update_fields=["is_spam", "decided_by", "decided_at"])
    else:
        feedback = SpamFeedback.objects.create(
            item=item, client_id=item.client_id, is_spam=is_spam, decided_by=acting_user, tokens=spam_tokens(item.text)
        )
    _spam_token_counts_add(
        client_id=feedback.client_id, tokens=feedback.tokens, spam=1 if is_spam else 0, ham=0 if is_spam else 1
    )
    return feedback


def spam_feedback_forget(*, item_ids: list[int]) -> int:
    """Take these items' spam decisions out of their clients' word counts and delete them (their
    words come from the items' texts; services.erasure). Words no decision counts any more go.
    Returns how many decisions were forgotten."""
    forgotten = list(spam_feedback_qs_select_for_update().filter(item_id__in=item_ids))
    for feedback in forgotten:
        _spam_counts_undo(feedback)
        SpamTokenStat.objects.filter(
            client_id=feedback.client_id,
            token__in=[*feedback.tokens, SPAM_DOCUMENT_TOKEN],
            spam_count__lte=0,
            ham_count__lte=0,
        ).delete()
    SpamFeedback.objects.filter(pk__in=[feedback.pk for feedback in forgotten]).delete()
    return len(forgotten)
