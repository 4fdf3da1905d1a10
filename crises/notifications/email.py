"""Crisis emails in German or English, plain text plus a phone-friendly HTML part.

Each message is two templates per language, `crises/email/<name>_<lang>.txt` and `.html`;
the first line of the text template is the subject. Separate files per language keep the
German wording reviewable as German and independent of a compiled message catalogue.
"""

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from . import DEFAULT_LANGUAGE, DeliveryError

LANGUAGES = ("de", "en")


def email_render(*, name: str, language: str, context: dict) -> tuple[str, str, str]:
    """Return (subject, text, html) for the template set `name` in `language`."""
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    with translation.override(language):
        text = render_to_string(f"crises/email/{name}_{language}.txt", context)
        html = render_to_string(f"crises/email/{name}_{language}.html", context)
    subject, _newline, body = text.strip().partition("\n")
    return subject.strip(), body.strip() + "\n", html


def email_send(*, to: str, name: str, language: str, context: dict) -> None:
    subject, text, html = email_render(name=name, language=language, context=context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except OSError as error:  # SMTP and socket errors
        raise DeliveryError(str(error)) from error
