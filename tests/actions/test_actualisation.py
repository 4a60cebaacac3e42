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
from passerelle.actualisation import questions
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


def validate(text: str, requested: str, slots: Optional[Dict[str, Any]] = None, **kwargs: Any):
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


def test_dont_know_gross_offers_estimate() -> None:
    slots, responses, _ = validate(
        "je sais pas", "gross_salary", {"worked": True, "hours_worked": 35.0}, intent="deny"
    )
    assert responses == ["utter_explain_gross_net"]
    assert slots["requested_slot"] == "hourly_rate"


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
