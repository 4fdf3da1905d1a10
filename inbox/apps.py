from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _schedules_ensure(sender, **kwargs) -> None:
    from .tasks import inbox_schedules_ensure

    inbox_schedules_ensure()


class InboxConfig(AppConfig):
    name = "inbox"
    verbose_name = _("Inbox")

    def ready(self) -> None:
        # After every migrate, (re)write the periodic schedules; idempotent by name.
        post_migrate.connect(_schedules_ensure, sender=self, dispatch_uid="inbox_schedules_ensure")
