"""The German catalogues are complete and compiled, the main pages speak German by default, and allauth's
pages and mails say "Sie" like the rest of the app."""

import fnmatch
import re
from datetime import UTC, datetime
from pathlib import Path

import allauth
import django
import django_q
import django_q.admin
import polib
import pytest
import rest_framework
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django_q.models import OrmQ, Schedule, Task
from rest_framework import serializers
from rest_framework.views import APIView

import billing.apis
import communityops.apis
import crises.apis
import inbox.apis
import insights.apis
from communityops.models import User
from crises.models import CrisisEvent, OnCallShift
from inbox.models import ItemEvent

CATALOGUE = settings.BASE_DIR / "locale" / "de" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")
# Third-party strings re-translated by hand (allauth says "du", the app "Sie"); see README.
OVERRIDES = settings.BASE_DIR / "locale_overrides" / "de" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\([^)]+\)[sd]|%[sd]|%%")
# The admin's JavaScript strings that Django's own German catalogue lacks.
JS_OVERRIDES = OVERRIDES.with_name("djangojs.po")
BOTH_CATALOGUES = pytest.mark.parametrize(
    "path", [CATALOGUE, OVERRIDES, JS_OVERRIDES], ids=["locale", "locale_overrides", "locale_overrides_js"]
)


@pytest.fixture(scope="module")
def catalogue() -> polib.POFile:
    return polib.pofile(str(CATALOGUE))


def _live_entries(catalogue: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in catalogue if not entry.obsolete]


def _translations(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def test_the_project_catalogue_holds_the_apps_strings(catalogue):
    assert len(_live_entries(catalogue)) > 800


@BOTH_CATALOGUES
def test_catalogue_has_no_untranslated_fuzzy_or_obsolete_entries(path):
    catalogue = polib.pofile(str(path))
    entries = _live_entries(catalogue)

    assert entries
    assert not catalogue.metadata_is_fuzzy  # msgfmt drops a fuzzy header, and with it the plural rule
    assert [entry.msgid for entry in entries if not entry.translated()] == []
    assert [entry.msgid for entry in entries if "fuzzy" in entry.flags] == []
    assert [entry.msgid for entry in catalogue.obsolete_entries()] == []


@BOTH_CATALOGUES
def test_every_translation_keeps_the_placeholders_of_its_source(path):
    mismatched = []
    for entry in _live_entries(polib.pofile(str(path))):
        expected = set(PLACEHOLDER.findall(entry.msgid)) | set(PLACEHOLDER.findall(entry.msgid_plural or ""))
        for text in _translations(entry):
            if set(PLACEHOLDER.findall(text)) != expected:
                mismatched.append((entry.msgid, text))

    assert mismatched == []


# A range of hours or weekdays written with a hyphen: "Mon-Fri 9-17", "20:00-06:00", "25-26 Dec" (not "2026-10").
_WEEKDAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
HYPHENATED_RANGE = re.compile(rf"\b\d{{1,2}}(?::\d{{2}})?-\d{{1,2}}\b|\b{_WEEKDAY}-{_WEEKDAY}\b")


def test_english_writes_a_range_with_an_en_dash_as_german_does(catalogue):
    # English read "Mon-Fri 9-17" where German reads "Mo–Fr 9–17".
    hyphenated = [entry.msgid for entry in _live_entries(catalogue) if HYPHENATED_RANGE.search(entry.msgid)]

    assert hyphenated == []
    assert HYPHENATED_RANGE.search("Office hours Mon-Fri 9-17") and HYPHENATED_RANGE.search("from 20:00-06:00")


@BOTH_CATALOGUES
def test_plural_rule_is_the_german_one_in_source_and_compiled_catalogue(path):
    assert "nplurals=2; plural=(n != 1);" in polib.pofile(str(path)).metadata["Plural-Forms"]
    assert "nplurals=2; plural=(n != 1);" in polib.mofile(str(path.with_suffix(".mo"))).metadata["Plural-Forms"]


def test_plural_entries_fill_both_german_forms(catalogue):
    plurals = [entry for entry in _live_entries(catalogue) if entry.msgid_plural]

    assert plurals
    assert all(sorted(entry.msgstr_plural) == [0, 1] and all(entry.msgstr_plural.values()) for entry in plurals)


@BOTH_CATALOGUES
def test_compiled_catalogue_matches_the_po_file(path):
    """The .mo is committed so that no gettext tools are needed at run time; it must not lag behind."""
    compiled = {
        (entry.msgctxt, entry.msgid): _translations(entry) for entry in polib.mofile(str(path.with_suffix(".mo")))
    }

    stale = [
        entry.msgid
        for entry in _live_entries(polib.pofile(str(path)))
        if compiled.get((entry.msgctxt, entry.msgid)) != _translations(entry)
    ]
    assert stale == []


def test_no_app_keeps_its_own_catalogue():
    """One project catalogue (LOCALE_PATHS); an app-level one would silently shadow it for its strings."""
    app_catalogues = [path for path in settings.BASE_DIR.glob("*/locale") if path.parent.name != ".venv"]

    assert app_catalogues == []


def _english_phrases_of(catalogue: polib.POFile) -> list[str]:
    """Source phrases of several words whose German differs: if one shows on a German page, it escaped translation."""
    return [
        entry.msgid
        for entry in _live_entries(catalogue)
        if not entry.msgid_plural
        and "%" not in entry.msgid
        and len(entry.msgid.split()) >= 3
        and entry.msgstr != entry.msgid
    ]


def _assert_german(response, *phrases: str, catalogue: polib.POFile) -> None:
    page = response.content.decode()
    assert response.status_code == 200
    for phrase in phrases:
        assert phrase in page
    assert [english for english in _english_phrases_of(catalogue) if english in page] == []


def test_login_page_is_german_by_default_and_english_on_request(client, db, catalogue):
    german = client.get(reverse("account_login"), headers={"accept-language": "de-DE,de;q=0.9"})
    _assert_german(german, "Anmelden", "Passwort vergessen?", "Angemeldet bleiben", catalogue=catalogue)

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse("account_login"))
    assert "Log in" in english.content.decode() and "Anmelden" not in english.content.decode()


def test_landing_page_without_any_language_hint_is_german(client, db, catalogue):
    response = client.get(reverse("landing"))

    _assert_german(response, "Community-Management rund um die Uhr", "Niemand antwortet doppelt", catalogue=catalogue)


def test_inbox_is_german(client, client_factory, channel_factory, agent_for, catalogue):
    served = client_factory(name="Brauhaus Isartal GmbH")
    channel_factory(client=served)
    client.force_login(agent_for(served))

    response = client.get(reverse("inbox:queue"), headers={"accept-language": "de"})

    _assert_german(response, "Posteingang", "Warteschlange", "Nächsten übernehmen", "Tastenkürzel", catalogue=catalogue)


def test_pricing_calculator_is_german(client, db, catalogue):
    response = client.get(reverse("billing:calculator"), headers={"accept-language": "de"})

    _assert_german(response, "Preisrechner", "Was kostet Ihre Betreuung?", "Bundesland", catalogue=catalogue)
    assert re.search(r"bis zu (1 Agent|\d+ Agenten) gleichzeitig", response.content.decode())  # not "Agent(en)"


def test_crisis_board_is_german(client, user_factory, catalogue):
    client.force_login(user_factory(role=User.Role.SHIFT_LEAD))

    response = client.get(reverse("crises:board"), headers={"accept-language": "de"})

    _assert_german(response, "Krisenübersicht", "Keine offenen Krisen.", "Krise eröffnen", catalogue=catalogue)


def test_client_portal_is_german(client, client_factory, contact_user_for, catalogue):
    client.force_login(contact_user_for(client_factory()))

    response = client.get(reverse("portal_home"), headers={"accept-language": "de"})

    _assert_german(response, "Übersicht", "Krisen und Freigaben", catalogue=catalogue)


def test_a_menus_empty_choice_reads_german():
    from django import forms

    class Choice(forms.Form):
        role = forms.ModelChoiceField(queryset=User.objects.none(), required=False)

    with translation.override("de"):
        rendered = str(Choice()["role"])

    assert "- Bitte wählen -" in rendered


ALLAUTH_CATALOGUE = Path(allauth.__file__).parent / "locale" / "de" / "LC_MESSAGES" / "django.po"
# allauth's templates and code behind the pages and mails this app uses: login, logout, password reset
# and its mail, set and change password, email addresses and their confirmation, reauthentication,
# two-factor authentication (activate, deactivate, authenticate, recovery codes). Not: sign-up,
# login by code, phone numbers, passkeys and security keys, social accounts, sessions, the OIDC provider.
ALLAUTH_SOURCES_IN_USE = (
    "account/adapter.py",
    "account/forms.py",
    "account/fields.py",
    "mfa/adapter.py",
    "mfa/base/forms.py",
    "mfa/totp/forms.py",
    "mfa/models.py",
    "templates/account/account_inactive.html",
    "templates/account/*reauthenticate.html",
    "templates/account/email.html",
    "templates/account/email_confirm.html",
    "templates/account/logout.html",
    "templates/account/password_*.html",
    "templates/account/signup_closed.html",
    "templates/account/verification_sent.html",
    "templates/account/verified_email_required.html",
    "templates/account/email/base_*.txt",
    "templates/account/email/password_*.txt",
    "templates/account/email/email_c*.txt",
    "templates/account/email/email_deleted_*.txt",
    "templates/account/email/unknown_account_*.txt",
    "templates/account/messages/[!pl]*.txt",
    "templates/account/messages/logged_*.txt",
    "templates/account/messages/password_*.txt",
    "templates/account/messages/primary_email_set.txt",
    "templates/mfa/authenticate.html",
    "templates/mfa/index.html",
    "templates/mfa/reauthenticate.html",
    "templates/mfa/recovery_codes/*",
    "templates/mfa/totp/*",
    "templates/mfa/email/recovery_codes_*",
    "templates/mfa/email/totp_*",
    "templates/mfa/messages/recovery_codes_*",
    "templates/mfa/messages/totp_*",
)
# "du" and its forms, and the informal imperatives allauth's German uses ("Bitte gib ...", "Rufe ... auf").
INFORMAL = re.compile(
    r"\b(du|dich|dir|dein\w*)\b"
    r"|\bbitte (gib|bestätige|klicke?|lass|folge|überprüfe|kontaktiere|versuche|wähle|habe)\b"
    r"|(^|[.!?:]\s+)(gib|bestätige|klicke?|lass|folge|überprüfe|kontaktiere|versuche|wähle|rufe|erstelle|melde"
    r"|stelle|nutze|benutze|verwende)\b",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def allauth_catalogue() -> polib.POFile:
    return polib.pofile(str(ALLAUTH_CATALOGUE))


def _german(entry: polib.POEntry) -> list[str]:
    """What the running app shows for this allauth string in German (our override if there is one)."""
    with translation.override("de"):
        if entry.msgid_plural:
            return [
                translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, count)
                if entry.msgctxt
                else translation.ngettext(entry.msgid, entry.msgid_plural, count)
                for count in (1, 2)
            ]
        if entry.msgctxt:
            return [translation.pgettext(entry.msgctxt, entry.msgid)]
        return [translation.gettext(entry.msgid)]


def test_allauths_pages_and_mails_in_use_say_sie_not_du(allauth_catalogue):
    in_use = [
        entry
        for entry in _live_entries(allauth_catalogue)
        if any(
            fnmatch.fnmatch(source, pattern)
            for source, _line in entry.occurrences
            for pattern in ALLAUTH_SOURCES_IN_USE
        )
    ]

    assert len(in_use) > 150
    assert [(entry.msgid, text) for entry in in_use for text in _german(entry) if INFORMAL.search(text)] == []


def test_every_override_replaces_a_string_allauth_still_has(allauth_catalogue):
    """An allauth update that rewords a string leaves its override behind, and the "du" comes back.
    (A few overrides fill gaps in Django's own German admin: those are Django's strings; a few
    replace REST framework's German, which ships compiled only; django-q2's log lines stay English.)"""
    django_catalogues = Path(django.__file__).parent / "contrib"
    allauth_ids = {
        (entry.msgctxt, entry.msgid)
        for catalogue in [
            allauth_catalogue,
            *(
                polib.pofile(str(django_catalogues / app / "locale/en/LC_MESSAGES/django.po"))
                for app in ("admin", "auth")
            ),
            polib.mofile(str(Path(rest_framework.__file__).parent / "locale/de/LC_MESSAGES/django.mo")),
            polib.pofile(str(Path(django_q.__file__).parent / "locale/de/LC_MESSAGES/django.po")),
        ]
        for entry in _live_entries(catalogue)
    }

    overrides = _live_entries(polib.pofile(str(OVERRIDES)))

    assert [entry.msgid for entry in overrides if (entry.msgctxt, entry.msgid) not in allauth_ids] == []


def test_a_string_in_both_catalogues_reads_the_same(catalogue):
    """The overrides come first in LOCALE_PATHS: a shared msgid must not read differently on our own pages."""
    ours = {(entry.msgctxt, entry.msgid): _translations(entry) for entry in _live_entries(catalogue)}

    differing = [
        (entry.msgid, _translations(entry), ours[entry.msgctxt, entry.msgid])
        for entry in _live_entries(polib.pofile(str(OVERRIDES)))
        if (entry.msgctxt, entry.msgid) in ours and ours[entry.msgctxt, entry.msgid] != _translations(entry)
    ]
    assert differing == []


def _visible_text(response) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def test_the_password_reset_page_and_mail_say_sie(client, user_factory):
    agent = user_factory(role=User.Role.AGENT)

    page = client.get(reverse("account_reset_password"), headers={"accept-language": "de"})
    sent = client.post(
        reverse("account_reset_password"), {"email": agent.email}, headers={"accept-language": "de"}, follow=True
    )

    assert "Geben Sie unten Ihre E-Mail-Adresse ein" in _visible_text(page)
    assert "Wir haben Ihnen eine E-Mail geschickt" in _visible_text(sent)
    assert "Sie erhalten diese E-Mail, weil Sie" in mail.outbox[0].body
    assert [INFORMAL.findall(text) for text in (_visible_text(page), _visible_text(sent), mail.outbox[0].body)] == [
        [],
        [],
        [],
    ]


def test_the_logout_message_says_sie(client, client_factory, contact_user_for):
    client.force_login(contact_user_for(client_factory()))

    response = client.post(reverse("account_logout"), headers={"accept-language": "de"}, follow=True)

    messages = [str(message) for message in response.context["messages"]]
    assert messages == ["Sie haben sich abgemeldet."]
    assert INFORMAL.findall(_visible_text(response)) == []


def test_the_german_admin_has_no_english_gaps_of_djangos_own(client, user_factory, channel_factory, ingest):
    ingest(channel_factory(), author_id="vera")  # a row, so the changelist offers its actions' "Run"
    client.force_login(user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))

    add_user = client.get(reverse("admin:communityops_user_add")).content.decode()
    items = client.get(reverse("admin:inbox_item_changelist")).content.decode()

    assert "Nachdem Sie den Benutzer angelegt haben" in add_user
    assert ">Ausführen<" in items
    assert "Search " not in items  # the search form's heading read "Search Beiträge"
    assert "Beiträge durchsuchen" in items
    assert "Filter by" not in items  # the date hierarchy's label above the list
    assert "Nach eingegangen filtern" in items


def test_the_german_admin_shows_a_users_password_settings_in_german(client, user_factory):
    admin = user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)

    change = _visible_text(client.get(reverse("admin:communityops_user_change", args=[admin.pk])))
    password = client.get(reverse("admin:auth_user_password_change", args=[admin.pk])).content.decode()

    assert "Passwörter werden nicht im Klartext gespeichert" in change
    assert "Passwort zurücksetzen" in change
    assert 'value="Anmeldung mit Passwort deaktivieren"' in password  # a submit button
    english = re.compile(r"Raw passwords|Reset password|password-based authentication", re.IGNORECASE)
    assert (english.findall(change), english.findall(password)) == ([], [])


def test_the_admin_names_objects_in_the_readers_language_and_local_time():
    # The names head their change pages and fill their lists' labels: they said "item 7" and
    # a shift's start in UTC ("2026-11-25 16:00" for the evening shift from 17:00 in Berlin).
    lead = User(first_name="Sam", last_name="Lead", email="sam@agency.example")
    shift = OnCallShift(lead=lead, label=OnCallShift.Label.EVENING, starts_at=datetime(2026, 11, 25, 16, tzinfo=UTC))
    received = ItemEvent(kind=ItemEvent.Kind.RECEIVED, item_id=7)
    opened = CrisisEvent(kind=CrisisEvent.Kind.OPENED, crisis_id=3)

    with translation.override("de"):
        german = [str(shift), str(received), str(opened)]
    with translation.override("en"):
        english = [str(shift), str(received), str(opened)]

    assert german == ["Sam Lead · Abend · 25.11.2026 17:00", "Eingegangen · Beitrag 7", "Eröffnet · Krise 3"]
    assert english == ["Sam Lead · Evening · Nov 25, 2026, 17:00", "Received · item 7", "Opened · crisis 3"]


# German words that are English ones as well: a model of that name reads German in the German admin.
SAME_IN_GERMAN = {"team", "teams"}


def test_every_model_of_the_app_has_a_german_name_in_the_admin():
    # The German sidebar read "Holding Statements": an English name that passed for a translation.
    # A name left to Django is English too ("holdingstatement", a plural with an "s" appended).
    not_german = []
    for app in ("communityops", "inbox", "crises", "billing", "insights"):
        for model in apps.get_app_config(app).get_models():
            for attribute in ("verbose_name", "verbose_name_plural"):
                name = model._meta.original_attrs.get(attribute)
                with translation.override("en"):
                    english = str(name)
                with translation.override("de"):
                    german = str(name)
                still_english = german.lower() == english.lower() and english.lower() not in SAME_IN_GERMAN
                if not isinstance(name, Promise) or still_english:
                    not_german.append(f"{model._meta.label}.{attribute}: {german}")

    assert not_german == []


def test_the_german_admin_names_allauths_authenticators(client, user_factory):
    # allauth's model has no verbose names: the index read "Authenticators", its columns "last used at".
    client.force_login(user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))  # with TOTP

    index = client.get(reverse("admin:index")).content.decode()
    authenticators = client.get(reverse("admin:mfa_authenticator_changelist")).content.decode()

    assert ">Authentifikatoren</a>" in index
    assert "Authenticators" not in index
    assert ">API-Zugang</a>" in index  # DRF's tokens: its German left the app's name "Auth Token"
    assert "Authentifikator zur Änderung auswählen" in authenticators
    columns = re.findall(r'class="sortable column-\w+">\s*<div class="text"><a [^>]*>([^<]+)</a>', authenticators)
    assert columns == ["Benutzer", "Typ", "Angelegt am", "Zuletzt verwendet am"]


def test_the_german_schedule_form_of_the_admin_reads_german(client, user_factory):
    # django-q2's German left most labels and help texts English and garbled a few
    # ("Name des zu passierenden Kwargs vorgesehenes Datum").
    client.force_login(user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))

    page = _visible_text(client.get("/admin/django_q/schedule/add/", headers={"accept-language": "de"}))

    for german in (
        "Geplante Aufgabe hinzufügen",
        "Funktion:",
        "Rückruffunktion:",
        "Schlüsselwortargumente:",
        "Wie oft diese Aufgabe eingereiht wird.",
        "Wann dieser Zeitplan das nächste Mal läuft (in UTC gespeichert).",
        "Name des Schlüsselwortarguments, mit dem die Aufgabe den geplanten Zeitpunkt erhält",
        "Aufgaben",  # the app's heading in the breadcrumbs
    ):
        assert german in page
    english = re.compile(r"Function|Hook|Keyword arguments|Arguments|How often|runs next|target cluster|Tasks|Kwargs")
    assert english.findall(page) == []


# django-q2's words that are German ones as well.
DJANGO_Q_SAME_IN_GERMAN = {"Name", "Cluster", "Cron", "ID"}


def test_every_label_and_help_text_of_django_q2s_admin_reads_german():
    """The schedules', tasks' and queued tasks' fields, their choices and the admin's own columns and
    action (overridden in locale_overrides); a django-q2 upgrade that adds one fails here."""
    texts = [
        text
        for model in (Schedule, Task, OrmQ)
        for field in model._meta.concrete_fields
        for text in (field.verbose_name, field.help_text, *(label for _value, label in field.flatchoices))
        if text
    ]
    texts += [
        column.short_description
        for column in (OrmQ.func, OrmQ.task_id, OrmQ.group, OrmQ.args, OrmQ.kwargs, OrmQ.q_options)
    ]
    texts += [
        django_q.admin.TaskAdmin.time_taken.short_description,
        django_q.admin.FailAdmin.short_result.short_description,
        django_q.admin.resubmit_task.short_description,
    ]

    still_english = []
    for text in texts:
        with translation.override("en"):
            english = str(text)
        with translation.override("de"):
            german = str(text)
        if german == english and english not in DJANGO_Q_SAME_IN_GERMAN:
            still_english.append(english)

    assert still_english == []


def test_the_authenticators_names_need_no_migration_of_allauths(db):
    call_command("makemigrations", "mfa", check=True, dry_run=True, verbosity=0)  # exits on a change


# A gettext or ngettext call in the admin's scripts, its literal arguments ('a' + "b" concatenated).
_JS_LITERAL = r"(?:\s*(?:'[^']*'|\"[^\"]*\")(?:\s*\+\s*(?:'[^']*'|\"[^\"]*\"))*\s*)"
_JS_CALL = re.compile(rf"\b(n?gettext)\(({_JS_LITERAL})(?:,({_JS_LITERAL}))?", re.S)


def _js_string(literal: str) -> str:
    return "".join(single or double for single, double in re.findall(r"'([^']*)'|\"([^\"]*)\"", literal))


def test_every_string_of_the_admins_scripts_reads_german():
    """Django 6.1's German lacks the newer strings of its admin scripts ("Choose all %s", the time-zone
    note); locale_overrides/de/LC_MESSAGES/djangojs.po fills them, and this finds any a Django upgrade adds."""
    admin = Path(django.__file__).parent / "contrib" / "admin"
    translated = {
        entry.msgid
        for path in (admin / "locale" / "de" / "LC_MESSAGES" / "djangojs.po", JS_OVERRIDES)
        for entry in _live_entries(polib.pofile(str(path)))
        if entry.translated()
    }
    scripts = "".join(
        path.read_text() for path in (admin / "static" / "admin" / "js").rglob("*.js") if "vendor" not in path.parts
    )
    msgids = {_js_string(one) for _name, one, _two in _JS_CALL.findall(scripts)}

    assert len(msgids) > 40
    assert sorted(msgids - translated) == []


def _input_error_messages(field) -> list:
    """Every error message an input serializer field, or a serializer and its nested fields, can return."""
    messages = list(field.error_messages.values())
    if isinstance(field, serializers.ListSerializer | serializers.ListField):
        messages += _input_error_messages(field.child)
    if isinstance(field, serializers.Serializer):
        for child in field.fields.values():
            messages += _input_error_messages(child)
    return messages


def _api_input_serializers() -> dict[str, type[serializers.Serializer]]:
    """The Input and Filter serializers of every API view (and the shared input serializers), by name."""
    found = {}
    for module in (billing.apis, communityops.apis, crises.apis, inbox.apis, insights.apis):
        for name, view in vars(module).items():
            if isinstance(view, type) and issubclass(view, serializers.Serializer) and name.endswith("InputSerializer"):
                found[f"{module.__name__}.{name}"] = view
            if isinstance(view, type) and issubclass(view, APIView) and view.__module__ == module.__name__:
                for nested in ("InputSerializer", "FilterSerializer"):
                    if serializer := getattr(view, nested, None):
                        found[f"{module.__name__}.{name}.{nested}"] = serializer
    return found


def test_no_error_an_api_can_return_says_du_in_german():
    # REST framework's German says "du" ("Stelle sicher, dass dieses Feld nicht mehr als 200 Zeichen
    # lang ist." for a crisis title, a reply, a search); locale_overrides says those in the Sie-form.
    with translation.override("de"):
        informal = {
            name: text
            for name, serializer in _api_input_serializers().items()
            for text in map(str, _input_error_messages(serializer()))
            if INFORMAL.search(text)
        }

    assert len(_api_input_serializers()) > 20
    assert informal == {}


def test_a_too_long_crisis_title_is_refused_in_the_sie_form(client, user_factory, client_factory):
    client.force_login(user_factory(role=User.Role.SHIFT_LEAD))

    response = client.post(
        "/api/crises/",
        {"client_id": client_factory().pk, "title": "x" * 201},
        content_type="application/json",
        headers={"Accept-Language": "de"},
    )

    assert response.status_code == 400
    assert response.json() == {"title": ["Stellen Sie sicher, dass dieses Feld nicht mehr als 200 Zeichen lang ist."]}
