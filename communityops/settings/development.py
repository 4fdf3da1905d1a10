"""Local development: DEBUG on, console email, embedded PostgreSQL unless DATABASE_URL is set."""

import os

from communityops.embedded_postgres import embedded_database_url

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASE_URL, DEMO_STUB_PORT, database_settings, env_bool

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-change-me-in-production-0123456789abcdef"  # noqa: F405
DATABASES = database_settings(DATABASE_URL or embedded_database_url(BASE_DIR / "var"))
MAILERS = {"default": {"BACKEND": "communityops.mail.ReadableConsoleEmailBackend"}}

# Documented demo bypass, only possible with DEBUG on (allauth refuses it otherwise):
# demo staff may enter 000000 as their TOTP code. See README.
MFA_TOTP_INSECURE_BYPASS_CODE = "000000" if DEBUG else None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The demo's local stub network (manage.py demo_stub_network, started by devstack) plays Meta.
META_GRAPH_API_BASE_URL = os.environ.get("META_GRAPH_API_BASE_URL", f"http://127.0.0.1:{DEMO_STUB_PORT}/v21.0")
