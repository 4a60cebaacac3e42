"""French normalisation for the classifier keeps entity offsets valid."""

import pytest

from passerelle.nlu.normalize import fold, has_words

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
