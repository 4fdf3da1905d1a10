"""The crisis API: one view per operation, nested Input/Output serializers, scoped lookups.

Agency staff see the crises of their clients; a client contact sees only their own client's
crises (and gets 404 for any other) and may only decide on drafts.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from communityops.keyset import InvalidCursor
from communityops.models import Channel
from communityops.permissions import IsAgencyStaff, IsAuthenticatedUser, IsShiftLeadOrAdmin
from communityops.selectors import client_get_for_user, portal_contact_for_user
from inbox.selectors import ReplyRefusal, item_queryset_for_user

from . import services
from .models import Approval, Crisis, Severity
from .selectors import (
    CRISIS_PAGE_LINKED_ITEMS,
    LinkedItemsWindow,
    crisis_drafts,
    crisis_drafts_for_client,
    crisis_get_for_user,
    crisis_linked_items_newest,
    crisis_linked_items_page,
    crisis_list_for_user,
    crisis_timeline,
)


class DraftOutputSerializer(serializers.Serializer):
    class ApprovalOutput(serializers.Serializer):
        contact = serializers.CharField(source="contact.name")
        decision = serializers.CharField()
        comment = serializers.CharField()
        via = serializers.CharField()
        decided_at = serializers.DateTimeField()

    id = serializers.IntegerField()
    version = serializers.IntegerField()
    text = serializers.CharField()
    platform_texts = serializers.DictField(child=serializers.CharField())
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    approval_due_at = serializers.DateTimeField(allow_null=True)
    approvals = ApprovalOutput(many=True, source="approvals.all")


class CrisisOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    client_id = serializers.IntegerField()
    client_name = serializers.CharField(source="client.name")
    title = serializers.CharField()
    severity = serializers.IntegerField()
    status = serializers.CharField()
    owner = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    escalation_started_at = serializers.DateTimeField(allow_null=True)
    acknowledged_at = serializers.DateTimeField(
        allow_null=True, help_text="When the agency acknowledged the escalation: no further step fires."
    )
    client_seen_at = serializers.DateTimeField(
        allow_null=True,
        help_text="When a contact of the client said they have seen the escalation: the client's contacts are "
        "not alerted again, the agency's steps go on until acknowledged.",
    )
    client_seen_by = serializers.CharField(help_text="That contact's name; empty while nobody has.")


class LinkedItemOutputSerializer(serializers.Serializer):
    item_id = serializers.IntegerField()
    text = serializers.CharField(source="item.text")
    item_status = serializers.CharField(source="item.status")
    linked_at = serializers.DateTimeField(
        help_text="When the link was requested; lists are in linking order, which this may not follow."
    )
    answered_version = serializers.IntegerField(source="answered_draft.version", allow_null=True, default=None)


class EventOutputSerializer(serializers.Serializer):
    kind = serializers.CharField()
    actor = serializers.SerializerMethodField()
    data = serializers.JSONField()
    created_at = serializers.DateTimeField()

    def get_actor(self, event) -> str:
        return str(event.actor) if event.actor else event.actor_label


class CrisisDetailForClientOutputSerializer(CrisisOutputSerializer):
    """A crisis as its client's contacts see it: the linked items and the drafts they were asked to
    decide on. Versions the agency has not submitted, the post-mortem and the internal timeline
    are not theirs to read."""

    items = serializers.SerializerMethodField(
        help_text=f"The most recently linked items (at most {CRISIS_PAGE_LINKED_ITEMS}, like the crisis page), "
        "in linking order (the first linked of them first). "
        "A crisis may link thousands: page through all of them with GET /api/crises/{crisis_id}/items/."
    )
    items_total = serializers.SerializerMethodField(help_text="How many items are linked in all.")
    drafts = serializers.SerializerMethodField()

    @extend_schema_field(LinkedItemOutputSerializer(many=True))
    def get_items(self, crisis):
        return LinkedItemOutputSerializer(self._linked(crisis).shown, many=True).data

    def get_items_total(self, crisis) -> int:
        return self._linked(crisis).total

    def _linked(self, crisis) -> LinkedItemsWindow:
        """The crisis page's window of linked items, read once for both fields."""
        windows = self.context.setdefault("linked_windows", {})
        if crisis.pk not in windows:
            windows[crisis.pk] = crisis_linked_items_newest(crisis=crisis)
        return windows[crisis.pk]

    @extend_schema_field(DraftOutputSerializer(many=True))
    def get_drafts(self, crisis):
        return DraftOutputSerializer(crisis_drafts_for_client(crisis=crisis), many=True).data


class CrisisDetailOutputSerializer(CrisisDetailForClientOutputSerializer):
    """A crisis as the agency sees it: every draft, the post-mortem and the timeline too."""

    post_mortem = serializers.CharField()
    timeline = serializers.SerializerMethodField()

    @extend_schema_field(DraftOutputSerializer(many=True))
    def get_drafts(self, crisis):
        return DraftOutputSerializer(crisis_drafts(crisis=crisis), many=True).data

    @extend_schema_field(EventOutputSerializer(many=True))
    def get_timeline(self, crisis):
        return EventOutputSerializer(crisis_timeline(crisis=crisis), many=True).data


def _detail(crisis: Crisis, status_code: int = status.HTTP_200_OK) -> Response:
    return Response(CrisisDetailOutputSerializer(crisis).data, status=status_code)


def _refused(
    *refusals: type[services.CrisisError], lead: str = "Invalid input (messages per field), or refused"
) -> OpenApiResponse:
    """A 400 that lists the codes of the refusals by the crisis's state (the services' CrisisError
    subclasses; communityops.apis.api_exception_handler answers them)."""
    codes = ", ".join(f"`{refusal.code}`" for refusal in refusals)
    return OpenApiResponse(description=f"{lead} by the crisis's state, with its code: {codes}.")


class CrisisListApi(APIView):
    """GET: crises the user may see (contacts: their client's). POST: open one (agency staff)."""

    permission_classes = [IsAuthenticatedUser]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CrisisCreateInput"

        client_id = serializers.IntegerField()
        title = serializers.CharField(max_length=200)
        severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.HIGH)
        item_ids = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)

    class FilterSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CrisisListFilter"

        status = serializers.ChoiceField(choices=Crisis.Status.choices, required=False)

    @extend_schema(
        parameters=[FilterSerializer], responses=CrisisOutputSerializer(many=True), operation_id="crises_list"
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        crises = crisis_list_for_user(user=request.user, status=filters.validated_data.get("status"))
        return Response(CrisisOutputSerializer(crises, many=True).data)

    @extend_schema(
        request=InputSerializer,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="Any unique string of yours (a UUID), at most 255 printable ASCII characters: "
                "the same key sent again by you, also while the first request is still at work, opens no "
                "second crisis but answers the crisis opened with it (200). A retry after a timeout then "
                "escalates once. Sent with a different body, it is refused (422).",
            )
        ],
        responses={
            201: CrisisDetailOutputSerializer,
            200: CrisisDetailOutputSerializer,
            400: _refused(
                services.ItemsOfOtherClient,
                services.ItemsErased,
                lead="Invalid input (messages per field) or an invalid Idempotency-Key (nothing opened), or refused",
            ),
            422: OpenApiResponse(
                description="The Idempotency-Key opened a crisis for a different request (`idempotency_key_reused`, "
                "details.crisis_id); nothing opened."
            ),
        },
        description="Opens a crisis (201). No crisis is opened, and the one there is answered (200), when the "
        "Idempotency-Key was used before (see there), or, with item_ids, as the inbox's escalate-to-crisis, "
        "when an unresolved crisis already links all of them; erased items are left out.",
        operation_id="crises_create",
    )
    def post(self, request):
        if not request.user.is_agency_staff:
            raise PermissionDenied
        data = self._validated(request)
        idempotency_key = _idempotency_key(request)
        client = client_get_for_user(user=request.user, client_id=data["client_id"])
        # The items are checked before anything is written: a refused request leaves no crisis behind.
        items = _scoped_items(request=request, ids=data["item_ids"], client_id=client.pk) if data["item_ids"] else []
        crisis, created = services.crisis_create_for_request(
            acting_user=request.user,
            client=client,
            title=data["title"],
            severity=data["severity"],
            items=items,
            idempotency_key=idempotency_key,
            now=timezone.now(),
        )
        return _detail(crisis, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def _validated(self, request) -> dict:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


def _idempotency_key(request) -> str:
    """The request's Idempotency-Key header ("" without one); one a database cannot keep is a 400."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return ""
    if not (0 < len(key) <= 255 and key.isascii() and key.isprintable()):
        raise ValidationError({"Idempotency-Key": [_("An Idempotency-Key is 1 to 255 printable ASCII characters.")]})
    return key


def _scoped_items(*, request, ids: list[int], client_id: int):
    items = list(item_queryset_for_user(user=request.user).filter(pk__in=ids, client_id=client_id))
    if len(items) != len(set(ids)):
        raise ValidationError({"item_ids": [_("Unknown items, or items of another client.")]})
    return items


class CrisisDetailApi(APIView):
    """One crisis: status, timeline, drafts and approvals (client contacts see only what was submitted to them)."""

    permission_classes = [IsAuthenticatedUser]

    @extend_schema(
        responses=PolymorphicProxySerializer(
            component_name="CrisisDetailByReader",
            serializers=[CrisisDetailOutputSerializer, CrisisDetailForClientOutputSerializer],
            resource_type_field_name=None,
        ),
        description="Agency staff get the whole crisis; a client contact gets it without the post-mortem, the "
        "timeline and the versions not submitted for approval.",
        operation_id="crises_retrieve",
    )
    def get(self, request, crisis_id: int):
        crisis = crisis_get_for_user(user=request.user, crisis_id=crisis_id)
        if request.user.is_agency_staff:
            return _detail(crisis)
        return Response(CrisisDetailForClientOutputSerializer(crisis).data)


class CrisisItemsApi(APIView):
    """GET: the crisis's linked items a keyset page at a time (whoever may see the crisis, like the detail).
    POST: link more items (agency staff)."""

    def get_permissions(self):
        if self.request.method in ("GET", "HEAD", "OPTIONS"):
            return [IsAuthenticatedUser()]
        return [IsAgencyStaff()]

    class FilterSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CrisisItemsFilter"

        cursor = serializers.CharField(required=False)
        limit = serializers.IntegerField(required=False, min_value=1, max_value=200, default=50)

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CrisisItemsPage"

        results = LinkedItemOutputSerializer(many=True)
        next_cursor = serializers.CharField(
            allow_null=True, help_text="Pass as `cursor` for the next page; null on the last page."
        )

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CrisisLinkItemsInput"

        item_ids = serializers.ListField(child=serializers.IntegerField(), min_length=1)

    @extend_schema(
        operation_id="crises_items_list",
        parameters=[
            OpenApiParameter("cursor", OpenApiTypes.STR, description="next_cursor of the previous page"),
            OpenApiParameter("limit", OpenApiTypes.INT, description="1-200, default 50"),
        ],
        responses={
            200: OutputSerializer,
            400: OpenApiResponse(description="Invalid cursor or limit."),
            404: OpenApiResponse(description="No such crisis among the clients you may see."),
        },
        description="Every item linked to the crisis, in linking order (the order the links were committed; "
        "linked_at may be out of that order), "
        "a page at a time; items linked while you page come at the end.",
    )
    def get(self, request, crisis_id: int):
        crisis = crisis_get_for_user(user=request.user, crisis_id=crisis_id)
        params = self.FilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        try:
            links, next_cursor = crisis_linked_items_page(
                crisis=crisis, cursor=params.validated_data.get("cursor"), limit=params.validated_data["limit"]
            )
        except InvalidCursor as error:
            raise ValidationError({"cursor": [str(error)]}) from error
        return Response(self.OutputSerializer({"results": links, "next_cursor": next_cursor}).data)

    @extend_schema(
        request=InputSerializer,
        responses={
            200: CrisisDetailOutputSerializer,
            400: _refused(services.CrisisResolved, services.ItemsOfOtherClient),
        },
        operation_id="crises_items_link",
        description="Link items of the crisis's client to it (agency staff); answers with the crisis detail.",
    )
    def post(self, request, crisis_id: int):
        crisis = crisis_get_for_user(user=request.user, crisis_id=crisis_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        items = _scoped_items(request=request, ids=serializer.validated_data["item_ids"], client_id=crisis.client_id)
        services.crisis_items_link(crisis=crisis, items=items, acting_user=request.user, now=timezone.now())
        return _detail(crisis)


class CrisisTransitionApi(APIView):
    """Move the crisis to another status (the allowed transitions are in the crisis state machine)."""

    permission_classes = [IsShiftLeadOrAdmin]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CrisisTransitionInput"

        to_status = serializers.ChoiceField(choices=sorted(services.MANUAL_TARGETS))
        post_mortem = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(
        request=InputSerializer,
        responses={200: CrisisDetailOutputSerializer, 400: _refused(services.CrisisTransitionNotAllowed)},
        operation_id="crises_transition",
    )
    def post(self, request, crisis_id: int):
        crisis = crisis_get_for_user(user=request.user, crisis_id=crisis_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        crisis = services.crisis_transition(
            crisis=crisis,
            acting_user=request.user,
            now=timezone.now(),
            **serializer.validated_data,
        )
        return _detail(crisis_get_for_user(user=request.user, crisis_id=crisis.pk))


class DraftCreateApi(APIView):
    """Write a new version of the crisis response."""

    permission_classes = [IsAgencyStaff]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "DraftCreateInput"

        text = serializers.CharField()
        platform_texts = serializers.DictField(
            child=serializers.CharField(allow_blank=True),
            required=False,
            default=dict,
            help_text="The text for a platform (" + ", ".join(Channel.Platform.values) + "); the others get `text`.",
        )

        def validate_platform_texts(self, value: dict) -> dict:
            # A misspelt platform would be stored and never used; a key is not echoed (it may hold anything).
            if not set(value) <= set(Channel.Platform.values):
                raise ValidationError(
                    _("Texts are for these platforms: %(platforms)s.")
                    % {"platforms": ", ".join(Channel.Platform.values)}
                )
            return value

    @extend_schema(
        request=InputSerializer,
        responses={
            201: DraftOutputSerializer,
            400: _refused(services.CrisisResolved, services.ResponseTextMissing, services.ResponseTooLong),
        },
        operation_id="crises_drafts_create",
        description="A text longer than a reply may be on a platform of the crisis's linked items (its text in "
        "platform_texts, else text) is refused: 400 `response_too_long`, naming the platform, with the length and "
        "the limit in details.",
    )
    def post(self, request, crisis_id: int):
        crisis = crisis_get_for_user(user=request.user, crisis_id=crisis_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        draft = services.response_draft_create(
            crisis=crisis,
            acting_user=request.user,
            now=timezone.now(),
            **serializer.validated_data,
        )
        return Response(DraftOutputSerializer(draft).data, status=status.HTTP_201_CREATED)


class DraftSubmitApi(APIView):
    """Submit a draft to the client's approvers (magic links by mail; the portal shows it too)."""

    permission_classes = [IsShiftLeadOrAdmin]

    @extend_schema(
        request=None,
        responses={
            200: DraftOutputSerializer,
            400: _refused(services.DraftNotSubmittable, services.DraftSuperseded, services.NoApprover, lead="Refused"),
        },
        operation_id="crises_drafts_submit",
    )
    def post(self, request, crisis_id: int, draft_id: int):
        crisis = crisis_get_for_user(user=request.user, crisis_id=crisis_id)
        draft = get_object_or_404(crisis.drafts, pk=draft_id)
        draft = services.response_draft_submit(draft=draft, acting_user=request.user, now=timezone.now())
        return Response(DraftOutputSerializer(draft).data)


class ApprovalLinkResendApi(APIView):
    """Send a contact a new magic link for the version awaiting approval (theirs expired, or the email
    got lost); the link they hold stops working."""

    permission_classes = [IsShiftLeadOrAdmin]

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ApprovalLinkOutput"

        contact_id = serializers.IntegerField()
        contact = serializers.CharField(source="contact.name")
        version = serializers.IntegerField(source="draft.version")
        issued_at = serializers.DateTimeField(source="created_at")
        expires_at = serializers.DateTimeField()

    @extend_schema(
        request=None,
        responses={
            200: OutputSerializer,
            400: _refused(
                services.DraftNotAwaitingApproval,
                services.ContactNotAsked,
                services.ContactWithoutEmail,
                services.ApprovalLinkSentRecently,
                lead="Refused",
            ),
        },
        operation_id="crises_drafts_new_link",
    )
    def post(self, request, crisis_id: int, draft_id: int, contact_id: int):
        crisis = crisis_get_for_user(user=request.user, crisis_id=crisis_id)
        draft = get_object_or_404(crisis.drafts, pk=draft_id)
        contact = get_object_or_404(crisis.client.contacts, pk=contact_id)
        link = services.approval_link_resend(draft=draft, contact=contact, acting_user=request.user, now=timezone.now())
        return Response(self.OutputSerializer(link).data)


class DraftDecideApi(APIView):
    """A client contact (portal login) approves or rejects the draft awaiting approval."""

    permission_classes = [IsAuthenticatedUser]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "DraftDecisionInput"

        decision = serializers.ChoiceField(choices=Approval.Decision.choices)
        comment = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(
        request=InputSerializer,
        responses={
            200: DraftOutputSerializer,
            400: _refused(services.RejectionNeedsComment, services.DraftSuperseded, services.DecisionNotPossible),
        },
        operation_id="crises_drafts_decide",
    )
    def post(self, request, crisis_id: int, draft_id: int):
        crisis = crisis_get_for_user(user=request.user, crisis_id=crisis_id)
        contact = portal_contact_for_user(user=request.user)
        if contact is None:
            raise PermissionDenied
        draft = get_object_or_404(crisis_drafts_for_client(crisis=crisis), pk=draft_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.approval_decide(
            draft=draft,
            contact=contact,
            via=Approval.Via.PORTAL,
            now=timezone.now(),
            **serializer.validated_data,
        )
        draft.refresh_from_db()
        return Response(DraftOutputSerializer(draft).data)


class CrisisPublishApi(APIView):
    """Publish the approved response to the crisis's linked items through the outbox."""

    permission_classes = [IsShiftLeadOrAdmin]

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CrisisPublishOutput"

        answered_item_ids = serializers.ListField(child=serializers.IntegerField())
        not_sent = serializers.DictField(
            child=serializers.IntegerField(),
            help_text="The linked items left unanswered, counted by why: "
            + ", ".join(f"`{reason}`" for reason in ReplyRefusal)
            + " (a channel that cannot reply: answer them on the platform). Empty when every item got it.",
        )
        channels_cannot_reply = serializers.ListField(
            child=serializers.CharField(), help_text="The names of the channels among them that cannot reply."
        )

    @extend_schema(
        request=None,
        responses={
            200: OutputSerializer,
            400: _refused(services.NoApprovedResponse, services.NothingToSend, lead="Refused"),
        },
        operation_id="crises_publish",
    )
    def post(self, request, crisis_id: int):
        crisis = crisis_get_for_user(user=request.user, crisis_id=crisis_id)
        outcome = services.crisis_publish(crisis=crisis, acting_user=request.user, now=timezone.now())
        return Response(
            {
                "answered_item_ids": outcome.answered,
                "not_sent": outcome.not_sent.counts,
                "channels_cannot_reply": outcome.not_sent.channels_cannot_reply,
            }
        )
