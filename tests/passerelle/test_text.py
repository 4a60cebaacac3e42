"""One folding of the person's words, and the yes/no forms (`passerelle/text.py`)."""

import pytest

from passerelle.text import (
    SPOKEN_NO,
    SPOKEN_YES,
    fold,
    has_words,
    is_noise,
    one_edit_apart,
    words,
    yes_or_no,
)

CASES = [
    ("J'ai oublié mon MOT de passe", "j'ai oublie mon mot de passe"),
    ("J’ai oublié", "j'ai oublie"),
    ("Déconnecter à l'écran", "deconnecter a l'ecran"),
    ("ÇA NE MARCHE PAS", "ca ne marche pas"),
    ("mdp 😢", "mdp  "),
    ("trente\u2011cinq", "trente-cinq"),
    ("ligne\x00nulle", "ligne nulle"),
    ("Hayır", "hayir"),  # Turkish dotless i: the lexicon's "hayir" (non) matches
    ("İyi ŁÓDŹ", "iyi lodz"),
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
        # issue 14: SMS negations, a held key, the answer at the end, noise
        ("g pa travaillé", False),
        ("j'ai pas bossé", False),
        ("ouiiii", True),
        ("nonnn", False),
        ("j'ai relu deux fois, il n'y a pas d'erreur, alors oui c'est d'accord", True),
        ("on m'avait proposé une formation mais elle est annulée, la réponse c'est non", False),
        ("ok ok ok ok", None),
        ("aaaaaa", None),
        ("Absolument pas", False),
        ("bien sûr que non", False),
        ("bien sûr que oui", True),
        # The yes and no of other languages, said alone; "la" starts French sentences.
        ("Ja", True),
        ("evet", True),
        ("nein", False),
        ("hayır", False),
        ("la la", False),
        ("la semaine dernière j'ai fait 12 heures", None),
        ("pas ce mois-ci", False),
    ],
)
def test_yes_or_no(text: str, expected: object) -> None:
    assert yes_or_no(text) is expected


def test_spoken_forms_are_yes_and_no() -> None:
    assert all(yes_or_no(form) is True for form in SPOKEN_YES)
    assert all(yes_or_no(form) is False for form in SPOKEN_NO)


@pytest.mark.parametrize(
    "text", ["aaaaaa", "qsdfgh", "...", "ok ok ok ok", "😀", "azerty", "wxcvbn", "zzzz", "?!"]
)
def test_noise(text: str) -> None:
    assert is_noise(text)


@pytest.mark.parametrize(
    "text",
    ["oui", "ok", "ok ok", "35", "35h", "jsp", "ptdr", "qqch", "g pa travaillé", "blorf zatu"],
)
def test_not_noise(text: str) -> None:
    """Words, figures and SMS spelling; random syllables are left to the NLU."""
    assert not is_noise(text)


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [("ouaip", "ouais", True), ("nop", "non", True), ("jamai", "jamais", True),
     ("non", "non", False), ("ouep", "ouai", False), ("zatu", "tout", False)],
)  # fmt: skip
def test_one_edit_apart(first: str, second: str, expected: bool) -> None:
    assert one_edit_apart(first, second) is expected
