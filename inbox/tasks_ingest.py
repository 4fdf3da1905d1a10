"""django-q2 tasks of ingestion: thin, take ids, safe to run twice."""

from communityops.schedules import schedule_ensure

from .services.ingestion import ingest_pending_sweep, webhook_delivery_process


def webhook_delivery_process_task(delivery_id: int) -> dict[str, int]:
    return webhook_delivery_process(delivery_id=delivery_id)


def ingest_pending_sweep_task() -> int:
    return ingest_pending_sweep()


def ingest_schedules_ensure() -> None:
    """Register the sweep that re-enqueues deliveries whose task was lost (call after migrate)."""
    schedule_ensure(
        name="inbox: re-enqueue stale webhook deliveries",
        func="inbox.tasks_ingest.ingest_pending_sweep_task",
        minutes=5,
    )
