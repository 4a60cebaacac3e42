"""Every turn of the kiosk's main flows, spoken by its default voice against the assistant.

Acceptance of the kiosk's spoken experience: no turn speaks longer than 12 seconds before
the person can answer, no turn reads a web address or the summary's token, and none asks
to write, type or click. Long answers come in steps ("Voulez-vous la suite ?"), "répète"
says the last step again, the actualisation's intro asks its first question at once, and
the recap is printed on a real (private) CUPS printer.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kiosk.printer import Printer
from passerelle.text import words
from tests.kiosk.test_spoken_wording import ADDRESS, FORBIDDEN
from tests.support.cups import PrivateCups
from tests.support.kiosk_flows import FLOWS, MESSAGES, MORE, Flow, Played, play

pytestmark = pytest.mark.stack
TURN_SECONDS = 12.0
ACTUALISATION = next(flow for flow in FLOWS if flow.name == "actualisation")


def check_turns(played: Played) -> None:
    """Short, no address, no "cliquez", and the flow went to its end."""
    report = "\n".join(f"{t.seconds:5.1f} s [{t.answer}] {t.said}" for t in played.turns)
    for turn in played.turns:
        assert turn.seconds <= TURN_SECONDS, f"{turn.seconds:.1f} s: {turn.said}\n{report}"
        assert not ADDRESS.search(turn.said), turn.said
        assert not FORBIDDEN.search(words(turn.said)), turn.said
    assert "au revoir" in [turn.answer for turn in played.turns], report
    assert played.turns[-1].said.startswith("Au revoir"), report


def answered(played: Played, answer: str) -> int:
    """Index of the turn that follows the person's `answer`."""
    return next(i for i, turn in enumerate(played.turns) if turn.answer == answer) + 1


@pytest.mark.parametrize(
    "flow", [flow for flow in FLOWS if flow is not ACTUALISATION], ids=lambda flow: flow.name
)
def test_main_flows_speak_in_short_turns(stack, flow: Flow, tmp_path: Path) -> None:
    played = play(flow, stack.rasa_url, stack.kiosk_token, tmp_path)
    check_turns(played)
    greeting, greet = played.turns[0], played.turns[1]
    assert greeting.said == MESSAGES["greeting"]
    assert greet.said.startswith("Bonjour") and "Dites " in greet.said
    answer = played.turns[answered(played, greet.answer) :]
    assert answer[0].said.endswith(MORE)  # a long answer, in steps


def test_repete_says_the_last_step_again_not_the_whole_answer(stack, tmp_path: Path) -> None:
    flow = next(flow for flow in FLOWS if flow.name == "identifiant oublié")
    played = play(flow, stack.rasa_url, stack.kiosk_token, tmp_path)
    check_turns(played)
    index = answered(played, "répète")
    first_step, repeated, next_step = played.turns[index - 1 : index + 2]
    assert repeated.said == first_step.said and repeated.said.endswith(MORE)
    assert next_step.said != first_step.said  # "oui": the next step, not the same again
    assert "Connexion Candidat" in first_step.said and "SMS" in next_step.said


def test_non_to_the_rest_goes_straight_to_the_question(stack, tmp_path: Path) -> None:
    flow = Flow(
        "sécurité, sans la suite",
        [(r"Que voulez-vous faire", "des conseils de sécurité"), (r"autre question", "au revoir")],
        more_answers=("oui", "non"),
    )
    played = play(flow, stack.rasa_url, stack.kiosk_token, tmp_path)
    check_turns(played)
    skipped = played.turns[answered(played, "non")]
    choices = "Dites un message bizarre ou ordinateur partagé."
    assert skipped.said == f"{MESSAGES['skip']} {MESSAGES['what_else']} {choices}"


def actualisation_checks(stack, played: Played) -> dict:
    check_turns(played)
    # The intro asks its first question in the same turn, without "Voulez-vous la suite ?".
    intro = played.turns[answered(played, "je veux m'actualiser")]
    assert intro.said.startswith("On s'entraîne : je n'envoie rien à France Travail.")
    assert re.search(r"(entraîner maintenant|à votre compte) \?$", intro.said), intro.said
    # Each question of the form is a turn of its own; the recap is said, then checked.
    said = " ".join(turn.said for turn in played.turns)
    for question in ("stage", "arrêt maladie", "congé maternité", "recherche d'un emploi"):
        assert question in said
    assert "trente-cinq heures pour mille deux cents euros brut" in said
    assert any(turn.said.endswith("Est-ce correct ?") for turn in played.turns)
    slots = stack.tracker(played.sender)["slots"]
    assert slots["hours_worked"] == 35.0 and slots["gross_salary"] == 1200.0
    assert slots["declaration_confirmed"] is True
    # The summary's link and token are never spoken.
    token = slots["summary_url"].rsplit("/", 1)[1]
    for piece in re.split(r"[.\-_]", token):
        if len(piece) >= 6:
            assert piece not in said
    return slots


def test_actualisation_spoken_and_the_recap_printed(
    stack, cups: PrivateCups, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CUPS_SERVER", cups.server)
    printer = Printer(cups.queue, stack.web_url)
    assert printer.check() is None
    before = len(cups.received())
    played = play(ACTUALISATION, stack.rasa_url, stack.kiosk_token, tmp_path, printer)
    actualisation_checks(stack, played)
    last = played.turns[answered(played, "au revoir") - 1]
    assert MESSAGES["printed"] in last.said and last.said.endswith(MESSAGES["what_else"])
    # The summary page of the widget's app, as text, went to the printer.
    documents = cups.received()
    assert len(documents) == before + 1
    printed = documents[-1].decode("utf-8")
    assert printed.startswith("Mon actualisation\n")
    assert "35 heures" in printed and "1 200 €" in printed and "Rien n'a été envoyé" in printed
    assert b"%PDF" in cups.wait_for_page()


def test_actualisation_without_printer_says_where_to_get_the_paper(stack, tmp_path: Path) -> None:
    played = play(ACTUALISATION, stack.rasa_url, stack.kiosk_token, tmp_path)
    actualisation_checks(stack, played)
    last = played.turns[answered(played, "au revoir") - 1]
    assert MESSAGES["paper_at_desk"] in last.said
