"""Server-rendered SVG bar charts: geometry here, drawing in templates/insights/_chart.html
(bars standing on a shared axis) and templates/insights/_ranked_chart.html (a ranked list).

No JavaScript and nothing from a CDN; every bar carries a <title> with its exact value, and
the table beside each chart holds the same numbers for screen readers and export.
"""

from dataclasses import dataclass, field

from django.utils.formats import number_format

WIDTH = 720
HEIGHT = 220
PADDING_LEFT = 44
PADDING_BOTTOM = 34
PADDING_TOP = 12
MAX_X_LABELS = 14
# About the width of one character of an axis label (11px sans-serif): on a time axis, longer
# labels ("from Nov 16") are spaced further apart instead of running into each other.
LABEL_CHARACTER_WIDTH = 6.5
# A ranked chart is drawn at the page's text size, not scaled with the card: one row per label,
# its label on a line of its own above its bar. Longer labels end in "…" (the tooltip has them whole).
RANKED_ROW_HEIGHT = 32
RANKED_LABEL_MAX_CHARACTERS = 28


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    css_class: str
    title: str


@dataclass
class Marker:
    x: float
    css_class: str
    title: str


@dataclass
class Chart:
    title: str
    width: int = WIDTH
    height: int = HEIGHT
    bars: list[Bar] = field(default_factory=list)
    x_labels: list[tuple[float, str]] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)
    max_value: float = 0
    plot_left: int = PADDING_LEFT
    plot_bottom: int = HEIGHT - PADDING_BOTTOM
    plot_top: int = PADDING_TOP

    @property
    def is_empty(self) -> bool:
        return self.max_value <= 0


@dataclass
class RankedSegment:
    css_class: str
    start: float  # where it begins, in per cent of the chart's width
    percent: float  # its length, in per cent of the chart's width
    title: str  # the tooltip: the row's label, the series and its value


@dataclass
class RankedRow:
    label: str  # as drawn, shortened to RANKED_LABEL_MAX_CHARACTERS
    value: str  # the number at the end of the label's line (the row's total)
    y: int  # the row's top
    title: str  # the tooltip: the whole label and the value
    segments: list[RankedSegment]  # the bar, one segment per series with a value, end to end

    @property
    def percent(self) -> float:
        """The bar's length, in per cent of the chart's width (the largest total is 100)."""
        return round(sum(segment.percent for segment in self.segments), 1)


@dataclass
class RankedChart:
    title: str
    rows: list[RankedRow] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (css class, series label)

    @property
    def height(self) -> int:
        return len(self.rows) * RANKED_ROW_HEIGHT

    @property
    def is_empty(self) -> bool:
        return not self.rows


def nice_maximum(value: float) -> float:
    """The axis top: the value rounded up to 1, 2 or 5 times a power of ten."""
    if value <= 0:
        return 0
    magnitude = 1.0
    while magnitude * 10 <= value:
        magnitude *= 10
    while magnitude > value:
        magnitude /= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return value


def stacked_bars(
    *,
    title: str,
    labels: list[str],
    series: list[tuple[str, str, list[float | None]]],
    markers: list[tuple[int, str, str]] = (),
    unit: str = "",
    bar_titles: list[str] | None = None,
    time_axis: bool = False,
) -> Chart:
    """One bar per label, the series stacked bottom-up; `series` = (legend label, css class, values).

    `markers` = (label index, css class, title): a vertical line through that bar (a crisis, a spike).
    `bar_titles` name the bars in their tooltips where the axis label is short for more (a week's days).
    On a `time_axis` (days, weeks) only as many labels are drawn as fit side by side; elsewhere
    every bar up to MAX_X_LABELS keeps its label.
    """
    chart = Chart(title=title, legend=[(css_class, name) for name, css_class, _values in series])
    totals = [sum(values[index] or 0 for _name, _css, values in series) for index in range(len(labels))]
    chart.max_value = nice_maximum(max(totals, default=0))
    if not labels:
        return chart
    plot_width = chart.width - chart.plot_left - 8
    plot_height = chart.plot_bottom - chart.plot_top
    slot = plot_width / len(labels)
    bar_width = max(1.0, slot * 0.72)
    scale = plot_height / chart.max_value if chart.max_value else 0
    most_labels = MAX_X_LABELS
    if time_axis:
        fitting = int(plot_width // (max(len(label) for label in labels) * LABEL_CHARACTER_WIDTH + 8))
        most_labels = max(1, min(MAX_X_LABELS, fitting))
    label_every = max(1, -(-len(labels) // most_labels))
    for index, label in enumerate(labels):
        bar_title = bar_titles[index] if bar_titles else label
        x = chart.plot_left + index * slot + (slot - bar_width) / 2
        bottom = float(chart.plot_bottom)
        for name, css_class, values in series:
            value = values[index] or 0
            if value <= 0:
                continue
            height = value * scale
            bottom -= height
            chart.bars.append(
                Bar(
                    x=round(x, 1),
                    y=round(bottom, 1),
                    width=round(bar_width, 1),
                    height=round(height, 1),
                    css_class=css_class,
                    title=f"{bar_title} · {name}: {format_value(value)}{unit}",
                )
            )
        if index % label_every == 0:
            chart.x_labels.append((round(x + bar_width / 2, 1), label))
    for index, css_class, marker_title in markers:
        if 0 <= index < len(labels):
            chart.markers.append(
                Marker(x=round(chart.plot_left + (index + 0.5) * slot, 1), css_class=css_class, title=marker_title)
            )
    return chart


def bars(
    *, title: str, labels: list[str], values: list[float | None], name: str, css_class: str = "bar", unit: str = ""
) -> Chart:
    return stacked_bars(title=title, labels=labels, series=[(name, css_class, values)], unit=unit)


def ranked_bars(*, title: str, labels: list[str], values: list[float], name: str, unit: str = "") -> RankedChart:
    """Horizontal bars in the order given (largest first), each label on its own line: long words
    (German compounds like "alkoholfreie") never run into their neighbours, at any width."""
    return ranked_stacked_bars(title=title, labels=labels, series=[(name, "bar", values)], unit=unit)


def ranked_stacked_bars(
    *, title: str, labels: list[str], series: list[tuple[str, str, list[float]]], unit: str = ""
) -> RankedChart:
    """ranked_bars with the series (legend label, css class, values) end to end in each row's bar,
    the row's total at the end of its label's line: as many rows as labels (fifty clients stay
    fifty readable names, where an axis under standing bars had room for a few)."""
    totals = [sum(values[index] or 0 for _name, _css, values in series) for index in range(len(labels))]
    largest = max(totals, default=0)
    chart = RankedChart(title=title, legend=[(css_class, name) for name, css_class, _values in series])
    if largest <= 0:
        return chart
    for index, (label, total) in enumerate(zip(labels, totals, strict=True)):
        shown = label if len(label) <= RANKED_LABEL_MAX_CHARACTERS else label[: RANKED_LABEL_MAX_CHARACTERS - 1] + "…"
        segments, start = [], 0.0
        for name, css_class, values in series:
            value = values[index] or 0
            if value <= 0:
                continue
            percent = round(100 * value / largest, 1)
            segments.append(RankedSegment(css_class, start, percent, f"{label} · {name}: {format_value(value)}{unit}"))
            start = round(start + percent, 1)
        written = f"{format_value(total)}{unit}"
        row_title = segments[0].title if len(series) == 1 else f"{label}: {written}"
        chart.rows.append(
            RankedRow(label=shown, value=written, y=index * RANKED_ROW_HEIGHT, title=row_title, segments=segments)
        )
    return chart


def format_value(value: float) -> str:
    """A bar's value in its tooltip, in the active language (German 12,5)."""
    return number_format(value, decimal_pos=0 if float(value).is_integer() else 1)
