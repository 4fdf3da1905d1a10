"""Production: everything from the environment, secure cookies, HSTS, no fallbacks.

Required: SECRET_KEY, DATABASE_URL, ALLOWED_HOSTS, SITE_URL. Optional: EMAIL_*, CSRF_TRUSTED_ORIGINS.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import REST_FRAMEWORK, env_bool

DEBUG = False
# No development fallbacks: without SITE_URL the links in mails (a client's approval, an alert's
# acknowledgement) would point at 127.0.0.1, and only localhost would be served.
REQUIRED_ENVIRONMENT = ("SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "SITE_URL")
if missing := [name for name in REQUIRED_ENVIRONMENT if not os.environ.get(name, "").strip()]:
    raise ImproperlyConfigured(f"Production needs {', '.join(missing)} in the environment (see README).")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind that TLS proxy: the client's address is the last one it appended to X-Forwarded-For.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "1"))
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
REST_FRAMEWORK = {**REST_FRAMEWORK, "NUM_PROXIES": TRUSTED_PROXY_COUNT}
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# A load balancer's health check comes over plain HTTP from inside: answered, not redirected.
SECURE_REDIRECT_EXEMPT = [r"^health/"]
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# The demo's accounts share a published password and TOTP secret (README): seed_demo refuses here.
DEMO_SEEDERS: list[str] = []
