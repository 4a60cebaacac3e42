"""End to end through REST (issue 14): noise is never an answer, misunderstandings count,
"je ne sais pas" gets help, hours per week are not the month's, no loop without an exit,
and a correction changes only what it names.

The real Rasa server and action server run on free ports (`stack` in tests/conftest.py),
with the trained model: what the NLU makes of each message is its own.
"""

from __future__ import annotations

import uuid
from typing import Any, Dict, List

import pytest

from passerelle.calendar import WEEK, period_from_texts
from passerelle.numbers import format_hours

pytestmark = pytest.mark.stack

# Keyboard mashes, held keys, punctuation, an emoji, random syllables (issue 14).
GIBBERISH = (
    "aaaaaa",
    "qsdfgh",
    "...",
    "ok ok ok ok",
    "😀",
    "blorf zatu kripo manglu",
    "xq zzvrt plouk frimble",
)
# The ways out offered after two failed tries at a figure.
WAYS_OUT = {"exemple", "je ne sais pas", "passer cette question", "/human_handoff"}


def new_sender() -> str:
    return f"comprendre-{uuid.uuid4().hex[:8]}"


def text_of(messages: List[Dict[str, Any]]) -> str:
    return "\n".join(message.get("text") or "" for message in messages)


def slots(stack, sender: str) -> Dict[str, Any]:
    return stack.tracker(sender)["slots"]


def start(stack, sender: str) -> None:
    """Starts the rehearsal; says yes to rehearsing when the window is closed."""
    stack.say(sender, "je veux m'actualiser")
    if slots(stack, sender)["requested_slot"] == "rehearsal_ok":
        stack.say(sender, "oui")
    assert slots(stack, sender)["requested_slot"] == "worked"


def answer(stack, sender: str, *texts: str) -> List[Dict[str, Any]]:
    """Sends each text in turn; returns the bot's messages after the last one."""
    messages: List[Dict[str, Any]] = []
    for text in texts:
        messages = stack.say(sender, text)
    return messages


def payloads(message: Dict[str, Any]) -> set:
    return {button["payload"] for button in message.get("buttons") or []}


def test_gibberish_to_each_yes_no_question_never_fills_it(stack) -> None:
    sender = new_sender()
    start(stack, sender)
    asked = []
    rotation = iter(GIBBERISH * 3)
    # Every yes/no question of a rehearsal with nothing to declare, then the recap's.
    for question, reply in (
        ("worked", "non"),
        ("internship", "non"),
        ("sick_leave", "non"),
        ("maternity_leave", "non"),
        ("retirement_pension", "non"),
        ("invalidity_pension", "non"),
        ("still_seeking", "oui"),
        ("declaration_confirmed", None),
    ):
        assert slots(stack, sender)["requested_slot"] == question
        noise = next(rotation)
        messages = stack.say(sender, noise)
        state = slots(stack, sender)
        assert state[question] is None, (question, noise)
        assert state["requested_slot"] == question, (question, noise)
        # The same question comes again, last, with its yes/no buttons.
        assert {"/affirm", "/deny"} <= payloads(messages[-1]), (question, noise)
        asked.append(question)
        if reply:
            stack.say(sender, reply)
    assert len(asked) == 8
    # Every gibberish at the first question too.
    sender = new_sender()
    start(stack, sender)
    for noise in GIBBERISH:
        stack.say(sender, noise)
        state = slots(stack, sender)
        assert state["worked"] is None and state["requested_slot"] == "worked", noise


def test_two_gibberish_messages_in_a_row_bring_the_3949(stack) -> None:
    sender = new_sender()
    start(stack, sender)
    first = text_of(stack.say(sender, "qsdfgh"))
    assert "3949" not in first
    second = stack.say(sender, "aaaaaa")
    assert "3949" in text_of(second)
    assert "Avez-vous travaillé" in second[-1]["text"]  # then the same question
    assert slots(stack, sender)["failed_tries"] == 2.0
    # Out of the form, two out-of-scope messages in a row: the same offer.
    sender = new_sender()
    assert "3949" not in text_of(stack.say(sender, "blorf zatu kripo manglu"))
    assert "3949" in text_of(stack.say(sender, "xq zzvrt plouk frimble"))


def test_je_sais_pas_to_hours_and_salary_gets_their_help_then_the_same_question(
    stack,
) -> None:
    sender = new_sender()
    start(stack, sender)
    stack.say(sender, "oui")
    messages = stack.say(sender, "je sais pas")
    said = text_of(messages)
    assert "fiche de paie" in said and "Modifier" in said
    assert messages[-1]["text"].startswith("Combien d'heures avez-vous travaillé")
    state = slots(stack, sender)
    assert state["requested_slot"] == "hours_worked" and state["hours_worked"] is None

    stack.say(sender, "35 heures")
    messages = stack.say(sender, "je sais pas")
    said = text_of(messages)
    assert "brut" in said and "net" in said and "salaire horaire brut" in said
    assert messages[-1]["text"].startswith("Quel est votre salaire brut")
    state = slots(stack, sender)
    assert state["requested_slot"] == "gross_salary" and state["gross_salary"] is None


def test_35h_par_semaine_leads_to_the_months_figure_never_35(stack) -> None:
    sender = new_sender()
    start(stack, sender)
    stack.say(sender, "oui")
    messages = stack.say(sender, "35h par semaine")
    state = slots(stack, sender)
    assert state["hours_worked"] is None
    assert state["requested_slot"] == "monthly_hours_check"
    period = period_from_texts(state["period_start"], state["period_end"])
    monthly = period.monthly_hours(35.0, WEEK)
    said = text_of(messages)
    assert "par semaine" in said and format_hours(monthly) in said
    assert {"/affirm", "/deny"} <= payloads(messages[-1])
    stack.say(sender, "oui")
    state = slots(stack, sender)
    assert state["hours_worked"] == monthly != 35.0
    assert state["requested_slot"] == "gross_salary"


def test_three_failed_tries_at_the_hourly_rate_bring_the_ways_out_and_the_3949(stack) -> None:
    sender = new_sender()
    start(stack, sender)
    answer(stack, sender, "oui", "35 heures")
    stack.say(sender, "900 net")
    assert slots(stack, sender)["requested_slot"] == "hourly_rate"
    first = stack.say(sender, "bof")
    assert not WAYS_OUT & payloads(first[-1])
    for attempt in ("plein", "je vois pas"):
        messages = stack.say(sender, attempt)
        question = messages[-1]
        assert WAYS_OUT <= payloads(question), attempt
        assert "3949" in question["text"] and "salaire horaire brut" in question["text"]
    state = slots(stack, sender)
    assert state["failed_tries"] == 3.0 and state["hourly_rate"] is None
    # The ways out work: an example, then skipping the question goes on.
    assert "12,50" in text_of(stack.say(sender, "exemple"))
    messages = stack.say(sender, "passer cette question")
    state = slots(stack, sender)
    assert state["requested_slot"] == "internship"
    assert set(state["skipped_questions"]) == {"hourly_rate", "gross_salary"}


def test_correcting_only_the_hours_keeps_the_salary(stack) -> None:
    sender = new_sender()
    start(stack, sender)
    answer(stack, sender, "oui", "35 heures", "1200 euros")
    recap = text_of(answer(stack, sender, "non", "non", "non", "non", "non", "oui"))
    assert "Travail : oui, 35 heures pour 1 200 € brut" in recap
    messages = stack.say(sender, "non")
    assert "les heures" in payloads(messages[-1]) and "le salaire" in payloads(messages[-1])
    stack.say(sender, "les heures")
    assert slots(stack, sender)["requested_slot"] == "hours_worked"
    recap = text_of(stack.say(sender, "40 heures"))
    assert "Travail : oui, 40 heures pour 1 200 € brut" in recap
    state = slots(stack, sender)
    assert (state["hours_worked"], state["gross_salary"]) == (40.0, 1200.0)
    assert state["requested_slot"] == "declaration_confirmed"
