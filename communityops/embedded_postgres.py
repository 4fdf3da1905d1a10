"""The embedded PostgreSQL used when no DATABASE_URL is configured.

pgserver ships real PostgreSQL binaries inside a wheel. The server keeps running
after the Python process exits (cleanup_mode=None), so the next start only
reconnects (about 0.1 s); the data lives under var/ and is ignored by git.
"""

import logging
import os
from pathlib import Path


def embedded_database_url(var_dir: Path) -> str:
    var_dir.mkdir(parents=True, exist_ok=True)
    runtime_dir = var_dir / "run"
    runtime_dir.mkdir(mode=0o700, exist_ok=True)
    runtime_dir.chmod(0o700)
    # pgserver keeps a lock file in the runtime dir; keep it inside the project.
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime_dir))
    import pgserver

    # Its handle bookkeeping logs at INFO on every process exit; that is noise here.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    server = pgserver.get_server(var_dir / "pgdata", cleanup_mode=None)
    return server.get_uri()
