"""django-q2 tasks of the inbox: thin, take ids, call one service. All are idempotent."""

from .services.assignment import agents_offline_release, items_auto_assign
from .services.claims import leases_expire
from .services.deliveries import ingest_pending_sweep
from .services.ingestion import webhook_delivery_process
from .services.outbox import outbound_action_send, outbound_actions_retry_due
from .services.raw_data_retention import raw_webhook_data_drop
from .services.wordpress_polling import wordpress_channels_poll


def webhook_delivery_process_task(delivery_id: int) -> dict[str, int]:
    return webhook_delivery_process(delivery_id=delivery_id)


def ingest_pending_sweep_task() -> int:
    return ingest_pending_sweep()


def raw_webhook_data_drop_task() -> int:
    return raw_webhook_data_drop()


def outbound_action_send_task(action_id: int) -> None:
    outbound_action_send(action_id=action_id)


def leases_expire_task() -> int:
    return leases_expire()


def outbound_actions_retry_task() -> int:
    return outbound_actions_retry_due()


def wordpress_poll_task() -> int:
    return wordpress_channels_poll()


def agents_offline_release_task() -> int:
    return agents_offline_release()


def items_auto_assign_task() -> int:
    return items_auto_assign()


# name -> (function path, every N minutes); written after migrate by InboxConfig.
INBOX_SCHEDULES = {
    "inbox: expire leases": ("inbox.tasks.leases_expire_task", 1),
    "inbox: retry failed sends": ("inbox.tasks.outbound_actions_retry_task", 1),
    "inbox: poll WordPress blogs": ("inbox.tasks.wordpress_poll_task", 1),
    "inbox: release claims of offline agents": ("inbox.tasks.agents_offline_release_task", 1),
    "inbox: auto-assign": ("inbox.tasks.items_auto_assign_task", 1),
    # Deliveries whose processing task was lost (a worker died) are queued again.
    "inbox: re-enqueue stale webhook deliveries": ("inbox.tasks.ingest_pending_sweep_task", 5),
    # Raw webhook bodies past INBOX_RAW_WEBHOOK_RETENTION_DAYS (data protection), a bounded share per run.
    "inbox: drop raw webhook data past retention": ("inbox.tasks.raw_webhook_data_drop_task", 60),
}
