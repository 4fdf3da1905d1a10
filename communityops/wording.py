"""Messages of our dependencies that we word ourselves, or translate where they do not.

Django REST framework's German catalogue says "du", and for the messages it shares with Django's
own forms (below) it overrides Django's wording everywhere, the public calculator's form errors
included. Restated here, they land in the project catalogue (locale/), which comes first, with
the Sie-form the rest of the UI uses. Nothing calls this; makemessages reads it.
"""

from django.utils.translation import gettext_noop

SHARED_WITH_DJANGO = (
    gettext_noop("Enter a valid URL."),
    gettext_noop("Enter a valid email address."),
    gettext_noop("Upload a valid image. The file you uploaded was either not an image or a corrupted image."),
)

# Django 6.1's label of a select's empty choice; its German catalogue (6.1.3) has no translation
# yet, so German admin and form menus read "- Select an option -".
MISSING_IN_DJANGO = (gettext_noop("- Select an option -"),)
