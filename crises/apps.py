from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

# Every minute: step waits and approval deadlines are whole minutes, so a one-minute tick
# delays a step by under a minute; django-q2's MINUTES schedules cannot go finer, and an
# escalation's first step runs at once anyway (an async task queued when it starts).
PERIODIC_TASKS = [
    ("crises: spike detection", "crises.tasks.spike_detect_all_task"),
    ("crises: escalation due-check", "crises.tasks.crisis_escalate_due_task"),
    ("crises: approval deadlines", "crises.tasks.approval_deadlines_check_task"),
]


def crises_schedules_ensure(sender, **kwargs) -> None:
    from communityops.schedules import schedule_ensure

    for name, func in PERIODIC_TASKS:
        schedule_ensure(name=name, func=func, minutes=1)


class CrisesConfig(AppConfig):
    name = "crises"
    verbose_name = _("Crises")

    def ready(self) -> None:
        from billing.statements import register_statement_row_provider
        from inbox.services.erasure import register_erasure_redactor

        from .erasure import crisis_texts_redact
        from .statements import crisis_statement_rows

        post_migrate.connect(crises_schedules_ensure, sender=self, dispatch_uid="crises_schedules_ensure")
        register_statement_row_provider(crisis_statement_rows)
        register_erasure_redactor(crisis_texts_redact)
