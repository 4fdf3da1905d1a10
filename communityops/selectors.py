"""Tenant scoping: every read of client data starts from what the user may see.

Admins and shift leads see every client (the lead is on call for all of them);
agents see the clients of their teams; a client contact sees only their own client.
"""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from .alphabetical import alphabetical
from .models import Channel, Client, ClientContact, Guideline, User


def client_queryset_for_user(*, user: User) -> QuerySet[Client]:
    if not user.is_authenticated or not user.is_active:
        return Client.objects.none()
    if user.role in User.SHIFT_LEAD_ROLES:
        return Client.objects.all()
    if user.role == User.Role.AGENT:
        return Client.objects.filter(teams__members=user).distinct()
    return Client.objects.filter(contacts__user=user)


def staff_serving_clients_q(*, client_ids: list[int]) -> Q:
    """On User: the active agency staff who may work on the items of one of these clients, the same
    rule as client_queryset_for_user from the other side (leads every client, agents their teams').
    Joins teams: a queryset listing users needs .distinct()."""
    return Q(is_active=True) & (
        Q(role__in=User.SHIFT_LEAD_ROLES) | Q(role=User.Role.AGENT, teams__clients__in=client_ids)
    )


def client_ids_for_user(*, user: User) -> QuerySet:
    """The visible client ids as a subquery, for filtering other apps' querysets."""
    return client_queryset_for_user(user=user).values("pk")


def client_id_list_for_user(*, user: User) -> list[int]:
    """The visible client ids as values, read at once, in no particular order (not sorted by name:
    that computes each name's sort key).

    For hot queries over many rows: as a subquery, the scoping joins (client, team, members) are
    planned again inside every query that uses them, which cost more than running them.
    """
    return list(client_queryset_for_user(user=user).order_by().values_list("pk", flat=True))


def client_get_for_user(*, user: User, client_id: int) -> Client:
    return get_object_or_404(client_queryset_for_user(user=user), pk=client_id)


def client_list_for_user(*, user: User) -> QuerySet[Client]:
    return client_queryset_for_user(user=user).filter(is_active=True).prefetch_related("channels")


def channel_queryset_for_user(*, user: User) -> QuerySet[Channel]:
    return Channel.objects.filter(client__in=client_ids_for_user(user=user)).select_related("client")


def guideline_list_for_client(*, client: Client) -> QuerySet[Guideline]:
    return client.guidelines.filter(is_active=True).order_by("kind", alphabetical("title"), "title")


def contact_list_for_client(*, client: Client) -> QuerySet[ClientContact]:
    return client.contacts.order_by(alphabetical("name"), "name")


def portal_contact_for_user(*, user: User) -> ClientContact | None:
    """The contact a portal user is (with their client), or None for agency staff (also for a
    staff account wrongly linked to a contact: it never acts as the client)."""
    if user.role != User.Role.CLIENT_CONTACT:
        return None
    return ClientContact.objects.select_related("client").filter(user=user).first()


def portal_client_for_user(*, user: User) -> Client | None:
    """The one client a portal user belongs to, or None for agency staff."""
    contact = portal_contact_for_user(user=user)
    return contact.client if contact else None


def users_by_id(*, ids) -> dict[int, User]:
    """The named staff users by id, only their names read (timelines name former holders)."""
    if not ids:
        return {}
    return {user.pk: user for user in User.objects.filter(pk__in=ids).only("first_name", "last_name", "email")}
