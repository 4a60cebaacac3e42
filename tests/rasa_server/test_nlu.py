"""The French NLU components of the Rasa server (`rasa_server/nlu.py`)."""


def test_pipeline_classifies_the_folded_copy_and_gives_back_the_original() -> None:
    from rasa.shared.nlu.training_data.message import Message

    from passerelle.text import MAX_PARSED_CHARS
    from rasa_server.nlu import FrenchNormalizer, UnreadableMessageGuard

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
