"""How long pricing a year of 24/7 takes in process: python -m bench.billing_pricing"""

import itertools
import os
import statistics
import sys
import timeit
from datetime import date
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from billing import pricing  # noqa: E402
from billing.pricing import PRESETS, PricingInput, RateTerms, price_coverage  # noqa: E402
from communityops.public_holidays import public_holidays  # noqa: E402

RATES = RateTerms(
    1, Decimal("42.00"), Decimal(25), Decimal(40), Decimal(50), Decimal(125), Decimal(150),
    Decimal("90.00"), Decimal("490.00"), Decimal("350.00"), Decimal(4), Decimal(80), Decimal(19),
)  # fmt: skip


def year_of_24_7(comments: int) -> PricingInput:
    return PricingInput(PRESETS["always"], "BY", True, 3, comments, 30, True, date(2026, 12, 1), 12)


def median_ms(function, number: int, repeat: int = 21) -> float:
    return statistics.median(timeit.repeat(function, number=number, repeat=repeat)) / number * 1000


def main() -> None:
    same = year_of_24_7(3000)
    price_coverage(same, RATES)
    print(f"12 months 24/7, same input:            {median_ms(lambda: price_coverage(same, RATES), 50):.2f} ms")
    volumes = itertools.count(3001)
    fresh = median_ms(lambda: price_coverage(year_of_24_7(next(volumes)), RATES), 20)
    print(f"12 months 24/7, new volume each call:  {fresh:.2f} ms (168 Erlang C sizings)")

    def cold():
        for cached in (pricing.staffing_table, pricing.agents_needed, public_holidays):
            cached.cache_clear()
        pricing._offset_change_dates.cache_clear()
        price_coverage(same, RATES)

    print(f"12 months 24/7, every cache cold:      {median_ms(cold, 5, 11):.2f} ms (first call of a process)")


if __name__ == "__main__":
    main()
