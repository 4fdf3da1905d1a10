import gc

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityOpsConfig(AppConfig):
    name = "communityops"
    verbose_name = _("Clients and settings")

    def ready(self):
        from . import accounts  # connects the allauth signal receivers

        accounts.authenticator_names_translate()

        # What is loaded by now (Django, every app's models) lives as long as the process: keep it
        # out of the garbage collector's full collections, which would walk these ~100,000 objects
        # again and again (~35 ms per 1,000 changes a queue worker ingests).
        gc.freeze()
