from allauth.mfa.models import Authenticator
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from rest_framework.exceptions import NotFound, ParseError

from .accounts import user_authenticator_types
from .alphabetical import alphabetical
from .health import checks_report, database_check, tasks_checks
from .permissions import agency_staff_required, client_contact_required
from .refusals import refusal_body
from .selectors import (
    client_get_for_user,
    client_list_for_user,
    contact_list_for_client,
    guideline_list_for_client,
    portal_client_for_user,
)


def landing(request):
    return render(request, "communityops/landing.html")


@login_required
def home(request):
    """Where a login lands: staff in their inbox, client contacts in their portal."""
    if request.user.is_agency_staff:
        return redirect("inbox:queue")
    return redirect("portal_home")


@login_required
def account_settings(request):
    """The user's own account: their login, and the way to their password and two-factor settings.
    Recovery codes lead to their page once there are some (allauth's page is a 404 without), else to
    making them: a TOTP set up outside allauth's flow (the demo's, an admin's) comes without."""
    authenticator_types = user_authenticator_types(request.user)
    return render(
        request,
        "communityops/account_settings.html",
        {
            "nav": "account",
            "has_totp": Authenticator.Type.TOTP in authenticator_types,
            "has_recovery_codes": Authenticator.Type.RECOVERY_CODES in authenticator_types,
        },
    )


@agency_staff_required
def client_list(request):
    return render(request, "communityops/client_list.html", {"clients": client_list_for_user(user=request.user)})


@agency_staff_required
def client_detail(request, client_id: int):
    client = client_get_for_user(user=request.user, client_id=client_id)
    return render(
        request,
        "communityops/client_detail.html",
        {
            "client": client,
            "channels": client.channels.order_by(alphabetical("name"), "name"),
            "guidelines": guideline_list_for_client(client=client),
            "contacts": contact_list_for_client(client=client),
        },
    )


@client_contact_required
def portal_home(request):
    client = portal_client_for_user(user=request.user)
    if client is None:
        raise Http404
    return render(
        request,
        "communityops/portal_home.html",
        {
            "client": client,
            "channels": client.channels.filter(is_active=True).order_by(alphabetical("name"), "name"),
            "guidelines": guideline_list_for_client(client=client),
            "contacts": contact_list_for_client(client=client),
        },
    )


def bad_request(request, exception):
    """Django's 400 for a body it cannot read (broken multipart, too many fields, too large): the
    API says why in JSON, like its other refusals; pages keep Django's page."""
    if request.path.startswith("/api/"):
        detail = _("The request body could not be read (%(reason)s).") % {"reason": exception}
        return JsonResponse(refusal_body(code=ParseError.default_code, detail=detail), status=400)
    return defaults.bad_request(request, exception)


def page_not_found(request, exception):
    """Django's 404 for an address no view matches (an id that is not a number): the API answers in
    its own JSON shape and words, as for an object that is not there; pages get templates/404.html."""
    if request.path.startswith("/api/"):
        return JsonResponse(refusal_body(code=NotFound.default_code, detail=NotFound.default_detail), status=404)
    return defaults.page_not_found(request, exception)


def _health_response(checks) -> JsonResponse:
    report, healthy = checks_report(checks)
    return JsonResponse(report, status=200 if healthy else 503)


@require_safe
@never_cache
def health(request):
    """For a load balancer: 200 while this process serves and its database answers, else 503."""
    return _health_response([database_check()])


@require_safe
@never_cache
def health_tasks(request):
    """For monitoring: 200 while the task queue is worked (communityops.health), else 503."""
    database = database_check()
    if not database.ok:
        return _health_response([database])
    return _health_response([database, *tasks_checks(now=timezone.now())])
