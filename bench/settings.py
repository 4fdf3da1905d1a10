"""Production settings as they are, with what a loopback benchmark needs: plain HTTP, no outside mail.

The environment (set by bench.stack) carries SECRET_KEY, DATABASE_URL and META_GRAPH_API_BASE_URL.
"""

from communityops.settings.production import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
# Static files are not what is measured; the plain storage needs no collectstatic manifest.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Escalation emails are produced and "sent" (the dummy backend drops them): the timing is what counts.
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
# The quote API's public throttle (60/minute per address) would turn the benchmark's own requests into 429s.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"public_quote": "100000/minute"}}  # noqa: F405
# The app's URLs plus the claim storm's HTTP floor endpoint (bench/claim_floor.py).
ROOT_URLCONF = "bench.urls"
