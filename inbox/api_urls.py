from django.urls import path

from . import apis

urlpatterns = [
    path("items/", apis.ItemListApi.as_view(), name="api_inbox_items"),
    path("items/<int:item_id>/", apis.ItemDetailApi.as_view(), name="api_inbox_item"),
    path("claim-next/", apis.ClaimNextApi.as_view(), name="api_inbox_claim_next"),
    path("items/<int:item_id>/claim/", apis.ItemClaimApi.as_view(), name="api_inbox_item_claim"),
    path("items/<int:item_id>/heartbeat/", apis.ItemHeartbeatApi.as_view(), name="api_inbox_item_heartbeat"),
    path("items/<int:item_id>/release/", apis.ItemReleaseApi.as_view(), name="api_inbox_item_release"),
    path("items/<int:item_id>/take-over/", apis.ItemTakeOverApi.as_view(), name="api_inbox_item_take_over"),
    path("items/<int:item_id>/reply/", apis.ItemReplyApi.as_view(), name="api_inbox_item_reply"),
    path("items/<int:item_id>/notes/", apis.ItemNoteCreateApi.as_view(), name="api_inbox_item_notes"),
    path("items/<int:item_id>/moderate/", apis.ItemModerateApi.as_view(), name="api_inbox_item_moderate"),
    path("items/<int:item_id>/not-spam/", apis.ItemNotSpamApi.as_view(), name="api_inbox_item_not_spam"),
    path(
        "items/<int:item_id>/hide-near-duplicates/",
        apis.ItemHideNearDuplicatesApi.as_view(),
        name="api_inbox_item_hide_near_duplicates",
    ),
    path("items/<int:item_id>/assign/", apis.ItemAssignApi.as_view(), name="api_inbox_item_assign"),
    path("items/<int:item_id>/tags/", apis.ItemTagsApi.as_view(), name="api_inbox_item_tags"),
    path(
        "items/<int:item_id>/author-profile/", apis.ItemAuthorProfileApi.as_view(), name="api_inbox_item_author_profile"
    ),
    path(
        "items/<int:item_id>/author-erasure/", apis.ItemAuthorErasureApi.as_view(), name="api_inbox_item_author_erasure"
    ),
    path("presence/heartbeat/", apis.PresenceHeartbeatApi.as_view(), name="api_inbox_presence_heartbeat"),
    path("presence/end-shift/", apis.PresenceEndShiftApi.as_view(), name="api_inbox_presence_end_shift"),
    path("presence/start-shift/", apis.PresenceStartShiftApi.as_view(), name="api_inbox_presence_start_shift"),
]
