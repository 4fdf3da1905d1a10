from django.urls import path

from . import views

app_name = "inbox"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("queue/", views.queue_list, name="queue_list"),
    path("counts/", views.client_counts, name="client_counts"),
    path("claim-next/", views.claim_next, name="claim_next"),
    path("end-shift/", views.end_shift, name="end_shift"),
    path("start-shift/", views.start_shift, name="start_shift"),
    path("items/<int:item_id>/", views.item, name="item"),
    path("items/<int:item_id>/claim-status/", views.claim_status, name="claim_status"),
    path("items/<int:item_id>/sent/", views.outbound_actions, name="outbound_actions"),
    path("items/<int:item_id>/claim/", views.claim, name="claim"),
    path("items/<int:item_id>/heartbeat/", views.heartbeat, name="heartbeat"),
    path("items/<int:item_id>/release/", views.release, name="release"),
    path("items/<int:item_id>/take-over/", views.take_over, name="take_over"),
    path("items/<int:item_id>/reply/", views.reply, name="reply"),
    path("items/<int:item_id>/moderate/", views.moderate, name="moderate"),
    path("items/<int:item_id>/not-spam/", views.not_spam, name="not_spam"),
    path("items/<int:item_id>/notes/", views.note, name="note"),
    path("items/<int:item_id>/hide-duplicates/", views.hide_duplicates, name="hide_duplicates"),
    path("items/<int:item_id>/assign/", views.assign, name="assign"),
    path("items/<int:item_id>/tags/", views.tags, name="tags"),
    path("items/<int:item_id>/author-profile/", views.author_profile, name="author_profile"),
    path("items/<int:item_id>/author-erasure/", views.author_erasure, name="author_erasure"),
]
