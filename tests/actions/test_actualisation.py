"""The actualisation form's validation action, run on trackers built from inline dicts."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.actualisation import (
    ActionActualisationDone,
    ActionActualisationIntro,
    ActionAskDeclarationConfirmed,
    ValidateActualisationForm,
)
from actions.parsing import correction_target, sick_leave_dates
from passerelle.actualisation import next_question, questions
from passerelle.config import settings
from passerelle.recap import recap_text, templates_from_domain
from passerelle.summary import make_summary_token, read_summary_token
from passerelle.text import yes_or_no

DOMAIN: Dict[str, Any] = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "domain.yml").read_text(encoding="utf-8")
)
FORM = "actualisation_form"
JUNE_2019 = {"period_start": "01/06/2019", "period_end": "30/06/2019", "actualisation_open": True}
ALL_NO = {
    "worked": False,
    "internship": False,
    "sick_leave": False,
    "maternity_leave": False,
    "retirement_pension": False,
    "invalidity_pension": False,
    "still_seeking": True,
}


def tracker_for(
    text: str,
    requested: Optional[str],
    slots: Optional[Dict[str, Any]] = None,
    intent: str = "inform",
    confidence: float = 0.95,
    after_side_answer: bool = False,
) -> Tracker:
    """A tracker as Rasa sends it to the validation action after a message."""
    message = {"text": text, "intent": {"name": intent, "confidence": confidence}}
    events: List[Dict[str, Any]] = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": message},
        {"event": "user_featurization", "use_text_for_featurization": False},
    ]
    if after_side_answer:
        events += [
            {"event": "action", "name": "utter_forgot_password"},
            {"event": "bot", "text": "..."},
        ]
    events += [
        {"event": "slot", "name": "requested_slot", "value": requested},
        {"event": "action", "name": FORM},
    ]
    all_slots = {**JUNE_2019, **(slots or {}), "requested_slot": requested}
    return Tracker("test", all_slots, message, events, False, None, {"name": FORM}, "action_listen")


def run(action: Any, tracker: Tracker) -> tuple[Dict[str, Any], List[str], List[Dict]]:
    """Runs an action; returns the slots it sets, the responses it sends, the raw messages."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, DOMAIN))
    slots = {event["name"]: event["value"] for event in events if event["event"] == "slot"}
    return slots, [m.get("response") for m in dispatcher.messages], dispatcher.messages


# Set after every answer attempt (the count of answers not understood at the question);
# the tests of that count read them, the others leave them out.
TRIES_SLOTS = ("failed_tries", "question_stuck")


def validate(text: str, requested: str, slots: Optional[Dict[str, Any]] = None, **kwargs: Any):
    found, responses, messages = validate_with_tries(text, requested, slots, **kwargs)
    return {k: v for k, v in found.items() if k not in TRIES_SLOTS}, responses, messages


def validate_with_tries(
    text: str, requested: str, slots: Optional[Dict[str, Any]] = None, **kwargs: Any
):
    return run(ValidateActualisationForm(), tracker_for(text, requested, slots, **kwargs))


def test_yes_no_words() -> None:
    assert yes_or_no("Oui") is True
    assert yes_or_no("ouais c'est ça") is True
    assert yes_or_no("non") is False
    assert yes_or_no("Non, pas du tout !") is False
    assert yes_or_no("je n'ai pas travaillé") is False
    assert yes_or_no("peut-être") is None


def test_first_answer_yes_asks_hours() -> None:
    slots, responses, _ = validate("oui", "worked", intent="affirm")
    assert slots == {"worked": True, "requested_slot": "hours_worked"}
    assert responses == []


def test_button_payload_no_goes_to_internship() -> None:
    slots, _, _ = validate("/deny", "worked", intent="deny")
    assert slots["worked"] is False
    assert slots["requested_slot"] == "internship"


@pytest.mark.parametrize(
    ("text", "hours"),
    [("35", 35.0), ("trente-cinq heures", 35.0), ("12 heures et demie", 12.5)],
)
def test_hours_accepted(text: str, hours: float) -> None:
    slots, responses, _ = validate(text, "hours_worked", {"worked": True})
    assert slots == {"hours_worked": hours, "requested_slot": "gross_salary"}
    assert responses == []


@pytest.mark.parametrize(
    ("text", "response"),
    [
        ("moins cinq", "utter_invalid_hours_not_positive"),
        ("-5", "utter_invalid_hours_not_positive"),
        ("0", "utter_invalid_hours_not_positive"),
        ("beaucoup", "utter_invalid_hours"),
        ("800 heures", "utter_invalid_hours_too_many"),
    ],
)
def test_bad_hours_reasked_with_specific_message(text: str, response: str) -> None:
    slots, responses, messages = validate(text, "hours_worked", {"worked": True})
    assert slots == {"hours_worked": None, "requested_slot": "hours_worked"}
    assert responses == [response]
    if response == "utter_invalid_hours_too_many":
        assert messages[0]["max_hours"] == 720  # June: 30 days


def test_salary_accepted_and_internship_next() -> None:
    slots, responses, _ = validate(
        "1 200,50 €", "gross_salary", {"worked": True, "hours_worked": 35.0}
    )
    assert slots == {
        "gross_salary": 1200.5,
        "actualisation_pending": None,
        "pending_salary": None,
        "requested_slot": "internship",
    }
    assert responses == []


def test_salary_words() -> None:
    slots, _, _ = validate(
        "mille deux cents euros", "gross_salary", {"worked": True, "hours_worked": 151.0}
    )
    assert slots["gross_salary"] == 1200.0


def test_odd_hourly_rate_asks_if_gross() -> None:
    state = {"worked": True, "hours_worked": 151.0}
    slots, _, _ = validate("100", "gross_salary", state)
    assert slots["gross_salary"] is None
    assert slots["pending_salary"] == 100.0
    assert slots["requested_slot"] == "gross_salary_check"
    state.update(slots)
    slots, _, _ = validate("oui", "gross_salary_check", state, intent="affirm")
    assert slots["gross_salary"] == 100.0
    assert slots["requested_slot"] == "internship"


def test_ask_gross_salary_check_shows_rate() -> None:
    from actions.actualisation import ActionAskGrossSalaryCheck

    tracker = tracker_for("", None, {"pending_salary": 100.0, "hours_worked": 151.0})
    _, responses, messages = run(ActionAskGrossSalaryCheck(), tracker)
    assert responses == ["utter_ask_gross_salary_check"]
    assert messages[0]["amount"] == "100 €"
    assert messages[0]["hours"] == "151 heures"
    assert messages[0]["rate"] == "0,66 €"


def test_net_salary_explains_and_estimates_from_hourly_rate() -> None:
    state = {"worked": True, "hours_worked": 35.0}
    slots, responses, _ = validate("900 net", "gross_salary", state)
    assert responses == ["utter_explain_gross_net"]
    assert slots["requested_slot"] == "hourly_rate"
    state.update(slots)
    slots, responses, messages = validate("douze euros", "hourly_rate", state)
    assert responses == ["utter_salary_estimated"]
    assert messages[0]["amount"] == "420 €"
    assert slots["gross_salary"] == 420.0
    assert slots["requested_slot"] == "internship"


def test_estimate_button_asks_the_hourly_rate() -> None:
    slots, responses, _ = validate(
        "estimer", "gross_salary", {"worked": True, "hours_worked": 35.0}, intent="inform"
    )
    assert responses == []
    assert slots["requested_slot"] == "hourly_rate"


@pytest.mark.parametrize(
    ("requested", "text", "intent", "response"),
    [
        ("hours_worked", "je sais pas", "deny", "utter_dont_know_hours_worked"),
        ("hours_worked", "jsp", "nlu_fallback", "utter_dont_know_hours_worked"),
        ("gross_salary", "je sais pas", "deny", "utter_dont_know_gross_salary"),
        ("gross_salary", "aucune idée", "out_of_scope", "utter_dont_know_gross_salary"),
        ("sick_leave_dates", "je ne sais plus", "deny", "utter_dont_know_sick_leave_dates"),
        ("hourly_rate", "je sais pas", "deny", "utter_help_hourly_rate"),
        ("internship", "jsp koi fer", "deny", "utter_help_internship"),
    ],
)
def test_dont_know_gets_the_questions_help_then_the_same_question(
    requested: str, text: str, intent: str, response: str
) -> None:
    state = {
        **ALL_NO,
        "worked": True,
        "hours_worked": 35.0,
        "sick_leave": True,
        "actualisation_pending": "salary_help",
        requested: None,
    }
    slots, responses, _ = validate(text, requested, state, intent=intent, confidence=0.89)
    assert responses == [response]
    assert slots["requested_slot"] == requested
    assert slots.get(requested) is None


def test_dont_know_help_is_true_to_the_guides() -> None:
    """Payslip hours and « Modifier »; gross before contributions, hours x hourly rate;
    the dates on the sick-leave notice."""
    text = {name: DOMAIN["responses"][name][0]["text"] for name in DOMAIN["responses"]}
    assert "fiche de paie" in text["utter_dont_know_hours_worked"]
    assert "Modifier" in text["utter_dont_know_hours_worked"]
    salary = text["utter_dont_know_gross_salary"]
    assert "brut" in salary and "net" in salary and "salaire horaire brut" in salary
    assert "avis d'arrêt de travail" in text["utter_dont_know_sick_leave_dates"]


def test_a_number_with_dont_know_is_an_answer() -> None:
    slots, responses, _ = validate(
        "je sais pas trop, environ 35 heures", "hours_worked", {"worked": True}
    )
    assert slots["hours_worked"] == 35.0 and responses == []


def test_sick_leave_dates() -> None:
    assert sick_leave_dates("du trois au dix") == "du 3 au 10"
    assert sick_leave_dates("du premier au 12 juin") == "du 1 au 12 juin"
    assert sick_leave_dates("du 3 au 45") is None
    assert sick_leave_dates("je sais plus") is None
    slots, _, _ = validate("oui", "sick_leave", {**ALL_NO, "sick_leave": None}, intent="affirm")
    assert slots["requested_slot"] == "sick_leave_dates"
    slots, responses, _ = validate("bof", "sick_leave_dates", {**ALL_NO, "sick_leave": True})
    assert responses == ["utter_invalid_sick_leave_dates"]
    assert slots["requested_slot"] == "sick_leave_dates"


def test_not_seeking_warns_before_recording() -> None:
    state = {**ALL_NO, "still_seeking": None}
    slots, _, _ = validate("non", "still_seeking", state, intent="deny")
    assert slots["still_seeking"] is None
    assert slots["requested_slot"] == "not_seeking_confirmed"
    state.update(slots)
    slots, _, _ = validate("oui", "not_seeking_confirmed", state, intent="affirm")
    assert slots["still_seeking"] is False
    assert slots["requested_slot"] == "declaration_confirmed"


def test_not_seeking_declined_keeps_seeking() -> None:
    state = {**ALL_NO, "still_seeking": None, "actualisation_pending": "not_seeking"}
    slots, responses, _ = validate("non", "not_seeking_confirmed", state, intent="deny")
    assert slots["still_seeking"] is True
    assert responses == ["utter_still_seeking_kept"]


def test_correction_asks_only_that_question_then_recap() -> None:
    state = dict(ALL_NO)
    slots, _, _ = validate("non", "declaration_confirmed", state, intent="deny")
    assert slots["requested_slot"] == "correction_field"
    state.update(slots)
    slots, _, _ = validate("stage", "correction_field", state, intent="inform")
    assert slots.get("internship") is None
    assert slots["requested_slot"] == "internship"
    state.update(slots)
    slots, _, _ = validate("oui", "internship", state, intent="affirm")
    assert slots == {"internship": True, "requested_slot": "declaration_confirmed"}
    state.update(slots)
    slots, _, _ = validate("oui", "declaration_confirmed", state, intent="affirm")
    assert slots["declaration_confirmed"] is True
    assert slots["requested_slot"] is None


def test_correction_targets() -> None:
    assert correction_target("arrêt maladie") == "sick_leave"
    assert correction_target("Travail, heures et salaire") == "worked"
    assert correction_target("pension d'invalidité") == "invalidity_pension"
    assert correction_target("2") == "internship"
    assert correction_target("bof") is None


def test_side_question_rejects_then_same_question() -> None:
    state = {"worked": False}
    slots, responses, _ = validate(
        "j'ai oublié mon mot de passe", "internship", state, intent="forgot_password"
    )
    assert (slots, responses) == ({}, [])  # no event: Rasa rejects the form
    tracker = tracker_for(
        "j'ai oublié mon mot de passe", "internship", state, after_side_answer=True
    )
    slots, responses, _ = run(ValidateActualisationForm(), tracker)
    assert slots == {"requested_slot": "internship"}


def test_volunteered_password_is_not_an_answer() -> None:
    slots, _, _ = validate(
        "mon mot de passe c'est Pierre76&", "gross_salary", {"worked": True}, intent="inform"
    )
    assert slots == {}


def test_help_on_current_and_other_question() -> None:
    slots, responses, _ = validate("aide", "internship", {"worked": False}, intent="help")
    assert responses == ["utter_help_internship"]
    assert slots["requested_slot"] == "internship"
    slots, responses, _ = validate(
        "c'est quoi le salaire brut ?",
        "gross_salary",
        {"worked": True, "hours_worked": 35.0},
        intent="help",
    )
    assert responses == ["utter_help_gross_salary"]
    assert slots["requested_slot"] == "gross_salary"


def test_stop_confirmed_forgets_answers() -> None:
    state = {"worked": True, "hours_worked": 35.0}
    slots, _, _ = validate("stop", "gross_salary", state, intent="stop")
    assert slots["requested_slot"] == "stop_confirmed"
    state.update(slots)
    slots, _, _ = validate("oui", "stop_confirmed", state, intent="affirm")
    assert slots["worked"] is None and slots["hours_worked"] is None
    assert slots["requested_slot"] is None


def test_goodbye_in_the_middle_asks_whether_to_stop() -> None:
    state = {"worked": False}
    slots, _, _ = validate("au revoir", "internship", state, intent="goodbye")
    assert slots["requested_slot"] == "stop_confirmed"
    assert slots.get("internship") is None


def test_stop_declined_resumes_same_question() -> None:
    state = {"worked": True, "hours_worked": 35.0, "actualisation_outcome": "stop_asked"}
    slots, responses, _ = validate("non", "stop_confirmed", state, intent="deny")
    assert responses == ["utter_actualisation_continue"]
    assert slots["requested_slot"] == "gross_salary"


def test_unclear_yes_no_reasked() -> None:
    slots, responses, _ = validate(
        "peut-être", "internship", {"worked": False}, intent="nlu_fallback"
    )
    assert responses == ["utter_invalid_yes_no"]
    assert slots == {"internship": None, "requested_slot": "internship"}


def test_closed_window_asks_rehearsal_first() -> None:
    assert questions({"actualisation_open": False})[0] == "rehearsal_ok"
    assert questions({"actualisation_open": True})[0] == "worked"


RECAP = (
    "Vos réponses pour la période du 1er au 30 juin 2019 :\n"
    "- Travail : oui, 35 heures pour 1 200 € brut\n"
    "- Stage : non\n"
    "- Arrêt maladie : oui, du 3 au 10\n"
    "- Congé maternité : non\n"
    "- Nouvelle pension de retraite : non\n"
    "- Nouvelle pension d'invalidité : non\n"
    "- Recherche d'emploi : oui"
)
WORKED_STATE = {
    **ALL_NO,
    "worked": True,
    "hours_worked": 35.0,
    "gross_salary": 1200.0,
    "sick_leave": True,
    "sick_leave_dates": "du 3 au 10",
}


def test_recap_wording() -> None:
    templates = templates_from_domain(DOMAIN)
    assert recap_text("01/06/2019", "30/06/2019", WORKED_STATE, templates) == RECAP
    no_work = recap_text("01/06/2019", "30/06/2019", ALL_NO, templates)
    assert "- Travail : non\n" in no_work


def test_recap_action_sends_recap_then_question() -> None:
    tracker = tracker_for("", "declaration_confirmed", WORKED_STATE)
    _, responses, messages = run(ActionAskDeclarationConfirmed(), tracker)
    assert responses == ["utter_recap", "utter_ask_declaration_confirmed"]
    assert messages[0]["recap"] == RECAP


def test_done_gives_steps_and_summary_link() -> None:
    state = {**WORKED_STATE, "declaration_confirmed": True}
    slots, responses, messages = run(ActionActualisationDone(), tracker_for("", None, state))
    assert "utter_actualisation_steps" in responses
    assert "utter_actualisation_payslip" in responses
    assert responses[-1] == "utter_actualisation_summary"
    assert "/resume/" in slots["summary_url"]


def test_summary_link_starts_with_the_public_url(monkeypatch: pytest.MonkeyPatch) -> None:
    """Behind a real domain, the link the bot sends is on that domain, not the bind address."""
    monkeypatch.setenv("PUBLIC_URL", "https://exemple.fr")
    monkeypatch.setenv("PASSERELLE_SECRET_KEY", "test-key")
    settings.cache_clear()
    try:
        state = {**WORKED_STATE, "declaration_confirmed": True}
        slots, _, messages = run(ActionActualisationDone(), tracker_for("", None, state))
    finally:
        settings.cache_clear()
    link = messages[-1]["url"]
    assert link.startswith("https://exemple.fr/resume/")
    assert messages[-1]["link_hours"] == 48
    assert slots["summary_url"] == link
    # The address goes in a link attachment, never in the text (read aloud, shown raw).
    summary = DOMAIN["responses"]["utter_actualisation_summary"][0]
    assert summary["attachment"] == {
        "type": "link",
        "payload": {"title": "Ouvrir mon récapitulatif", "url": "{url}"},
    }
    assert "{url}" not in summary["text"] and "http" not in summary["text"]


def test_summary_link_hides_the_answers_and_says_how_long_it_works(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PASSERELLE_SECRET_KEY", "test-key")
    monkeypatch.setenv("SUMMARY_LINK_HOURS", "24")
    settings.cache_clear()
    try:
        state = {**WORKED_STATE, "declaration_confirmed": True}
        slots, _, messages = run(ActionActualisationDone(), tracker_for("", None, state))
    finally:
        settings.cache_clear()
    assert messages[-1]["link_hours"] == 24
    token = slots["summary_url"].rsplit("/", 1)[1]
    assert "1200" not in token and "2019" not in token
    assert read_summary_token("test-key", token)["answers"]["gross_salary"] == 1200.0
    text = DOMAIN["responses"]["utter_actualisation_summary"][0]["text"]
    assert text.endswith("Le lien marche pendant {link_hours} heures.")


def test_done_after_stop_says_abandoned() -> None:
    slots, responses, _ = run(ActionActualisationDone(), tracker_for("", None, {}))
    assert responses == ["utter_actualisation_abandoned"]
    assert slots["worked"] is None


def test_summary_token_roundtrip_and_tampering() -> None:
    token = make_summary_token("k" * 32, "01/06/2019", "30/06/2019", WORKED_STATE)
    payload = read_summary_token("k" * 32, token)
    assert payload is not None
    assert payload["answers"]["gross_salary"] == 1200.0
    assert read_summary_token("other-key", token) is None
    assert read_summary_token("k" * 32, token[:-2] + "xx") is None


def test_intro_gives_the_period_last_in_dates_of_one_style() -> None:
    """The period comes just before the first question, so both are read together."""
    _, responses, messages = run(ActionActualisationIntro(), tracker_for("", None, {}))
    assert responses[:2] == ["utter_actualisation_intro", "utter_actualisation_have_at_hand"]
    assert responses[2] in ("utter_actualisation_period_open", "utter_actualisation_period_closed")
    assert messages[2]["period"].startswith("du 1er au ")
    assert messages[2]["window"].startswith("du 28 ")


# --- noise, yes/no confidence, failed tries (issue 14) ----------------------------------

YES_NO_QUESTIONS = (
    "worked",
    "internship",
    "sick_leave",
    "maternity_leave",
    "retirement_pension",
    "invalidity_pension",
    "still_seeking",
    "declaration_confirmed",
    "gross_salary_check",
    "not_seeking_confirmed",
    "monthly_hours_check",
)
GIBBERISH = ("aaaaaa", "qsdfgh", "...", "ok ok ok ok", "😀", "blorf zatu kripo manglu")


@pytest.mark.parametrize("question", YES_NO_QUESTIONS)
@pytest.mark.parametrize("text", GIBBERISH)
@pytest.mark.parametrize(
    ("intent", "confidence"), [("affirm", 0.59), ("affirm", 0.99), ("deny", 0.95)]
)
def test_gibberish_never_fills_a_yes_no_question(
    question: str, text: str, intent: str, confidence: float
) -> None:
    """Even when the classifier is sure of `affirm` or `deny`."""
    state = {**ALL_NO, "worked": True, "hours_worked": 35.0, question: None}
    slots, responses, _ = validate(text, question, state, intent=intent, confidence=confidence)
    assert slots.get(question) is None
    # Nothing changed: the same state asks the same next question.
    assert slots.get("requested_slot", question) == next_question(state)
    assert responses in ([], ["utter_invalid_yes_no"])  # [] : rejected, another rule answers


@pytest.mark.parametrize(
    ("text", "intent", "confidence", "expected"),
    [
        ("/affirm", "affirm", 1.0, True),
        ("ouais", "nlu_fallback", 0.3, True),
        ("ouiiii", "inform", 0.5, True),
        ("pas du tout", "out_of_scope", 0.4, False),
        ("j'ai bossé un peu", "affirm", 0.93, True),
        ("j'ai bossé un peu", "affirm", 0.7, None),
        ("aaaaaa", "affirm", 0.59, None),
        # one letter from a yes/no word, or one said twice: the confident intent counts
        ("ouaip", "affirm", 0.99, True),
        ("nop", "deny", 0.99, False),
        ("okok", "affirm", 1.0, True),
        ("blorf zatu kripo manglu", "affirm", 0.99, None),
    ],
)
def test_yes_no_from_known_forms_or_a_confident_intent(
    text: str, intent: str, confidence: float, expected: Optional[bool]
) -> None:
    slots, responses, _ = validate(text, "worked", {}, intent=intent, confidence=confidence)
    assert slots.get("worked") is expected
    assert responses == ([] if expected is not None else ["utter_invalid_yes_no"])


def tracker_after_failures(text: str, requested: str, state: Dict[str, Any], failures: int):
    """The tracker of a message after `failures` answers to `requested` the form refused."""
    tracker = tracker_for(text, requested, {**state, "failed_tries": float(failures)})
    earlier: List[Dict[str, Any]] = []
    for tries in range(1, failures + 1):
        earlier += [
            {"event": "user", "text": "zzz", "parse_data": {"intent": {"name": "affirm"}}},
            {"event": "slot", "name": "failed_tries", "value": float(tries)},
        ]
    tracker.events = earlier + tracker.events
    return tracker


def test_second_gibberish_in_a_row_offers_a_person_and_asks_again() -> None:
    slots, responses, _ = validate_with_tries("qsdfgh", "internship", {"worked": False})
    assert responses == ["utter_invalid_yes_no"]
    assert slots["failed_tries"] == 1.0 and slots["question_stuck"] is False
    tracker = tracker_after_failures("aaaaaa", "internship", {"worked": False}, 1)
    slots, responses, _ = run(ValidateActualisationForm(), tracker)
    assert responses == ["utter_invalid_yes_no_again"]
    assert "3949" in DOMAIN["responses"]["utter_invalid_yes_no_again"][0]["text"]
    assert slots["internship"] is None and slots["requested_slot"] == "internship"
    assert slots["failed_tries"] == 2.0 and slots["question_stuck"] is True


def test_an_accepted_answer_sets_the_tries_back_to_zero() -> None:
    tracker = tracker_after_failures("35", "hours_worked", {"worked": True}, 2)
    slots, _, _ = run(ValidateActualisationForm(), tracker)
    assert slots["hours_worked"] == 35.0
    assert slots["failed_tries"] == 0.0 and slots["question_stuck"] is False


@pytest.mark.parametrize(
    ("requested", "state"),
    [
        ("hours_worked", {"worked": True}),
        ("gross_salary", {"worked": True, "hours_worked": 35.0}),
        (
            "hourly_rate",
            {"worked": True, "hours_worked": 35.0, "actualisation_pending": "salary_help"},
        ),
        ("sick_leave_dates", {**ALL_NO, "sick_leave": True}),
    ],
)
def test_two_failed_tries_at_a_figure_offer_ways_out(requested: str, state: Dict[str, Any]) -> None:
    tracker = tracker_after_failures("bof", requested, state, 1)
    slots, _, _ = run(ValidateActualisationForm(), tracker)
    assert slots["requested_slot"] == requested
    assert slots["failed_tries"] == 2.0 and slots["question_stuck"] is True
    # The question comes again in its variant with the ways out (Rasa's own generator).
    from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator

    nlg = TemplatedNaturalLanguageGenerator(DOMAIN["responses"])
    for channel in ("rest", "kiosk"):
        asked = nlg.generate_from_slots(
            f"utter_ask_{requested}", {"question_stuck": True}, channel, period_month="juin 2019"
        )
        payloads = [button["payload"] for button in asked["buttons"]]
        assert {"exemple", "je ne sais pas", "passer cette question", "/human_handoff"} <= set(
            payloads
        ), (requested, channel)
        assert "3949" in asked["text"]
        usual = nlg.generate_from_slots(f"utter_ask_{requested}", {}, channel, period_month="x")
        assert "3949" not in usual["text"]


@pytest.mark.parametrize(
    ("requested", "response"),
    [
        ("hours_worked", "utter_example_hours_worked"),
        ("gross_salary", "utter_example_gross_salary"),
        ("hourly_rate", "utter_example_hourly_rate"),
        ("sick_leave_dates", "utter_example_sick_leave_dates"),
    ],
)
def test_the_example_button_shows_an_example_then_the_same_question(
    requested: str, response: str
) -> None:
    state = {**ALL_NO, "worked": True, "hours_worked": 35.0, "sick_leave": True, requested: None}
    slots, responses, _ = validate("exemple", requested, state)
    assert responses == [response]
    assert slots["requested_slot"] == requested


def test_skipping_the_hours_goes_on_and_the_recap_says_to_complete() -> None:
    state: Dict[str, Any] = {"worked": True}
    slots, responses, _ = validate_with_tries("passer cette question", "hours_worked", state)
    assert responses == ["utter_question_skipped"]
    assert slots["skipped_questions"] == ["hours_worked"]
    assert slots["requested_slot"] == "gross_salary"
    state = {**ALL_NO, "worked": True, "gross_salary": 1200.0, **slots}
    text = recap_text("01/06/2019", "30/06/2019", state, templates_from_domain(DOMAIN))
    assert "- Travail : oui, heures à compléter, 1 200 € brut\n" in text
    _, responses, _ = run(
        ActionActualisationDone(), tracker_for("", None, {**state, "declaration_confirmed": True})
    )
    assert "utter_actualisation_missing" in responses


def test_skipping_the_hourly_rate_skips_the_salary_it_estimates() -> None:
    state = {"worked": True, "hours_worked": 35.0, "actualisation_pending": "salary_help"}
    slots, _, _ = validate("passer cette question", "hourly_rate", state)
    assert slots["skipped_questions"] == ["hourly_rate", "gross_salary"]
    assert slots["requested_slot"] == "internship"


# --- hours per week or per day ----------------------------------------------------------

NOVEMBER_2026 = {"period_start": "01/11/2026", "period_end": "30/11/2026"}


@pytest.mark.parametrize(
    ("text", "unit", "total", "count", "response"),
    [
        ("35h par semaine", "semaine", "150 heures", "4,3", "utter_ask_monthly_hours_check_week"),
        ("35 heures/semaine", "semaine", "150 heures", "4,3", "utter_ask_monthly_hours_check_week"),
        ("7h par jour", "jour", "147 heures", "21", "utter_ask_monthly_hours_check_day"),
    ],
)
def test_hours_per_week_or_day_ask_about_the_months_figure(
    text: str, unit: str, total: str, count: str, response: str
) -> None:
    state = {"worked": True, **NOVEMBER_2026}
    slots, responses, _ = validate(text, "hours_worked", state)
    assert responses == []
    assert slots["hours_worked"] is None  # never the week's figure
    assert slots["pending_hours_unit"] == unit
    assert slots["requested_slot"] == "monthly_hours_check"
    state.update(slots)
    from actions.actualisation import ActionAskMonthlyHoursCheck

    _, responses, messages = run(ActionAskMonthlyHoursCheck(), tracker_for("", None, state))
    assert responses == [response]
    assert (messages[0]["total"], messages[0]["count"]) == (total, count)
    slots, _, _ = validate("oui", "monthly_hours_check", state, intent="affirm")
    assert slots["hours_worked"] == float(total.split()[0])
    assert slots["requested_slot"] == "gross_salary"


def test_no_to_the_months_figure_asks_the_hours_again() -> None:
    state = {
        "worked": True,
        "pending_hours": 35.0,
        "pending_hours_unit": "semaine",
        "actualisation_pending": "hours_check",
    }
    slots, _, _ = validate("non", "monthly_hours_check", state, intent="deny")
    assert slots["hours_worked"] is None
    assert slots["requested_slot"] == "hours_worked"


# --- fine-grained correction at the recap -----------------------------------------------

AT_RECAP = {**WORKED_STATE, "actualisation_pending": "correction"}


def test_correcting_the_hours_keeps_the_salary() -> None:
    state = dict(AT_RECAP)
    slots, _, _ = validate("les heures", "correction_field", state)
    assert slots["hours_worked"] is None and "gross_salary" not in slots
    assert slots["requested_slot"] == "hours_worked"
    state.update(slots)
    slots, _, _ = validate("40", "hours_worked", state)
    assert slots["hours_worked"] == 40.0
    assert slots["requested_slot"] == "declaration_confirmed"
    assert state["gross_salary"] == 1200.0


def test_correcting_the_salary_keeps_the_hours() -> None:
    slots, _, _ = validate("le salaire", "correction_field", dict(AT_RECAP))
    assert slots["gross_salary"] is None and "hours_worked" not in slots
    assert slots["requested_slot"] == "gross_salary"


@pytest.mark.parametrize(
    ("answer", "intent", "next_question"),
    [("oui", "affirm", "declaration_confirmed"), ("non", "deny", "internship")],
)
def test_the_work_group_asks_hours_and_salary_only_if_the_answer_changes(
    answer: str, intent: str, next_question: str
) -> None:
    state = dict(AT_RECAP)
    slots, _, _ = validate("travail", "correction_field", state)
    assert slots["worked"] is None and "hours_worked" not in slots
    assert slots["requested_slot"] == "worked"
    state.update(slots)
    slots, _, _ = validate(answer, "worked", state, intent=intent)
    state.update(slots)
    assert slots["requested_slot"] == "declaration_confirmed"
    if answer == "oui":
        assert (state["hours_worked"], state["gross_salary"]) == (35.0, 1200.0)
    else:
        assert state["hours_worked"] is None and state["gross_salary"] is None


def test_no_to_work_then_yes_asks_hours_and_salary() -> None:
    state = {**ALL_NO, "worked": None, "declaration_confirmed": None}
    slots, _, _ = validate("oui", "worked", state, intent="affirm")
    assert slots["requested_slot"] == "hours_worked"


def test_hours_without_work_correct_the_work_question() -> None:
    slots, _, _ = validate(
        "les heures", "correction_field", {**ALL_NO, "actualisation_pending": "correction"}
    )
    assert slots["worked"] is None and slots["requested_slot"] == "worked"
