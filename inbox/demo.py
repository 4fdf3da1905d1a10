"""Demo inbox: about 2,000 realistic German and English items for the three demo clients.

Generated locally from templates with a fixed seed and ingested through item_ingest, so triage
(sentiment, spam, campaigns, tiers, SLA) is exactly what live items get. Times are relative to
now: most items are from the last days and already answered or closed, about 150 are open.
The demo feeder (manage.py demo_feeder) reuses `demo_comment` for its live comments.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from tqdm import tqdm

from communityops.models import Channel, Client, User

from .models import AuthorProfile, CannedResponse, Item, ItemEvent, OutboundAction
from .normalized import NormalizedAuthor, NormalizedItem
from .services.authors import author_upsert
from .services.ingestion import item_ingest
from .services.triage import spam_feedback_record

SEED = 2026
TOTAL_ITEMS = 2000
OPEN_ITEMS = 150
DAYS_BACK = 6
EXTERNAL_ID_PREFIX = "demo-"
# WordPress numbers its comments and posts, and the connector sends those numbers as integers. The
# demo's start far above any blog's own (the stub blogs count from 1), so a polled comment never
# collides with a seeded one; base + index is as stable across re-seeding as the prefixed ids are.
DEMO_WORDPRESS_ID_BASE = 900_000_000

TOPICS = {
    "brauhaus-isartal": {
        "product": ["Helles", "Weißbier", "Dunkle", "Radler", "alkoholfreie Helle", "Festbier", "Kellerbier"],
        "place": ["Biergarten", "Bräustüberl", "die Brauereiführung", "das Sommerfest"],
        "alert": [
            "Da waren Glassplitter in meiner Flasche {product}! Ich habe Fotos gemacht.",
            "Gibt es einen Rückruf für das {product}? Mir ist schlecht geworden.",
        ],
        "key_accounts": [
            ("gastro-huber", "Gastro Huber GmbH"),
            ("festzelt-wiesn", "Festzelt Wiesnwirt"),
            ("getraenke-maier", "Getränke Maier"),
        ],
    },
    "nordlicht-energie": {
        "product": [
            "Ökostromtarif",
            "Gastarif",
            "Wärmepumpentarif",
            "die App",
            "die Jahresabrechnung",
            "der Abschlag",
            "der Smart Meter",
        ],
        "place": ["Kundenportal", "Servicecenter in Altona", "die Hotline"],
        "alert": [
            "Schon wieder Stromausfall in Altona!!! Was ist da los?",
            "Das ist doch Abzocke mit der Nachzahlung, ich gehe zur Verbraucherzentrale.",
        ],
        "key_accounts": [
            ("wohnbau-nord", "Wohnbau Nord eG"),
            ("hafen-logistik", "Hafen Logistik KG"),
            ("stadtwerk-partner", "Stadtwerk Partner"),
        ],
    },
    "rheinmode": {
        "product": ["Winterjacke", "Jeans", "Sneaker", "Strickpullover", "Kleid", "Regenjacke", "Wollmantel"],
        "place": ["Online-Shop", "Filiale in Köln", "Store in Düsseldorf"],
        "alert": [
            "Ist das Betrug? Die {product} sieht aus wie ein Fake.",
            "Wird eure {product} mit Kinderarbeit hergestellt? Ich will eine Antwort.",
        ],
        "key_accounts": [
            ("modehaus-schmitz", "Modehaus Schmitz"),
            ("rhein-outlet", "Rhein Outlet Center"),
            ("boutique-lena", "Boutique Lena"),
        ],
    },
}

TEMPLATES = {
    "praise": [
        ("de", "Das {product} ist einfach großartig, danke!"),
        ("de", "Super Service, sehr freundlich und schnell. Weiter so!"),
        ("de", "Ich liebe euer {product} ❤️"),
        ("de", "Top Qualität, gerne wieder 👍"),
        ("de", "Vielen Dank für die schnelle Hilfe, alles gelöst!"),
        ("de", "Wir waren gestern im {place}, wunderbar! 😍"),
        ("de", "Endlich mal ein Unternehmen, das zuhört. Danke an das Team!"),
        ("de", "Hab das {product} meinem Vater geschenkt, er ist begeistert."),
        ("en", "Love the {product}, great job!"),
        ("en", "Amazing service, thank you so much!"),
        ("en", "Visited {place} last week, absolutely lovely 🙂"),
    ],
    "question": [
        ("de", "Wann gibt es das {product} wieder?"),
        ("de", "Habt ihr am Feiertag geöffnet?"),
        ("de", "Wie kann ich meine Adresse ändern?"),
        ("de", "Kann man das {product} auch online bestellen?"),
        ("de", "Gibt es für {place} eine Anmeldung oder kann man spontan kommen?"),
        ("de", "Wo finde ich die Infos zum {product}?"),
        ("de", "Ist das {product} auch für Allergiker geeignet?"),
        ("en", "Do you ship to Austria?"),
        ("en", "When will the {product} be back?"),
        ("en", "Is {place} open on Sunday?"),
    ],
    "complaint": [
        ("de", "Leider ist meine Bestellung immer noch nicht angekommen."),
        ("de", "Das {product} war diesmal nicht gut, schade."),
        ("de", "Ich warte seit zwei Wochen auf eine Antwort vom Kundenservice."),
        ("de", "Die Rechnung ist falsch, bitte prüfen. Ich bin enttäuscht."),
        ("de", "Das {product} ist viel zu teuer geworden."),
        ("de", "Bei {place} war es gestern leider chaotisch und unfreundlich."),
        ("en", "My order is late and nobody answers."),
        ("en", "Not happy with the {product}, it broke after a week."),
    ],
    "angry": [
        ("de", "Was für eine FRECHHEIT! Seit Tagen keine Antwort!!! 😡"),
        ("de", "Totale Abzocke mit der Preiserhöhung, ich bin stinksauer!"),
        ("de", "Nie wieder {product}, unverschämter Service!!!"),
        ("de", "Ich schalte jetzt meinen Anwalt ein, das ist eine Zumutung!"),
        ("en", "This is ridiculous. Worst service ever, never again! 🤬"),
    ],
    "spam": [
        ("de", "Verdiene 3000€ pro Woche von zuhause! Schreib mir auf WhatsApp +49 151 {number}"),
        ("de", "Krypto-Trading mit 500% Gewinn, DM me für Infos 💰💰💰"),
        ("en", "Free followers 👉 check my profile!!!"),
        ("de", "🔥🔥 Gewinnspiel!!! Du hast gewonnen, klick hier: bit.ly/{code}"),
        ("en", "Make money from home with bitcoin, message me on telegram"),
    ],
    "link_spam": [
        ("de", "Günstige {product} hier: http://super-deals-{code}.xyz"),
        ("en", "Best replica deals www.cheap-{code}.top"),
        ("de", "Schaut mal auf meinem Shop vorbei: https://tinyurl.com/{code} 😉"),
    ],
    "fake": [
        (
            "de",
            "Absolut empfehlenswert! Hervorragende Qualität, schnelle Lieferung und ein tolles Preis-Leistungs-Verhältnis. Fünf Sterne!",
        ),
        (
            "en",
            "I highly recommend this {product}! It exceeded my expectations, top quality and a seamless experience. 10/10",
        ),
        ("de", "Kann ich nur empfehlen! Rundum zufrieden mit dem {product}, übertrifft alle Erwartungen."),
    ],
}
REPLY_TEMPLATES = [
    ("de", "@{name} genau das gleiche Problem hatte ich auch!"),
    ("de", "Stimmt, bei mir war es auch so."),
    ("de", "Danke für den Tipp, {name}!"),
    ("en", "Same here, {name}!"),
]
ANSWERS = {
    "de": {
        "praise": "Vielen Dank, {first}! Das freut uns sehr 😊",
        "question": "Hallo {first}, danke für Ihre Frage! Alle Details finden Sie auf unserer Website – bei weiteren Fragen gerne per Direktnachricht.",
        "complaint": "Hallo {first}, das tut uns leid. Bitte schicken Sie uns Ihre Kundennummer per Direktnachricht, wir kümmern uns sofort darum.",
        "angry": "Hallo {first}, wir verstehen Ihren Ärger. Bitte schreiben Sie uns per Direktnachricht, wir klären das heute noch.",
        "reply": "Danke für den Hinweis, {first}! Wir melden uns.",
    },
    "en": {
        "praise": "Thank you, {first}! We're so glad to hear that 😊",
        "question": "Hi {first}, thanks for asking! You'll find all the details on our website – feel free to DM us.",
        "complaint": "Hi {first}, we're sorry about that. Please DM us your customer number and we'll sort it out right away.",
        "angry": "Hi {first}, we understand your frustration. Please send us a DM and we'll resolve this today.",
        "reply": "Thanks for letting us know, {first}!",
    },
}
# A few answers per client in German and English, as the agency keeps them (CannedResponse placeholders).
CANNED_RESPONSES = {
    "brauhaus-isartal": [
        (
            "de",
            "Danke fürs Lob",
            "Hallo {author_name}, vielen Dank! Das freut unser ganzes Brauteam. Prost aus dem Isartal!",
        ),
        (
            "de",
            "Biergarten & Öffnungszeiten",
            "Hallo {author_name}, unser Biergarten hat bei schönem Wetter täglich ab 11 Uhr geöffnet, das "
            "Bräustüberl ganzjährig. Alle Zeiten finden Sie auf unserer Website.",
        ),
        (
            "de",
            "Reklamation Flasche",
            "Hallo {author_name}, das tut uns leid. Bitte schicken Sie uns per Direktnachricht ein Foto des "
            "Etiketts mit dem Mindesthaltbarkeitsdatum, dann kümmern wir uns sofort darum.",
        ),
        (
            "en",
            "Thanks for the praise",
            "Hi {author_name}, thank you so much! Cheers from the whole {client_name} team.",
        ),
        (
            "en",
            "Bottle complaint",
            "Hi {author_name}, we're sorry to hear that. Please send us a photo of the label with the best-before "
            "date by direct message and we'll look into it right away.",
        ),
    ],
    "nordlicht-energie": [
        (
            "de",
            "Abrechnung prüfen",
            "Hallo {author_name}, das schauen wir uns gern an. Bitte senden Sie uns Ihre Kundennummer per "
            "Direktnachricht – bitte nie öffentlich.",
        ),
        (
            "de",
            "Störung gemeldet",
            "Hallo {author_name}, danke für den Hinweis. Unsere Technik ist informiert; aktuelle Störungen finden "
            "Sie jederzeit im Kundenportal.",
        ),
        (
            "de",
            "Tarifwechsel",
            "Hallo {author_name}, ein Wechsel in unseren Ökostromtarif geht ganz einfach im Kundenportal. Bei Fragen "
            "helfen wir Ihnen gern per Direktnachricht.",
        ),
        (
            "en",
            "Check my bill",
            "Hi {author_name}, we're happy to look into it. Please send us your customer number by direct message – "
            "never publicly.",
        ),
        (
            "en",
            "Outage reported",
            "Hi {author_name}, thanks for letting us know. Our engineers are on it; current outages are always "
            "listed in the customer portal.",
        ),
    ],
    "rheinmode": [
        (
            "de",
            "Lieferstatus",
            "Hallo {author_name}, das tut uns leid. Schicken Sie uns bitte Ihre Bestellnummer per Direktnachricht, "
            "dann sehen wir sofort nach, wo Ihr Paket steckt.",
        ),
        (
            "de",
            "Umtausch & Retoure",
            "Hallo {author_name}, Sie können Ihre Bestellung 30 Tage lang kostenlos zurückschicken oder in jeder "
            "Filiale umtauschen. Den Retourenschein finden Sie in Ihrem Kundenkonto.",
        ),
        ("de", "Danke fürs Lob", "Hallo {author_name}, wie schön, dass es Ihnen gefällt! Viel Freude damit."),
        (
            "en",
            "Delivery status",
            "Hi {author_name}, we're sorry about that. Please send us your order number by direct message and we'll "
            "check where your parcel is right away.",
        ),
        (
            "en",
            "Returns & exchanges",
            "Hi {author_name}, you can return your order free of charge within 30 days or exchange it in any of "
            "our stores. You'll find the return label in your account.",
        ),
    ],
}
CATEGORY_WEIGHTS = [
    ("praise", 26),
    ("question", 26),
    ("complaint", 18),
    ("angry", 6),
    ("spam", 6),
    ("link_spam", 4),
    ("fake", 5),
    ("alert", 2),
    ("reply", 7),
]
FIRST_NAMES = [
    "Anna",
    "Ben",
    "Clara",
    "David",
    "Emma",
    "Felix",
    "Greta",
    "Hannah",
    "Jonas",
    "Julia",
    "Karl",
    "Lea",
    "Leon",
    "Lina",
    "Lukas",
    "Marie",
    "Max",
    "Mia",
    "Noah",
    "Paul",
    "Sophie",
    "Tim",
    "Tom",
    "Zoe",
    "Ahmet",
    "Elif",
    "Jan",
    "Nele",
    "Ole",
    "Ida",
]
LAST_NAMES = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Neumann",
    "Yilmaz",
    "Krüger",
    "Hartmann",
    "Lange",
    "Werner",
]
PLATFORM_CODES = {
    Channel.Platform.FACEBOOK_PAGE: ("fb", Item.Kind.COMMENT),
    Channel.Platform.INSTAGRAM_ACCOUNT: ("ig", Item.Kind.COMMENT),
    Channel.Platform.WORDPRESS_BLOG: ("blog", Item.Kind.BLOG_COMMENT),
    Channel.Platform.GENERIC: ("review", Item.Kind.REVIEW),
}


@dataclass
class DemoComment:
    category: str
    language: str
    text: str


def demo_comment(rng: random.Random, client_slug: str, *, category: str | None = None) -> DemoComment:
    """One plausible comment for the client; also used by the live demo feeder."""
    category = (
        category or rng.choices([name for name, _ in CATEGORY_WEIGHTS], [weight for _, weight in CATEGORY_WEIGHTS])[0]
    )
    topics = TOPICS[client_slug]
    if category == "alert":
        language, template = "de", rng.choice(topics["alert"])
    elif category == "reply":
        language, template = rng.choice(REPLY_TEMPLATES)
    else:
        language, template = rng.choice(TEMPLATES[category])
    text = template.format(
        product=rng.choice(topics["product"]),
        place=rng.choice(topics["place"]),
        number=rng.randint(1_000_000, 9_999_999),
        code=f"{rng.getrandbits(24):06x}",
        name=rng.choice(FIRST_NAMES),
    )
    return DemoComment(category=category, language=language, text=text)


@dataclass
class _Person:
    external_id: str
    name: str
    handle: str
    followers: int
    account_created_at: datetime | None


def _people(rng: random.Random, now: datetime) -> list[_Person]:
    people = []
    for number in range(420):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        followers = rng.choice([0, 12, 48, 150, 320, 900, 2_400]) if number >= 12 else rng.randint(15_000, 400_000)
        people.append(
            _Person(
                external_id=f"{EXTERNAL_ID_PREFIX}person-{number}",
                name=f"{first} {last}",
                handle=f"{first}.{last}{number}".lower(),
                followers=followers,
                account_created_at=now - timedelta(days=rng.randint(200, 4_000)),
            )
        )
    return people


def _fresh_account(rng: random.Random, received_at: datetime) -> _Person:
    code = f"{rng.getrandbits(32):08x}"
    return _Person(
        external_id=f"{EXTERNAL_ID_PREFIX}new-{code}",
        name="",
        handle=f"user{code}",
        followers=0,
        account_created_at=received_at - timedelta(hours=rng.randint(2, 60)),
    )


def _normalized(
    *, person: _Person, external_id: str, kind: str, comment: DemoComment, created_at, thread: str, parent: str
) -> NormalizedItem:
    return NormalizedItem(
        external_id=external_id,
        kind=Item.Kind.REPLY if parent and kind == Item.Kind.COMMENT else kind,
        text=comment.text,
        author=NormalizedAuthor(
            external_id=person.external_id,
            handle=person.handle,
            display_name=person.name,
            follower_count=person.followers,
            account_created_at=person.account_created_at,
        ),
        platform_created_at=created_at,
        thread_external_id=thread,
        parent_external_id=parent,
        language=comment.language,
    )


def _key_accounts(client: Client, channels: list[Channel]) -> list[_Person]:
    people = []
    for slug, name in TOPICS[client.slug]["key_accounts"]:
        person = _Person(
            external_id=f"{EXTERNAL_ID_PREFIX}key-{slug}",
            name=name,
            handle=slug,
            followers=800,
            account_created_at=None,
        )
        for channel in channels:
            author = author_upsert(
                channel=channel,
                normalized=_normalized(
                    person=person,
                    external_id="",
                    kind="comment",
                    comment=DemoComment("", "de", "."),
                    created_at=timezone.now(),
                    thread="",
                    parent="",
                ),
            )
            AuthorProfile.objects.get_or_create(
                client=client,
                author=author,
                defaults={
                    "is_key_account": True,
                    "notes": f"{name}: Großkunde, Ansprechpartner im Key-Account-Management.",
                },
            )
        people.append(person)
    return people


def seed_items(*, stdout) -> None:
    channels = list(
        Channel.objects.select_related("client")
        .filter(client__slug__in=TOPICS, platform__in=PLATFORM_CODES)
        .order_by("client__slug", "platform")
    )
    if not channels:
        stdout.write("Inbox: no demo channels (run communityops.demo.seed_core first).")
        return
    _canned_responses(clients={channel.client for channel in channels})
    if Item.objects.filter(channel__in=channels, external_id__startswith=EXTERNAL_ID_PREFIX).exists():
        stdout.write("Inbox: demo items already there.")
        return
    with transaction.atomic():
        created = _seed(channels=channels, stdout=stdout)
    stdout.write(f"Inbox: {created} demo items, {OPEN_ITEMS} open.")


def _canned_responses(*, clients: set[Client]) -> None:
    """The demo clients' canned responses; ones already there (by client, title and language) are kept."""
    for client in clients:
        for language, title, body in CANNED_RESPONSES[client.slug]:
            CannedResponse.objects.get_or_create(client=client, title=title, language=language, defaults={"body": body})


def _seed(*, channels: list[Channel], stdout) -> int:
    rng = random.Random(SEED)
    now = timezone.now()
    agents = list(User.objects.filter(role=User.Role.AGENT, is_active=True).order_by("email"))
    people = _people(rng, now)
    by_client: dict[int, list[Channel]] = {}
    for channel in channels:
        by_client.setdefault(channel.client_id, []).append(channel)
    key_accounts = {client_id: _key_accounts(group[0].client, group) for client_id, group in by_client.items()}

    # Arrival times, oldest first; the newest OPEN_ITEMS stay open (a few of them already late).
    times = sorted(
        now - timedelta(seconds=rng.randint(60, DAYS_BACK * 86_400)) for _ in range(TOTAL_ITEMS - OPEN_ITEMS)
    )
    times += sorted(
        now - timedelta(seconds=rng.randint(30, 100 * 60 if index < 130 else 10 * 3600)) for index in range(OPEN_ITEMS)
    )
    recent: dict[int, list[tuple[str, str]]] = {}  # channel -> (external id, thread) to reply to
    created_items: list[tuple[Item, str, bool]] = []
    fake_burst: list[tuple[int, DemoComment]] = []  # a campaign still to post: its client and its text
    with tqdm(total=TOTAL_ITEMS, unit="item", desc="Demo inbox", file=getattr(stdout, "_out", None)) as progress:
        for index, received_at in enumerate(times):
            is_open = index >= TOTAL_ITEMS - OPEN_ITEMS
            channel = rng.choice(channels)
            client_slug = channel.client.slug
            code, kind = PLATFORM_CODES[channel.platform]
            if fake_burst:  # an AI-fake campaign: the same praise from fresh accounts within minutes
                client_id, comment = fake_burst.pop()  # on the campaign's own client, not this round's
                channel = next(c for c in by_client[client_id] if c.platform == Channel.Platform.GENERIC)
                code, kind = PLATFORM_CODES[channel.platform]
            else:
                comment = demo_comment(rng, client_slug)
                if comment.category == "fake" and rng.random() < 0.5:
                    fake_burst = [(channel.client_id, comment)] * rng.randint(2, 4)
            if comment.category in ("spam", "link_spam", "fake"):
                person = _fresh_account(rng, received_at)
            elif rng.random() < 0.03:
                person = rng.choice(key_accounts[channel.client_id])
            else:
                person = rng.choice(people)
            siblings = recent.setdefault(channel.pk, [])
            external_id, thread = _demo_external_ids(code, index=index, post=rng.randint(1, 12))
            parent = ""
            if comment.category == "reply" and siblings:
                parent, thread = rng.choice(siblings[-30:])
                comment = DemoComment("reply", comment.language, comment.text)
            elif comment.category == "reply":
                comment = demo_comment(rng, client_slug, category="question")
            normalized = _normalized(
                person=person,
                external_id=external_id,
                kind=kind,
                comment=comment,
                created_at=received_at - timedelta(seconds=rng.randint(2, 40)),
                thread=thread,
                parent=parent,
            )
            item, _created = item_ingest(channel=channel, normalized=normalized, received_at=received_at)
            siblings.append((external_id, thread))
            created_items.append((item, comment.category, is_open))
            progress.update(1)
    _work_history(rng=rng, created_items=created_items, agents=agents)
    return len(created_items)


def _demo_external_ids(code: str, *, index: int, post: int) -> tuple[str, str]:
    """The item's and its thread's external ids: numbers on WordPress, prefixed names elsewhere."""
    if code == PLATFORM_CODES[Channel.Platform.WORDPRESS_BLOG][0]:
        return str(DEMO_WORDPRESS_ID_BASE + index), str(DEMO_WORDPRESS_ID_BASE + post)
    return f"{EXTERNAL_ID_PREFIX}{code}-{index}", f"{EXTERNAL_ID_PREFIX}{code}-post-{post}"


def _work_history(*, rng: random.Random, created_items: list[tuple[Item, str, bool]], agents: list[User]) -> None:
    """What the agents did with the older items: answers sent, items closed, spam marked."""
    events: list[ItemEvent] = []
    replies: list[OutboundAction] = []
    changed: list[Item] = []
    for item, category, is_open in created_items:
        if is_open:
            continue
        agent = rng.choice(agents) if agents else None
        if item.is_spam_suspect or category in ("spam", "link_spam"):
            item.status = Item.Status.SPAM if rng.random() < 0.8 else Item.Status.HIDDEN
            item.closed_at = item.received_at + timedelta(minutes=rng.randint(3, 40))
            events.append(
                ItemEvent(
                    item=item,
                    actor=agent,
                    kind=ItemEvent.Kind.STATUS_CHANGED,
                    data={"from": "new", "to": item.status, "at": "closed"},
                )
            )
            if item.status == Item.Status.SPAM and rng.random() < 0.5:
                spam_feedback_record(acting_user=agent, item=item, is_spam=True)
            changed.append(item)
            continue
        # As in the product, only a reply sets the first response time; the rest are closed unanswered.
        worked_at = item.received_at + timedelta(minutes=rng.choice([4, 8, 12, 19, 25, 33, 41, 52, 75]))
        answer_kind = category if category in ANSWERS["de"] else "praise"
        if category != "fake" and (category != "praise" or rng.random() < 0.6):
            item.first_response_at = worked_at
            language = item.language if item.language in ANSWERS else "de"
            first = (item.author.display_name or item.author.handle or "").split(" ")[0]
            replies.append(
                OutboundAction(
                    item=item,
                    kind=OutboundAction.Kind.REPLY,
                    text=ANSWERS[language][answer_kind].format(first=first),
                    requested_by=agent,
                    status=OutboundAction.Status.SENT,
                    external_id=f"{item.external_id}-answer",
                    attempts=1,
                    sent_at=item.first_response_at,
                )
            )
            events.append(ItemEvent(item=item, actor=agent, kind=ItemEvent.Kind.SENT, data={"at": "first_response"}))
            item.status = Item.Status.ANSWERED
        if item.status == Item.Status.NEW or rng.random() < 0.8:
            item.closed_at = worked_at + timedelta(minutes=rng.randint(1, 90))
            events.append(
                ItemEvent(
                    item=item,
                    actor=agent,
                    kind=ItemEvent.Kind.STATUS_CHANGED,
                    data={"from": item.status, "to": "closed", "at": "closed"},
                )
            )
            item.status = Item.Status.CLOSED
        changed.append(item)
    Item.objects.bulk_update(changed, ["status", "first_response_at", "closed_at"], batch_size=500)
    OutboundAction.objects.bulk_create(replies, batch_size=500)
    ItemEvent.objects.bulk_create(events, batch_size=500)
    # auto_now_add stamped everything "now"; give the history the times it happened.
    for marker, field in (("first_response", "first_response_at"), ("closed", "closed_at")):
        ItemEvent.objects.filter(item__in=[item for item in changed], data__at=marker).update(
            created_at=Subquery(Item.objects.filter(pk=OuterRef("item_id")).values(field)[:1])
        )
    ItemEvent.objects.filter(
        item__in=[item for item, _category, _open in created_items], kind=ItemEvent.Kind.RECEIVED
    ).update(created_at=Subquery(Item.objects.filter(pk=OuterRef("item_id")).values("received_at")[:1]))
    OutboundAction.objects.filter(pk__in=[reply.pk for reply in replies]).update(
        created_at=Subquery(Item.objects.filter(pk=OuterRef("item_id")).values("first_response_at")[:1])
    )
