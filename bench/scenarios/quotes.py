"""Quotes: price a 12-month coverage pattern in process (the service the API calls) and over HTTP."""

import json
import time
from datetime import date

from ..measure import Result, ms, percentile, timed
from ..stack import HttpSession

REQUESTS = 200
EVENINGS_AND_WEEKENDS = [(day, 17, 23) for day in range(5)] + [(day, 8, 22) for day in (5, 6)]


def _start() -> date:
    return date(date.today().year + 1, 1, 1)


def quote_body(comments: int) -> dict:
    """Evenings, weekends and holidays for a year: the Randzeiten pattern the articles are about."""
    return {
        "coverage": [
            {"weekday": day, "start_hour": start, "end_hour": end} for day, start, end in EVENINGS_AND_WEEKENDS
        ],
        "federal_state": "BY",
        "holidays_covered": True,
        "channels": 3,
        "comments_per_month": comments,
        "response_minutes": 30,
        "crisis_on_call": True,
        "start": _start().isoformat(),
        "months": 12,
    }


def run(*, port: int, log) -> list[Result]:
    from billing.pricing import PricingInput, WeeklyPattern
    from billing.services import quote_price

    log("quotes: in process (quote_price, a new volume each call) and over HTTP")
    volumes = iter(range(2000, 1_000_000, 7))

    def price_in_process():
        quote_price(
            pricing_input=PricingInput(
                pattern=WeeklyPattern.from_windows(EVENINGS_AND_WEEKENDS),
                federal_state="BY",
                holidays_covered=True,
                channels=3,
                comments_per_month=next(volumes),
                response_minutes=30,
                crisis_on_call=True,
                start=_start(),
                months=12,
            )
        )

    in_process = timed(price_in_process, 100)
    session = HttpSession(port)
    over_http, statuses = [], set()
    for number in range(REQUESTS):
        body = json.dumps(quote_body(3000 + number * 13)).encode()
        started = time.perf_counter()
        status, _ = session.request("POST", "/api/billing/quote/", body, {"Content-Type": "application/json"})
        over_http.append(time.perf_counter() - started)
        statuses.add(status)
    session.close()
    if statuses != {200}:
        raise RuntimeError(f"quote API answered {statuses}")
    p50, p95 = percentile(in_process, 0.5), percentile(in_process, 0.95)
    http_p50, http_p95 = percentile(over_http, 0.5), percentile(over_http, 0.95)
    return [
        Result("Quotes", "12 months priced in process (p50 / p95)", f"{ms(p50)} / {ms(p95)}",
               target="< 5 ms", met=p50 < 0.005),
        Result("Quotes", f"POST /api/billing/quote/ over HTTP (p50 / p95, {REQUESTS} requests)",
               f"{ms(http_p50)} / {ms(http_p95)}", target="p95 < 30 ms", met=http_p95 < 0.030),
    ]  # fmt: skip
