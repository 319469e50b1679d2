"""ISO weeks as the report counts them: parsing, the default week, ranges in Dutch."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from opendeur.report.weeks import Week


def test_opendeur_report_weeks_default_is_the_last_week_that_has_ended():
    sunday_evening = datetime(2026, 11, 22, 21, 0, tzinfo=UTC)  # week 47 still running
    monday_morning = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
    assert str(Week.last_complete(sunday_evening)) == "2026-W46"
    assert str(Week.last_complete(monday_morning)) == "2026-W47"


def test_opendeur_report_weeks_previous_weeks_cross_the_year_end():
    assert [str(w) for w in Week.parse("2027-W01").previous(2)] == ["2026-W52", "2026-W53"]


@pytest.mark.parametrize("text", ["2026-W54", "2027-W53", "2026-47", "W47", "2026-W7"])
def test_opendeur_report_weeks_bad_week_is_refused(text: str):
    with pytest.raises(ValueError, match="is not an ISO week such as 2026-W47"):
        Week.parse(text)


def test_opendeur_report_weeks_dutch_range():
    assert Week.parse("2026-W47").dutch_range() == "16 t/m 22 november 2026"
    assert Week.parse("2026-W49").dutch_range() == "30 november t/m 6 december 2026"
    assert Week.parse("2026-W53").dutch_range() == "28 december 2026 t/m 3 januari 2027"
