"""Inline SVG charts for the weekly report: readable on screen, on paper and by screen readers.

The charts are SVG strings placed in the report's HTML, which headless Chromium also prints to
PDF, so they use no scripts, fonts or files. Rules that hold for all of them:

- Every piece of text that comes from data is XML-escaped: labels can be hostile.
- A count below the privacy threshold k (DESIGN §5) arrives as ``None`` and is shown as "< k",
  never as a number. A line breaks there, with a hollow marker in the middle of a shaded band from
  0 to k (drawn only when some value is hidden); a bar becomes a hatched stub exactly k long.
  Nothing in the output, axis scale included, depends on a hidden value.
- Series differ by marker shape and dash pattern as well as by colour (Okabe–Ito), so they survive
  greyscale printing and colour blindness.

The visible heading belongs to the HTML around a chart; ``title`` is its accessible name. Ids are
``{id_prefix}-title``, ``-desc`` and ``-hatch``: give every chart on a page its own prefix.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from itertools import groupby

_Point = tuple[float, float]
_Cell = tuple[float, str, int | None]  # x position, week label, count

# Okabe–Ito without its yellow, which is unreadable on white paper.
_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
_DASHES = ("none", "8 4", "2 3", "8 3 2 3", "4 4", "12 3")
# Marker outlines around (0, 0), about 1 unit in radius, scaled per chart.
_MARKERS = ("M-1 0a1 1 0 1 0 2 0a1 1 0 1 0-2 0", "M-1-1h2v2h-2z", "M0-1.3l1.2 2.3h-2.4z")
_MARKERS += ("M0-1.4l1.4 1.4-1.4 1.4-1.4-1.4z", "M0 1.3l1.2-2.3h-2.4z")
_MARKERS += ("M-.6-1.1h1.2l.6 1.1-.6 1.1h-1.2l-.6-1.1z",)
_INK, _GRID, _BAND, _HATCH = "#222222", "#cccccc", "#e8e8e8", "#555555"
_LINE_STROKE = {"stroke_width": 2, "stroke_linejoin": "round"}
_MARKER_STROKE = {"stroke_width": 1.5, "vector_effect": "non-scaling-stroke"}
_HALO = {"paint_order": "stroke", "stroke": "#ffffff", "stroke_width": 3}
_MEAN = "gemiddelde vorige 4 weken"
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_WIDTH, _MAX_LABEL, _MAX_LEGEND, _MAX_TICKS = 640, 28, 34, 12
# Geometry in viewBox units: line chart plot area, bar chart columns, sparkline box.
_PLOT_LEFT, _PLOT_RIGHT, _PLOT_TOP, _PLOT_BOTTOM, _LEGEND_TOP = 56, 624, 16, 226, 266
_LABEL_RIGHT, _BAR_LEFT, _BAR_RIGHT, _ROW, _BAR_HEIGHT, _BARS_TOP = 196, 204, 580, 26, 16, 8
_SPARK_WIDTH, _SPARK_HEIGHT, _SPARK_PAD = 120, 28, 3


def line_chart(
    series: Mapping[str, Sequence[int | None]],
    x_labels: Sequence[str],
    *,
    title: str,
    description: str,
    threshold: int,
    id_prefix: str,
    y_label: str = "berichten",
) -> str:
    """Weekly counts per series as lines; ``None`` (a count below ``threshold``) breaks the line."""
    _check_threshold(threshold)
    for name, row in series.items():
        if len(row) != len(x_labels):
            raise ValueError(f"series {name!r} has {len(row)} values for {len(x_labels)} labels")
    prefix = _safe_prefix(id_prefix)
    values = [value for row in series.values() for value in row]
    y = _Axis.fit(values, threshold, _PLOT_BOTTOM, _PLOT_TOP)
    xs = _spread(len(x_labels), _PLOT_LEFT + 12, _PLOT_RIGHT - 12)
    hidden = None in values
    body = [_band(y, threshold, _PLOT_LEFT, _PLOT_RIGHT)] if hidden else []
    body.append(_axes(y, y_label, x_labels, xs))
    if all(value == 0 for value in values):
        empty = f"Geen {y_label} in deze weken"
        middle = (_PLOT_TOP + _PLOT_BOTTOM) / 2
        body.append(_text((_PLOT_LEFT + _PLOT_RIGHT) / 2, middle, empty, "middle"))
        return _svg(prefix, (_WIDTH, _PLOT_BOTTOM + 36), title, f"{description} {empty}.", body)
    for style, (name, row) in enumerate(series.items()):
        body.append(_series(style, name, list(zip(xs, x_labels, row, strict=True)), y, threshold))
    body += [_band_label(y, threshold, _PLOT_RIGHT) if hidden else "", _legend(list(series))]
    words = [description, *_line_words(series, x_labels, threshold, y_label)]
    height = _LEGEND_TOP + math.ceil(len(series) / 2) * 20
    return _svg(prefix, (_WIDTH, height), title, " ".join(words), body)


def bar_chart(
    bars: Sequence[tuple[str, int | None]],
    *,
    title: str,
    description: str,
    threshold: int,
    id_prefix: str,
    unit: str = "signalen",
    comparison: Sequence[float | None] | None = None,
) -> str:
    """Horizontal bars with the value at the end; ``None`` is a hatched stub ``threshold`` long.

    ``comparison`` holds one already-masked number per bar (e.g. the mean of the previous four
    weeks), drawn as a thin tick across the bar; ``None`` draws no tick.
    """
    _check_threshold(threshold)
    prefix = _safe_prefix(id_prefix)
    marks = list(comparison) if comparison is not None else [None] * len(bars)
    if len(marks) != len(bars):
        raise ValueError(f"comparison has {len(marks)} values for {len(bars)} bars")
    if not bars:
        body = [_text(_WIDTH / 2, 28, "Geen gegevens", "middle")]
        return _svg(prefix, (_WIDTH, 48), title, f"{description} Geen gegevens.", body)
    x = _Axis.fit([*(value for _, value in bars), *marks], threshold, _BAR_LEFT, _BAR_RIGHT)
    hidden = any(value is None for _, value in bars)
    bottom = _BARS_TOP + len(bars) * _ROW
    axis = _line(_BAR_LEFT, _BARS_TOP, _BAR_LEFT, bottom)
    body = [_hatch_pattern(prefix) if hidden else "", axis]
    rows = [(label, value, mark) for (label, value), mark in zip(bars, marks, strict=True)]
    for index, row in enumerate(rows):
        body.append(_bar_row(prefix, _BARS_TOP + index * _ROW, row, x, threshold, unit))
    marked = any(mark is not None for mark in marks)
    body.append(_bar_legend(prefix, bottom, hidden, marked, f"minder dan {threshold} {unit}"))
    desc = f"{description} {'; '.join(_bar_words(*row, threshold, unit) for row in rows)}."
    if hidden:
        desc += f" Een gearceerde balk betekent minder dan {threshold} {unit}."
    return _svg(prefix, (_WIDTH, bottom + (32 if hidden or marked else 8)), title, desc, body)


def sparkline(values: Sequence[int | None], *, label: str, threshold: int, id_prefix: str) -> str:
    """A small line with dots next to a headline figure; ``None`` leaves a gap.

    Unlike the other charts it has a fixed size (120 × 28), so it can sit inside a sentence.
    """
    _check_threshold(threshold)
    y = _Axis.fit(values, threshold, _SPARK_HEIGHT - _SPARK_PAD, _SPARK_PAD)
    xs = _spread(len(values), _SPARK_PAD, _SPARK_WIDTH - _SPARK_PAD)
    body = [_band(y, threshold, 0, _SPARK_WIDTH)] if None in values else []
    cells = [(x, "", value) for x, value in zip(xs, values, strict=True)]
    body.append(_series(0, label, cells, y, threshold, 1.5))
    size = (_SPARK_WIDTH, _SPARK_HEIGHT)
    return _svg(_safe_prefix(id_prefix), size, label, _spark_words(values, threshold), body, True)


@dataclass(frozen=True)
class _Axis:
    """Maps counts 0..top onto the viewBox coordinates ``zero``..``full``."""

    top: int
    zero: float
    full: float

    @classmethod
    def fit(cls, values: Sequence[float | None], threshold: int, zero: float, full: float) -> _Axis:
        # Above k, so the "< k" band or stub never fills the chart; hidden values play no part.
        top = _nice_max(max([threshold + 1, *(value for value in values if value is not None)]))
        return cls(top, zero, full)

    def at(self, value: float) -> float:
        return self.zero + (self.full - self.zero) * value / self.top


def _check_threshold(threshold: int) -> None:
    # None means "somewhere from 0 to k - 1": without a positive k that says nothing.
    if threshold < 1:
        raise ValueError(f"threshold must be at least 1, got {threshold}")


def _safe_prefix(id_prefix: str) -> str:
    cleaned = re.sub(r"[^a-z0-9-]+", "-", id_prefix.lower()).strip("-")
    # An id starting with a digit is no valid XML name nor a plain CSS selector.
    return cleaned if cleaned[:1].isalpha() else f"chart-{cleaned}".rstrip("-")


def _nice_max(value: float) -> int:
    """The smallest 1, 2 or 5 × 10ⁿ that is at least ``value``, and at least 1."""
    if value <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    return next(int(step * magnitude) for step in (1, 2, 5, 10) if step * magnitude >= value)


def _spread(count: int, left: float, right: float) -> list[float]:
    if count == 1:
        return [(left + right) / 2]
    return [left + (right - left) * index / (count - 1) for index in range(count)]


def _number(value: float, decimals: int = 0) -> str:
    """Dutch notation: 1.234 and 4,5."""
    return f"{value:,.{decimals}f}".translate(str.maketrans(",.", ".,"))


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _week(label: str, short: bool = False) -> str:
    match = _WEEK.match(label)
    if not match:
        return _truncate(label, 8) if short else label
    return f"W{match[2]}" if short else f"week {int(match[2])} van {match[1]}"


def _spoken(value: int | None, threshold: int) -> str:
    return f"minder dan {threshold}" if value is None else _number(value)


def _el(tag: str, inner: str = "", **attributes: object) -> str:
    """One element; ``stroke_width`` becomes ``stroke-width``, ``class_`` becomes ``class``."""
    pairs = "".join(
        f' {name.rstrip("_").replace("_", "-")}="{_attribute(value)}"'
        for name, value in attributes.items()
    )
    return f"<{tag}{pairs}>{inner}</{tag}>" if inner else f"<{tag}{pairs}/>"


def _attribute(value: object) -> str:
    # One decimal is finer than a printed pixel and keeps the markup short.
    return f"{value:.1f}" if isinstance(value, float) else escape(str(value))


def _svg(
    prefix: str, size: _Point, title: str, desc: str, body: list[str], fixed: bool = False
) -> str:
    width, height = size
    # Fixed-size charts keep their pixels; the others scale with the page or the printed column.
    scaling = f'width="{width}" height="{height}"' if fixed else 'width="100%"'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'{scaling} aria-labelledby="{prefix}-title {prefix}-desc" font-family="inherit" '
        f'font-size="12"><title id="{prefix}-title">{escape(title)}</title>'
        f'<desc id="{prefix}-desc">{escape(desc.strip())}</desc>{"".join(body)}</svg>'
    )


def _text(x: float, y: float, content: str, anchor: str = "start", **extra: object) -> str:
    return _el("text", escape(content), x=x, y=y, text_anchor=anchor, fill=_INK, **extra)


def _line(x1: float, y1: float, x2: float, y2: float, colour: str = _INK, width: float = 1) -> str:
    return _el("line", x1=x1, y1=y1, x2=x2, y2=y2, stroke=colour, stroke_width=width)


def _axes(y: _Axis, y_label: str, labels: Sequence[str], xs: Sequence[float]) -> str:
    parts = []
    for value in range(0, y.top + 1, _nice_max(y.top / 5)):
        at = y.at(value)
        parts.append(_line(_PLOT_LEFT, at, _PLOT_RIGHT, at, _INK if value == 0 else _GRID))
        parts.append(_text(_PLOT_LEFT - 6, at + 4, _number(value), "end", class_="chart-y-tick"))
    # At most _MAX_TICKS week labels, so they never run into each other.
    for index in range(0, len(labels), max(1, math.ceil(len(labels) / _MAX_TICKS))):
        x, text = xs[index], _week(labels[index], short=True)
        parts.append(_line(x, _PLOT_BOTTOM, x, _PLOT_BOTTOM + 4))
        parts.append(_text(x, _PLOT_BOTTOM + 18, text, "middle", class_="chart-x-tick"))
    middle = (_PLOT_TOP + _PLOT_BOTTOM) / 2
    turn = f"rotate(-90 14 {middle:.1f})"
    return "".join(parts) + _text(14, middle, y_label, "middle", transform=turn)


def _band(y: _Axis, threshold: int, left: float, right: float) -> str:
    box = (left, y.at(threshold), right - left, y.at(0) - y.at(threshold))
    return _rect("chart-band", box, fill=_BAND)


def _rect(cls: str, box: tuple[float, float, float, float], **paint: object) -> str:
    x, y, width, height = box
    return _el("rect", class_=cls, x=x, y=y, width=width, height=height, **paint)


def _band_label(y: _Axis, threshold: int, right: float) -> str:
    top = y.at(threshold)
    # Inside the band when it is tall enough to hold a line of text, otherwise just above it.
    at = top + 15 if y.at(0) - top >= 20 else top - 4
    return _text(right - 4, at, f"minder dan {threshold}", "end", **_HALO)


def _marker(style: int, at: _Point, cls: str, size: float, tip: str = "") -> str:
    colour, shape = _COLOURS[style % len(_COLOURS)], _MARKERS[style % len(_MARKERS)]
    # Hollow markers stand for hidden small counts; everything else is filled.
    fill = "#ffffff" if "chart-small" in cls else colour
    place = f"translate({at[0]:.1f} {at[1]:.1f}) scale({size})"
    inner = _el("title", escape(tip)) if tip else ""
    paint = {"fill": fill, "stroke": colour, **_MARKER_STROKE}
    return _el("path", inner, class_=cls, d=shape, transform=place, **paint)


def _path(style: int, points: Sequence[_Point | None], cls: str = "chart-line") -> str:
    # No interpolation across a hidden value: every run of shown points is its own stroke.
    runs = [list(run) for gap, run in groupby(points, lambda point: point is None) if not gap]
    d = " ".join("M " + " L ".join(f"{x:.1f} {y:.1f}" for x, y in run) for run in runs)
    colour, dash = _COLOURS[style % len(_COLOURS)], _DASHES[style % len(_DASHES)]
    paint = {"stroke": colour, "stroke_dasharray": dash, **_LINE_STROKE}
    return _el("path", class_=cls, d=d, fill="none", **paint) if d else ""


def _series(
    style: int, name: str, cells: Sequence[_Cell], y: _Axis, k: int, size: float = 4
) -> str:
    points = [None if value is None else (x, y.at(value)) for x, _, value in cells]
    parts = [_path(style, points)]
    for x, label, value in cells:
        tip = f"{name}, {_week(label)}: " if label else f"{name}: "
        at, cls = (x, y.at(k / 2)), "chart-point chart-small"
        if value is not None:
            at, cls = (x, y.at(value)), "chart-point"
        parts.append(_marker(style, at, cls, size, tip + _spoken(value, k)))
    return _el("g", "".join(parts), class_="chart-series")


def _legend(names: Sequence[str]) -> str:
    parts = []
    for style, name in enumerate(names):
        x, y = _PLOT_LEFT + (style % 2) * 284, _LEGEND_TOP - 12 + (style // 2) * 20
        sample = _path(style, [(x, y), (x + 28, y)], "chart-swatch")
        sample += _marker(style, (x + 14, y), "chart-swatch", 4)
        sample += _text(x + 36, y + 4, _truncate(name, _MAX_LEGEND))
        parts.append(_el("g", _el("title", escape(name)) + sample, class_="chart-legend"))
    return "".join(parts)


def _line_words(
    series: Mapping[str, Sequence[int | None]], labels: Sequence[str], threshold: int, unit: str
) -> list[str]:
    sentences = []
    for name, values in series.items():
        if values:
            words = f"{name}: in {_week(labels[-1])} {_spoken(values[-1], threshold)} {unit}"
            most = _highest(values, threshold)
            if most is not None:
                words += f", hoogste {_number(most)} in {_week(labels[values.index(most)])}"
            sentences.append(words + ".")
    if any(None in values for values in series.values()):
        sentences.append(
            f"Een open punt in het grijze vlak betekent minder dan {threshold} {unit};"
            " het precieze aantal laten we niet zien."
        )
    return sentences


def _highest(values: Sequence[int | None], threshold: int) -> int | None:
    """The largest shown value, unless a hidden count (below k) could be larger."""
    shown = [value for value in values if value is not None]
    return max(shown) if shown and (None not in values or max(shown) >= threshold) else None


def _hatch_pattern(prefix: str) -> str:
    # Diagonal lines on white: unlike a real bar in print and for colour-blind readers.
    return (
        f'<defs><pattern id="{prefix}-hatch" patternUnits="userSpaceOnUse" width="6" height="6" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        f"{_line(0, 0, 0, 6, _HATCH, 2.5)}</pattern></defs>"
    )


def _hatch_rect(prefix: str, cls: str, box: tuple[float, float, float, float]) -> str:
    return _rect(cls, box, fill=f"url(#{prefix}-hatch)", stroke=_HATCH, stroke_dasharray="3 2")


def _mark(x: float, y1: float, y2: float, cls: str = "chart-mark") -> str:
    # A white halo keeps the black tick visible on a dark bar, in colour and in greyscale.
    halo = _line(x, y1, x, y2, "#ffffff", 4)
    return _el("g", halo + _line(x, y1, x, y2, "#000000", 2), class_=cls)


def _bar_row(
    prefix: str, top: float, row: tuple[str, int | None, float | None], x: _Axis, k: int, unit: str
) -> str:
    label, value, mark = row
    bar_y, text_y = top + (_ROW - _BAR_HEIGHT) / 2, top + _ROW / 2 + 4
    end = x.at(k if value is None else value)
    box = (x.zero, bar_y, end - x.zero, _BAR_HEIGHT)
    if value is None:
        bar = _hatch_rect(prefix, "chart-bar chart-small", box)
    else:
        bar = _rect("chart-bar", box, fill=_COLOURS[0])
    if mark is not None:
        bar += _mark(x.at(mark), bar_y - 4, bar_y + _BAR_HEIGHT + 4)
        end = max(end, x.at(mark))  # the value goes right of both bar and tick
    shown = f"< {k}" if value is None else _number(value)
    inner = _el("title", escape(_bar_words(*row, k, unit)))
    inner += _text(_LABEL_RIGHT, text_y, _truncate(label, _MAX_LABEL), "end", class_="chart-label")
    inner += bar + _text(end + 6, text_y, shown, "start", class_="chart-value")
    return _el("g", inner, class_="chart-row")


def _bar_legend(prefix: str, bottom: float, hidden: bool, marked: bool, below_k: str) -> str:
    entries = []
    if hidden:
        swatch = _hatch_rect(prefix, "chart-swatch", (_BAR_LEFT, bottom + 8, 16, 12))
        entries.append((swatch, below_k))
    if marked:
        entries.append((_mark(_BAR_LEFT + 8, bottom + 6, bottom + 22, "chart-swatch"), _MEAN))
    parts, shift = [], 0
    for swatch, text in entries:
        inner = swatch + _text(_BAR_LEFT + 22, bottom + 18, text)
        parts.append(_el("g", inner, class_="chart-legend", transform=f"translate({shift} 0)"))
        shift += 40 + 7 * len(text)  # about the width of the text at 12 units
    return "".join(parts)


def _bar_words(label: str, value: int | None, mark: float | None, threshold: int, unit: str) -> str:
    words = f"{label}: {_spoken(value, threshold)} {unit}"
    return words if mark is None else f"{words} ({_MEAN} {_number(mark, 1)})"


def _spark_words(values: Sequence[int | None], threshold: int) -> str:
    if not values:
        return "Geen gegevens."
    most = _highest(values, threshold)
    highest = "" if most is None else f", hoogste {_number(most)}"
    return f"Laatste waarde {_spoken(values[-1], threshold)}{highest}, over {len(values)} weken."
