"""Which month is declared and whether the actualisation window is open, around its edges."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from passerelle.calendar import (
    format_day,
    format_range,
    format_range_texts,
    period_for,
    today_in_paris,
)

CASES = [
    # today, declared start, declared end, open?, opens, closes
    (date(2019, 6, 27), "01/06/2019", "30/06/2019", False, date(2019, 6, 28), date(2019, 7, 15)),
    (date(2019, 6, 28), "01/06/2019", "30/06/2019", True, date(2019, 6, 28), date(2019, 7, 15)),
    (date(2019, 6, 30), "01/06/2019", "30/06/2019", True, date(2019, 6, 28), date(2019, 7, 15)),
    (date(2019, 7, 1), "01/06/2019", "30/06/2019", True, date(2019, 6, 28), date(2019, 7, 15)),
    (date(2019, 7, 15), "01/06/2019", "30/06/2019", True, date(2019, 6, 28), date(2019, 7, 15)),
    (date(2019, 7, 16), "01/07/2019", "31/07/2019", False, date(2019, 7, 28), date(2019, 8, 15)),
    (date(2026, 12, 31), "01/12/2026", "31/12/2026", True, date(2026, 12, 28), date(2027, 1, 15)),
    (date(2027, 1, 10), "01/12/2026", "31/12/2026", True, date(2026, 12, 28), date(2027, 1, 15)),
    (date(2027, 1, 20), "01/01/2027", "31/01/2027", False, date(2027, 1, 28), date(2027, 2, 15)),
    (date(2024, 2, 29), "01/02/2024", "29/02/2024", True, date(2024, 2, 28), date(2024, 3, 15)),
    (date(2024, 3, 5), "01/02/2024", "29/02/2024", True, date(2024, 2, 28), date(2024, 3, 15)),
    (date(2025, 2, 28), "01/02/2025", "28/02/2025", True, date(2025, 2, 28), date(2025, 3, 15)),
    (date(2026, 11, 25), "01/11/2026", "30/11/2026", False, date(2026, 11, 28), date(2026, 12, 15)),
]


@pytest.mark.parametrize(("today", "start", "end", "is_open", "opens", "closes"), CASES)
def test_period_around_window_edges(
    today: date, start: str, end: str, is_open: bool, opens: date, closes: date
) -> None:
    period = period_for(today)
    assert (period.start_text, period.end_text) == (start, end)
    assert period.is_open is is_open
    assert (period.opens, period.closes) == (opens, closes)


def test_month_names_and_hours_in_month() -> None:
    assert period_for(date(2024, 3, 1)).month_name == "février 2024"
    assert period_for(date(2024, 3, 1)).max_hours == 29 * 24
    assert period_for(date(2027, 1, 2)).month_name == "décembre 2026"
    assert period_for(date(2019, 7, 31)).max_hours == 31 * 24


def test_day_formatting() -> None:
    assert format_day(date(2019, 6, 28)) == "28 juin 2019"
    assert format_day(date(2019, 7, 1)) == "1er juillet 2019"


def test_today_uses_paris_time() -> None:
    # 23:30 UTC on 27 June is already 28 June in Paris (UTC+2 in summer).
    assert today_in_paris(datetime(2019, 6, 27, 23, 30, tzinfo=timezone.utc)) == date(2019, 6, 28)
    with pytest.raises(ValueError):
        today_in_paris(datetime(2019, 6, 27, 23, 30))


@pytest.mark.parametrize(
    ("first", "last", "text"),
    [
        (date(2026, 11, 1), date(2026, 11, 30), "du 1er au 30 novembre 2026"),
        (date(2026, 11, 28), date(2026, 12, 15), "du 28 novembre au 15 décembre 2026"),
        (date(2026, 12, 28), date(2027, 1, 15), "du 28 décembre 2026 au 15 janvier 2027"),
        (date(2026, 6, 1), date(2026, 7, 1), "du 1er juin au 1er juillet 2026"),
    ],
)
def test_date_ranges_in_one_style(first: date, last: date, text: str) -> None:
    assert format_range(first, last) == text


def test_period_texts_read_as_ranges() -> None:
    period = period_for(date(2026, 11, 25))
    assert period.period_text == "du 1er au 30 novembre 2026"
    assert period.window_text == "du 28 novembre au 15 décembre 2026"
    assert format_range_texts("01/11/2026", "30/11/2026") == "du 1er au 30 novembre 2026"
    assert format_range_texts("abîmé", "30/11/2026") == "du abîmé au 30/11/2026"
