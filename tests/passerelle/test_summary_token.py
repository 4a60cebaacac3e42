"""The printable summary's token: encrypted, unreadable without the key, short-lived."""

from __future__ import annotations

import base64
import binascii
import re
import time

import pytest

from passerelle.summary import make_summary_token, read_summary_token

KEY = "test-secret-key-" + "x" * 16
ANSWERS = {
    "worked": True,
    "hours_worked": 151.67,
    "gross_salary": 1834.56,
    "internship": False,
    "sick_leave": True,
    "sick_leave_dates": "du 3 au 17 mars",
    "maternity_leave": False,
    "retirement_pension": False,
    "invalidity_pension": True,
    "still_seeking": True,
}
START, END = "01/03/2026", "31/03/2026"
# Nothing of the answers may be read in the token: amounts, hours, dates, months, slot names.
REVEALING = [
    "151",
    "1834",
    "834",
    "151.67",
    "151,67",
    "1834.56",
    "2026",
    "03/",
    "/03",
    "mars",
    "17 ",
    "hours",
    "salary",
    "sick",
    "pension",
    "worked",
    "answers",
    "start",
    "true",
]
HOUR = 3600


def decoded_parts(token: str) -> list[bytes]:
    """Every base64 reading of the token and of its parts, as an attacker would try."""
    parts = [token] + [p for p in re.split(r"[^A-Za-z0-9_\-+/]", token) if p]
    found = []
    for part in parts:
        for shift in range(4):  # every alignment of the 4-character groups
            chunk = part[shift:]
            chunk += "=" * (-len(chunk) % 4)
            for decode in (base64.urlsafe_b64decode, base64.b64decode):
                try:
                    found.append(decode(chunk))
                except (binascii.Error, ValueError):
                    continue
    return found


def test_a_token_decoded_without_the_key_shows_no_amount_hour_or_date() -> None:
    token = make_summary_token(KEY, START, END, ANSWERS)
    assert re.fullmatch(r"[A-Za-z0-9_\-]+", token)
    readings = decoded_parts(token)
    assert readings, "the token is base64: an attacker can decode it"
    for raw in readings:
        for text in (raw.decode("latin-1"), raw.decode("utf-8", "replace")):
            found = [word for word in REVEALING if word in text.lower()]
            assert found == [], found
    assert not any(word in token.lower() for word in ("151", "1834", "2026", "mars"))
    # With the key, everything is there.
    payload = read_summary_token(KEY, token)
    assert payload == {"start": START, "end": END, "answers": ANSWERS}


def test_the_same_answers_never_give_the_same_token() -> None:
    assert make_summary_token(KEY, START, END, ANSWERS) != make_summary_token(
        KEY, START, END, ANSWERS
    )


def test_a_token_expires_after_its_hours_and_never_lives_past_48() -> None:
    made = int(time.time())
    token = make_summary_token(KEY, START, END, ANSWERS, now=made)
    assert read_summary_token(KEY, token, hours=48, now=made + 47 * HOUR) is not None
    assert read_summary_token(KEY, token, hours=48, now=made + 48 * HOUR + 1) is None
    assert read_summary_token(KEY, token, hours=2, now=made + 2 * HOUR + 1) is None
    assert read_summary_token(KEY, token, hours=2, now=made + HOUR) is not None
    # A longer duration asked by mistake is cut to 48 hours.
    assert read_summary_token(KEY, token, hours=7 * 24, now=made + 49 * HOUR) is None


@pytest.mark.parametrize("position", [0, 5, 12, 40, 100, -40, -2, -1])
def test_an_altered_token_is_refused(position: int) -> None:
    token = make_summary_token(KEY, START, END, ANSWERS)
    changed = "A" if token[position] != "A" else "B"
    altered = (
        token[:position] + changed + token[position + 1 :]
        if position != -1
        else (token[:-1] + changed)
    )
    assert read_summary_token(KEY, altered) is None


@pytest.mark.parametrize(
    "token", ["", "abc", "x" * 500, "gAAAAA", "%%%", "a" * 5000, "gAAAAABk" + "A" * 200]
)
def test_garbage_is_refused(token: str) -> None:
    assert read_summary_token(KEY, token) is None


def test_another_key_cannot_read_it() -> None:
    token = make_summary_token(KEY, START, END, ANSWERS)
    assert read_summary_token("another-key", token) is None
    assert read_summary_token("", token) is None
