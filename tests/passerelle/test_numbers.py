"""Parsing tables for hours and euro amounts as people type or say them."""

from __future__ import annotations

import pytest

from passerelle.numbers import format_euros, format_hours, format_number, parse_amount, parse_hours

HOURS = [
    ("35", 35.0),
    ("35h", 35.0),
    ("35 h", 35.0),
    ("35H", 35.0),
    ("35 heures", 35.0),
    ("trente-cinq heures", 35.0),
    ("trente cinq", 35.0),
    ("cent cinquante et une heures", 151.0),
    ("12 heures et demie", 12.5),
    ("douze heures et demie", 12.5),
    ("une heure et demie", 1.5),
    ("12h30", 12.5),
    ("12 h 30 min", 12.5),
    ("10h45", 10.75),
    ("dix heures trois quarts", 10.75),
    ("sept heures et quart", 7.25),
    ("35,5", 35.5),
    ("35.5 heures", 35.5),
    ("environ 35 heures", 35.0),
    ("à peu près 40h", 40.0),
    ("j'ai travaillé vingt heures", 20.0),
    ("vingt heures pour 800 euros", 20.0),
    ("151,67 h", 151.67),
    ("DIX-SEPT HEURES", 17.0),
    # Bad answers: the caller refuses them with a message.
    ("0", 0.0),
    ("zéro", 0.0),
    ("zero heure", 0.0),
    ("moins cinq", -5.0),
    ("-5", -5.0),
    ("beaucoup", None),
    ("un peu", None),
    ("je sais pas", None),
    ("quelqu'un", None),
    ("entre 20 et 30", None),
    ("moins de 20 heures", None),
    ("", None),
]

AMOUNTS = [
    ("1 200,50 €", 1200.5),
    ("1\u202f200,50\u00a0€", 1200.5),
    ("1200", 1200.0),
    ("1200€", 1200.0),
    ("€1200", 1200.0),
    ("1 200 €", 1200.0),
    ("1.200,50", 1200.5),
    ("1200.50", 1200.5),
    ("mille deux cents euros", 1200.0),
    ("mille deux cent cinquante euros et cinquante centimes", 1250.5),
    ("1200 euros 50", 1200.5),
    ("12 euros virgule 50", 12.5),
    ("douze euros virgule cinquante", 12.5),
    ("1250 euros et 50 centimes.", 1250.5),
    # Whisper writes thousands with a comma: an amount has at most two decimals.
    ("1,530 euros.", 1530.0),
    ("1,200 €", 1200.0),
    ("12,50 €", 12.5),
    ("quinze cents euros", 1500.0),
    ("huit cent quatre-vingts euros", 880.0),
    ("environ 950", 950.0),
    ("environ neuf cent cinquante", 950.0),
    ("950 net", 950.0),
    ("2000 brut", 2000.0),
    ("douze virgule cinq", 12.5),
    ("j'ai gagné 1500 euros", 1500.0),
    ("0", 0.0),
    ("moins 200", -200.0),
    ("beaucoup", None),
    ("je ne sais pas", None),
    ("je veux parler à quelqu'un", None),
]


@pytest.mark.parametrize(("text", "expected"), HOURS)
def test_parse_hours(text: str, expected: float | None) -> None:
    assert parse_hours(text) == expected


@pytest.mark.parametrize(("text", "expected"), AMOUNTS)
def test_parse_amount(text: str, expected: float | None) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    ("value", "number", "euros", "hours"),
    [
        (1200, "1 200", "1 200 €", "1 200 heures"),
        (1200.5, "1 200,5", "1 200,50 €", "1 200,5 heures"),
        (12.5, "12,5", "12,50 €", "12,5 heures"),
        (35, "35", "35 €", "35 heures"),
        (1, "1", "1 €", "1 heure"),
    ],
)
def test_french_formatting(value: float, number: str, euros: str, hours: str) -> None:
    assert format_number(value) == number
    assert format_euros(value) == euros
    assert format_hours(value) == hours
