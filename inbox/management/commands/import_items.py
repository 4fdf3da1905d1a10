"""Back-fill items from a CSV or JSON-lines file, through the same stored-delivery path as webhooks."""

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from communityops.models import Channel
from inbox.models import IngestChange
from inbox.services.deliveries import import_delivery_store
from inbox.services.ingestion import webhook_delivery_process

CHUNK_ROWS = 500
# CSV columns: the generic item format flattened; author_* go into "author", tags are "a|b".
CSV_AUTHOR_COLUMNS = {
    "author_id": "external_id",
    "author_handle": "handle",
    "author_name": "name",
    "author_followers": "follower_count",
    "author_verified": "verified",
    "author_created_at": "account_created_at",
}


def csv_record(row: dict) -> dict:
    record = {key: value for key, value in row.items() if key and key not in CSV_AUTHOR_COLUMNS and value != ""}
    record["author"] = {name: row[column] for column, name in CSV_AUTHOR_COLUMNS.items() if row.get(column)}
    return record


def rows_read(path: Path, file_format: str) -> Iterator[tuple[int, str, dict]]:
    """(line number, raw text, payload) per data row; unreadable lines give {"invalid": reason}."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        if file_format == "csv":
            reader = csv.DictReader(handle)
            if not reader.fieldnames or "external_id" not in reader.fieldnames:
                raise CommandError(
                    "The CSV file needs a header row with at least external_id, text, author_id, created_at."
                )
            header = ",".join(reader.fieldnames)
            for row in reader:
                raw = io.StringIO()
                csv.writer(raw).writerow([row.get(name, "") for name in reader.fieldnames])
                if None in row:
                    yield reader.line_num, raw.getvalue(), {"invalid": "more fields than the header has columns"}
                else:
                    yield reader.line_num, raw.getvalue(), {"record": csv_record(row), "header": header}
            return
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                yield line_number, line, {"invalid": f"not valid JSON: {error}"}
                continue
            yield (
                line_number,
                line,
                {"record": record} if isinstance(record, dict) else {"invalid": "the line is not a JSON object"},
            )


class Command(BaseCommand):
    help = "Import items from a CSV or JSON-lines file into a channel (see docs/generic-webhook.md for the fields)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--channel", type=int, required=True, help="the channel id the items belong to")
        parser.add_argument("--format", choices=["csv", "jsonl"], help="default: from the file extension")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar (for logs)")

    def handle(self, *args, file: Path, channel: int, format: str | None, no_progress: bool, **options):
        if not file.is_file():
            raise CommandError(f"File not found: {file}")
        target = Channel.objects.select_related("client").filter(pk=channel).first()
        if target is None:
            raise CommandError(f"No channel with id {channel}. List them in the admin or with the API.")
        file_format = format or ("csv" if file.suffix.lower() == ".csv" else "jsonl")
        with file.open("rb") as handle:
            total_rows = sum(1 for line in handle if line.strip()) - (1 if file_format == "csv" else 0)
        counts: dict[str, int] = {}
        delivery_ids = []
        with tqdm(total=max(total_rows, 0), unit="row", disable=no_progress, file=self.stderr._out) as progress:
            chunk: list[tuple[int, str, dict]] = []
            for row in rows_read(file, file_format):
                chunk.append(row)
                if len(chunk) == CHUNK_ROWS:
                    delivery_ids.append(self._import_chunk(target, chunk, counts, progress))
                    chunk = []
            if chunk:
                delivery_ids.append(self._import_chunk(target, chunk, counts, progress))
        self._summary(counts, delivery_ids)

    def _import_chunk(self, channel: Channel, chunk: list[tuple[int, str, dict]], counts: dict, progress) -> int:
        header = next((payload["header"] + "\n" for _row, _raw, payload in chunk if "header" in payload), "")
        body = (header + "".join(raw if raw.endswith("\n") else raw + "\n" for _row, raw, _payload in chunk)).encode()
        rows = [
            (row, {key: value for key, value in payload.items() if key != "header"}) for row, _raw, payload in chunk
        ]
        delivery = import_delivery_store(channel=channel, body=body, rows=rows)

        def advance(status):
            progress.update(1)

        for status, number in webhook_delivery_process(delivery_id=delivery.pk, on_change=advance).items():
            counts[status] = counts.get(status, 0) + number
        return delivery.pk

    def _summary(self, counts: dict, delivery_ids: list[int]) -> None:
        self.stdout.write(
            f"Imported: {counts.get('ingested', 0)} new, {counts.get('duplicate', 0)} already there, "
            f"{counts.get('ignored', 0)} ignored, {counts.get('failed', 0)} rejected."
        )
        rejected = IngestChange.objects.filter(
            delivery_id__in=delivery_ids, status=IngestChange.Status.FAILED
        ).order_by("delivery_id", "position")
        for change in rejected[:200]:
            self.stdout.write(self.style.WARNING(f"  row {change.payload.get('row')}: {change.error}"))
        if counts.get("failed", 0) > 200:
            self.stdout.write(
                f"  ... and {counts['failed'] - 200} more (reprocess with reprocess_failed_changes after fixing)."
            )
