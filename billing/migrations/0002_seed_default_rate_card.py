"""Version 1 of the rate card: base rate and the German §3b EStG surcharges as defaults."""

from decimal import Decimal

from django.db import migrations

DEFAULT_RATE_CARD = {
    "version": 1,
    "is_active": True,
    "base_hourly_rate": Decimal("42.00"),
    "night_pct": Decimal("25"),
    "deep_night_pct": Decimal("40"),
    "sunday_pct": Decimal("50"),
    "holiday_pct": Decimal("125"),
    "special_holiday_pct": Decimal("150"),
    "channel_monthly_fee": Decimal("90.00"),
    "setup_fee": Decimal("490.00"),
    "crisis_on_call_monthly_fee": Decimal("350.00"),
    "handling_minutes_per_item": Decimal("4.00"),
    "service_level_target_pct": Decimal("80"),
    "vat_pct": Decimal("19"),
    "note": "Defaults: §3b EStG surcharges",
}


def seed(apps, schema_editor):
    RateCard = apps.get_model("billing", "RateCard")
    if not RateCard.objects.exists():
        RateCard.objects.create(**DEFAULT_RATE_CARD)


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_rate_cards_quotes_coverage_plans")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
