"""Crisis emails in German or English, plain text plus a phone-friendly HTML part.

Each message is two templates per language, `crises/email/<name>_<lang>.txt` and `.html`;
the first line of the text template is the subject. Separate files per language keep the
German wording reviewable as German and independent of a compiled message catalogue.
"""

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation

from . import DEFAULT_LANGUAGE, DeliveryError

LANGUAGES = ("de", "en")


def email_render(*, name: str, language: str, context: dict, time_zone: str | None = None) -> tuple[str, str, str]:
    """Return (subject, text, html) for the template set `name` in `language`, its times in
    `time_zone` (a client's, for their contacts; the agency's by default)."""
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    with translation.override(language), timezone.override(time_zone):
        text = render_to_string(f"crises/email/{name}_{language}.txt", context)
        html = render_to_string(f"crises/email/{name}_{language}.html", context)
    subject, _newline, body = text.strip().partition("\n")
    return subject.strip(), body.strip() + "\n", html


def email_send(*, to: str, name: str, language: str, context: dict, time_zone: str | None = None) -> None:
    subject, text, html = email_render(name=name, language=language, context=context, time_zone=time_zone)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except OSError as error:  # SMTP and socket errors
        raise DeliveryError(str(error)) from error
