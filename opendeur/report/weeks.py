"""ISO weeks as the report counts them ("2026-W47", Monday to Sunday)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
MONTHS = (
    "januari februari maart april mei juni juli augustus september oktober november december"
).split()


@dataclass(frozen=True, order=True)
class Week:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Week:
        match = _WEEK.match(text.strip())
        if match:
            year, number = int(match.group(1)), int(match.group(2))
            try:
                date.fromisocalendar(year, number, 1)
            except ValueError:
                pass
            else:
                return cls(year, number)
        raise ValueError(f"{text!r} is not an ISO week such as 2026-W47")

    @classmethod
    def of(cls, day: date | datetime) -> Week:
        year, number, _ = day.isocalendar()
        return cls(year, number)

    @classmethod
    def last_complete(cls, now: datetime) -> Week:
        """The week staff read about on Monday: the last one that has ended."""
        return cls.of(now - timedelta(days=7))

    def __str__(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    def plus(self, weeks: int) -> Week:
        return Week.of(self.monday + timedelta(weeks=weeks))

    def previous(self, count: int) -> list[Week]:
        """The ``count`` weeks before this one, oldest first."""
        return [self.plus(-n) for n in range(count, 0, -1)]

    def short(self) -> str:
        return f"W{self.number:02d}"

    def dutch_range(self) -> str:
        """ "17 t/m 23 november 2026", as a reader says it."""
        first, last = self.monday, self.sunday
        start = f"{first.day}" if first.month == last.month else dutch_date(first, year=False)
        if first.year != last.year:
            start = dutch_date(first)
        return f"{start} t/m {dutch_date(last)}"


def dutch_date(day: date, year: bool = True) -> str:
    text = f"{day.day} {MONTHS[day.month - 1]}"
    return f"{text} {day.year}" if year else text
