"""The report's inline SVG charts: well-formed, accessible, escaped, never showing small counts."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from opendeur.report.charts import _nice_max, bar_chart, line_chart, sparkline

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert(1)</script> & "x"'
WEEKS = [f"2026-W{week:02d}" for week in range(36, 44)]


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # raises on anything that is not well-formed XML
    assert root.tag == f"{SVG}svg"
    return root


def _with_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [element for element in root.iter() if name in element.get("class", "").split()]


def _texts(root: ET.Element) -> list[str]:
    return [_text_of(element) for element in root.iter(f"{SVG}text")]


def _text_of(element: ET.Element) -> str:
    return "".join(element.itertext())


def _y_ticks(root: ET.Element) -> list[int]:
    # Dutch thousands separator: "1.000".
    return [int(_text_of(tick).replace(".", "")) for tick in _with_class(root, "chart-y-tick")]


def _line(series: dict[str, list[int | None]], **options: object) -> ET.Element:
    labels = WEEKS[: len(next(iter(series.values()), []))]
    arguments = {"title": "Berichten", "description": "Per week.", "threshold": 5, "id_prefix": "l"}
    return _parse(line_chart(series, labels, **{**arguments, **options}))


def _bars(bars: list[tuple[str, int | None]], **options: object) -> ET.Element:
    arguments = {"title": "Per provincie", "description": "Week.", "threshold": 5, "id_prefix": "b"}
    return _parse(bar_chart(bars, **{**arguments, **options}))


def test_opendeur_report_charts_are_accessible_scalable_images():
    charts = [
        _line({"Huur": [3, 8, None, 12]}),
        _bars([("Groningen", 12), ("Friesland", None)]),
        _parse(sparkline([3, None, 9], label="Nieuw", threshold=5, id_prefix="s")),
    ]
    for root in charts:
        title_id, desc_id = root.get("aria-labelledby").split()
        assert root.get("role") == "img"
        assert root.find(f"{SVG}title").get("id") == title_id
        assert root.find(f"{SVG}desc").get("id") == desc_id
        assert re.fullmatch(r"0 0 \d+ \d+", root.get("viewBox"))
        assert root.get("font-family") in (None, "inherit")
        sizes = [float(e.get("font-size")) for e in root.iter() if e.get("font-size")]
        assert sizes and min(sizes) >= 12
    assert charts[0].get("width") == charts[1].get("width") == "100%"


def test_opendeur_report_charts_line_chart_draws_one_point_per_value():
    root = _line({"Huur": [3, 8, None, 12], "Energie": [None, None, 6, 7]})
    assert len(_with_class(root, "chart-point")) == 8
    assert len(_with_class(root, "chart-small")) == 3
    assert len(_with_class(root, "chart-series")) == 2


def test_opendeur_report_charts_line_breaks_at_a_hidden_value_without_interpolating():
    root = _line({"Huur": [6, 7, None, 9, 10, None, None, 12]})
    (path,) = _with_class(root, "chart-line")
    assert path.get("d").count("M") == 3
    assert path.get("d").count("L") == 2  # 6-7 and 9-10; 12 stands alone


def test_opendeur_report_charts_hidden_value_is_a_hollow_marker_in_the_band_middle():
    root = _line({"Huur": [None, 20]})
    (band,) = _with_class(root, "chart-band")
    (hollow,) = _with_class(root, "chart-small")
    band_middle = float(band.get("y")) + float(band.get("height")) / 2
    marker_y = float(re.search(r"translate\([\d.]+ ([\d.]+)\)", hollow.get("transform"))[1])
    assert marker_y == pytest.approx(band_middle, abs=0.1)
    assert hollow.get("fill") == "#ffffff"
    assert "minder dan 5" in _texts(root)


def test_opendeur_report_charts_band_appears_only_when_a_value_is_hidden():
    root = _line({"Huur": [6, 7, 9]})
    assert _with_class(root, "chart-band") == []
    assert "minder dan 5" not in _texts(root)


def test_opendeur_report_charts_masked_values_read_as_less_than_k_and_reveal_no_number():
    root = _line({"Huur": [None, 12, None]}, threshold=5)
    tips = [_text_of(point.find(f"{SVG}title")) for point in _with_class(root, "chart-small")]
    assert tips == ["Huur, week 36 van 2026: minder dan 5", "Huur, week 38 van 2026: minder dan 5"]
    assert "minder dan 5" in _text_of(root.find(f"{SVG}desc"))
    # The axis and the band depend on k and the shown values only, whatever the hidden counts were.
    assert _y_ticks(root)[-1] == 20
    all_hidden = _line({"Huur": [None, None, None]}, threshold=5)
    assert _y_ticks(all_hidden)[-1] == 10


@pytest.mark.parametrize(
    ("values", "threshold"),
    [([1, 2, 3], 5), ([4, None, 5], 5), ([17, 23], 5), ([1234, None, 999], 10), ([None], 50)],
)
def test_opendeur_report_charts_y_axis_covers_the_data_and_the_threshold(values, threshold):
    ticks = _y_ticks(_line({"Huur": values}, threshold=threshold))
    shown = [value for value in values if value is not None]
    assert ticks[0] == 0
    assert ticks[-1] >= max([*shown, threshold])
    assert ticks == sorted(ticks) and len(set(ticks)) == len(ticks)


@pytest.mark.parametrize(
    ("value", "nice"),
    [(0, 1), (0.4, 1), (1, 1), (1.5, 2), (3, 5), (6, 10), (10, 10), (11, 20), (1234, 2000)],
)
def test_opendeur_report_charts_nice_max_rounds_up_to_one_two_or_five(value, nice):
    assert _nice_max(value) == nice


def test_opendeur_report_charts_line_chart_shows_short_weeks_and_at_most_twelve_ticks():
    labels = [f"2026-W{week:02d}" for week in range(1, 53)]
    svg = line_chart(
        {"Huur": list(range(52))}, labels, title="t", description="", threshold=5, id_prefix="x"
    )
    ticks = [_text_of(tick) for tick in _with_class(_parse(svg), "chart-x-tick")]
    assert 6 <= len(ticks) <= 12
    assert ticks[0] == "W01"
    assert all(re.fullmatch(r"W\d\d", tick) for tick in ticks)


def test_opendeur_report_charts_series_differ_by_shape_and_dash_as_well_as_colour():
    names = ["Huur", "Energie", "Toeslagen", "Schulden", "Incasso", "Overig"]
    root = _line({name: [index + 6, index + 7] for index, name in enumerate(names)})
    lines = _with_class(root, "chart-line")
    assert len({line.get("stroke") for line in lines}) == 6
    assert len({line.get("stroke-dasharray") for line in lines}) == 6
    groups = _with_class(root, "chart-series")
    shapes = {_with_class(group, "chart-point")[0].get("d") for group in groups}
    assert len(shapes) == 6
    legend = [_text_of(entry.find(f"{SVG}title")) for entry in _with_class(root, "chart-legend")]
    assert legend == names


@pytest.mark.parametrize(
    "series", [{}, {"Huur": []}, {"Huur": [0, 0, 0], "Energie": [0, 0, 0]}], ids=str
)
def test_opendeur_report_charts_empty_or_all_zero_line_chart_says_so(series):
    root = _line(series)
    assert "Geen berichten in deze weken" in _texts(root)
    assert _with_class(root, "chart-line") == []
    assert _y_ticks(root)[0] == 0


def test_opendeur_report_charts_hostile_labels_are_escaped_everywhere():
    svgs = [
        line_chart(
            {HOSTILE: [1, None]},
            [HOSTILE, "2026-W02"],
            title=HOSTILE,
            description=HOSTILE,
            threshold=5,
            id_prefix=HOSTILE,
            y_label=HOSTILE,
        ),
        bar_chart(
            [(HOSTILE, 3), (HOSTILE, None)],
            title=HOSTILE,
            description=HOSTILE,
            threshold=5,
            id_prefix=HOSTILE,
            unit=HOSTILE,
        ),
        sparkline([1, None], label=HOSTILE, threshold=5, id_prefix=HOSTILE),
    ]
    for svg in svgs:
        root = _parse(svg)
        assert "<script" not in svg
        assert not any(element.tag.endswith("script") for element in root.iter())
        assert _text_of(root.find(f"{SVG}title")) == HOSTILE
    for svg in svgs[:2]:
        assert HOSTILE in _text_of(_parse(svg).find(f"{SVG}desc"))
        assert any("<script>alert(1)</script>" in text for text in _texts(_parse(svg)))


def test_opendeur_report_charts_ids_are_unique_and_follow_the_prefix():
    first = _bars([("Groningen", None)], id_prefix="Week 36 / Provincies!")
    second = _bars([("Groningen", None)], id_prefix="week-36-onderwerpen")
    first_ids = [element.get("id") for element in first.iter() if element.get("id")]
    second_ids = [element.get("id") for element in second.iter() if element.get("id")]
    assert first_ids == [f"week-36-provincies-{part}" for part in ("title", "desc", "hatch")]
    assert len(set(first_ids + second_ids)) == len(first_ids + second_ids)
    assert all(re.fullmatch(r"[a-z][a-z0-9-]*", id_) for id_ in first_ids + second_ids)
    assert (
        _parse(sparkline([1], label="x", threshold=5, id_prefix="36"))
        .get("aria-labelledby")
        .startswith("chart-36-")
    )


def test_opendeur_report_charts_bar_chart_draws_one_bar_per_row_and_grows():
    three = _bars([("Groningen", 12), ("Friesland", None), ("Drenthe", 0)])
    six = _bars([("Groningen", 12), ("Friesland", None), ("Drenthe", 0)] * 2)
    assert len(_with_class(three, "chart-bar")) == 3
    assert len(_with_class(six, "chart-bar")) == 6
    assert int(six.get("viewBox").split()[3]) > int(three.get("viewBox").split()[3])
    values = [_text_of(value) for value in _with_class(three, "chart-value")]
    assert values == ["12", "< 5", "0"]


def test_opendeur_report_charts_hidden_bar_is_a_hatched_stub_exactly_k_long():
    root = _bars([("Groningen", 10), ("Friesland", None)], threshold=5)
    real, stub = _with_class(root, "chart-bar")
    assert "chart-small" in stub.get("class")
    assert stub.get("fill") == "url(#b-hatch)" and real.get("fill") != stub.get("fill")
    assert float(stub.get("width")) == pytest.approx(float(real.get("width")) / 2, abs=0.1)
    row = _with_class(root, "chart-row")[1]
    assert [_text_of(text) for text in row.iter(f"{SVG}text")] == ["Friesland", "< 5"]
    assert _text_of(row.find(f"{SVG}title")) == "Friesland: minder dan 5 signalen"
    assert "minder dan 5 signalen" in _texts(root)


def test_opendeur_report_charts_long_bar_labels_are_cut_with_the_full_label_on_hover():
    label = "Noord-Brabant, Zeeland en de rest van het zuiden"
    root = _bars([(label, 7), ("Utrecht", 3)])
    texts = [_text_of(text) for text in _with_class(root, "chart-label")]
    assert texts[0].endswith("…") and len(texts[0]) <= 28 and label.startswith(texts[0][:-1])
    assert texts[1] == "Utrecht"
    row = _with_class(root, "chart-row")[0]
    assert _text_of(row.find(f"{SVG}title")).startswith(f"{label}: 7")


def test_opendeur_report_charts_comparison_draws_a_tick_per_known_mean():
    bars = [("Groningen", 12), ("Friesland", None), ("Drenthe", 3)]
    root = _bars(bars, comparison=[10.5, None, 2.25])
    assert len(_with_class(root, "chart-mark")) == 2
    assert "gemiddelde vorige 4 weken" in _texts(root)
    assert "gemiddelde vorige 4 weken 10,5" in _text_of(root.find(f"{SVG}desc"))
    without = _bars(bars, comparison=[None, None, None])
    assert _with_class(without, "chart-mark") == []
    with pytest.raises(ValueError, match="comparison"):
        bar_chart(bars, title="t", description="", threshold=5, id_prefix="b", comparison=[1.0])


def test_opendeur_report_charts_empty_bar_chart_says_so():
    root = _bars([])
    assert _texts(root) == ["Geen gegevens"]
    assert _with_class(root, "chart-bar") == []


def test_opendeur_report_charts_sparkline_is_small_titled_and_breaks_at_gaps():
    root = _parse(sparkline([3, 8, None, 12, 15], label="Nieuw", threshold=5, id_prefix="s"))
    assert (root.get("width"), root.get("height")) == ("120", "28")
    assert _text_of(root.find(f"{SVG}title")) == "Nieuw"
    (path,) = _with_class(root, "chart-line")
    assert path.get("d").count("M") == 2
    assert len(_with_class(root, "chart-point")) == 5
    assert "hoogste 15" in _text_of(root.find(f"{SVG}desc"))
    assert _parse(sparkline([], label="Nieuw", threshold=5, id_prefix="s")) is not None


def test_opendeur_report_charts_highest_value_is_not_claimed_when_a_hidden_count_could_be_higher():
    root = _parse(sparkline([3, None, 2], label="Nieuw", threshold=5, id_prefix="s"))
    assert "hoogste" not in _text_of(root.find(f"{SVG}desc"))


def test_opendeur_report_charts_refuse_bad_input():
    with pytest.raises(ValueError, match="threshold"):
        sparkline([1], label="x", threshold=0, id_prefix="s")
    with pytest.raises(ValueError, match="Huur"):
        line_chart({"Huur": [1, 2]}, WEEKS, title="t", description="", threshold=5, id_prefix="l")
