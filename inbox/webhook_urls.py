from django.urls import path

from . import webhooks

urlpatterns = [
    path("meta/<int:channel_id>/", webhooks.meta_webhook, name="webhook_meta"),
    path("generic/<int:channel_id>/", webhooks.generic_webhook, name="webhook_generic"),
]
