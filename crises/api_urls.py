from django.urls import path

from . import apis

urlpatterns = [
    path("", apis.CrisisListApi.as_view(), name="api_crisis_list"),
    path("<int:crisis_id>/", apis.CrisisDetailApi.as_view(), name="api_crisis_detail"),
    path("<int:crisis_id>/items/", apis.CrisisItemsApi.as_view(), name="api_crisis_items"),
    path("<int:crisis_id>/transition/", apis.CrisisTransitionApi.as_view(), name="api_crisis_transition"),
    path("<int:crisis_id>/drafts/", apis.DraftCreateApi.as_view(), name="api_crisis_draft_create"),
    path(
        "<int:crisis_id>/drafts/<int:draft_id>/submit/", apis.DraftSubmitApi.as_view(), name="api_crisis_draft_submit"
    ),
    path(
        "<int:crisis_id>/drafts/<int:draft_id>/decision/", apis.DraftDecideApi.as_view(), name="api_crisis_draft_decide"
    ),
    path(
        "<int:crisis_id>/drafts/<int:draft_id>/contacts/<int:contact_id>/new-link/",
        apis.ApprovalLinkResendApi.as_view(),
        name="api_crisis_draft_new_link",
    ),
    path("<int:crisis_id>/publish/", apis.CrisisPublishApi.as_view(), name="api_crisis_publish"),
]
