"""Which month is declared and whether the monthly actualisation is open.

The guides say the actualisation is open "du 28 du mois en cours au 15 du mois suivant",
and the declaration made from 28 June to 15 July is "pour la période du 01/06 au 30/06".
So from the 28th to the end of month M, and from the 1st to the 15th of month M+1, the
person declares month M. From the 16th to the 27th it is closed: the next window opens on
the 28th of the current month, for the current month.
"""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Optional
from zoneinfo import ZoneInfo

from passerelle.names import TIMEZONE

logger = logging.getLogger(__name__)

ACTUALISATION_OPENS_DAY = 28
ACTUALISATION_CLOSES_DAY = 15
HOURS_PER_DAY = 24
DAYS_PER_WEEK = 7
# Working days for hours given "par jour": Monday to Friday (date.weekday() < 5).
WORKING_WEEKDAYS = 5
# The units people give hours in ("35h par semaine", "7h par jour"); see numbers.hours_unit.
WEEK, DAY = "semaine", "jour"
DATE_FORMAT = "%d/%m/%Y"
MONTH_NAMES = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


@dataclass(frozen=True)
class Period:
    """The month being declared and the actualisation window for it."""

    start: date  # first day of the declared month
    end: date  # last day of the declared month
    opens: date  # first day the declaration can be made (the 28th of that month)
    closes: date  # last day it can be made (the 15th of the next month)
    is_open: bool  # whether `today` is inside the window

    @property
    def month_name(self) -> str:
        """ "juin 2019"."""
        return f"{MONTH_NAMES[self.start.month - 1]} {self.start.year}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def weeks(self) -> float:
        """Weeks in the declared month: its days / 7 (30 days: about 4,3 weeks)."""
        return self.days / DAYS_PER_WEEK

    @property
    def working_days(self) -> int:
        """Monday to Friday days in the declared month (public holidays not removed)."""
        return sum(
            1
            for offset in range(self.days)
            if (self.start + timedelta(days=offset)).weekday() < WORKING_WEEKDAYS
        )

    def monthly_hours(self, hours: float, unit: str) -> float:
        """The month's hours from hours per week (x weeks) or per day (x working days),
        rounded to the hour: an estimate the person confirms or corrects."""
        count = self.weeks if unit == WEEK else self.working_days
        return float(round(hours * count))

    def unit_count(self, unit: str) -> float:
        """How many weeks (one decimal) or working days the month has."""
        return round(self.weeks, 1) if unit == WEEK else float(self.working_days)

    @property
    def max_hours(self) -> int:
        """Hours in the declared month: nobody can work more."""
        return self.days * HOURS_PER_DAY

    @property
    def start_text(self) -> str:
        return self.start.strftime(DATE_FORMAT)

    @property
    def end_text(self) -> str:
        return self.end.strftime(DATE_FORMAT)

    @property
    def opens_text(self) -> str:
        return format_day(self.opens)

    @property
    def closes_text(self) -> str:
        return format_day(self.closes)

    @property
    def period_text(self) -> str:
        """ "du 1er au 30 juin 2019": the declared month, as people read dates."""
        return format_range(self.start, self.end)

    @property
    def window_text(self) -> str:
        """ "du 28 juin au 15 juillet 2019": when the declaration can be made."""
        return format_range(self.opens, self.closes)


def today_in_paris(now: Optional[datetime] = None) -> date:
    """Today's date in Europe/Paris (the date France Travail uses)."""
    now = now or datetime.now(tz=ZoneInfo(TIMEZONE))
    if now.tzinfo is None:
        raise ValueError("now must carry a time zone")
    return now.astimezone(ZoneInfo(TIMEZONE)).date()


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """First and last day of a month."""
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def period_for(today: Optional[date] = None) -> Period:
    """The period a person would declare on `today` (Europe/Paris today by default).

    Inside the window (28th to 15th), the declared month is the one the window opened in.
    Outside it (16th to 27th), it is the current month, whose window opens on the 28th.
    """
    today = today or today_in_paris()
    if today.day <= ACTUALISATION_CLOSES_DAY:
        declared = today.replace(day=1) - timedelta(days=1)  # previous month
        is_open = True
    else:
        declared = today
        is_open = today.day >= ACTUALISATION_OPENS_DAY
    start, end = month_bounds(declared.year, declared.month)
    opens = date(start.year, start.month, ACTUALISATION_OPENS_DAY)
    closes = (end + timedelta(days=1)).replace(day=ACTUALISATION_CLOSES_DAY)
    return Period(start=start, end=end, opens=opens, closes=closes, is_open=is_open)


def period_from_texts(start_text: str, end_text: str) -> Period:
    """Rebuilds a Period from its "01/06/2019" / "30/06/2019" texts (kept in slots)."""
    start = datetime.strptime(start_text, DATE_FORMAT).date()
    end = datetime.strptime(end_text, DATE_FORMAT).date()
    opens = date(start.year, start.month, ACTUALISATION_OPENS_DAY)
    closes = (end + timedelta(days=1)).replace(day=ACTUALISATION_CLOSES_DAY)
    is_open = opens <= today_in_paris() <= closes
    return Period(start=start, end=end, opens=opens, closes=closes, is_open=is_open)


def format_day(day: date) -> str:
    """ "28 juin 2019", "1er juillet 2019"."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {MONTH_NAMES[day.month - 1]} {day.year}"


def format_range(first: date, last: date) -> str:
    """Two dates in the one style every message uses, saying month and year once.

    "du 1er au 30 juin 2019", "du 28 juin au 15 juillet 2019",
    "du 28 décembre 2026 au 15 janvier 2027".
    """
    number = "1er" if first.day == 1 else str(first.day)
    if (first.year, first.month) == (last.year, last.month):
        start = number
    elif first.year == last.year:
        start = f"{number} {MONTH_NAMES[first.month - 1]}"
    else:
        start = format_day(first)
    return f"du {start} au {format_day(last)}"


def format_range_texts(start_text: str, end_text: str) -> str:
    """`format_range` of two "01/06/2019" texts (as kept in slots and summary links).

    Texts that are not dates are shown as they are, so a damaged link still reads.
    """
    try:
        first = datetime.strptime(start_text, DATE_FORMAT).date()
        last = datetime.strptime(end_text, DATE_FORMAT).date()
    except (TypeError, ValueError):
        return f"du {start_text} au {end_text}"
    return format_range(first, last)


__all__ = [
    "ACTUALISATION_CLOSES_DAY",
    "ACTUALISATION_OPENS_DAY",
    "DAY",
    "WEEK",
    "Period",
    "format_day",
    "format_range",
    "format_range_texts",
    "month_bounds",
    "period_for",
    "period_from_texts",
    "today_in_paris",
]
