from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _schedules_ensure(sender, **kwargs) -> None:
    from communityops.schedules import schedules_ensure

    from .tasks import INBOX_SCHEDULES

    schedules_ensure(INBOX_SCHEDULES)


class InboxConfig(AppConfig):
    name = "inbox"
    verbose_name = _("Inbox")

    def ready(self) -> None:
        # After every migrate, (re)write the periodic schedules; idempotent by name.
        post_migrate.connect(_schedules_ensure, sender=self, dispatch_uid="inbox_schedules_ensure")
