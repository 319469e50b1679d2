"""Small counts and comparisons, the way every section shows them (DESIGN §5).

A count from 1 up to the threshold k is shown as "< k" in every table, chart and export; zero
is shown, as it describes nobody. A figure derived from a hidden count (a mean, a share, a
difference) is withheld too, or it would give the count away. In a breakdown whose total is
shown, one hidden cell could be found by subtraction, so the next smallest cell is hidden
with it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

Shown = int | str  # a count, "< k", or SUPPRESSED
SUPPRESSED = "×"  # not shown, or a small count elsewhere could be worked out from it


@dataclass(frozen=True)
class SmallCounts:
    threshold: int

    def hidden(self, count: int) -> bool:
        return 0 < count < self.threshold

    def show(self, count: int | None) -> Shown:
        """The count as a reader may see it; None is a count hidden by suppression."""
        if count is None or self.hidden(count):
            return f"< {self.threshold}"
        return count

    def visible(self, count: int) -> int | None:
        """The count, or None when it must not be shown (for charts)."""
        return None if self.hidden(count) else count

    def mean(self, counts: Sequence[int]) -> float | None:
        """The mean of ``counts``, or None when any of them is hidden or there are none."""
        if not counts or any(self.hidden(c) for c in counts):
            return None
        return sum(counts) / len(counts)

    def breakdown(self, counts: Mapping[str, int]) -> dict[str, Shown]:
        """Parts of a total that is shown elsewhere, as a reader may see them.

        A small part is "< k"; when it is the only one, the next smallest part is shown as
        SUPPRESSED, so the small one cannot be found by subtracting the others from the total.
        """
        shown: dict[str, Shown] = {key: self.show(n) for key, n in counts.items()}
        hidden = [key for key, n in counts.items() if self.hidden(n)]
        if len(hidden) == 1:
            others = [(n, key) for key, n in counts.items() if n and key not in hidden]
            if others:
                shown[min(others)[1]] = SUPPRESSED
        return shown


@dataclass(frozen=True)
class Change:
    """This week against the mean of the weeks before."""

    current: int
    mean: float | None  # None: withheld or no earlier weeks
    direction: str  # "hoger", "lager", "gelijk" or "onbekend"

    def words(self) -> str:
        """A plain-language clause: "meer dan gemiddeld in de vier weken ervoor (12)"."""
        if self.direction == "onbekend" or self.mean is None:
            return "geen vergelijking met de weken ervoor mogelijk"
        # A mean of hundreds reads better whole; small means keep their decimal.
        mean = dutch_number(round(self.mean) if self.mean >= 100 else self.mean)
        if self.direction == "hoger":
            return f"meer dan in de weken ervoor (gemiddeld {mean})"
        if self.direction == "lager":
            return f"minder dan in de weken ervoor (gemiddeld {mean})"
        return f"ongeveer even veel als in de weken ervoor (gemiddeld {mean})"


def compare(current: int, previous: Sequence[int], counts: SmallCounts) -> Change:
    """Whether ``current`` clearly differs from the mean of ``previous``.

    Counts of posts vary by chance roughly like a Poisson count, so a change counts as real
    only when it is more than two standard deviations (the square root of the mean) away and
    larger than the threshold itself; smaller moves are "about the same".
    """
    mean = counts.mean(previous)
    if mean is None or counts.hidden(current):
        return Change(current, None, "onbekend")
    difference = current - mean
    if abs(difference) > 2 * math.sqrt(max(mean, 1.0)) and abs(difference) >= counts.threshold:
        return Change(current, mean, "hoger" if difference > 0 else "lager")
    return Change(current, mean, "gelijk")


def one_decimal(value: float) -> float:
    """Rounded to one decimal, halves up (as people round; Python rounds halves to even)."""
    return float(Decimal(repr(float(value))).quantize(Decimal("0.1"), ROUND_HALF_UP))


def dutch_number(value: float | int) -> str:
    """1234 -> "1.234", 12.25 -> "12,3": Dutch separators, one decimal only when needed."""
    if not isinstance(value, int):
        value = one_decimal(value)
        if not value.is_integer():
            whole = f"{value:,.1f}"
            return whole.replace(",", "_").replace(".", ",").replace("_", ".")
    return f"{int(value):,}".replace(",", ".")


def dutch_percent(part: int, whole: int) -> str:
    if whole <= 0:
        return "–"
    return f"{100 * part / whole:.1f}".replace(".", ",") + "%"


def shown_text(value: Shown) -> str:
    """A shown count inside a sentence ("×" reads as words there)."""
    if value == SUPPRESSED:
        return "een niet getoond aantal"
    return dutch_number(value) if isinstance(value, int) else value
