"""Demo coverage plans for the three demo clients and one saved quote. Idempotent."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from communityops.models import Client

from .models import CoveragePlan, Quote
from .pricing import PRESETS, PricingInput, WeeklyPattern, first_of_next_month
from .services import coverage_plan_create, quote_create

DEMO_QUOTE_NAME = "Demo: Café Kranich (evenings and weekends)"

DEMO_PLANS = {
    # A brewery: always on, fast answers, Bavarian holidays covered.
    "brauhaus-isartal": {
        "pattern": PRESETS["always"],
        "holidays_covered": True,
        "response_minutes": 30,
        "channels": 4,
        "comments_per_month": 6000,
        "crisis_on_call": True,
    },
    # An energy supplier: long service hours on weekdays, shorter at weekends.
    "nordlicht-energie": {
        "pattern": WeeklyPattern.from_windows([(day, 7, 22) for day in range(5)] + [(day, 10, 20) for day in (5, 6)]),
        "holidays_covered": False,
        "response_minutes": 60,
        "channels": 4,
        "comments_per_month": 4000,
        "crisis_on_call": True,
    },
    # A fashion label: its customers write in the evenings and at weekends.
    "rheinmode": {
        "pattern": WeeklyPattern.from_windows([(day, 17, 23) for day in range(5)] + [(day, 9, 23) for day in (5, 6)]),
        "holidays_covered": True,
        "response_minutes": 60,
        "channels": 3,
        "comments_per_month": 3000,
        "crisis_on_call": False,
    },
}


@transaction.atomic
def seed_billing(*, stdout) -> None:
    today = timezone.localdate()
    # Plans started at the beginning of this year, so today's inbox items have an SLA clock.
    valid_from = date(today.year, 1, 1)
    created = 0
    for slug, spec in DEMO_PLANS.items():
        client = Client.objects.filter(slug=slug).first()
        if client is None or CoveragePlan.objects.filter(client=client).exists():
            continue
        coverage_plan_create(
            acting_user=None,
            client=client,
            federal_state=client.federal_state,
            valid_from=valid_from,
            **spec,
        )
        created += 1
    if not Quote.objects.filter(name=DEMO_QUOTE_NAME).exists():
        quote_create(
            pricing_input=PricingInput(
                pattern=PRESETS["evenings"] | PRESETS["weekends"],
                federal_state="BE",
                holidays_covered=True,
                channels=2,
                comments_per_month=1500,
                response_minutes=60,
                crisis_on_call=False,
                start=first_of_next_month(today),
            ),
            name=DEMO_QUOTE_NAME,
            email="kontakt@cafe-kranich.example",
        )
    stdout.write(f"Billing: {created} coverage plans created, demo quote ready.")
