"""What every channel accepts: clean text, safe conversation ids, small metadata."""

from __future__ import annotations

import pytest

from rasa_server.inputs import clean_text, metadata_problem, valid_sender
from rasa_server.rest import request_problem


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("bon\x00jour\x07", "bonjour"),
        ("ligne 1\r\nligne 2\tfin", "ligne 1\nligne 2\tfin"),
        ("abc\u202egnp.exe", "abcgnp.exe"),
        ("mot\u200bcaché\ufeff", "motcaché"),
        ("\u2066isolé\u2069", "isolé"),
        ("ligne\u2028suivante", "ligne\nsuivante"),
        ("e\u0301te\u0301", "été"),
        ("famille 👨\u200d👩\u200d👧", "famille 👨\u200d👩\u200d👧"),  # joiners stay
    ],
)
def test_control_and_invisible_characters_are_removed(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


@pytest.mark.parametrize(
    "sender", ["a", "test-1234", "rest:client@agence.fr", "A.b_c-d", "x" * 128]
)
def test_safe_senders(sender: str) -> None:
    assert valid_sender(sender)


@pytest.mark.parametrize(
    "sender",
    ["", "abc\n", "-abc", "a b", "é", "a\u202eb", "a\u200bb", "a\x1b", "x" * 129, None, 12],
)
def test_unsafe_senders(sender: object) -> None:
    assert not valid_sender(sender)


def test_metadata_over_4_kb_is_a_413() -> None:
    assert metadata_problem({"x": "a" * 4000}) is None
    status, message = metadata_problem({"x": "a" * 5000})
    assert status == 413 and message.startswith("« metadata » est trop gros : 4 Ko au plus.")


@pytest.mark.parametrize(
    ("sender", "own", "status"),
    [
        ("web-" + "a" * 32, None, 403),
        ("kiosque-123", None, 403),
        ("kiosque-123", "kiosque-", None),
        ("rest-123", "kiosque-", 400),
        ("rest-123", None, None),
    ],
)
def test_reserved_prefixes(sender: str, own: object, status: object) -> None:
    problem = request_problem({"sender": sender, "message": "bonjour"}, own)
    assert (problem[0] if problem else None) == status
