"""manage.py (or a script) in a process of its own under the production settings, as a deploy runs it."""

import os
import subprocess
import sys
from pathlib import Path

from communityops.embedded_postgres import embedded_database_url

ROOT = Path(__file__).resolve().parents[1]


def production_environment(**overrides: str | None) -> dict[str, str]:
    """A deploy's environment; the database is the one the suite runs on (the model checks ask
    the server for its features). An override of None leaves that variable out."""
    environment = {
        **{key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "communityops.settings.production",
        "SECRET_KEY": "x" * 20 + "production-grade-secret-key-for-the-check-0123456789",
        "DATABASE_URL": os.environ.get("DATABASE_URL") or embedded_database_url(ROOT / "var"),
        "ALLOWED_HOSTS": "communityops.example",
        "SITE_URL": "https://communityops.example",
        **overrides,
    }
    return {key: value for key, value in environment.items() if value is not None}


def run_in_production(arguments: list[str], **overrides: str | None) -> subprocess.CompletedProcess:
    """`python <arguments>` in the project directory under production settings."""
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=ROOT,
        env=production_environment(**overrides),
        capture_output=True,
        text=True,
        timeout=120,
    )
