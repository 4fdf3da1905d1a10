"""Role checks shared by views, the API and the admin."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission


def _user_required(check: Callable[[Any], bool]):
    """A view decorator: anonymous users go to the login page, logged-in users failing `check` get 403."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


agency_staff_required = _user_required(lambda user: user.is_agency_staff)
shift_lead_required = _user_required(lambda user: user.is_shift_lead_or_admin)
client_contact_required = _user_required(lambda user: user.role == user.Role.CLIENT_CONTACT)


class IsAgencyStaff(BasePermission):
    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_agency_staff)


class IsShiftLeadOrAdmin(BasePermission):
    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_shift_lead_or_admin)


class ReadOnlyAdminMixin:
    """For a ModelAdmin or an inline: audit rows, visible, never added, edited or deleted by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ShiftLeadAdminActionsMixin:
    """For a ModelAdmin: actions declared with `permissions=["shift_lead"]` are offered, and run,
    only for shift leads and admins. Being allowed to see a list is not being allowed to act on it."""

    def has_shift_lead_permission(self, request) -> bool:
        return request.user.is_shift_lead_or_admin


class IsAuthenticatedUser(BasePermission):
    """Any logged-in user; the selectors then scope what they see."""

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated)
