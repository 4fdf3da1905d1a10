"""The public pricing API: the same engine and rate card as the calculator page."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from communityops.models import FederalState

from .pricing import (
    CATEGORIES,
    MAX_CHANNELS,
    MAX_COMMENTS_PER_MONTH,
    MAX_MONTHS,
    RESPONSE_TIME_CHOICES,
    PricingInput,
    WeeklyPattern,
    first_of_next_month,
)
from .services import quote_price
from .validators import validate_quote_start, validate_window_hours


class QuoteApi(APIView):
    """Price a weekly coverage pattern. Public and rate limited (scope `public_quote`)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []  # public: no session, so no CSRF check for anonymous posts
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "public_quote"

    @extend_schema_serializer(component_name="BillingQuoteInput")
    class InputSerializer(serializers.Serializer):
        @extend_schema_serializer(component_name="BillingCoverageWindow")
        class WindowSerializer(serializers.Serializer):
            weekday = serializers.IntegerField(min_value=0, max_value=6, help_text="0 = Monday")
            start_hour = serializers.IntegerField(min_value=0, max_value=23)
            end_hour = serializers.IntegerField(
                min_value=1,
                max_value=24,
                help_text="Exclusive; before start_hour runs past midnight; equal to start_hour is refused"
                " (a whole day is 0 to 24).",
            )

            def validate(self, attrs):
                validate_window_hours(attrs["start_hour"], attrs["end_hour"])
                return attrs

        coverage = WindowSerializer(many=True, allow_empty=False)
        federal_state = serializers.ChoiceField(choices=FederalState.choices)
        holidays_covered = serializers.BooleanField(default=False)
        channels = serializers.IntegerField(min_value=1, max_value=MAX_CHANNELS, default=1)
        comments_per_month = serializers.IntegerField(min_value=0, max_value=MAX_COMMENTS_PER_MONTH)
        response_minutes = serializers.ChoiceField(choices=RESPONSE_TIME_CHOICES)
        crisis_on_call = serializers.BooleanField(default=False)
        start = serializers.DateField(
            required=False,
            validators=[validate_quote_start],
            help_text="Default: the first day of next month. Not before today (Europe/Berlin).",
        )
        months = serializers.IntegerField(min_value=1, max_value=MAX_MONTHS, default=12)

    @extend_schema_serializer(component_name="BillingQuote")
    class OutputSerializer(serializers.Serializer):
        @extend_schema_serializer(component_name="BillingQuoteMonth")
        class MonthSerializer(serializers.Serializer):
            month = serializers.DateField()
            hours = serializers.DictField(child=serializers.IntegerField())
            covered_hours = serializers.IntegerField()
            agent_hours = serializers.IntegerField()
            labour = serializers.DecimalField(max_digits=14, decimal_places=2)
            surcharges = serializers.DecimalField(max_digits=14, decimal_places=2)
            channel_fees = serializers.DecimalField(max_digits=14, decimal_places=2)
            crisis_fee = serializers.DecimalField(max_digits=14, decimal_places=2)
            setup_fee = serializers.DecimalField(max_digits=14, decimal_places=2)
            net = serializers.DecimalField(max_digits=14, decimal_places=2)

        @extend_schema_serializer(component_name="BillingQuoteCategory")
        class CategorySerializer(serializers.Serializer):
            category = serializers.ChoiceField(choices=CATEGORIES)
            hours = serializers.IntegerField()
            agent_hours = serializers.IntegerField()
            surcharge_pct = serializers.DecimalField(max_digits=6, decimal_places=2)

        rate_card_version = serializers.IntegerField()
        period_start = serializers.DateField()
        period_end = serializers.DateField(help_text="Exclusive.")
        contract_months = serializers.IntegerField(
            help_text="Months of the period. When it does not start on the 1st, `months` has one more"
            " (partial) calendar month at the end, which carries hours but no monthly fees."
        )
        months = MonthSerializer(many=True)
        categories = CategorySerializer(many=True)
        covered_hours = serializers.IntegerField()
        agent_hours = serializers.IntegerField()
        peak_agents = serializers.IntegerField()
        labour = serializers.DecimalField(max_digits=14, decimal_places=2)
        surcharges = serializers.DecimalField(max_digits=14, decimal_places=2)
        channel_fees = serializers.DecimalField(max_digits=14, decimal_places=2)
        crisis_fees = serializers.DecimalField(max_digits=14, decimal_places=2)
        setup_fee = serializers.DecimalField(max_digits=14, decimal_places=2)
        net = serializers.DecimalField(max_digits=14, decimal_places=2)
        vat_pct = serializers.DecimalField(max_digits=6, decimal_places=2)
        vat = serializers.DecimalField(max_digits=14, decimal_places=2)
        gross = serializers.DecimalField(max_digits=14, decimal_places=2)
        monthly_average_net = serializers.DecimalField(max_digits=14, decimal_places=2)
        monthly_recurring_net = serializers.DecimalField(
            max_digits=14, decimal_places=2, help_text="Monthly average without the one-off setup fee."
        )

    @extend_schema(
        operation_id="billing_quote_price",
        summary="Price a weekly coverage pattern",
        request=InputSerializer,
        responses={200: OutputSerializer},
        auth=[],
        examples=[
            OpenApiExample(
                "Evenings in Bavaria",
                request_only=True,
                value={
                    "coverage": [{"weekday": day, "start_hour": 17, "end_hour": 22} for day in range(5)],
                    "federal_state": "BY",
                    "holidays_covered": False,
                    "channels": 2,
                    "comments_per_month": 2000,
                    "response_minutes": 60,
                    "crisis_on_call": False,
                    "months": 12,
                },
            )
        ],
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        pricing_input = PricingInput.from_fields(
            data,
            pattern=WeeklyPattern.from_windows(
                (window["weekday"], window["start_hour"], window["end_hour"]) for window in data["coverage"]
            ),
            start=data.get("start") or first_of_next_month(timezone.localdate()),
        )
        _rate_card, result = quote_price(pricing_input=pricing_input)
        return Response(self.OutputSerializer(result.to_dict()).data)
