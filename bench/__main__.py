"""make bench: the agency-scale benchmarks of issue 7, each against its baseline in the same run.

    python -m bench                 # reuse the generated data set if complete, run everything
    python -m bench --rebuild       # generate the data set again
    python -m bench --only queue,quotes --no-write

Not part of `make test` or CI. Everything runs on this machine: an embedded PostgreSQL 16 of the
benchmark's own (var/bench/, see bench/database.py), gunicorn on 127.0.0.1 (gthread workers), the
django-q2 cluster, and the Meta Graph stub for replies. Results are printed as a table and appended
to BENCHMARKS.md with the command, date and machine; earlier runs stay in the file.
"""

import argparse
import os
import platform
import shlex
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The composer runs last: its busy post adds open items the claim storm would otherwise take.
SCENARIOS = ("quotes", "queue", "reports", "claims", "ingest", "composer")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def machine() -> str:
    def run(command: str) -> str:
        try:
            return subprocess.run(shlex.split(command), capture_output=True, text=True, timeout=10).stdout
        except OSError:
            return ""

    cores = run("nproc").strip()
    model = next(
        (line.split(":", 1)[1].strip() for line in run("lscpu").splitlines() if line.startswith("Model name")), "?"
    )
    memory = next((line.split()[1] for line in run("free -h").splitlines() if line.startswith("Mem:")), "?")
    return f"{cores} cores ({model}), {memory} memory, Python {platform.python_version()}"


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--rebuild", action="store_true", help="generate the data set again")
    parser.add_argument("--items", type=int, default=1_000_000, help="items in the data set (default 1,000,000)")
    parser.add_argument("--only", default=",".join(SCENARIOS), help=f"comma-separated subset of {','.join(SCENARIOS)}")
    parser.add_argument("--no-write", action="store_true", help="print only, do not append to BENCHMARKS.md")
    parser.add_argument("--note", default="", help="a line about this run for BENCHMARKS.md (e.g. what changed)")
    return parser.parse_args()


def database_prepare(*, url: str, items: int, rebuild: bool):
    import django
    import psycopg
    from django.core.management import call_command

    from .dataset import dataset_build, dataset_is_complete, dataset_read, dataset_reset

    dataset = dataset_read(url)
    if rebuild or not dataset_is_complete(dataset, items):
        log(f"data set: building {items:,} items (about 10 minutes for a million; reused by later runs)")
        admin_url = url.replace("/co_bench_data", "/postgres")
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute("DROP DATABASE IF EXISTS co_bench_data WITH (FORCE)")
            connection.execute("CREATE DATABASE co_bench_data")
        django.setup()
        call_command("migrate", verbosity=0)
        dataset = dataset_build(url=url, items=items, log=log)
        log(f"data set: built in {dataset.build_seconds:.0f} s")
    else:
        django.setup()
        call_command("migrate", verbosity=0)  # picks up migrations landed since the build
        log(f"data set: reusing {dataset.items:,} items built {dataset.built_at:%Y-%m-%d %H:%M}")
    dataset_reset(url=url, dataset=dataset)
    return dataset


def write_markdown(*, results, command: str, started: datetime, seconds: float, dataset, note: str, load: str) -> None:
    from .measure import results_table

    path = ROOT / "BENCHMARKS.md"
    if not path.exists():
        path.write_text(
            "# Benchmarks\n\n"
            "Written by `make bench` (bench/, issue 7); each run is appended, earlier runs stay for comparison.\n"
            "Ratios compare with a baseline measured in the same run (absolute times drift on a shared machine).\n"
        )
    lines = [
        "",
        f"## Run of {started:%Y-%m-%d %H:%M} ({seconds / 60:.0f} min)",
        "",
        f"- command: `{command}`",
        f"- machine: {machine()}",
        f"- load average (1 min) at start / end: {load} (other work on the machine inflates absolute times)",
        f"- data set: {dataset.items:,} items, 50 clients, 200 agents (built {dataset.built_at:%Y-%m-%d}); "
        "embedded PostgreSQL 16 (var/bench), gunicorn 3 gthread workers x 8 threads, qcluster 2 workers",
    ]
    if note:
        lines.append(f"- note: {note}")
    lines += ["", results_table(results), ""]
    with path.open("a") as handle:
        handle.write("\n".join(lines))


def main() -> None:
    arguments = parse_arguments()
    chosen = [name.strip() for name in arguments.only.split(",") if name.strip()]
    unknown = set(chosen) - set(SCENARIOS)
    if unknown:
        sys.exit(f"unknown scenarios: {', '.join(sorted(unknown))}")
    started_at, started = datetime.now(), time.monotonic()
    load_at_start = os.getloadavg()[0]
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)

    from .database import bench_database_url

    url = bench_database_url(ROOT / "var" / "bench")
    from inbox.stubs.meta_graph import MetaGraphStub

    graph = MetaGraphStub().start()
    from .stack import Stack, free_port, stack_environment

    environment = stack_environment(database_url=url, graph_url=graph.base_url)
    os.environ.update({key: environment[key] for key in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "SECRET_KEY")})
    os.environ.update(
        {key: environment[key] for key in ("ALLOWED_HOSTS", "SITE_URL", "META_GRAPH_API_BASE_URL", "LOG_LEVEL")}
    )
    dataset = database_prepare(url=url, items=arguments.items, rebuild=arguments.rebuild)

    from .measure import results_table
    from .scenarios import claims, composer, ingest, queue, quotes, reports

    stack = Stack(environment, free_port(), ROOT / "var" / "bench" / "logs").start()
    log(f"stack: gunicorn on 127.0.0.1:{stack.port}, qcluster, Meta Graph stub on {graph.base_url}")
    results = []
    try:
        runners = {
            "quotes": lambda: quotes.run(port=stack.port, log=log),
            "queue": lambda: queue.run(port=stack.port, url=url, log=log),
            "reports": lambda: reports.run(port=stack.port, log=log),
            "claims": lambda: claims.run(port=stack.port, url=url, log=log),
            "ingest": lambda: ingest.run(stack=stack, url=url, max_item_id=dataset.max_item_id, log=log),
            "composer": lambda: composer.run(port=stack.port, url=url, max_item_id=dataset.max_item_id, log=log),
        }
        for name in SCENARIOS:
            if name in chosen:
                rows = runners[name]()
                print(results_table(rows), flush=True)  # as it comes: a later failure keeps these
                results += rows
    finally:
        stack.stop()
        graph.stop()
    print()
    print(results_table(results))
    if not arguments.no_write:
        command = "python -m bench " + " ".join(shlex.quote(argument) for argument in sys.argv[1:])
        write_markdown(
            results=results,
            command=command.strip(),
            started=started_at,
            seconds=time.monotonic() - started,
            dataset=dataset,
            note=arguments.note,
            load=f"{load_at_start:.1f} / {os.getloadavg()[0]:.1f}",
        )
        log("appended to BENCHMARKS.md")


if __name__ == "__main__":
    main()
