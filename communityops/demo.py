"""The demo agency's core: three client companies, their channels, guidelines and contacts, the team.

Every function here is idempotent: it looks its rows up by natural keys first.
"""

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.db import transaction

from .models import Channel, Client, ClientContact, Guideline, Team, User

DEMO_PASSWORD = "demo-pass-2026"
# A fixed TOTP secret for the demo staff, so an authenticator app can be set up with it.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

DEMO_CLIENTS = [
    {
        "slug": "brauhaus-isartal",
        "name": "Brauhaus Isartal GmbH",
        "federal_state": "BY",
        "alert_keywords": ["Rückruf", "Glassplitter", "Anwalt", "Boykott", "recall"],
        "contacts": [
            ("Sabine Huber", "PR-Leitung", "sabine.huber@brauhaus-isartal.example", True, True),
            ("Dr. Markus Gruber", "Rechtsabteilung", "m.gruber@brauhaus-isartal.example", True, False),
            ("Thomas Wimmer", "Geschäftsführung", "t.wimmer@brauhaus-isartal.example", True, False),
        ],
    },
    {
        "slug": "nordlicht-energie",
        "name": "Nordlicht Energie AG",
        "federal_state": "HH",
        "alert_keywords": ["Stromausfall", "Abzocke", "Kündigung", "Verbraucherzentrale", "outage"],
        "contacts": [
            ("Jana Petersen", "Leitung Unternehmenskommunikation", "j.petersen@nordlicht-energie.example", True, True),
            ("Henrik Jansen", "Kundenservice-Leitung", "h.jansen@nordlicht-energie.example", False, False),
        ],
    },
    {
        "slug": "rheinmode",
        "name": "Rheinmode KG",
        "federal_state": "NW",
        "alert_keywords": ["Kinderarbeit", "Fake", "Betrug", "Retoure", "scam"],
        "contacts": [
            ("Lena Schmitz", "Head of Social Media", "lena.schmitz@rheinmode.example", True, True),
            ("Ayşe Demir", "Geschäftsführung", "a.demir@rheinmode.example", True, False),
        ],
    },
]

NETIQUETTE = """Wir freuen uns über Kritik, Fragen und Lob. Damit die Diskussion fair bleibt, gilt:
1. Keine Beleidigungen, keine Diskriminierung, keine Drohungen.
2. Keine Werbung, keine Links zu fremden Shops, kein Spam.
3. Keine persönlichen Daten (Telefonnummern, Adressen, Kundennummern) öffentlich posten.
4. Beiträge, die gegen diese Regeln verstoßen, blenden wir aus und verweisen auf diese Netiquette.
Bei Fragen zu Verträgen oder Bestellungen bitte per Direktnachricht – dort helfen wir schneller."""

SOCIAL_MEDIA_GUIDELINE = """Wir duzen auf Instagram und siezen auf Facebook und im Blog.
Antworten innerhalb der gebuchten Zeiten in der zugesagten Reaktionszeit.
Wir nennen uns mit Vornamen („Viele Grüße, Ihr Social-Media-Team / Anna“).
Keine Aussagen zu laufenden Rechtsstreitigkeiten, Preisen in Verhandlung oder Personalien – in diesen Fällen an die PR-Leitung eskalieren.
Shitstorm-Verdacht (viele negative Kommentare in kurzer Zeit, Presseanfragen, Influencer mit großer Reichweite): sofort die Schichtleitung informieren."""

TONE = """Freundlich, klar, lösungsorientiert. Kein Marketing-Sprech in Beschwerden.
Erst Verständnis zeigen, dann die Lösung nennen, dann einen konkreten nächsten Schritt anbieten.
Emojis sparsam, nie bei Beschwerden."""

FAQ = """Wie erreiche ich den Kundenservice? – Montag bis Freitag 8–18 Uhr telefonisch, rund um die Uhr per Direktnachricht.
Wo finde ich Ihre Datenschutzerklärung? – Auf unserer Website unter „Datenschutz“.
Kann ich meine Bestellung ändern? – Bitte per Direktnachricht mit Bestellnummer, nie öffentlich."""

STAFF = [
    ("admin@agentur.example", "Alex", "Admin", User.Role.ADMIN),
    ("schichtleitung@agentur.example", "Sam", "Schichtleitung", User.Role.SHIFT_LEAD),
    ("anna@agentur.example", "Anna", "Becker", User.Role.AGENT),
    ("ben@agentur.example", "Ben", "Schulz", User.Role.AGENT),
    ("clara@agentur.example", "Clara", "Wagner", User.Role.AGENT),
    ("deniz@agentur.example", "Deniz", "Kaya", User.Role.AGENT),
    ("emil@agentur.example", "Emil", "Hoffmann", User.Role.AGENT),
    ("frieda@agentur.example", "Frieda", "Koch", User.Role.AGENT),
]

DEMO_LOGINS = [
    ("admin", "admin@agentur.example"),
    ("shift lead", "schichtleitung@agentur.example"),
    ("agent", "anna@agentur.example"),
    ("client contact", "sabine.huber@brauhaus-isartal.example"),
]


def _demo_user(*, email: str, first_name: str, last_name: str, role: str) -> User:
    user, created = User.objects.get_or_create(
        email=email,
        defaults={
            "first_name": first_name,
            "last_name": last_name,
            "role": role,
            "is_staff": role == User.Role.ADMIN,
            "is_superuser": role == User.Role.ADMIN,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    if user.is_agency_staff and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, DEMO_TOTP_SECRET)
    return user


def _demo_channels(client: Client) -> None:
    slug = client.slug
    for platform, name, external_id, base_url in [
        (Channel.Platform.FACEBOOK_PAGE, "Facebook", f"fb-{slug}", ""),
        (Channel.Platform.INSTAGRAM_ACCOUNT, "Instagram", f"ig-{slug}", ""),
        (
            Channel.Platform.WORDPRESS_BLOG,
            "Blog",
            f"blog-{slug}",
            f"http://127.0.0.1:{settings.DEMO_STUB_PORT}/wp/{slug}",
        ),
        (Channel.Platform.GENERIC, "Bewertungen", f"reviews-{slug}", ""),
    ]:
        Channel.objects.get_or_create(
            client=client,
            platform=platform,
            external_id=external_id,
            defaults={
                "name": name,
                "api_base_url": base_url,
                "access_token": f"demo-token-{slug}",
                "app_secret": f"demo-secret-{slug}",
                "verify_token": f"demo-verify-{slug}",
                "api_username": "communityops",
                "api_password": "demo app password",
            },
        )


@transaction.atomic
def seed_core(*, stdout) -> None:
    staff = {
        email: _demo_user(email=email, first_name=first, last_name=last, role=role)
        for email, first, last, role in STAFF
    }
    clients = []
    for spec in DEMO_CLIENTS:
        client, _created = Client.objects.get_or_create(
            slug=spec["slug"],
            defaults={
                "name": spec["name"],
                "federal_state": spec["federal_state"],
                "alert_keywords": spec["alert_keywords"],
            },
        )
        clients.append(client)
        _demo_channels(client)
        for kind, title, body in [
            (Guideline.Kind.NETIQUETTE, "Netiquette", NETIQUETTE),
            (Guideline.Kind.SOCIAL_MEDIA, "Social-Media-Guideline", SOCIAL_MEDIA_GUIDELINE),
            (Guideline.Kind.TONE, "Tonalität", TONE),
            (Guideline.Kind.FAQ, "Häufige Fragen", FAQ),
        ]:
            Guideline.objects.get_or_create(client=client, kind=kind, title=title, defaults={"body": body})
        for name, role, email, may_approve, has_portal in spec["contacts"]:
            contact, _created = ClientContact.objects.get_or_create(
                client=client, email=email, defaults={"name": name, "role": role, "may_approve": may_approve}
            )
            if has_portal and contact.user is None:
                first, _space, last = name.rpartition(" ")
                contact.user = _demo_user(email=email, first_name=first, last_name=last, role=User.Role.CLIENT_CONTACT)
                contact.save(update_fields=["user"])

    day_team, _created = Team.objects.get_or_create(name="Team Süd")
    night_team, _created = Team.objects.get_or_create(name="Team Nord")
    day_team.clients.add(clients[0], clients[2])
    night_team.clients.add(clients[1], clients[2])
    agents = [user for user in staff.values() if user.role == User.Role.AGENT]
    day_team.members.add(*agents[:3])
    night_team.members.add(*agents[3:])
    stdout.write(f"Core: {len(clients)} clients, {len(staff)} staff, 2 teams.")
