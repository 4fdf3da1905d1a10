"""The claim storm's two yardsticks: the bare SQL claim, and that same statement served over HTTP.

`BASELINE_CLAIM` is the smallest thing that hands out rows safely (the issue's baseline), picking
the way claim-next does: its CLAIM_CANDIDATES most urgent items merged from the head of each served client's
queue (index item_claim_queue_by_client), the first of them nobody is locking.
`ClaimFloorApi` runs exactly that statement behind the app's own stack (gunicorn, every
middleware, DRF token authentication, the agency-staff permission): one request, one UPDATE,
nothing else. No implementation of claim-next -> reply over this stack can be faster than one
of these requests per claim, so its rate bounds what the claim storm's ratio can reach on the
machine the benchmark runs on. Served only under bench.settings (bench/urls.py).
"""

from django.db import connection
from rest_framework.response import Response
from rest_framework.views import APIView

from inbox.services.claims import CLAIM_CANDIDATES

BASELINE_CLAIM = f"""
UPDATE inbox_item SET status = 'claimed', claimed_by_id = %(agent)s, claimed_at = now(),
       lease_expires_at = now() + interval '5 minutes'
WHERE id = (
    SELECT id FROM inbox_item
    WHERE id = ANY(ARRAY(
        SELECT head.id FROM unnest(%(clients)s::bigint[]) AS served(client_id)
        CROSS JOIN LATERAL (
            SELECT id, sla_due_at, priority FROM inbox_item
            WHERE client_id = served.client_id AND status IN ('new', 'claimed')
              AND (claimed_by_id IS NULL OR lease_expires_at <= now())
            ORDER BY sla_due_at, priority, id LIMIT {CLAIM_CANDIDATES}) AS head
        ORDER BY head.sla_due_at, head.priority, head.id LIMIT {CLAIM_CANDIDATES}))
      AND status IN ('new', 'claimed') AND (claimed_by_id IS NULL OR lease_expires_at <= now())
    ORDER BY sla_due_at NULLS LAST, priority, id
    FOR UPDATE SKIP LOCKED LIMIT 1)
RETURNING id
"""


class ClaimFloorApi(APIView):
    """POST {"clients": [ids]}: claim one item for the caller with BASELINE_CLAIM; {"id": id or null}."""

    def post(self, request):
        with connection.cursor() as cursor:
            cursor.execute(BASELINE_CLAIM, {"agent": request.user.pk, "clients": list(request.data["clients"])})
            row = cursor.fetchone()
        return Response({"id": row[0] if row else None})
