"""The benchmark's own PostgreSQL: an embedded PostgreSQL 16 (pgserver) under var/bench/, tuned once.

Why not the shared server on 127.0.0.1:5432: it allows 100 connections (the 128-agent claim storm
and its bare-SQL baseline need more), has 128 MB of shared buffers, and other work runs on it.
The embedded one is ours alone, listens on a unix socket only, and keeps its data between runs,
so the generated million items are built once (see dataset.py).
"""

import logging
import os
from pathlib import Path

import psycopg

DATABASE_NAME = "co_bench_data"
# Sized for this 2-core, 24 GB machine; durable commits stay on (synchronous_commit default).
SERVER_SETTINGS = {
    "max_connections": "300",
    "shared_buffers": "2GB",
    "effective_cache_size": "8GB",
    "work_mem": "32MB",
    "maintenance_work_mem": "512MB",
    "max_wal_size": "8GB",
    "checkpoint_timeout": "30min",
    "random_page_cost": "1.1",
}


def _server(pgdata: Path):
    import pgserver

    logging.getLogger("pgserver").setLevel(logging.WARNING)
    return pgserver.get_server(pgdata, cleanup_mode=None)


def bench_database_url(var_dir: Path) -> str:
    """Start (or reconnect to) the benchmark's server and return the URL of its database."""
    var_dir.mkdir(parents=True, exist_ok=True)
    runtime_dir = var_dir / "run"
    runtime_dir.mkdir(mode=0o700, exist_ok=True)
    os.environ["XDG_RUNTIME_DIR"] = str(runtime_dir)
    pgdata = var_dir / "pgdata"
    server = _server(pgdata)
    admin_url = server.get_uri()
    with psycopg.connect(admin_url, autocommit=True) as connection:
        current = dict(connection.execute("SELECT name, setting || coalesce(unit, '') FROM pg_settings").fetchall())
        pending = dict(connection.execute("SELECT name, pending_restart FROM pg_settings").fetchall())
        for name, value in SERVER_SETTINGS.items():
            connection.execute(f"ALTER SYSTEM SET {name} = '{value}'")
        connection.execute("SELECT pg_reload_conf()")
        needs_restart = current.get("max_connections") != SERVER_SETTINGS["max_connections"] or any(pending.values())
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone():
            connection.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    if needs_restart:
        from pgserver._commands import pg_ctl

        pg_ctl(["-w", "-m", "fast", "restart"], pgdata=pgdata, user=server.system_user, timeout=120)
    return server.get_uri(DATABASE_NAME)
