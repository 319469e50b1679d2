"""The piggyback calendar: when people search for money themes, and when content should go out.

The moments live in ``data/calendar/piggyback.toml`` (its README describes the fields). The
weekly report asks :func:`upcoming` which moments to plan content for in the coming weeks.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from campaigns.toml_files import read_toml
from nlp.datafiles import data_path
from nlp.taxonomy import TOPICS


class CalendarError(ValueError):
    """The calendar file is missing or not valid; the message names the file and the moment."""


MAX_LEAD_WEEKS = 12
REQUIRED_FIELDS = ("id", "name", "topics", "starts", "ends", "lead_weeks", "reason")
OPTIONAL_FIELDS = ("movable", "year", "note")
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_MONTH_DAY = re.compile(r"(\d{2})-(\d{2})")
# Checking "MM-DD" against a leap year accepts 29 February, which recurring moments may use.
_ANY_LEAP_YEAR = 2000


@dataclass(frozen=True)
class Moment:
    """A moment in the Dutch year when people search for a money theme or feel money pressure."""

    id: str
    name: str
    topics: tuple[str, ...]
    starts: tuple[int, int]  # (month, day), inclusive
    ends: tuple[int, int]  # (month, day), inclusive; before `starts` when it runs over the year end
    lead_weeks: int  # weeks before `starts` that content should go out
    reason: str
    movable: bool = False  # a feast whose date moves: its dates hold for `year` only
    year: int | None = None  # the year a movable moment starts in
    note: str = ""

    @property
    def wraps(self) -> bool:
        """Whether the moment runs over the year end (for example 15 December to 1 January)."""
        return self.ends < self.starts

    def occurrence(self, year: int) -> tuple[date, date]:
        """The first and last day of the occurrence that starts in ``year``."""
        start = _on(year, self.starts)
        return start, _on(year + 1 if self.wraps else year, self.ends)


def load_calendar(path: Path | None = None) -> list[Moment]:
    """Read and check the piggyback calendar; by default the one shipped in ``data/calendar``.

    Every problem in the file is reported at once, each line naming the file and the moment.
    """
    path = path if path is not None else data_path("calendar", "piggyback.toml")
    document = read_toml(path, CalendarError, "calendar file")
    problems: list[str] = []
    entries = document.get("moment")
    for key in document:
        if key != "moment":
            problems.append(f"unknown top-level key {key!r}; only [[moment]] tables belong here")
    if not isinstance(entries, list) or not entries:
        problems.append("no moments: add [[moment]] tables")
        entries = []
    moments: list[Moment] = []
    first_seen: dict[str, str] = {}
    for number, entry in enumerate(entries, start=1):
        label = _label(entry, number)
        moment = _parse_moment(entry, label, problems)
        if moment is None:
            continue
        if moment.id in first_seen:
            problems.append(f"{label}: duplicate id (also {first_seen[moment.id]})")
            continue
        first_seen[moment.id] = f"moment #{number}"
        moments.append(moment)
    if problems:
        raise CalendarError("\n".join(f"{path}: {problem}" for problem in problems))
    return moments


def upcoming(
    moments: Sequence[Moment], today: date, horizon_weeks: int = 6
) -> list[tuple[Moment, date, date]]:
    """Moments to publish for between ``today`` and ``horizon_weeks`` weeks later.

    A moment counts when its publishing window (``lead_weeks`` before its start, up to its end)
    overlaps that period. Each comes with the first and last day of its current or next
    occurrence, sorted by start date. Only that one occurrence is given, even when a horizon of
    more than a year would reach the one after.
    """
    if horizon_weeks < 0:
        raise ValueError(f"horizon_weeks must be 0 or more, not {horizon_weeks}")
    horizon_end = today + timedelta(weeks=horizon_weeks)
    found: list[tuple[Moment, date, date]] = []
    for moment in moments:
        occurrence = _current_or_next(moment, today)
        if occurrence is None:
            continue
        start, end = occurrence
        if start - timedelta(weeks=moment.lead_weeks) <= horizon_end:
            found.append((moment, start, end))
    found.sort(key=lambda item: (item[1], item[2], item[0].id))
    return found


def _current_or_next(moment: Moment, today: date) -> tuple[date, date] | None:
    """The earliest occurrence that has not ended before ``today``, if any is left."""
    if moment.year is not None:
        years: Sequence[int] = (moment.year,)
    else:
        # Last year's occurrence may still run (a wrapping moment); next year's always is later.
        years = range(today.year - 1, today.year + 2)
    for year in years:
        start, end = moment.occurrence(year)
        if end >= today:
            return start, end
    return None


def _on(year: int, month_day: tuple[int, int]) -> date:
    """The date of (month, day) in ``year``; 29 February becomes 28 February in other years."""
    month, day = month_day
    if (month, day) == (2, 29) and not calendar.isleap(year):
        day = 28
    return date(year, month, day)


def _label(entry: Any, number: int) -> str:
    if isinstance(entry, dict) and isinstance(entry.get("id"), str) and entry["id"]:
        return f"moment {entry['id']!r}"
    return f"moment #{number} (no id)"


def _parse_moment(entry: Any, label: str, problems: list[str]) -> Moment | None:
    """Check one [[moment]] table; return None (after adding to ``problems``) when it is wrong."""
    if not isinstance(entry, dict):
        problems.append(f"{label}: not a table; write each moment as [[moment]]")
        return None
    found: list[str] = []
    known = REQUIRED_FIELDS + OPTIONAL_FIELDS
    for key in entry:
        if key not in known:
            found.append(f"unknown field {key!r}; known fields: {', '.join(known)}")
    for key in REQUIRED_FIELDS:
        if key not in entry:
            found.append(f"missing field {key!r}")
    if not found:
        found.extend(_field_problems(entry))
    problems.extend(f"{label}: {problem}" for problem in found)
    if found:
        return None
    return Moment(
        id=entry["id"],
        name=entry["name"].strip(),
        topics=tuple(entry["topics"]),
        starts=_month_day(entry["starts"]),
        ends=_month_day(entry["ends"]),
        lead_weeks=entry["lead_weeks"],
        reason=" ".join(entry["reason"].split()),
        movable=entry.get("movable", False),
        year=entry.get("year"),
        note=entry.get("note", "").strip(),
    )


def _field_problems(entry: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    if not isinstance(entry["id"], str) or not _ID.fullmatch(entry["id"]):
        problems.append(
            f"id {entry['id']!r} must be lower-case ascii letters and digits joined by dashes"
        )
    for key in ("name", "reason"):
        if not isinstance(entry[key], str) or not entry[key].strip():
            problems.append(f"{key} is empty; write it in Dutch at level B1")
    problems.extend(_topic_problems(entry["topics"]))
    lead = entry["lead_weeks"]
    if isinstance(lead, bool) or not isinstance(lead, int) or not 0 <= lead <= MAX_LEAD_WEEKS:
        problems.append(
            f"lead_weeks must be a whole number from 0 to {MAX_LEAD_WEEKS}, not {lead!r}"
        )
    problems.extend(_movable_problems(entry))
    year = entry.get("year") if isinstance(entry.get("year"), int) else _ANY_LEAP_YEAR
    for key in ("starts", "ends"):
        problems.extend(_date_problems(key, entry[key], year))
    return problems


def _topic_problems(topics: Any) -> list[str]:
    if not isinstance(topics, list) or not topics:
        return [f"topics must be a non-empty list of: {', '.join(TOPICS)}"]
    problems = []
    for topic in topics:
        if topic not in TOPICS:
            problems.append(f"unknown topic {topic!r}; allowed topics: {', '.join(TOPICS)}")
    if len(set(map(str, topics))) != len(topics):
        problems.append("topics lists a topic twice")
    return problems


def _movable_problems(entry: dict[str, Any]) -> list[str]:
    movable, year, note = entry.get("movable", False), entry.get("year"), entry.get("note", "")
    problems = []
    if not isinstance(movable, bool):
        problems.append(f"movable must be true or false, not {movable!r}")
    if not isinstance(note, str):
        problems.append("note must be text")
    if movable is True:
        if year is None:
            problems.append("a movable moment needs a year: its dates hold for that year only")
        elif isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2999:
            problems.append(f"year must be a four-digit year, not {year!r}")
        if not isinstance(note, str) or not note.strip():
            problems.append("a movable moment needs a note saying why and how its dates move")
    elif year is not None:
        problems.append("year is only for movable moments; add movable = true or remove year")
    return problems


def _date_problems(key: str, value: Any, year: int) -> list[str]:
    if isinstance(value, str) and (match := _MONTH_DAY.fullmatch(value)):
        try:
            date(year, int(match[1]), int(match[2]))
        except ValueError:
            pass
        else:
            return []
    where = "" if year == _ANY_LEAP_YEAR else f" in {year}"
    return [f'{key} {value!r} is not a date as MM-DD{where} (for example "12-05")']


def _month_day(value: str) -> tuple[int, int]:
    month, day = value.split("-")
    return int(month), int(day)
