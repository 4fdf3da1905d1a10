from django.shortcuts import render

from communityops.permissions import agency_staff_required

from .selectors import item_open_queue_for_user


@agency_staff_required
def queue(request):
    items = item_open_queue_for_user(user=request.user)[:50]
    return render(request, "inbox/queue.html", {"items": items, "nav": "inbox"})
