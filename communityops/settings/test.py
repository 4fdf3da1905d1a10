"""The test suite: real PostgreSQL (embedded unless DATABASE_URL is set), tasks run inline."""

from communityops.embedded_postgres import embedded_database_url

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASE_URL, Q_CLUSTER, database_settings

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
