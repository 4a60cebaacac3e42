"""The short conversation code: random, readable aloud, never an identifier."""

from __future__ import annotations

import re

import pytest

from passerelle.privacy import mask_text
from passerelle.shortcode import ALPHABET, new_code, normalized, shown, spoken, spoken_codes

SHAPE = re.compile(r"[2-9HJKMQRWXYZ]{3}-[2-9HJKMQRWXYZ]{3}")
# A France Travail identifier: 7 digits and 1 letter.
IDENTIFIER = re.compile(r"\d{7} ?[A-Za-z]")


def test_codes_have_the_shape_and_are_random() -> None:
    codes = [new_code() for _ in range(2000)]
    assert all(SHAPE.fullmatch(code) for code in codes)
    assert len(set(codes)) > 1990  # 34 million codes: collisions are rare
    used = {char for code in codes for char in code.replace("-", "")}
    assert used == set(ALPHABET)  # every sign is drawn, none other


def test_a_code_is_never_an_identifier_nor_masked() -> None:
    for _ in range(500):
        code = new_code()
        assert not IDENTIFIER.search(code) and not IDENTIFIER.search(code.replace("-", ""))
        # The store masks secrets in every event: the code in its slot must stay readable.
        assert mask_text(code) == code


def test_no_ambiguous_sign() -> None:
    for sign in "01ILOBCDGPTVNSFEAU":
        assert sign not in ALPHABET


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("K7M-4QR", "K7M4QR"),
        ("k7m 4qr", "K7M4QR"),
        ("K7M4QR", "K7M4QR"),
        ("k7m-4q", None),
        ("K7P-4QR", None),
    ],
)
def test_a_counsellor_may_type_it_as_heard(typed: str, expected: str | None) -> None:
    assert normalized(typed) == expected


def test_the_kiosk_spells_it() -> None:
    assert shown("K7M4QR") == "K7M-4QR"
    assert spoken("K7M-4QR") == "ka, 7, emme, puis 4, ku, erre"
    assert spoken("HJ2-XYZ") == "ache, ji, 2, puis iks, i grec, zède"
    said = spoken_codes("Donnez-leur le code de cette conversation : K7M-4QR.")
    assert said == "Donnez-leur le code de cette conversation : ka, 7, emme, puis 4, ku, erre."
