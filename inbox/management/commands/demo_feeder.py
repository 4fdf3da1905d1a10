"""Keep the demo inbox alive: every 20-40 s, post a signed comment to the local dev server's webhooks.

Goes through the real path (signature check, raw delivery, task, triage). Only ever talks to
127.0.0.1; waits for the server to come up; stops cleanly on SIGTERM / SIGINT.
"""

import json
import random
import signal
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand

from communityops.models import Channel
from inbox.demo import FIRST_NAMES, LAST_NAMES, TOPICS, demo_comment
from inbox.webhooks import generic_signature_for, meta_signature_for

HOST = "127.0.0.1"  # fixed on purpose: the feeder must never post anywhere else


def _site_port() -> int:
    """The port of SITE_URL (devstack points it at the address it serves), else 8000."""
    return urlsplit(settings.SITE_URL).port or 8000


class Command(BaseCommand):
    help = "Post a realistic signed comment to the local dev server every 20-40 seconds (demo only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--port",
            type=int,
            default=_site_port(),
            help="the local server's port (default: SITE_URL's, as devstack sets it)",
        )
        parser.add_argument("--min-interval", type=float, default=20.0)
        parser.add_argument("--max-interval", type=float, default=40.0)
        parser.add_argument("--count", type=int, default=0, help="stop after this many posts (0 = run until stopped)")

    def handle(self, *args, port: int, min_interval: float, max_interval: float, count: int, **options):
        stop = threading.Event()
        for signal_number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signal_number, lambda *_: stop.set())
        base_url = f"http://{HOST}:{port}"
        channels = list(
            Channel.objects.select_related("client")
            .filter(
                client__slug__in=TOPICS,
                is_active=True,
                platform__in=[
                    Channel.Platform.FACEBOOK_PAGE,
                    Channel.Platform.INSTAGRAM_ACCOUNT,
                    Channel.Platform.GENERIC,
                ],
            )
            .exclude(app_secret="")
        )
        if not channels:
            self.stderr.write("demo_feeder: no demo channels; run manage.py seed_demo first.")
            return
        if not self._wait_for_server(base_url, stop):
            return
        rng = random.Random()
        sent = 0
        while not stop.is_set():
            channel = rng.choice(channels)
            path, body, headers = self._request(channel, rng)
            try:
                request = urllib.request.Request(base_url + path, data=body, headers=headers, method="POST")  # noqa: S310
                with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - fixed loopback URL
                    self.stdout.write(
                        f"demo_feeder: {channel.client.slug} {channel.get_platform_display()}: {response.status}"
                    )
            except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
                self.stderr.write(f"demo_feeder: post failed ({error}); trying again later")
            sent += 1
            if count and sent >= count:
                break
            stop.wait(rng.uniform(min_interval, max_interval))
        self.stdout.write("demo_feeder: stopped.")

    def _wait_for_server(self, base_url: str, stop: threading.Event) -> bool:
        delay = 0.5
        while not stop.is_set():
            try:
                with urllib.request.urlopen(base_url + "/", timeout=2):  # noqa: S310 - fixed loopback URL
                    return True
            except urllib.error.HTTPError:
                return True  # the server answers, whatever the page says
            except (urllib.error.URLError, TimeoutError, ConnectionError):
                stop.wait(delay)
                delay = min(delay * 2, 5.0)
        return False

    def _request(self, channel: Channel, rng: random.Random) -> tuple[str, bytes, dict]:
        comment = demo_comment(rng, channel.client.slug)
        unique = f"{int(time.time() * 1000)}{rng.randint(100, 999)}"
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        author_id = f"live-{first}-{last}-{rng.randint(1, 300)}".lower()
        if channel.platform == Channel.Platform.GENERIC:
            event = {
                "event_id": f"live-{unique}",
                "occurred_at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
                "type": "item.created",
                "item": {
                    "external_id": f"live-review-{unique}",
                    "kind": "review",
                    "text": comment.text,
                    "author": {"external_id": author_id, "name": f"{first} {last}"},
                    "language": comment.language,
                },
            }
            body = json.dumps(event).encode()
            timestamp = str(int(time.time()))
            headers = {
                "Content-Type": "application/json",
                "X-CO-Timestamp": timestamp,
                "X-CO-Signature": generic_signature_for(secret=channel.app_secret, timestamp=timestamp, body=body),
            }
            return f"/webhooks/generic/{channel.pk}/", body, headers
        post_id = f"{channel.external_id}_post-{rng.randint(1, 12)}"
        if channel.platform == Channel.Platform.FACEBOOK_PAGE:
            value = {
                "from": {"id": author_id, "name": f"{first} {last}"},
                "post_id": post_id,
                "comment_id": f"{post_id}_live-{unique}",
                "parent_id": post_id,
                "created_time": int(time.time()),
                "item": "comment",
                "verb": "add",
                "message": comment.text,
            }
            document = {
                "object": "page",
                "entry": [
                    {
                        "id": channel.external_id,
                        "time": int(time.time()),
                        "changes": [{"field": "feed", "value": value}],
                    }
                ],
            }
        else:
            value = {
                "id": f"live-{unique}",
                "text": comment.text,
                "from": {"id": author_id, "username": f"{first}.{last}".lower()},
                "media": {"id": post_id},
            }
            document = {
                "object": "instagram",
                "entry": [
                    {
                        "id": channel.external_id,
                        "time": int(time.time()),
                        "changes": [{"field": "comments", "value": value}],
                    }
                ],
            }
        body = json.dumps(document).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": meta_signature_for(secret=channel.app_secret, body=body),
        }
        return f"/webhooks/meta/{channel.pk}/", body, headers
