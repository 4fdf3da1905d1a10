"""Reports at 1M items: the operations dashboard and a client report (30 days), over HTTP."""

from ..measure import Result, ms, percentile
from ..stack import HttpSession


def run(*, port: int, log) -> list[Result]:
    from django.test import Client as TestClient

    from communityops.models import Client, User

    log("reports: /reports/ and /reports/clients/<id>/ (and team figures, informative)")
    lead = User.objects.get(email="lead0@bench.example")
    browser = TestClient(HTTP_HOST="127.0.0.1")
    browser.force_login(lead)
    session = HttpSession(port, {"Cookie": f"sessionid={browser.cookies['sessionid'].value}"})
    client = Client.objects.get(slug="bench-client-07")
    cases = [
        ("operations dashboard /reports/", "/reports/", 20, True),
        # 20 like the dashboard: the p95 of 10 requests is little more than the slowest one.
        ("client report /reports/clients/<id>/ (30 days)", f"/reports/clients/{client.pk}/", 20, True),
        ("team figures /reports/team/ (30 days, all clients)", "/reports/team/", 3, False),
    ]
    results = []
    for label, path, repeat, has_target in cases:
        samples = session.timed_gets(path, repeat)
        p50, p95 = percentile(samples, 0.5), percentile(samples, 0.95)
        results.append(
            Result(
                "Reports",
                f"{label} (p50 / p95, {repeat} requests)",
                f"{ms(p50)} / {ms(p95)}",
                target="p95 < 300 ms" if has_target else "(no target)",
                met=p95 < 0.300 if has_target else None,
            )
        )
    session.close()
    return results
