from django.urls import path

from . import apis

urlpatterns = [
    path("quote/", apis.QuoteApi.as_view(), name="api_billing_quote"),
]
