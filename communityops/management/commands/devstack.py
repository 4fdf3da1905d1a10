"""Run the web server and the django-q2 cluster together; Ctrl-C stops both."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from communityops.demo import DEMO_LOGINS, DEMO_PASSWORD


def stack_environment(address: str) -> dict[str, str]:
    """The processes' environment: links in mails point at the address served, unless SITE_URL is set."""
    return {**os.environ, "SITE_URL": os.environ.get("SITE_URL") or f"http://{address}"}


def _raise_keyboard_interrupt(signum, frame):
    """SIGTERM stops the stack the same way Ctrl-C does."""
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Start the web server on 127.0.0.1:8000 and the task queue worker in one terminal."

    def add_arguments(self, parser):
        parser.add_argument("--address", default="127.0.0.1:8000")

    def handle(self, *args, address: str, **options):
        signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
        python, environment = sys.executable, stack_environment(address)
        commands = [["runserver", address, "--noreload"], ["qcluster"], *settings.DEVSTACK_EXTRA_COMMANDS]
        processes = [subprocess.Popen([python, "manage.py", *command], env=environment) for command in commands]
        self._print_banner(address)
        started = list(zip(commands, processes, strict=True))
        try:
            while not (exited := [(command, process) for command, process in started if process.poll() is not None]):
                time.sleep(0.5)
            for command, process in exited:  # one process ending (a port in use, a crash) ends the stack
                self.stderr.write(
                    f"manage.py {' '.join(command)} exited with code {process.returncode}; stopping the rest."
                )
        except KeyboardInterrupt:
            pass
        finally:
            self._stop(processes)

    def _print_banner(self, address: str) -> None:
        lines = [
            "",
            f"  CommunityOps is running: http://{address}/",
            f"  Admin: http://{address}/admin/   API docs: http://{address}/api/docs/",
            f"  Demo logins (password {DEMO_PASSWORD}; two-factor code 000000 works with DEBUG on):",
            *[f"    {role:<15} {email}" for role, email in DEMO_LOGINS],
            "  Press Ctrl-C to stop the web server and the task worker.",
            "",
        ]
        self.stdout.write(self.style.SUCCESS("\n".join(lines)))

    def _stop(self, processes: list[subprocess.Popen]) -> None:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
        self.stdout.write("Stopped.")
