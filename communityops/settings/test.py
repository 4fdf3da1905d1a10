"""The test suite: real PostgreSQL (embedded unless DATABASE_URL is set), tasks run inline."""

import os

from communityops.embedded_postgres import embedded_database_url

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASE_URL, Q_CLUSTER, database_settings, env_bool

DEBUG = False
SECRET_KEY = "test-only-key-0123456789abcdef0123456789abcdef0123456789"
DATABASES = database_settings(DATABASE_URL or embedded_database_url(BASE_DIR / "var"))
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tasks run inline; a loaded CI machine must not hit the production task timeout.
Q_CLUSTER = {**Q_CLUSTER, "sync": True, "timeout": 600, "retry": 660}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# CO_TEST_QCLUSTER=1: a real `manage.py qcluster` run against the test database, started by
# tests/reliability/test_crashes.py. Tasks go through the ORM broker; timeouts are short so the
# tasks and sends of a SIGKILLed worker come back within seconds; mail is written as files to
# CO_TEST_EMAIL_DIR so the test can count it.
if env_bool("CO_TEST_QCLUSTER", False):
    Q_CLUSTER = {**Q_CLUSTER, "sync": False, "workers": 2, "timeout": 4, "retry": 6, "poll": 0.2}
    INBOX_OUTBOX_SENDING_TIMEOUT_SECONDS = 5
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": os.environ["CO_TEST_EMAIL_DIR"]},
        }
    }
