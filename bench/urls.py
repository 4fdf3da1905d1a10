"""The app's URLconf plus the claim storm's HTTP floor (bench.claim_floor), under bench.settings only."""

from django.urls import path

from communityops.urls import urlpatterns as app_urlpatterns

from .claim_floor import ClaimFloorApi

urlpatterns = [*app_urlpatterns, path("bench/claim-floor/", ClaimFloorApi.as_view())]
