import gc

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _schedules_ensure(sender, **kwargs) -> None:
    from .schedules import schedules_ensure
    from .tasks import COMMUNITYOPS_SCHEDULES

    schedules_ensure(COMMUNITYOPS_SCHEDULES)


class CommunityOpsConfig(AppConfig):
    name = "communityops"
    verbose_name = _("Clients and settings")

    def ready(self):
        from . import accounts  # connects the allauth signal receivers

        accounts.authenticator_names_translate()
        # After every migrate, (re)write the periodic schedules; idempotent by name.
        post_migrate.connect(_schedules_ensure, sender=self, dispatch_uid="communityops_schedules_ensure")

        # What is loaded by now (Django, every app's models) lives as long as the process: keep it
        # out of the garbage collector's full collections, which would walk these ~100,000 objects
        # again and again (~35 ms per 1,000 changes a queue worker ingests).
        gc.freeze()
