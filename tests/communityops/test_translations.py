"""The German catalogue is complete and compiled, and the main pages speak German by default."""

import re

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from communityops.models import User

CATALOGUE = settings.BASE_DIR / "locale" / "de" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\([^)]+\)[sd]|%[sd]|%%")


@pytest.fixture(scope="module")
def catalogue() -> polib.POFile:
    return polib.pofile(str(CATALOGUE))


def _live_entries(catalogue: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in catalogue if not entry.obsolete]


def _translations(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def test_catalogue_has_no_untranslated_fuzzy_or_obsolete_entries(catalogue):
    entries = _live_entries(catalogue)

    assert len(entries) > 800
    assert not catalogue.metadata_is_fuzzy  # msgfmt drops a fuzzy header, and with it the plural rule
    assert [entry.msgid for entry in entries if not entry.translated()] == []
    assert [entry.msgid for entry in entries if "fuzzy" in entry.flags] == []
    assert [entry.msgid for entry in catalogue.obsolete_entries()] == []


def test_every_translation_keeps_the_placeholders_of_its_source(catalogue):
    mismatched = []
    for entry in _live_entries(catalogue):
        expected = set(PLACEHOLDER.findall(entry.msgid)) | set(PLACEHOLDER.findall(entry.msgid_plural or ""))
        for text in _translations(entry):
            if set(PLACEHOLDER.findall(text)) != expected:
                mismatched.append((entry.msgid, text))

    assert mismatched == []


def test_plural_entries_fill_both_german_forms(catalogue):
    plurals = [entry for entry in _live_entries(catalogue) if entry.msgid_plural]

    assert plurals
    assert all(sorted(entry.msgstr_plural) == [0, 1] and all(entry.msgstr_plural.values()) for entry in plurals)
    assert "nplurals=2; plural=(n != 1);" in catalogue.metadata["Plural-Forms"]
    assert "nplurals=2; plural=(n != 1);" in polib.mofile(str(COMPILED)).metadata["Plural-Forms"]


def test_compiled_catalogue_matches_the_po_file(catalogue):
    """The .mo is committed so that no gettext tools are needed at run time; it must not lag behind."""
    compiled = {(entry.msgctxt, entry.msgid): _translations(entry) for entry in polib.mofile(str(COMPILED))}

    stale = [
        entry.msgid
        for entry in _live_entries(catalogue)
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
