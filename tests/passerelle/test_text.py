"""One folding of the person's words, and the yes/no forms (`passerelle/text.py`)."""

import pytest

from passerelle.text import SPOKEN_NO, SPOKEN_YES, fold, has_words, words, yes_or_no

CASES = [
    ("J'ai oublié mon MOT de passe", "j'ai oublie mon mot de passe"),
    ("J’ai oublié", "j'ai oublie"),
    ("Déconnecter à l'écran", "deconnecter a l'ecran"),
    ("ÇA NE MARCHE PAS", "ca ne marche pas"),
    ("mdp 😢", "mdp  "),
    ("trente\u2011cinq", "trente-cinq"),
    ("ligne\x00nulle", "ligne nulle"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected
    assert len(fold(text)) == len(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", False), ("   ", False), ("😀😀", False), ("?!", False), ("a", True), ("35", True)],
)
def test_has_words(text: str, expected: bool) -> None:
    assert has_words(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rendez-vous !", "rendez vous"),
        ("D\u2019accord 👍", "d'accord"),
        ("  Ça  NE marche   pas... ", "ca ne marche pas"),
        ("'oui'", "oui"),
    ],
)
def test_words(text: str, expected: str) -> None:
    assert words(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Oui", True),
        ("ouais c'est ça", True),
        ("D’accord", True),
        ("bien sûr", True),
        ("non", False),
        ("Non, pas du tout !", False),
        ("je n'ai pas travaillé", False),
        ("non merci", False),
        ("peut-être", None),
        ("", None),
    ],
)
def test_yes_or_no(text: str, expected: object) -> None:
    assert yes_or_no(text) is expected


def test_spoken_forms_are_yes_and_no() -> None:
    assert all(yes_or_no(form) is True for form in SPOKEN_YES)
    assert all(yes_or_no(form) is False for form in SPOKEN_NO)
