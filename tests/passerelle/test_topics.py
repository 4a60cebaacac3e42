"""Every intent has one French topic label, from the core's table."""

from __future__ import annotations

import re

from passerelle.domain import load_domain
from passerelle.names import FALLBACK_INTENT
from passerelle.topics import TOPIC_LABELS, topic_label

DOMAIN_INTENTS = set(load_domain()["intents"])


def test_every_intent_of_the_domain_has_a_label_and_no_label_is_left_over() -> None:
    assert set(TOPIC_LABELS) == DOMAIN_INTENTS | {FALLBACK_INTENT}


def test_labels_are_french_words_not_intent_names() -> None:
    for intent, label in TOPIC_LABELS.items():
        assert label != intent, intent
        assert "_" not in label, label
        assert label[0].isupper(), label
        assert re.fullmatch(r"[A-Za-zÀ-ÿ' ?-]+", label), label
    assert len(set(TOPIC_LABELS.values())) == len(TOPIC_LABELS)  # no two topics alike
    assert topic_label("disclose_credentials") == "A donné un secret"
    assert topic_label("inform") == "Réponse à une question"
    assert topic_label("affirm") == "Oui"


def test_an_unknown_intent_keeps_its_name() -> None:
    assert topic_label("nouvelle_intention") == "nouvelle_intention"
    assert topic_label(None) == "Inconnu"
