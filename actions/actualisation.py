"""The monthly actualisation, rehearsed one question at a time (form, validation, recap).

Wiring in `domain.yml` (section `# --- actualisation ---`): the form `actualisation_form`
lists the site's questions; every slot it fills has a `custom` mapping. The questions,
their order and their conditions are the core's (`passerelle.actualisation.questions`);
`ValidateActualisationForm` reads the person's words for the requested question
(extraction), checks them in `validate_<slot>` and names the next question. Rules in
`data/rules/actualisation.yml` start the form with `action_actualisation_intro` and end it
with `action_actualisation_done`.

The bot never sends anything to France Travail: it prepares the declaration, shows the
recap in the site's words, then says where to click and gives a printable summary.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.parsing import (
    correction_target,
    help_topic,
    says_dont_know,
    says_net,
    sick_leave_dates,
    wants_stop,
)
from passerelle import actualisation as form
from passerelle.calendar import Period, period_for, period_from_texts
from passerelle.config import settings
from passerelle.names import (
    ACTUALISATION_FORM,
    AFFIRM_INTENT,
    CREDENTIALS_INTENT,
    DENY_INTENT,
    FALLBACK_INTENT,
    INFORM_INTENT,
    REQUESTED_SLOT,
)
from passerelle.numbers import format_euros, format_hours, parse_amount, parse_hours
from passerelle.privacy import mask_text
from passerelle.recap import recap_text, templates_from_domain
from passerelle.summary import make_summary_token, summary_url
from passerelle.text import yes_or_no

logger = logging.getLogger(__name__)

# Intents that are answers to the form's questions.
ANSWER_INTENTS = frozenset({AFFIRM_INTENT, DENY_INTENT, INFORM_INTENT, FALLBACK_INTENT})
# Another intent above this confidence is a side question, not an answer attempt.
SIDE_QUESTION_CONFIDENCE = 0.6
# An hourly rate outside these bounds makes us ask "c'est bien le salaire brut ?".
# The legal minimum (SMIC) is near 12 euros gross an hour: half of it is far below.
SUSPICIOUS_RATE_LOW = 6.0
SUSPICIOUS_RATE_HIGH = 150.0
# A reply above this to "salaire horaire brut ?" is the month's gross salary.
MAX_HOURLY_RATE = 100.0
# Slots asked again when one answer is corrected.
CORRECTION_RESETS = {
    "worked": (
        "worked",
        form.HOURS_SLOT,
        form.SALARY_SLOT,
        form.HOURLY_RATE_SLOT,
        form.PENDING_SALARY_SLOT,
    ),
    "sick_leave": ("sick_leave", form.DATES_SLOT),
    "still_seeking": ("still_seeking", form.NOT_SEEKING_SLOT),
}
# How each question that is not yes/no recognises an answer attempt.
ANSWER_READERS: Dict[str, Callable[[str], Any]] = {
    form.HOURS_SLOT: parse_hours,
    form.SALARY_SLOT: parse_amount,
    form.HOURLY_RATE_SLOT: parse_amount,
    form.DATES_SLOT: sick_leave_dates,
    form.CORRECTION_SLOT: correction_target,
}


# --- one message of the person ----------------------------------------------------------

ANSWER, SIDE, HELP, STOP = "answer", "side", "help", "stop"


@dataclass(frozen=True)
class Turn:
    """What the person's message is, for the requested question."""

    kind: str  # ANSWER, SIDE (a question for another rule), HELP or STOP
    topic: Optional[str] = None  # for HELP: the question whose help is asked


def is_fresh_user_turn(events: List[Dict[str, Any]]) -> bool:
    """True when the form runs right after a user message (not after a side answer).

    Rasa appends `ActionExecuted(actualisation_form)` before calling the validation
    action; the event before it tells whether the person just spoke.
    """
    marker_skipped = False
    for event in reversed(events):
        kind = event.get("event")
        if kind in ("slot", "active_loop", "user_featurization"):
            continue
        if kind == "action" and event.get("name") == ACTUALISATION_FORM and not marker_skipped:
            marker_skipped = True
            continue
        return kind == "user"
    return False


def yes_no_answer(text: str, intent: str) -> Optional[bool]:
    """The yes or no in the person's words, else from the intent (buttons send /affirm)."""
    value = yes_or_no(text)
    if value is None and intent in (AFFIRM_INTENT, DENY_INTENT):
        value = intent == AFFIRM_INTENT
    return value


def intent_of(tracker: Tracker) -> tuple[str, float]:
    """The latest message's intent and its confidence."""
    intent = (tracker.latest_message or {}).get("intent") or {}
    return intent.get("name") or "", float(intent.get("confidence") or 0.0)


def read_turn(tracker: Tracker, requested: str) -> Turn:
    """Tells an answer to `requested` from help, a request to stop, or a side question."""
    text = (tracker.latest_message or {}).get("text") or ""
    intent, confidence = intent_of(tracker)
    if intent == CREDENTIALS_INTENT or mask_text(text) != text:
        return Turn(SIDE)  # the security rule warns; nothing of it is kept here
    if wants_stop(text, intent, confidence):
        return Turn(ANSWER if requested == form.STOP_SLOT else STOP)
    is_yes_no = requested in form.BOOL_SLOTS and yes_or_no(text) is not None
    topic = help_topic(text, intent, requested)
    if topic is not None and not is_yes_no:
        return Turn(HELP, topic)
    if intent in ANSWER_INTENTS or confidence < SIDE_QUESTION_CONFIDENCE:
        return Turn(ANSWER)
    if requested in form.BOOL_SLOTS:
        understood = yes_no_answer(text, intent) is not None
    else:
        understood = ANSWER_READERS[requested](text) is not None or says_dont_know(text)
    return Turn(ANSWER if understood else SIDE)


# --- checks shared by every yes/no question ---------------------------------------------

Validator = Callable[..., Dict[str, Any]]


def yes_no_question(method: Validator) -> Callable[..., Awaitable[Dict[str, Any]]]:
    """Turns the person's words into True/False before `method` sees them.

    Decorates a `validate_<slot>` of a yes/no question: `slot_value` is the person's text
    (from `extract`), `method` gets a bool. Unclear words send `utter_invalid_yes_no` and
    ask the same question again. No text (the form starting) changes nothing.
    """
    slot = method.__name__.removeprefix("validate_")

    @functools.wraps(method)
    async def validate(
        self: ValidateActualisationForm,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> Dict[str, Any]:
        if slot_value is None:
            return {}
        intent, confidence = intent_of(tracker)
        if isinstance(slot_value, bool):
            value: Optional[bool] = slot_value
        elif slot == form.STOP_SLOT and wants_stop(str(slot_value), intent, confidence):
            value = True  # "stop" again to "do you want to stop?"
        else:
            value = yes_no_answer(str(slot_value), intent)
        if value is None:
            dispatcher.utter_message(response="utter_invalid_yes_no")
            return {slot: None}
        return method(self, value, dispatcher, tracker, domain)

    return validate


# --- the period and the printable summary -----------------------------------------------


def period_of(slots: Dict[str, Any]) -> Period:
    """The declared period kept in the slots (today's period if none)."""
    start, end = slots.get("period_start"), slots.get("period_end")
    if start and end:
        try:
            return period_from_texts(start, end)
        except ValueError:
            logger.warning("Unreadable period in slots: %s %s", start, end)
    return period_for()


def summary_link(slots: Dict[str, Any]) -> str:
    """Link to the printable summary of the answers in `slots`, on the public URL."""
    config = settings()
    token = make_summary_token(
        config.secret_key, slots.get("period_start"), slots.get("period_end"), slots
    )
    return summary_url(config.widget.public_url, token)


# --- actions ----------------------------------------------------------------------------


class ActionActualisationIntro(Action):
    """Says what to have at hand, which month is declared and whether it is open.

    Runs before `actualisation_form` (rule in `data/rules/actualisation.yml`) and keeps
    the period in the slots `period_start`, `period_end`, `period_month`,
    `actualisation_open`. Earlier answers are forgotten: each rehearsal starts clean.
    """

    def name(self) -> str:
        return "action_actualisation_intro"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        period = period_for()
        dispatcher.utter_message(response="utter_actualisation_intro")
        texts = dict(
            month=period.month_name,
            start=period.start_text,
            end=period.end_text,
            opens=period.opens_text,
            closes=period.closes_text,
            period=period.period_text,
            window=period.window_text,
        )
        # What to have at hand first; the period last, just before the first question
        # ("… n'est pas encore ouverte." then "Voulez-vous vous entraîner maintenant ?").
        dispatcher.utter_message(response="utter_actualisation_have_at_hand")
        if period.is_open:
            dispatcher.utter_message(response="utter_actualisation_period_open", **texts)
        else:
            dispatcher.utter_message(response="utter_actualisation_period_closed", **texts)
        return [SlotSet(slot, None) for slot in form.ALL_FORM_SLOTS] + [
            SlotSet(form.OUTCOME_SLOT, None),
            SlotSet("period_start", period.start_text),
            SlotSet("period_end", period.end_text),
            SlotSet("period_month", period.month_name),
            SlotSet("actualisation_open", period.is_open),
        ]


class ValidateActualisationForm(FormValidationAction):
    """Reads each answer of `actualisation_form`, checks it, and names the next question.

    Wire it in `domain.yml` under `actions:` as `validate_actualisation_form`; the form's
    slots use `mappings: [{type: custom}]`. As in rasa_sdk:
    - `required_slots()` gives the questions in order, from the core's `questions()`;
    - `get_extraction_events()` reads the person's words for the requested question only;
    - each `validate_<slot>(slot_value, dispatcher, tracker, domain)` returns `{slot: value}`,
      or sends a specific French response (`utter_invalid_...`) and returns `{slot: None}`
      so the question is asked again. Yes/no questions use `@yes_no_question`.
    """

    def name(self) -> str:
        return f"validate_{ACTUALISATION_FORM}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Overridden for what the SDK cannot express: a message that is not an answer.

        - A side question or a volunteered secret: no event, so Rasa rejects the form,
          another rule answers, and the form then asks the same question again.
        - A request for help: the help of that question, then the same question.
        - A request to stop: the "do you want to stop?" question comes next.
        Answers go through the SDK's extraction and validation.
        """
        requested = tracker.get_slot(REQUESTED_SLOT)
        if not requested or not is_fresh_user_turn(tracker.events):
            return await super().run(dispatcher, tracker, domain)
        turn = read_turn(tracker, requested)
        if turn.kind == SIDE:
            return []
        if turn.kind == HELP:
            response = f"utter_help_{turn.topic}"
            if response not in (domain.get("responses") or {}):
                response = f"utter_help_{requested}"
            dispatcher.utter_message(response=response)
            return [SlotSet(form.HELP_SLOT, turn.topic), SlotSet(REQUESTED_SLOT, requested)]
        if turn.kind == STOP:
            return [
                SlotSet(form.OUTCOME_SLOT, form.OUTCOME_STOP_ASKED),
                SlotSet(form.STOP_SLOT, None),
                SlotSet(REQUESTED_SLOT, form.STOP_SLOT),
            ]
        return await super().run(dispatcher, tracker, domain)

    async def required_slots(
        self,
        domain_slots: List[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[str]:
        return form.questions(tracker.slots)

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """The person's words become the candidate value of the requested question only.

        One reading for every slot (all are `custom`), instead of one `extract_<slot>` each;
        `validate_<slot>` then turns the words into the value.
        """
        requested = tracker.get_slot(REQUESTED_SLOT)
        if not requested or not is_fresh_user_turn(tracker.events):
            return []
        return [SlotSet(requested, (tracker.latest_message or {}).get("text") or "")]

    async def next_requested_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Optional[EventType]:
        """Always names the next question (the SDK leaves it to Rasa when the list equals
        the domain's), so every answer ends with the question that follows."""
        return SlotSet(REQUESTED_SLOT, form.next_question(tracker.slots))

    # --- yes / no questions -------------------------------------------------------------

    @yes_no_question
    def validate_rehearsal_ok(self, value: bool, *_: Any) -> Dict[str, Any]:
        if value:
            return {form.REHEARSAL_SLOT: True}
        return {form.REHEARSAL_SLOT: False, form.OUTCOME_SLOT: form.OUTCOME_DECLINED}

    @yes_no_question
    def validate_worked(self, value: bool, *_: Any) -> Dict[str, Any]:
        if value:
            return {"worked": True}
        return {
            "worked": False,
            form.HOURS_SLOT: None,
            form.SALARY_SLOT: None,
            form.HOURLY_RATE_SLOT: None,
            form.PENDING_SALARY_SLOT: None,
        }

    @yes_no_question
    def validate_internship(self, value: bool, *_: Any) -> Dict[str, Any]:
        return {"internship": value}

    @yes_no_question
    def validate_sick_leave(self, value: bool, *_: Any) -> Dict[str, Any]:
        return {"sick_leave": value} if value else {"sick_leave": False, form.DATES_SLOT: None}

    @yes_no_question
    def validate_maternity_leave(self, value: bool, *_: Any) -> Dict[str, Any]:
        return {"maternity_leave": value}

    @yes_no_question
    def validate_retirement_pension(self, value: bool, *_: Any) -> Dict[str, Any]:
        return {"retirement_pension": value}

    @yes_no_question
    def validate_invalidity_pension(self, value: bool, *_: Any) -> Dict[str, Any]:
        return {"invalidity_pension": value}

    @yes_no_question
    def validate_still_seeking(self, value: bool, *_: Any) -> Dict[str, Any]:
        if value:
            return {"still_seeking": True}
        # Not recorded yet: the next question explains what "non" means and asks again.
        return {
            "still_seeking": None,
            form.PENDING_SLOT: form.PENDING_NOT_SEEKING,
            form.NOT_SEEKING_SLOT: None,
        }

    @yes_no_question
    def validate_not_seeking_confirmed(
        self, value: bool, dispatcher: CollectingDispatcher, *_: Any
    ) -> Dict[str, Any]:
        if not value:
            dispatcher.utter_message(response="utter_still_seeking_kept")
        return {
            "still_seeking": not value,
            form.NOT_SEEKING_SLOT: value,
            form.PENDING_SLOT: None,
        }

    @yes_no_question
    def validate_gross_salary_check(
        self, value: bool, dispatcher: CollectingDispatcher, tracker: Tracker, *_: Any
    ) -> Dict[str, Any]:
        done = {
            form.SALARY_CHECK_SLOT: None,
            form.PENDING_SALARY_SLOT: None,
            form.PENDING_SLOT: None,
        }
        if value:
            return {form.SALARY_SLOT: tracker.get_slot(form.PENDING_SALARY_SLOT), **done}
        dispatcher.utter_message(response="utter_explain_gross_net")
        return {form.SALARY_SLOT: None, **done}

    @yes_no_question
    def validate_declaration_confirmed(self, value: bool, *_: Any) -> Dict[str, Any]:
        if value:
            return {form.CONFIRMED_SLOT: True, form.OUTCOME_SLOT: form.OUTCOME_CONFIRMED}
        return {
            form.CONFIRMED_SLOT: None,
            form.CORRECTION_SLOT: None,
            form.PENDING_SLOT: form.PENDING_CORRECTION,
        }

    @yes_no_question
    def validate_stop_confirmed(
        self, value: bool, dispatcher: CollectingDispatcher, *_: Any
    ) -> Dict[str, Any]:
        if value:
            forget = {slot: None for slot in form.ALL_FORM_SLOTS}
            return {**forget, form.OUTCOME_SLOT: form.OUTCOME_ABANDONED}
        dispatcher.utter_message(response="utter_actualisation_continue")
        return {form.STOP_SLOT: None, form.OUTCOME_SLOT: None}

    # --- numbers, dates, the answer to correct ------------------------------------------

    def validate_hours_worked(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, _: DomainDict
    ) -> Dict[str, Any]:
        if slot_value is None:
            return {}
        hours = parse_hours(str(slot_value))
        max_hours = period_of(tracker.slots).max_hours
        if hours is None:
            dispatcher.utter_message(response="utter_invalid_hours")
            return {form.HOURS_SLOT: None}
        if hours <= 0:
            dispatcher.utter_message(response="utter_invalid_hours_not_positive")
            return {form.HOURS_SLOT: None}
        if hours > max_hours:
            dispatcher.utter_message(response="utter_invalid_hours_too_many", max_hours=max_hours)
            return {form.HOURS_SLOT: None}
        return {form.HOURS_SLOT: hours}

    def validate_gross_salary(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, _: DomainDict
    ) -> Dict[str, Any]:
        if slot_value is None:
            return {}
        text = str(slot_value)
        if says_net(text) or says_dont_know(text):
            dispatcher.utter_message(response="utter_explain_gross_net")
            return {
                form.SALARY_SLOT: None,
                form.HOURLY_RATE_SLOT: None,
                form.PENDING_SLOT: form.PENDING_SALARY_HELP,
            }
        amount = parse_amount(text)
        if amount is None:
            dispatcher.utter_message(response="utter_invalid_gross_salary")
            return {form.SALARY_SLOT: None}
        if amount <= 0:
            dispatcher.utter_message(response="utter_invalid_gross_salary_not_positive")
            return {form.SALARY_SLOT: None}
        return check_rate(amount, tracker.get_slot(form.HOURS_SLOT))

    def validate_hourly_rate(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, _: DomainDict
    ) -> Dict[str, Any]:
        if slot_value is None:
            return {}
        text = str(slot_value)
        rate = parse_amount(text)
        if rate is None or rate <= 0 or says_net(text):
            dispatcher.utter_message(response="utter_invalid_hourly_rate")
            return {form.HOURLY_RATE_SLOT: None}
        hours = tracker.get_slot(form.HOURS_SLOT)
        if rate > MAX_HOURLY_RATE:
            # The person found the month's gross salary instead.
            dispatcher.utter_message(
                response="utter_salary_monthly_noted", amount=format_euros(rate)
            )
            return {form.HOURLY_RATE_SLOT: None, **check_rate(rate, hours)}
        amount = round(float(hours or 0) * rate, 2)
        dispatcher.utter_message(
            response="utter_salary_estimated",
            hours=format_hours(float(hours or 0)),
            rate=format_euros(rate),
            amount=format_euros(amount),
        )
        return {form.HOURLY_RATE_SLOT: rate, form.SALARY_SLOT: amount, form.PENDING_SLOT: None}

    def validate_sick_leave_dates(
        self, slot_value: Any, dispatcher: CollectingDispatcher, *_: Any
    ) -> Dict[str, Any]:
        if slot_value is None:
            return {}
        dates = sick_leave_dates(str(slot_value))
        if dates is None:
            dispatcher.utter_message(response="utter_invalid_sick_leave_dates")
        return {form.DATES_SLOT: dates}

    def validate_correction_field(
        self, slot_value: Any, dispatcher: CollectingDispatcher, *_: Any
    ) -> Dict[str, Any]:
        if slot_value is None:
            return {}
        field = correction_target(str(slot_value))
        if field is None:
            dispatcher.utter_message(response="utter_invalid_correction_field")
            return {form.CORRECTION_SLOT: None}
        resets = {slot: None for slot in CORRECTION_RESETS.get(field, (field,))}
        return {
            **resets,
            form.CORRECTION_SLOT: None,
            form.CONFIRMED_SLOT: None,
            form.PENDING_SLOT: None,
        }


def check_rate(amount: float, hours: Optional[float]) -> Dict[str, Any]:
    """Records `amount`, or asks "c'est bien le brut ?" when the hourly rate is odd."""
    if hours:
        rate = amount / float(hours)
        if rate < SUSPICIOUS_RATE_LOW or rate > SUSPICIOUS_RATE_HIGH:
            return {
                form.SALARY_SLOT: None,
                form.PENDING_SALARY_SLOT: amount,
                form.SALARY_CHECK_SLOT: None,
                form.PENDING_SLOT: form.PENDING_SALARY_CHECK,
            }
    return {form.SALARY_SLOT: amount, form.PENDING_SLOT: None, form.PENDING_SALARY_SLOT: None}


class ActionAskDeclarationConfirmed(Action):
    """Shows the recap in the site's words, then asks "Est-ce correct ?"."""

    def name(self) -> str:
        return "action_ask_declaration_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        slots = dict(tracker.slots)
        period = period_of(slots)
        text = recap_text(period.start_text, period.end_text, slots, templates_from_domain(domain))
        dispatcher.utter_message(response="utter_recap", recap=text)
        dispatcher.utter_message(response="utter_ask_declaration_confirmed")
        return []


class ActionAskGrossSalaryCheck(Action):
    """Asks "c'est bien le salaire brut ?" with the amount, the hours and the hourly rate."""

    def name(self) -> str:
        return "action_ask_gross_salary_check"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        amount = float(tracker.get_slot(form.PENDING_SALARY_SLOT) or 0)
        hours = float(tracker.get_slot(form.HOURS_SLOT) or 0)
        rate = amount / hours if hours else 0.0
        dispatcher.utter_message(
            response="utter_ask_gross_salary_check",
            amount=format_euros(amount),
            hours=format_hours(hours),
            rate=format_euros(round(rate, 2)),
        )
        return []


class ActionActualisationDone(Action):
    """Ends the rehearsal: steps on the real site and the printable summary, or goodbye."""

    def name(self) -> str:
        return "action_actualisation_done"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        slots = dict(tracker.slots)
        outcome = slots.get(form.OUTCOME_SLOT)
        if outcome == form.OUTCOME_DECLINED:
            dispatcher.utter_message(response="utter_actualisation_declined")
            return [SlotSet(form.OUTCOME_SLOT, None), SlotSet(form.REHEARSAL_SLOT, None)]
        if not slots.get(form.CONFIRMED_SLOT):
            dispatcher.utter_message(response="utter_actualisation_abandoned")
            forget = [SlotSet(slot, None) for slot in form.ALL_FORM_SLOTS]
            return forget + [SlotSet(form.OUTCOME_SLOT, None)]
        period = period_of(slots)
        dispatcher.utter_message(response="utter_actualisation_ready")
        dispatcher.utter_message(response="utter_actualisation_steps")
        if not period.is_open:
            dispatcher.utter_message(
                response="utter_actualisation_when_open",
                opens=period.opens_text,
                closes=period.closes_text,
                window=period.window_text,
            )
        if slots.get("worked"):
            dispatcher.utter_message(response="utter_actualisation_payslip")
        dispatcher.utter_message(response="utter_actualisation_modify")
        url = summary_link(slots)
        hours = settings().widget.summary_hours
        dispatcher.utter_message(response="utter_actualisation_summary", url=url, link_hours=hours)
        return [SlotSet(form.SUMMARY_URL_SLOT, url)]
