"""Run the escalation clock: due escalation steps fire and are sent within seconds (see escalation_clock_tick)."""

import logging
import signal
import threading

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from crises.escalation import escalation_clock_tick

TICK_SECONDS = 2.0
logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Fire due crisis escalation steps every few seconds, beside the django-q2 cluster."

    def add_arguments(self, parser):
        parser.add_argument("--tick", type=float, default=TICK_SECONDS, help="seconds between ticks")

    def handle(self, *args, tick: float, **options):
        stopping = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stopping.set())
        while not stopping.is_set():
            close_old_connections()  # a restarted database must not stop the clock
            try:
                escalation_clock_tick(now=timezone.now())
            except Exception:  # keep ticking; the periodic task is the safety net meanwhile
                logger.exception("escalation clock tick failed; the next tick tries again")
            stopping.wait(tick)
