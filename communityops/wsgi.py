import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "communityops.settings.development")
application = get_wsgi_application()
# Import the URLconf, and with it every view and service module, while the worker starts:
# Django would do it during the worker's first request, which then took ~0.6 s longer.
get_resolver().url_patterns  # noqa: B018 - evaluated for its side effect
gc.freeze()  # and keep those modules out of full garbage collections too (see CommunityOpsConfig.ready)
