from django.urls import path

from . import views

app_name = "crises"
urlpatterns = [
    path("", views.board, name="board"),
    path("new/", views.crisis_new, name="new"),
    path("from-items/", views.crisis_from_items, name="from_items"),
    path("items/<int:item_id>/crises/", views.item_crisis_picker, name="item_picker"),
    path("items/<int:item_id>/link/", views.item_crisis_link, name="item_link"),
    path("<int:crisis_id>/", views.crisis_detail, name="detail"),
    path("<int:crisis_id>/transition/", views.crisis_transition_view, name="transition"),
    path("<int:crisis_id>/escalate/", views.crisis_escalate, name="escalate"),
    path("<int:crisis_id>/acknowledge/", views.crisis_acknowledge_staff, name="acknowledge_staff"),
    path("<int:crisis_id>/link/", views.crisis_link_items, name="link_items"),
    path("<int:crisis_id>/drafts/", views.draft_create, name="draft_create"),
    path("<int:crisis_id>/drafts/<int:draft_id>/submit/", views.draft_submit, name="draft_submit"),
    path(
        "<int:crisis_id>/drafts/<int:draft_id>/contacts/<int:contact_id>/new-link/",
        views.approval_link_resend,
        name="approval_link_resend",
    ),
    path("<int:crisis_id>/publish/", views.crisis_publish_view, name="publish"),
    path("<int:crisis_id>/holding/", views.holding_publish, name="holding_publish"),
    path("<int:crisis_id>/post-mortem/", views.post_mortem, name="post_mortem"),
    path("rota/", views.rota, name="rota"),
    path("rota/add/", views.rota_add, name="rota_add"),
    path("rota/<int:shift_id>/end/", views.rota_end, name="rota_end"),
    path("alerts/<int:alert_id>/", views.alert_detail, name="alert_detail"),
    path("alerts/<int:alert_id>/open/", views.alert_open_crisis, name="alert_open_crisis"),
    path("alerts/<int:alert_id>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
    # Public, token-guarded: the one-click acknowledgement and the approval magic link.
    path("ack/<str:token>/", views.acknowledge, name="acknowledge"),
    path("approve/<int:draft_id>/<str:token>/", views.magic_link, name="magic_link"),
    # The client portal (client contacts, allauth login).
    path("portal/", views.portal_list, name="portal_list"),
    path("portal/awaiting/", views.portal_awaiting, name="portal_awaiting"),
    path("portal/<int:crisis_id>/", views.portal_detail, name="portal_detail"),
    path("portal/<int:crisis_id>/decide/", views.portal_decide, name="portal_decide"),
    path("portal/<int:crisis_id>/acknowledge/", views.portal_acknowledge, name="portal_acknowledge"),
]
