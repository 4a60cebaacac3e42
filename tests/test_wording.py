"""What the bot writes follows the house wording rules (issue 15), checked on `domain.yml`.

Typed channels (the widget, REST) use the variants without `channel:` (or with a text
channel); the kiosk's spoken variants (`channel: kiosk`) have their own rules.
"""

from __future__ import annotations

import re
from typing import Iterator, Tuple

import pytest

from passerelle.domain import load_domain
from passerelle.names import KIOSK_INPUT
from passerelle.recap import RECAP_PREFIX

NBSP = "\u00a0"


def text_variants() -> Iterator[Tuple[str, str]]:
    """(response name, text) for every variant shown in a typed channel."""
    for name, variants in load_domain()["responses"].items():
        for variant in variants:
            if variant.get("channel") == KIOSK_INPUT:
                continue
            texts = [variant.get("text") or ""]
            texts += [button.get("title") or "" for button in variant.get("buttons") or []]
            for text in texts:
                yield name, text


def offending(pattern: str, flags: int = 0) -> list:
    return [(name, text) for name, text in text_variants() if re.search(pattern, text, flags)]


def test_french_quotes_hold_their_words_with_non_breaking_spaces() -> None:
    assert offending(r"«[ \t]|[ \t]»") == []
    quoted = [text for _, text in text_variants() if "«" in text]
    assert quoted and all(f"«{NBSP}" in text and f"{NBSP}»" in text for text in quoted)


def test_typed_channels_never_say_dites() -> None:
    assert offending(r"\bdites\b", re.IGNORECASE) == []


def test_questions_use_plain_verbs() -> None:
    questions = [(n, t) for n, t in text_variants() if n.startswith("utter_ask_")]
    assert [(n, t) for n, t in questions if re.search(r"\bperce", t, re.IGNORECASE)] == []
    assert any("Recevez-vous" in text for _, text in questions)


def test_dates_have_one_style_and_no_address_is_written_out() -> None:
    # Dates come from passerelle/calendar.py as "du 1er au 30 novembre 2026": no
    # template puts two dates side by side, no text carries a "01/11/2026" date.
    assert offending(r"\{(start|opens)\} au \{(end|closes)\}") == []
    assert offending(r"\b\d{2}/\d{2}/\d{4}\b") == []
    assert offending(r"https?://|\{url\}") == []


def test_recap_is_a_list_of_question_and_answer_lines() -> None:
    recap = {n: t for n, t in text_variants() if n.startswith(RECAP_PREFIX)}
    lines = {n: t for n, t in recap.items() if n != f"{RECAP_PREFIX}header"}
    assert lines
    for name, text in lines.items():
        label, _, answer = text.partition(" : ")
        assert label and not label.lower().startswith("ne "), name
        assert answer.startswith("oui" if name.endswith("_true") else "non"), name
    assert "{period}" in recap[f"{RECAP_PREFIX}header"]


@pytest.mark.parametrize("name", ["utter_actualisation_summary"])
def test_links_travel_as_attachments(name: str) -> None:
    [variant] = [v for v in load_domain()["responses"][name] if v.get("channel") != KIOSK_INPUT]
    assert variant["attachment"]["type"] == "link"
    assert variant["attachment"]["payload"]["url"] == "{url}"
