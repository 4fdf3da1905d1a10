"""The inbox REST API: one APIView per operation, thin, scoped through selectors and services.

Refusals (someone else holds the item, the conversation changed, the channel cannot do it)
come back as 409/400 with a stable `code`, a readable `detail` and `details`.
"""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from communityops.keyset import InvalidCursor
from communityops.schema import REFUSAL_OR_INVALID_INPUT, RefusalSerializer

from .connectors import REPLY_MAX_LENGTH, connector_class
from .models import AuthorTier, Item, OutboundAction
from .selectors import (
    ELSEWHERE_COUNTED,
    ItemFilters,
    item_conversation_version,
    item_detail_for_user,
    item_get_for_user,
    item_list_for_user,
    item_page,
)
from .services.assignment import item_assign, presence_end_shift, presence_heartbeat, presence_start_shift
from .services.author_profiles import NOTES_MAX_LENGTH, author_profile_update
from .services.claims import item_claim, item_claim_next, item_heartbeat, item_release, item_take_over
from .services.erasure import REFERENCE_MAX_LENGTH, author_erase
from .services.moderation import (
    item_mark_not_spam,
    item_moderate,
    item_tags_change,
    items_hide_near_duplicates,
)
from .services.notes import item_note_add
from .services.outbox import item_reply

# A 400 is a service's refusal or invalid input (messages per field), the components
# communityops.schema documents for every operation.
REFUSALS = {
    400: OpenApiResponse(
        REFUSAL_OR_INVALID_INPUT, description="Refused (not possible for this item or channel) or invalid input."
    ),
    404: OpenApiResponse(description="No such item among the clients you serve."),
    409: OpenApiResponse(
        RefusalSerializer,
        description="Conflict: lease or conversation changed, or the comment was removed on the platform; see details.",
    ),
}


class InboxApi(APIView):
    # The inbox's operations: _name_nested_serializers (below) names the nested serializers of its
    # subclasses. The services' refusals become 409 (conflicts) or 400 with their code and reason in
    # communityops.apis.api_exception_handler.
    # (A comment, not a docstring: the API docs would show it for every endpoint without its own.)
    pass


# -- output shapes ----------------------------------------------------------------------
class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")


class ItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    client = inline_serializer("ItemClient", {"id": serializers.IntegerField(), "name": serializers.CharField()})
    channel = inline_serializer(
        "ItemChannel",
        {"id": serializers.IntegerField(), "name": serializers.CharField(), "platform": serializers.CharField()},
    )
    kind = serializers.CharField()
    status = serializers.CharField()
    priority = serializers.IntegerField()
    author_tier = serializers.CharField()
    author_name = serializers.CharField(source="author.name")
    text = serializers.CharField()
    language = serializers.CharField()
    sentiment = serializers.CharField()
    permalink = serializers.CharField()
    tags = serializers.ListField(child=serializers.CharField())
    external_id = serializers.CharField()
    thread_external_id = serializers.CharField()
    parent_external_id = serializers.CharField()
    platform_created_at = serializers.DateTimeField()
    received_at = serializers.DateTimeField()
    sla_due_at = serializers.DateTimeField(allow_null=True)
    claimed_by = UserRefSerializer(allow_null=True)
    claimed_at = serializers.DateTimeField(allow_null=True)
    lease_expires_at = serializers.DateTimeField(allow_null=True)
    first_response_at = serializers.DateTimeField(allow_null=True)
    erased_at = serializers.DateTimeField(
        allow_null=True,
        help_text="When the author's personal data was erased on request: text and permalink are empty.",
    )


class OutboundActionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    text = serializers.CharField()
    requested_by = UserRefSerializer(allow_null=True)
    attempts = serializers.IntegerField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    last_error = serializers.CharField()
    external_id = serializers.CharField()
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)


class ClaimedItemSerializer(serializers.Serializer):
    """An item under the caller's lease, with the conversation version the reply must be based on."""

    item = ItemSerializer()
    lease_expires_at = serializers.DateTimeField()
    loaded_at_event_id = serializers.IntegerField()


def _claimed(item: Item) -> dict:
    return ClaimedItemSerializer(
        {
            "item": item,
            "lease_expires_at": item.lease_expires_at,
            "loaded_at_event_id": item_conversation_version(item=item),
        }
    ).data


def _item_for_output(*, request, item_id: int) -> Item:
    return item_get_for_user(user=request.user, item_id=item_id)


# -- reads ------------------------------------------------------------------------------
SEARCH_DESCRIPTION = (
    "An item matches when its text has all these words (whole words of three letters or more), or when"
    " each of them begins a word of its author's name or handle, in any order: 'anna m' and 'Müll' find"
    " Anna Müller, 'brauhaus' and '@brauhaus_fan' the handle brauhaus_fan; 'üller' finds no author (word"
    " beginnings, not parts of words). Case does not matter, umlauts and accents do; punctuation only"
    " separates words, and a search without any word finds nothing."
)


def _item_filters(data: dict) -> ItemFilters:
    """The queue filters from a validated list or claim-next request."""
    return ItemFilters(
        client_id=data.get("client"),
        channel_id=data.get("channel"),
        statuses=tuple(data["status"]) if data.get("status") else None,
        priority=data.get("priority"),
        tier=data.get("tier"),
        tag=data.get("tag"),
        search=data.get("q", "").strip() or None,
    )


class ItemListApi(InboxApi):
    """The queue: open items of the clients you serve, most urgent first (the order claim-next takes them in), keyset-paged."""

    class FilterSerializer(serializers.Serializer):
        client = serializers.IntegerField(required=False)
        channel = serializers.IntegerField(required=False)
        status = serializers.MultipleChoiceField(choices=Item.Status.choices, required=False)
        priority = serializers.ChoiceField(choices=Item.Priority.choices, required=False)
        tier = serializers.ChoiceField(choices=AuthorTier.choices, required=False)
        tag = serializers.CharField(required=False)
        q = serializers.CharField(required=False, max_length=100)
        cursor = serializers.CharField(required=False)
        limit = serializers.IntegerField(required=False, min_value=1, max_value=200, default=50)

    class OutputSerializer(serializers.Serializer):
        results = ItemSerializer(many=True)
        next_cursor = serializers.CharField(allow_null=True)

    @extend_schema(
        operation_id="inbox_items_list",
        parameters=[
            OpenApiParameter("client", OpenApiTypes.INT),
            OpenApiParameter("channel", OpenApiTypes.INT),
            OpenApiParameter("status", OpenApiTypes.STR, many=True, enum=Item.Status.values),
            OpenApiParameter("priority", OpenApiTypes.INT, enum=Item.Priority.values),
            OpenApiParameter("tier", OpenApiTypes.STR, enum=AuthorTier.values),
            OpenApiParameter("tag", OpenApiTypes.STR),
            OpenApiParameter("q", OpenApiTypes.STR, description=SEARCH_DESCRIPTION),
            OpenApiParameter("cursor", OpenApiTypes.STR, description="next_cursor of the previous page"),
            OpenApiParameter("limit", OpenApiTypes.INT, description="1-200, default 50"),
        ],
        responses={200: OutputSerializer},
    )
    def get(self, request):
        params = self.FilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        filters = _item_filters(data)
        try:
            items, next_cursor = item_page(
                queryset=item_list_for_user(user=request.user, filters=filters),
                cursor=data.get("cursor"),
                limit=data["limit"],
            )
        except InvalidCursor as error:
            raise ValidationError({"cursor": [str(error)]}) from error
        return Response(self.OutputSerializer({"results": items, "next_cursor": next_cursor}).data)


class AuthorProfileSerializer(serializers.Serializer):
    is_key_account = serializers.BooleanField()
    notes = serializers.CharField()
    updated_by = UserRefSerializer(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)


class ItemDetailApi(InboxApi):
    """One item with its conversation, notes, events, outbound actions and the author's profile at its client."""

    class OutputSerializer(serializers.Serializer):
        item = ItemSerializer()
        author_profile = AuthorProfileSerializer(
            allow_null=True, help_text="What the client's team knows about the author; null until someone notes it."
        )
        conversation = ItemSerializer(many=True, source="conversation.messages")
        conversation_not_shown = serializers.IntegerField(
            source="conversation.not_shown",
            help_text="Messages of the conversation left out: it lists the first, the item and the newest 50.",
        )
        elsewhere_under_post = serializers.IntegerField(
            source="conversation.elsewhere_under_post",
            help_text=f"Comments under the same post that belong to other conversations, counted up to {ELSEWHERE_COUNTED}.",
        )
        more_elsewhere = serializers.BooleanField(
            source="conversation.more_elsewhere",
            help_text=f"There are more than {ELSEWHERE_COUNTED} such comments.",
        )
        events = inline_serializer(
            "ItemEventOut",
            {
                "id": serializers.IntegerField(),
                "kind": serializers.CharField(),
                "actor": UserRefSerializer(allow_null=True),
                "data": serializers.DictField(),
                "created_at": serializers.DateTimeField(),
            },
            many=True,
        )
        notes = inline_serializer(
            "ItemNoteOut",
            {
                "id": serializers.IntegerField(),
                "author": UserRefSerializer(),
                "text": serializers.CharField(),
                "created_at": serializers.DateTimeField(),
            },
            many=True,
        )
        outbound_actions = OutboundActionSerializer(many=True)
        conversation_version = serializers.IntegerField(help_text="Send as loaded_at_event_id with the reply.")
        reply_max_length = serializers.SerializerMethodField(
            help_text="The most characters a reply may have on the item's channel (its platform's documented "
            "limit, at most 8000); a longer one is refused with code reply_too_long."
        )

        def get_reply_max_length(self, detail) -> int:
            return connector_class(detail.item.channel.platform).reply_max_length()

    @extend_schema(operation_id="inbox_items_retrieve", responses={200: OutputSerializer, 404: REFUSALS[404]})
    def get(self, request, item_id: int):
        return Response(self.OutputSerializer(item_detail_for_user(user=request.user, item_id=item_id)).data)


# -- claims -----------------------------------------------------------------------------
class ClaimNextApi(InboxApi):
    """Claim the most urgent open item the filters match, under a lease; 204 when nothing waits."""

    class InputSerializer(serializers.Serializer):
        client = serializers.IntegerField(required=False)
        channel = serializers.IntegerField(required=False)
        priority = serializers.ChoiceField(choices=Item.Priority.choices, required=False)
        tier = serializers.ChoiceField(choices=AuthorTier.choices, required=False)
        tag = serializers.CharField(required=False)
        q = serializers.CharField(required=False, max_length=100, help_text=SEARCH_DESCRIPTION)

    @extend_schema(
        operation_id="inbox_claim_next",
        request=InputSerializer,
        responses={200: ClaimedItemSerializer, 204: OpenApiResponse(description="Nothing is waiting.")},
    )
    def post(self, request):
        params = self.InputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        filters = _item_filters(data)
        item = item_claim_next(acting_user=request.user, filters=filters)
        if item is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(_claimed(item))


class ItemClaimApi(InboxApi):
    """Claim this item under a lease (refused while a colleague's lease is live)."""

    @extend_schema(operation_id="inbox_items_claim", request=None, responses={200: ClaimedItemSerializer, **REFUSALS})
    def post(self, request, item_id: int):
        item_claim(acting_user=request.user, item_id=item_id)
        return Response(_claimed(_item_for_output(request=request, item_id=item_id)))


class ItemHeartbeatApi(InboxApi):
    """Extend your lease on the item while you work on it."""

    class OutputSerializer(serializers.Serializer):
        lease_expires_at = serializers.DateTimeField()

    @extend_schema(operation_id="inbox_items_heartbeat", request=None, responses={200: OutputSerializer, **REFUSALS})
    def post(self, request, item_id: int):
        item = item_heartbeat(acting_user=request.user, item_id=item_id)
        return Response(self.OutputSerializer(item).data)


class ItemReleaseApi(InboxApi):
    """Give the item back to the queue: your own claim, or a colleague's (shift leads and admins)."""

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)

    @extend_schema(
        operation_id="inbox_items_release", request=InputSerializer, responses={200: ItemSerializer, **REFUSALS}
    )
    def post(self, request, item_id: int):
        params = self.InputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        item_release(acting_user=request.user, item_id=item_id, reason=params.validated_data["reason"])
        return Response(ItemSerializer(_item_for_output(request=request, item_id=item_id)).data)


class ItemTakeOverApi(InboxApi):
    """Take over a colleague's claim, with a reason (shift leads and admins)."""

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=500)

    @extend_schema(
        operation_id="inbox_items_take_over",
        request=InputSerializer,
        responses={
            200: ClaimedItemSerializer,
            403: OpenApiResponse(description="Shift leads and admins only."),
            **REFUSALS,
        },
    )
    def post(self, request, item_id: int):
        params = self.InputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        item_take_over(acting_user=request.user, item_id=item_id, reason=params.validated_data["reason"])
        return Response(_claimed(_item_for_output(request=request, item_id=item_id)))


# -- replies, notes, moderation, assignment ----------------------------------------------
class ItemReplyApi(InboxApi):
    """Reply on the platform through the outbox."""

    class InputSerializer(serializers.Serializer):
        text = serializers.CharField(max_length=REPLY_MAX_LENGTH)
        loaded_at_event_id = serializers.IntegerField(min_value=0)

    @extend_schema(
        operation_id="inbox_items_reply",
        request=InputSerializer,
        responses={202: OutboundActionSerializer, **REFUSALS},
        description="Accepted only under your live lease and if nothing changed in the conversation since "
        "loaded_at_event_id; otherwise 409 with code reply_conflict and details.changes. An id newer than any "
        "event of the conversation was never loaded: 400 with code unknown_conversation_version. A comment removed on "
        "the platform cannot be answered: 409 with code item_removed_on_platform. A text longer than the channel's "
        "platform takes is refused before it is queued: 400 with code reply_too_long and "
        "details.limit, details.length and details.over.",
    )
    def post(self, request, item_id: int):
        params = self.InputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        action = item_reply(acting_user=request.user, item_id=item_id, **params.validated_data)
        return Response(OutboundActionSerializer(action).data, status=status.HTTP_202_ACCEPTED)


class ItemNoteCreateApi(InboxApi):
    """Add an internal note (agents see it, the platform never does)."""

    class InputSerializer(serializers.Serializer):
        text = serializers.CharField(max_length=8000)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        author = UserRefSerializer()
        text = serializers.CharField()
        created_at = serializers.DateTimeField()

    @extend_schema(
        operation_id="inbox_items_notes_create",
        request=InputSerializer,
        responses={201: OutputSerializer, **REFUSALS},
        description="The same text sent again by you for this item within a minute (a double submit, a retry) "
        "answers with the note already stored, not a second one.",
    )
    def post(self, request, item_id: int):
        params = self.InputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        note = item_note_add(acting_user=request.user, item_id=item_id, text=params.validated_data["text"])
        return Response(self.OutputSerializer(note).data, status=status.HTTP_201_CREATED)


class ItemModerateApi(InboxApi):
    """Moderate the item on its platform (hide, unhide, delete, approve, spam, trash), through the outbox."""

    class InputSerializer(serializers.Serializer):
        action = serializers.ChoiceField(choices=[(kind.value, kind.label) for kind in OutboundAction.MODERATION_KINDS])
        reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)

    @extend_schema(
        operation_id="inbox_items_moderate",
        request=InputSerializer,
        responses={202: OutboundActionSerializer, **REFUSALS},
        description="While the item's newest moderation is this action and still pending (queued, sending, or "
        "failed with a retry planned), the same request answers with that action instead of queueing a second.",
    )
    def post(self, request, item_id: int):
        params = self.InputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        action = item_moderate(acting_user=request.user, item_id=item_id, **params.validated_data)
        action.refresh_from_db()
        return Response(OutboundActionSerializer(action).data, status=status.HTTP_202_ACCEPTED)


class ItemNotSpamApi(InboxApi):
    @extend_schema(operation_id="inbox_items_not_spam", request=None, responses={200: ItemSerializer, **REFUSALS})
    def post(self, request, item_id: int):
        """Undo a spam verdict: the item goes back into the queue (or stays answered), the comment is
        shown on the platform again where the channel can, and triage learns from it."""
        item_mark_not_spam(acting_user=request.user, item_id=item_id)
        return Response(ItemSerializer(_item_for_output(request=request, item_id=item_id)).data)


class ItemHideNearDuplicatesApi(InboxApi):
    """Hide the open near-duplicates of this item's text from other authors (a campaign)."""

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)

    class OutputSerializer(serializers.Serializer):
        hidden_item_ids = serializers.ListField(child=serializers.IntegerField())

    @extend_schema(
        operation_id="inbox_items_hide_near_duplicates",
        request=InputSerializer,
        responses={202: OutputSerializer, **REFUSALS},
    )
    def post(self, request, item_id: int):
        params = self.InputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        actions = items_hide_near_duplicates(acting_user=request.user, item_id=item_id, **params.validated_data)
        return Response(
            self.OutputSerializer({"hidden_item_ids": [action.item_id for action in actions]}).data,
            status=status.HTTP_202_ACCEPTED,
        )


class ItemAssignApi(InboxApi):
    """Hand your claim over to a colleague who is online."""

    class InputSerializer(serializers.Serializer):
        assignee_id = serializers.IntegerField()

    @extend_schema(
        operation_id="inbox_items_assign", request=InputSerializer, responses={200: ItemSerializer, **REFUSALS}
    )
    def post(self, request, item_id: int):
        params = self.InputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        item_assign(acting_user=request.user, item_id=item_id, assignee_id=params.validated_data["assignee_id"])
        return Response(ItemSerializer(_item_for_output(request=request, item_id=item_id)).data)


class ItemTagsApi(InboxApi):
    """Add and remove tags."""

    class InputSerializer(serializers.Serializer):
        # The length and the count are the service's to check (after trimming and removing; refused
        # with its reason, not cut).
        add = serializers.ListField(
            child=serializers.CharField(help_text=f"At most {Item.TAG_MAX_LENGTH} characters, trimmed, lower-cased."),
            required=False,
            default=list,
            help_text=f"An item may then have at most {Item.TAGS_MAX} tags: a change that would leave it more is "
            "refused whole (400). Removing always works.",
        )
        remove = serializers.ListField(child=serializers.CharField(), required=False, default=list)

    @extend_schema(
        operation_id="inbox_items_tags_change", request=InputSerializer, responses={200: ItemSerializer, **REFUSALS}
    )
    def post(self, request, item_id: int):
        params = self.InputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        item_tags_change(acting_user=request.user, item_id=item_id, **params.validated_data)
        return Response(ItemSerializer(_item_for_output(request=request, item_id=item_id)).data)


class ItemAuthorProfileApi(InboxApi):
    """Set the author's profile at the item's client: key account (tier A) and a note."""

    class InputSerializer(serializers.Serializer):
        is_key_account = serializers.BooleanField(required=False, help_text="Left out: kept as it is.")
        notes = serializers.CharField(
            required=False, allow_blank=True, max_length=NOTES_MAX_LENGTH, help_text="Left out: kept as it is."
        )

        def validate(self, data):
            if not data:
                raise ValidationError(_("Send is_key_account, notes or both."))
            return data

    class OutputSerializer(AuthorProfileSerializer):
        triaged_again = serializers.ListField(
            child=serializers.IntegerField(),
            help_text="Ids of the author's open items of this client whose assessment (tier, priority, ...) changed"
            " when the flag change had them triaged again as they arrived.",
        )

    @extend_schema(
        operation_id="inbox_items_author_profile_update",
        request=InputSerializer,
        responses={200: OutputSerializer, **REFUSALS},
    )
    def post(self, request, item_id: int):
        """Put the item's author on the client's key-account list (tier A) or take them off, and keep
        notes about them for agents."""
        params = self.InputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        result = author_profile_update(acting_user=request.user, item_id=item_id, **params.validated_data)
        profile = result.profile
        return Response(
            self.OutputSerializer(
                {
                    "is_key_account": profile.is_key_account,
                    "notes": profile.notes,
                    "updated_by": profile.updated_by,
                    "updated_at": profile.updated_at,
                    "triaged_again": [item.pk for item in result.triaged_again],
                }
            ).data
        )


class ItemAuthorErasureApi(InboxApi):
    """Erase the author's personal data at the item's client on request (GDPR Art. 17; shift leads and admins)."""

    class InputSerializer(serializers.Serializer):
        reference = serializers.CharField(
            max_length=REFERENCE_MAX_LENGTH, help_text="Where the erasure request is documented, e.g. a ticket number."
        )
        confirm = serializers.BooleanField(help_text="Must be true: the erasure cannot be undone.")

        def validate_confirm(self, value):
            if not value:
                raise ValidationError(_("Confirm the erasure: it cannot be undone."))
            return value

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        client = serializers.IntegerField(source="client_id")
        platform = serializers.CharField()
        reference = serializers.CharField()
        erased_by = UserRefSerializer()
        erased_at = serializers.DateTimeField()
        items_erased = serializers.IntegerField()
        notes_deleted = serializers.IntegerField()
        raw_bodies_dropped = serializers.IntegerField()
        raw_bodies_kept = serializers.IntegerField(help_text="Deliveries still being processed (dropped by retention).")
        author_deleted = serializers.BooleanField(
            help_text="False when other clients still hold data about the author."
        )

    @extend_schema(
        operation_id="inbox_items_author_erase",
        request=InputSerializer,
        responses={201: OutputSerializer, 403: OpenApiResponse(description="Shift leads and admins only."), **REFUSALS},
    )
    def post(self, request, item_id: int):
        """Erase the personal data the item's client holds about the item's author (GDPR Art. 17):
        their items' texts and links, notes, raw webhook data and the client's profile of them; the
        items stay as closed tombstones. Cannot be undone."""
        params = self.InputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        erasure = author_erase(acting_user=request.user, item_id=item_id, reference=params.validated_data["reference"])
        return Response(self.OutputSerializer(erasure).data, status=status.HTTP_201_CREATED)


class PresenceSerializer(serializers.Serializer):
    is_online = serializers.BooleanField()
    last_seen_at = serializers.DateTimeField()
    shift_ended_at = serializers.DateTimeField(allow_null=True)
    capacity = serializers.IntegerField()


class PresenceHeartbeatApi(InboxApi):
    """Say you are online (the inbox sends this while open); hand-overs and auto-assignment go to online colleagues.
    After an end of shift you stay offline (is_online false) until you start a shift."""

    @extend_schema(operation_id="inbox_presence_heartbeat", request=None, responses={200: PresenceSerializer})
    def post(self, request):
        return Response(PresenceSerializer(presence_heartbeat(user=request.user)).data)


class PresenceStartShiftApi(InboxApi):
    """Start your shift: online at once, and the heartbeat keeps you so."""

    @extend_schema(operation_id="inbox_presence_start_shift", request=None, responses={200: PresenceSerializer})
    def post(self, request):
        return Response(PresenceSerializer(presence_start_shift(user=request.user)).data)


class PresenceEndShiftApi(InboxApi):
    """End your shift: go offline and release your claims."""

    class OutputSerializer(serializers.Serializer):
        released = serializers.IntegerField()

    @extend_schema(operation_id="inbox_presence_end_shift", request=None, responses={200: OutputSerializer})
    def post(self, request):
        return Response(self.OutputSerializer({"released": presence_end_shift(user=request.user)}).data)


def _name_nested_serializers() -> None:
    """Nested Input/Output serializers share class names across views; give each schema component
    a unique name (e.g. InboxItemReplyInput) so the OpenAPI document stays correct."""
    for view in InboxApi.__subclasses__():
        for role in ("Input", "Output", "Filter"):
            nested = view.__dict__.get(f"{role}Serializer")
            if nested is not None:
                extend_schema_serializer(component_name=f"Inbox{view.__name__.removesuffix('Api')}{role}")(nested)


_name_nested_serializers()
