"""Rising terms: weighted log-odds with an informative Dirichlet prior.

Monroe, Colaresi and Quinn (2008), "Fightin' Words", section 3.5: the log-odds of a term in
this week against the weeks before, each smoothed by a prior taken from a larger background
(all posts of the trend weeks), divided by its standard error. Rare terms get a wide error
and so do not rise on one or two uses; frequent terms need a real change.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

PRIOR_STRENGTH = 1_000.0  # pseudo-counts spread over the background's terms
MIN_Z = 1.96


@dataclass(frozen=True)
class RisingTerm:
    term: str
    current: int  # posts of this week with the term
    baseline: int  # posts of the weeks before with the term
    z: float


def rising_terms(
    current: Mapping[str, int],
    current_total: int,
    baseline: Mapping[str, int],
    baseline_total: int,
    background: Mapping[str, int],
    background_total: int,
    *,
    min_current: int,
    top: int = 10,
    prior_strength: float = PRIOR_STRENGTH,
    min_z: float = MIN_Z,
) -> list[RisingTerm]:
    """The terms of ``current`` that rose most against ``baseline``, strongest first.

    Totals are the sums of the term counts of each corpus (not only of the terms passed),
    so the odds are taken against everything said in that period.
    """
    if current_total <= 0 or background_total <= 0:
        return []
    found = []
    for term, y_now in current.items():
        if y_now < min_current:
            continue
        alpha = prior_strength * max(background.get(term, 0), y_now) / background_total
        alpha = max(alpha, 1e-3)
        y_before = baseline.get(term, 0)
        z = _z(y_now, current_total, y_before, baseline_total, alpha, prior_strength)
        if z >= min_z:
            found.append(RisingTerm(term, y_now, y_before, round(z, 2)))
    found.sort(key=lambda t: (-t.z, t.term))
    return found[:top]


def _z(y_a: int, n_a: int, y_b: int, n_b: int, alpha: float, alpha_0: float) -> float:
    odds_a = (y_a + alpha) / max(n_a + alpha_0 - y_a - alpha, 1e-9)
    odds_b = (y_b + alpha) / max(n_b + alpha_0 - y_b - alpha, 1e-9)
    delta = math.log(odds_a) - math.log(odds_b)
    variance = 1 / (y_a + alpha) + 1 / (y_b + alpha)
    return delta / math.sqrt(variance)
