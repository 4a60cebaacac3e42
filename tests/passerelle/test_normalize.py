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


def test_pipeline_classifies_the_folded_copy_and_gives_back_the_original() -> None:
    from rasa.shared.nlu.training_data.message import Message

    from passerelle.nlu.components import FrenchNormalizer, UnreadableMessageGuard
    from passerelle.nlu.normalize import MAX_PARSED_CHARS

    long_text = "Arrêt " * 400
    messages = [Message(data={"text": t}) for t in ("J'ai OUBLIÉ 😢", long_text, "🙂🙂", "")]
    FrenchNormalizer().process(messages)
    assert messages[0].get("text") == "j'ai oublie  "
    assert len(messages[1].get("text")) == MAX_PARSED_CHARS
    UnreadableMessageGuard().process(messages)
    assert messages[0].get("text") == "J'ai OUBLIÉ 😢"
    assert messages[1].get("text") == long_text
    assert messages[0].get("intent") is None
    assert messages[1].get("intent") == {"name": "nlu_fallback", "confidence": 1.0}
    assert messages[2].get("intent") == {"name": "nlu_fallback", "confidence": 1.0}
    assert messages[3].get("intent") == {"name": "nlu_fallback", "confidence": 1.0}
