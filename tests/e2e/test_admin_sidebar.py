"""The German admin's sidebar breaks a model's name only between its words."""

import pytest

from communityops.models import User

pytestmark = pytest.mark.django_db(transaction=True)

# The words (split at spaces, a hyphen kept with the word before it) of each sidebar link that are
# drawn across more than one line.
WORDS_BROKEN_ACROSS_LINES_JS = """() => Array.from(document.querySelectorAll("#nav-sidebar th a")).flatMap((link) => {
  const text = link.firstChild;
  const range = document.createRange();
  return Array.from(text.textContent.matchAll(/[^\\s-]+-?/g)).filter((word) => {
    range.setStart(text, word.index);
    range.setEnd(text, word.index + word[0].length);
    return new Set(Array.from(range.getClientRects(), (rect) => Math.round(rect.top))).size > 1;
  }).map((word) => word[0]);
})"""


def test_no_model_name_in_the_german_sidebar_breaks_inside_a_word(browser, live_server, browser_login, user_factory):
    # Beside "+ Hinzufügen", Django's 275 px sidebar drew "Abrechnungsereigniss|e" and "Erkennungseinstellun|gen".
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="de")
    browser_login(context, user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/billing/billingevent/")

    broken = page.evaluate(WORDS_BROKEN_ACROSS_LINES_JS)
    context.close()

    assert broken == []
