"""The window a report covers, and the filter form that chooses it."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

AGENCY_TIME_ZONE = ZoneInfo("Europe/Berlin")
DEFAULT_DAYS = 30
MAX_DAYS = 400
# Reports cover days from 2000 to 2099: near the calendar's ends (years 1 and 9999) the period
# arithmetic (30 days around a day, the day after the end, the period before) left it, a 500.
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2099, 12, 31)


def validate_report_day(value: date) -> None:
    """A report's first or last day lies from EARLIEST_DAY to LATEST_DAY (the form and the API)."""
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise ValidationError(
            _("Choose a day from %(earliest)s to %(latest)s."),
            code="out_of_range",
            params={
                "earliest": date_format(EARLIEST_DAY, "SHORT_DATE_FORMAT"),
                "latest": date_format(LATEST_DAY, "SHORT_DATE_FORMAT"),
            },
        )


class Granularity(models.TextChoices):
    DAY = "day", _("Day")
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")


@dataclass(frozen=True)
class ReportPeriod:
    """Whole local days: `start` inclusive, `end` exclusive, both aware, in `time_zone`."""

    first_day: date
    last_day: date
    time_zone: ZoneInfo

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, time.min, tzinfo=self.time_zone)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last_day + timedelta(days=1), time.min, tzinfo=self.time_zone)

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def previous(self) -> "ReportPeriod":
        """The period of the same number of days just before this one (for rising topics)."""
        return ReportPeriod(
            first_day=self.first_day - timedelta(days=self.days),
            last_day=self.first_day - timedelta(days=1),
            time_zone=self.time_zone,
        )

    @classmethod
    def month(cls, *, year: int, month: int, time_zone: ZoneInfo) -> "ReportPeriod":
        first = date(year, month, 1)
        following = date(year + month // 12, month % 12 + 1, 1)
        return cls(first_day=first, last_day=following - timedelta(days=1), time_zone=time_zone)

    @classmethod
    def last_days(cls, *, days: int, today: date, time_zone: ZoneInfo) -> "ReportPeriod":
        return cls(first_day=today - timedelta(days=days - 1), last_day=today, time_zone=time_zone)


@dataclass(frozen=True)
class ReportFilter:
    period: ReportPeriod
    channel_id: int | None = None
    client_id: int | None = None
    granularity: str = Granularity.DAY


class ReportFilterForm(forms.Form):
    """GET filters of every report page; invalid input falls back to the last 30 days."""

    start = forms.DateField(
        label=_("From"),
        required=False,
        validators=[validate_report_day],
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = forms.DateField(
        label=_("To"), required=False, validators=[validate_report_day], widget=forms.DateInput(attrs={"type": "date"})
    )
    channel = forms.TypedChoiceField(label=_("Channel"), required=False, coerce=int, empty_value=None)
    client = forms.TypedChoiceField(label=_("Client"), required=False, coerce=int, empty_value=None)
    granularity = forms.ChoiceField(
        label=_("Interval"), required=False, choices=Granularity.choices, initial=Granularity.DAY
    )

    def __init__(self, data=None, *, time_zone: ZoneInfo, today: date, channels=None, clients=None):
        super().__init__(data=data or None)
        self.time_zone = time_zone
        self.today = today
        everything = [("", _("All"))]
        if channels is None:
            del self.fields["channel"]
        else:
            self.fields["channel"].choices = everything + [(channel.pk, channel.name) for channel in channels]
        if clients is None:
            del self.fields["client"]
        else:
            self.fields["client"].choices = everything + [(client.pk, client.name) for client in clients]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            raise forms.ValidationError(_("The end date lies before the start date."))
        if start and end and (end - start).days + 1 > MAX_DAYS:
            raise forms.ValidationError(_("Choose at most %(days)s days.") % {"days": MAX_DAYS})
        return cleaned

    def report_filter(self) -> ReportFilter:
        if not self.is_bound or not self.is_valid():
            return report_filter_build(time_zone=self.time_zone, today=self.today)
        return report_filter_build(
            time_zone=self.time_zone,
            today=self.today,
            start=self.cleaned_data.get("start"),
            end=self.cleaned_data.get("end"),
            channel_id=self.cleaned_data.get("channel"),
            client_id=self.cleaned_data.get("client"),
            granularity=self.cleaned_data.get("granularity") or Granularity.DAY,
        )


def report_filter_build(
    *,
    time_zone: ZoneInfo,
    today: date,
    start: date | None = None,
    end: date | None = None,
    channel_id: int | None = None,
    client_id: int | None = None,
    granularity: str = Granularity.DAY,
) -> ReportFilter:
    """A filter from optional dates: a missing end is 30 days after the start (not after today), and vice versa."""
    if start and not end:
        end = max(start, min(today, start + timedelta(days=DEFAULT_DAYS - 1)))
    if end and not start:
        start = end - timedelta(days=DEFAULT_DAYS - 1)
    if start and end:
        period = ReportPeriod(first_day=start, last_day=end, time_zone=time_zone)
    else:
        period = ReportPeriod.last_days(days=DEFAULT_DAYS, today=today, time_zone=time_zone)
    return ReportFilter(period=period, channel_id=channel_id, client_id=client_id, granularity=granularity)
