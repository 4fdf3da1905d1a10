"""Run the demo's local stand-ins for Meta and WordPress on 127.0.0.1 (DEMO_STUB_PORT) until stopped."""

import logging
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from inbox.stubs.demo_network import DemoStubNetwork


class Command(BaseCommand):
    help = (
        "Serve a fake Meta Graph API (/v21.0/...) and fake WordPress blogs (/wp/<client slug>/wp-json/...) "
        "on 127.0.0.1, logging every request. Stops cleanly on SIGTERM or Ctrl-C."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=settings.DEMO_STUB_PORT)
        parser.add_argument(
            "--new-comment-every",
            type=float,
            default=240.0,
            help="Seconds between new held blog comments on a random blog (0 = never).",
        )

    def handle(self, *args, port: int, new_comment_every: float, **options):
        logging.getLogger("inbox.stubs").setLevel(logging.INFO)
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_args: stop.set())
        network = DemoStubNetwork(port=port).start()
        self.stdout.write(
            self.style.SUCCESS(f"Demo stub network on {network.url} (Graph API /v21.0, blogs /wp/<slug>)")
        )
        try:
            while not stop.wait(new_comment_every or None):
                arrived = network.wordpress.comment_arrives()
                if arrived:
                    slug, comment = arrived
                    self.stdout.write(f"New held comment {comment['id']} on blog {slug}: {comment['content']['raw']}")
        finally:
            network.stop()
            self.stdout.write("Demo stub network stopped.")
