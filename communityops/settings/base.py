"""Settings shared by every environment; everything deployment-specific comes from the environment."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


def database_settings(url: str) -> dict:
    return {"default": dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)}


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
# The public address, for links in emails (magic links, acknowledgements, invitations).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "communityops",
    "inbox",
    "crises",
    "billing",
    "insights",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "django_q",
]

MIDDLEWARE = [
    "communityops.request_ids.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "communityops.middleware.RejectNulCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "communityops.middleware.HtmxLoginRedirectMiddleware",
    "communityops.middleware.StaffMfaRequiredMiddleware",
    "communityops.middleware.ClientContactTimeZoneMiddleware",
]

ROOT_URLCONF = "communityops.urls"
WSGI_APPLICATION = "communityops.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    }
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
DATABASES = database_settings(DATABASE_URL) if DATABASE_URL else {}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "communityops.User"

# A shared cache for allauth's login rate limits and TOTP replay protection:
# the database cache works across all web workers without another server.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "communityops_cache",
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
# locale_overrides/ first: its German replaces django-allauth's own where that says "du" (the app
# says "Sie"); edited by hand, see README. locale/ is the project's catalogue (makemessages).
LOCALE_PATHS = [BASE_DIR / "locale_overrides", BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["communityops.formats"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "landing"

# Email through Django 6.1's MAILERS; SMTP from the environment (console in development).
MAILERS = {
    "default": {
        "BACKEND": os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": {
            "host": os.environ.get("EMAIL_HOST", "localhost"),
            "port": int(os.environ.get("EMAIL_PORT", "25")),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
            "timeout": 10,
        },
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "CommunityOps <noreply@communityops.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# django-allauth: email login, no open sign-up (admins invite), MFA for staff.
ACCOUNT_ADAPTER = "communityops.accounts.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Without django.contrib.sites allauth names the request's host in its mails; the product name
# goes in the subject here and in the greeting (templates/account/email/base_message.txt).
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[CommunityOps] "
# Nobody signs up here (admins invite): a reset asked for an unknown address sends nothing (the page
# answers as for a known one), not allauth's "no account, sign up" mail.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# Failed logins: five for one address within five minutes lock it until the oldest of them is five
# minutes old, and sixty a minute from one IP address (an agency's office behind one NAT is not
# locked out because two colleagues mistyped); the same holds for the second factor's codes.
# The login page says how long (AccountAdapter); a password reset lifts the lock.
LOGIN_LOCKOUT_ATTEMPTS = 5
LOGIN_LOCKOUT_MINUTES = 5
ACCOUNT_RATE_LIMITS = {"login_failed": f"60/m/ip,{LOGIN_LOCKOUT_ATTEMPTS}/{LOGIN_LOCKOUT_MINUTES}m/key"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_FORMS = {
    "authenticate": "communityops.accounts.MfaAuthenticateForm",
    "reauthenticate": "communityops.accounts.MfaAuthenticateForm",
    "activate_totp": "communityops.accounts.MfaActivateTOTPForm",
}
MFA_TOTP_ISSUER = "CommunityOps"

# How many proxies in front of the app append to X-Forwarded-For (0: it is ignored, the peer's
# address counts). Rate limits key on the client's address behind them; a header the client sends
# itself must not choose its own bucket. Production assumes one TLS proxy (see production.py).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

REST_FRAMEWORK = {
    # Token first: DRF answers a request without login from the first class, and integrations log in
    # with a token, so that is 401 with "WWW-Authenticate: Token" (a session has no such header: 403).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "communityops.authentication.TokenAuthentication",
        "communityops.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["communityops.permissions.IsAgencyStaff"],
    "DEFAULT_SCHEMA_CLASS": "communityops.schema.CommunityOpsAutoSchema",
    "EXCEPTION_HANDLER": "communityops.apis.api_exception_handler",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PARSER_CLASSES": [
        "communityops.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Public, without login: pricing (the API and saving a quote) and asking the agency to take a
    # quote up, which emails the admins (per address, and from everyone together).
    "DEFAULT_THROTTLE_RATES": {
        "public_quote": "60/minute",
        "public_quote_request": "5/hour",
        "public_quote_request_everyone": "60/hour",
    },
    # The client's address for the rate limits: X-Forwarded-For is trusted only that many hops deep.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CommunityOps API",
    "DESCRIPTION": "Unified inbox, crises and pricing for social-media community management agencies.\n\n"
    "Log in with a token (`Authorization: Token ...`, issued by an admin) or a browser session (a change then "
    "sends the CSRF token). Without login: 401 with `WWW-Authenticate: Token`.\n\n"
    'Every refusal but invalid input is a `Refusal`: `{"code", "detail", "details"}`, `code` stable for '
    "programs, `detail` in the request's language (Accept-Language). Invalid input is `InvalidInput`: the messages "
    "per field. Each operation lists the refusals it can answer with.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# django-q2 on the ORM broker (PostgreSQL). A task that outlives `timeout` is
# killed; the broker hands it out again after `retry`, so retry must exceed timeout.
# Tasks can still run twice: every task is idempotent.
# Successful runs are not logged (save_limit -1): every task's outcome is already in our own
# rows (SENT events, notifications, processed deliveries), and django-q2's capped success log
# re-read and locked its newest 250 rows after every task (12 queries, ~16 ms of CPU each in
# the one monitor process, more than the outbox send itself). Failed runs are still stored, and
# pruned after TASK_FAILURE_RETENTION_DAYS (django-q2 never prunes them itself).
# A task that keeps failing is handed out at most max_attempts times, then stays in the failure
# log: with django-q2's default 0 the ORM broker hands it out again every `retry` seconds, forever
# (django-q2 issues #114, #173). A timeout counts as a failed attempt when the worker's SIGALRM
# stops the task (its TimeoutException); a worker the guard has to kill reports no attempt.
Q_CLUSTER = {
    "name": "communityops",
    "orm": "default",
    "workers": int(os.environ.get("Q_WORKERS", "2")),
    "timeout": 60,
    "retry": 90,
    "max_attempts": 5,
    "save_limit": -1,
    "catch_up": False,
    # The ORM broker sleeps this long when the queue is empty: a webhook's items, a reply's send and a
    # crisis alert wait for it when the worker was idle (one indexed query per poll, 10 a second).
    "poll": 0.1,
    "label": _("Tasks"),  # the admin's heading over schedules and tasks, in the user's language
}

# Demo data, contributed by each app in dependency order (see seed_demo).
# billing before the apps that create items, so their SLA clocks follow the demo coverage plans.
DEMO_SEEDERS = [
    "communityops.demo.seed_core",
    "billing.demo.seed_billing",
    "inbox.demo.seed_items",
    "crises.demo.seed_crises",  # after the inbox: it groups negative demo items into crises
]

# No inline scripts anywhere (Swagger UI uses the split view with a script file), and no inline
# styles but the few <style> elements that carry the request's nonce (the admin's change list,
# templates/drf_spectacular/swagger_ui.html). The browser tests fail on any violation (tests/e2e).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
}

# The browser features the app never uses are off for its pages and anything embedded in them
# (copying a text to the clipboard, inbox.js, keeps its default: this origin only).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "serial",
        "usb",
    )
}

# One line per record on stderr, with its time, level, logger, process and request id ("-" outside
# a request; communityops.request_ids), for the process manager to keep.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s %(process)d [%(request_id)s] %(message)s",
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",  # local time (TIME_ZONE) with its offset
        }
    },
    "filters": {
        "request_id": {"()": "communityops.request_ids.RequestIdFilter"},
        "task_enqueued": {"()": "communityops.log_filters.TaskEnqueuedFilter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django-q": {"filters": ["task_enqueued"]},
    },
}

# Meta Graph API, versioned; tests and the demo point it at a local stub server.
META_GRAPH_API_BASE_URL = os.environ.get("META_GRAPH_API_BASE_URL", "https://graph.facebook.com/v21.0")

# The inbox's clocks. A claim is a lease renewed by the open composer's heartbeat;
# an agent without a presence heartbeat this long counts as offline (claims released).
INBOX_LEASE_SECONDS = 300
INBOX_PRESENCE_TIMEOUT_SECONDS = 180
# The outbox retries a failed send with exponential backoff from this base, this many times;
# a send still marked "sending" after the timeout (a worker died mid-call) is tried again.
INBOX_OUTBOX_BACKOFF_SECONDS = 30
INBOX_OUTBOX_MAX_ATTEMPTS = 6
INBOX_OUTBOX_SENDING_TIMEOUT_SECONDS = 120
# Data protection (storage limitation): the raw webhook bodies of fully processed deliveries, and
# their change rows' payload copies, are dropped this many days after they arrived (checked hourly,
# a bounded share per run). The items, every change row with its outcome, and the generic
# webhook's event-id receipts stay.
INBOX_RAW_WEBHOOK_RETENTION_DAYS = int(os.environ.get("INBOX_RAW_WEBHOOK_RETENTION_DAYS", "30"))
if INBOX_RAW_WEBHOOK_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("INBOX_RAW_WEBHOOK_RETENTION_DAYS must be at least 1 (days).")

# django-q2's log of failed task runs (the admin's "Failed tasks") keeps each run this many days
# (checked hourly, a bounded share per run: communityops.services.failed_tasks_prune).
TASK_FAILURE_RETENTION_DAYS = int(os.environ.get("TASK_FAILURE_RETENTION_DAYS", "30"))
if TASK_FAILURE_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("TASK_FAILURE_RETENTION_DAYS must be at least 1 (days).")

# The demo's local stand-ins for Meta and WordPress (manage.py demo_stub_network) listen on this
# loopback port; the seeded demo blogs and the development Graph API address point at it. Set
# DEMO_STUB_PORT (before seed_demo) to run a second demo beside the first.
DEMO_STUB_PORT = int(os.environ.get("DEMO_STUB_PORT", "8765"))
# Extra long-running demo processes devstack starts beside web and worker (manage.py arguments).
DEVSTACK_EXTRA_COMMANDS: list[list[str]] = [["escalation_clock"], ["demo_stub_network"], ["demo_feeder"]]
