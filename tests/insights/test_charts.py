"""Chart geometry: what the SVG templates draw."""

from insights import charts


def test_ranked_bars_give_every_label_a_line_of_its_own():
    chart = charts.ranked_bars(
        title="Top keywords", labels=["weißbier", "alkoholfreie", "empfehlenswert"], values=[44, 42, 22], name="Items"
    )

    assert [(row.label, row.y, row.percent, row.value) for row in chart.rows] == [
        ("weißbier", 0, 100.0, "44"),
        ("alkoholfreie", charts.RANKED_ROW_HEIGHT, 95.5, "42"),
        ("empfehlenswert", 2 * charts.RANKED_ROW_HEIGHT, 50.0, "22"),
    ]
    assert chart.height == 3 * charts.RANKED_ROW_HEIGHT
    assert chart.rows[1].title == "alkoholfreie · Items: 42"


def test_a_label_too_long_for_its_line_is_shortened_and_whole_in_its_tooltip():
    word = "Donaudampfschifffahrtsgesellschaftskapitän"  # 42 characters

    chart = charts.ranked_bars(title="Top keywords", labels=[word], values=[3], name="Items")

    assert chart.rows[0].label == word[: charts.RANKED_LABEL_MAX_CHARACTERS - 1] + "…"
    assert chart.rows[0].title == f"{word} · Items: 3"


def test_nothing_to_rank_draws_no_chart():
    assert charts.ranked_bars(title="Top keywords", labels=[], values=[], name="Items").is_empty


def test_ranked_stacked_bars_lay_the_series_end_to_end_and_total_them():
    chart = charts.ranked_stacked_bars(
        title="Waiting per client",
        labels=["Brauhaus Isartal", "Nordlicht Energie"],
        series=[("Past SLA", "bar-danger", [2, 0]), ("Other waiting", "bar", [6, 4])],
    )

    brauhaus, nordlicht = chart.rows
    assert (brauhaus.value, brauhaus.percent, nordlicht.value, nordlicht.percent) == ("8", 100.0, "4", 50.0)
    assert [(segment.css_class, segment.start, segment.percent) for segment in brauhaus.segments] == [
        ("bar-danger", 0.0, 25.0),
        ("bar", 25.0, 75.0),
    ]
    assert [segment.css_class for segment in nordlicht.segments] == ["bar"]  # nothing past SLA: no segment
    assert brauhaus.segments[0].title == "Brauhaus Isartal · Past SLA: 2"
    assert chart.legend == [("bar-danger", "Past SLA"), ("bar", "Other waiting")]
