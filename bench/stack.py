"""The real stack on loopback: gunicorn serving the app, the django-q2 cluster, the Meta Graph stub.

Also: an HTTP client that keeps its connection alive (one per simulated agent), a /proc sampler
for the resident memory of the gunicorn and qcluster worker processes, and a /proc meter of the CPU
time each part of the stack spends over a stretch of a scenario.
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_WORKERS = 3
GUNICORN_THREADS = 8
Q_WORKERS = 2


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stack_environment(*, database_url: str, graph_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database_url,
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "META_GRAPH_API_BASE_URL": graph_url,
        "SITE_URL": "http://127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "Q_WORKERS": str(Q_WORKERS),
        "PYTHONPATH": str(ROOT),
    }


@dataclass
class Stack:
    environment: dict[str, str]
    port: int
    log_dir: Path
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def start(self) -> "Stack":
        self.log_dir.mkdir(parents=True, exist_ok=True)
        python = sys.executable
        commands = {
            "gunicorn": [
                python, "-m", "gunicorn", "communityops.wsgi:application",
                "--bind", f"127.0.0.1:{self.port}", "--workers", str(GUNICORN_WORKERS),
                "--threads", str(GUNICORN_THREADS), "--worker-class", "gthread", "--keep-alive", "30",
                "--timeout", "120",
            ],
            "qcluster": [python, "manage.py", "qcluster"],
            "escalation_clock": [python, "manage.py", "escalation_clock"],
        }  # fmt: skip
        for name, command in commands.items():
            log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
            self.processes[name] = subprocess.Popen(
                command, cwd=ROOT, env=self.environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self._wait_for_http()
        return self

    def _wait_for_http(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, _body = HttpSession(self.port).request("GET", "/")
                if status < 500:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer; see {self.log_dir / 'gunicorn.log'}")

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

    def process_trees(self) -> dict[str, list[int]]:
        """Every process of each part of the stack (masters, workers, the cluster's helpers)."""
        return {name: process_tree(process.pid) for name, process in self.processes.items()}

    def worker_pids(self) -> dict[str, list[int]]:
        """gunicorn workers are the master's children; qcluster workers are the cluster's grandchildren."""
        return {
            "web": _children(self.processes["gunicorn"].pid),
            "queue": [pid for child in _children(self.processes["qcluster"].pid) for pid in [child, *_children(child)]],
        }


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(part) for part in text.split()]


def process_tree(pid: int) -> list[int]:
    return [pid, *(descendant for child in _children(pid) for descendant in process_tree(child))]


def _cpu_ticks(pid: int) -> int:
    """User + system clock ticks the process has used (all its threads)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def _machine_busy_ticks() -> int:
    """Clock ticks all cores spent on anything but idling or waiting for I/O (/proc/stat)."""
    values = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(values) - values[3] - values[4]


class CpuMeter:
    """CPU seconds each group of processes spends between start() and stop() (added up over several
    stretches), and the rest of the machine's busy time ("rest": the load generator, and whatever
    else runs on the machine).

    `groups` lists the processes of each group now; a process that starts in between counts with
    all its ticks, one that ends in between with none of them (its time goes to "rest").
    """

    TICK = 1 / os.sysconf("SC_CLK_TCK")

    def __init__(self, groups: Callable[[], dict[str, list[int]]]):
        self.groups = groups
        self.totals: dict[str, float] = {}

    def _snapshot(self) -> tuple[dict[str, dict[int, int]], int]:
        ticks = {name: {pid: _cpu_ticks(pid) for pid in pids} for name, pids in self.groups().items()}
        return ticks, _machine_busy_ticks()

    def start(self) -> None:
        self._before = self._snapshot()

    def stop(self) -> None:
        (before, machine_before), (after, machine_after) = self._before, self._snapshot()
        counted = 0.0
        for name, ticks in after.items():
            spent = sum(now - before.get(name, {}).get(pid, 0) for pid, now in ticks.items()) * self.TICK
            self.totals[name] = self.totals.get(name, 0.0) + spent
            counted += spent
        rest = max(0.0, (machine_after - machine_before) * self.TICK - counted)
        self.totals["rest"] = self.totals.get("rest", 0.0) + rest


def postmaster_pid(url: str) -> int:
    """The PostgreSQL server's main process: the parent of a connection's backend."""
    import psycopg

    with psycopg.connect(url) as connection:  # read while the backend lives: it exits on close
        stat = Path(f"/proc/{connection.info.backend_pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class MemorySampler(threading.Thread):
    """Samples the RSS of every web and queue worker every `interval` seconds while it runs."""

    def __init__(self, stack: Stack, interval: float = 0.5):
        super().__init__(daemon=True)
        self.stack, self.interval = stack, interval
        self.samples: dict[str, list[tuple[float, int]]] = {"web": [], "queue": []}
        self._stopping = threading.Event()

    def run(self) -> None:
        started = time.monotonic()
        while not self._stopping.is_set():
            for kind, pids in self.stack.worker_pids().items():
                largest = max((rss_kib(pid) for pid in pids), default=0)
                self.samples[kind].append((time.monotonic() - started, largest))
            self._stopping.wait(self.interval)

    def stop(self) -> None:
        self._stopping.set()
        self.join()


class HttpSession:
    """One keep-alive HTTP/1.1 connection to the app (one simulated agent or webhook sender)."""

    def __init__(self, port: int, headers: dict[str, str] | None = None):
        self.port = port
        self.headers = headers or {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, method: str, path: str, body: bytes | dict | None = None, headers: dict | None = None):
        merged = {"Host": "127.0.0.1", **self.headers, **(headers or {})}
        if isinstance(body, dict):
            body = json.dumps(body).encode()
            merged.setdefault("Content-Type", "application/json")
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=merged)
                response = self.connection.getresponse()
                return response.status, response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # gunicorn closed an idle keep-alive connection: reconnect once.
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def timed_gets(self, path: str, repeat: int, *, warm_up: int = 1) -> list[float]:
        """Seconds of `repeat` GETs of `path` after `warm_up` ones that are not counted."""
        samples = []
        for _ in range(warm_up + repeat):
            started = time.perf_counter()
            status, _body = self.request("GET", path)
            samples.append(time.perf_counter() - started)
            if status != 200:
                raise RuntimeError(f"{path} answered {status}")
        return samples[warm_up:]

    def close(self) -> None:
        self.connection.close()
