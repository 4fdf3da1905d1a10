"""Run failed ingest changes again, after the code, the stored payload or the channel was fixed."""

from django.core.management.base import BaseCommand

from inbox.models import IngestChange
from inbox.services.ingestion import ingest_changes_reprocess_failed


class Command(BaseCommand):
    help = "Reprocess ingest changes that failed to normalise (all, or one channel's, or one delivery's)."

    def add_arguments(self, parser):
        parser.add_argument("--channel", type=int, help="only this channel id")
        parser.add_argument("--delivery", type=int, help="only this delivery id")

    def handle(self, *args, channel: int | None, delivery: int | None, **options):
        counts = ingest_changes_reprocess_failed(channel_id=channel, delivery_id=delivery)
        if not counts:
            self.stdout.write("No failed changes.")
            return
        self.stdout.write(", ".join(f"{status}: {number}" for status, number in sorted(counts.items())))
        still_failing = IngestChange.objects.filter(status=IngestChange.Status.FAILED)
        if channel is not None:
            still_failing = still_failing.filter(delivery__channel_id=channel)
        if delivery is not None:
            still_failing = still_failing.filter(delivery_id=delivery)
        for change in still_failing.order_by("delivery_id", "position")[:50]:
            self.stdout.write(f"  delivery {change.delivery_id} change {change.position}: {change.error}")
