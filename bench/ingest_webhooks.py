"""Ingestion speed: how long a 1,000-change Meta POST takes to acknowledge, and item_ingest items/s.

    DATABASE_URL=... python -m bench.ingest_webhooks

Runs in one transaction that is rolled back at the end, so it leaves nothing behind; for the same
reason the on-commit enqueue of the processing task (one small INSERT) is not part of the timing.
"""

import json
import os
import random
import time

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "communityops.settings.development")
    django.setup()
    from django.db import transaction
    from django.test import Client as HttpClient
    from django.urls import reverse
    from django.utils import timezone

    from communityops.models import Channel, Client
    from inbox.demo import demo_comment
    from inbox.normalized import NormalizedAuthor, NormalizedItem
    from inbox.services.ingestion import item_ingest
    from inbox.webhooks import meta_signature_for

    rng = random.Random(7)
    with transaction.atomic():
        client = Client.objects.create(name="Bench", slug=f"bench-{time.time_ns()}", federal_state="BY")
        channel = Channel.objects.create(
            client=client,
            platform=Channel.Platform.FACEBOOK_PAGE,
            name="Bench",
            external_id=f"bench-{time.time_ns()}",
            app_secret="bench-secret",
        )
        changes = [
            {
                "field": "feed",
                "value": {
                    "from": {"id": f"fan-{number % 300}", "name": "Fan"},
                    "post_id": "p_1",
                    "comment_id": f"p_1_c{number}",
                    "parent_id": "p_1",
                    "created_time": int(time.time()),
                    "item": "comment",
                    "verb": "add",
                    "message": demo_comment(rng, "brauhaus-isartal").text,
                },
            }
            for number in range(1000)
        ]
        body = json.dumps(
            {"object": "page", "entry": [{"id": channel.external_id, "time": int(time.time()), "changes": changes}]}
        ).encode()
        headers = {"X-Hub-Signature-256": meta_signature_for(secret="bench-secret", body=body)}
        url = reverse("webhook_meta", args=[channel.pk])
        http = HttpClient(HTTP_HOST="127.0.0.1")
        timings = []
        for _round in range(5):
            started = time.perf_counter()
            response = http.post(url, data=body, content_type="application/json", headers=headers)
            timings.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
        timings.sort()
        print(
            f"1,000-change POST ({len(body) / 1024:.0f} KiB): acknowledged in median {timings[2] * 1000:.0f} ms (min {timings[0] * 1000:.0f}, max {timings[-1] * 1000:.0f})"
        )

        items = [
            NormalizedItem(
                external_id=f"bench-{number}",
                kind="comment",
                text=demo_comment(rng, "brauhaus-isartal").text,
                author=NormalizedAuthor(external_id=f"bench-author-{number % 300}", display_name="Bench"),
                platform_created_at=timezone.now(),
            )
            for number in range(500)
        ]
        started = time.perf_counter()
        for normalized in items:
            item_ingest(channel=channel, normalized=normalized)
        elapsed = time.perf_counter() - started
        print(
            f"item_ingest: {len(items) / elapsed:.0f} items/s ({elapsed / len(items) * 1000:.1f} ms per item, triage included)"
        )
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
