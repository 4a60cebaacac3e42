"""The monthly actualisation, rehearsed one question at a time (form, validation, recap).

Wiring in `domain.yml` (section `# --- actualisation ---`): the form `actualisation_form`
lists the site's questions; every slot it fills has a `custom` mapping, because
`ValidateActualisationForm` reads the person's own words (`tracker.latest_message`) and
decides, question by question, whether the message is an answer, a request for help, a
request to stop, or a side question for the other rules (then it returns no event, the
form is rejected, the side question is answered and the form asks the same question
again). Rules in `data/rules/actualisation.yml` start the form with
`action_actualisation_intro` and end it with `action_actualisation_done`.

The bot never sends anything to France Travail: it prepares the declaration, shows the
recap in the site's words, then says where to click and gives a printable summary.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from text_to_num import alpha2digit

from actions.calendar import Period, period_for, period_from_texts
from actions.numbers import format_euros, format_hours, parse_amount, parse_hours
from actions.recap import (
    ANSWER_SLOTS,
    make_summary_token,
    recap_text,
    templates_from_domain,
)
from passerelle.config import settings
from passerelle.nlu.normalize import fold
from passerelle.privacy import mask_text

logger = logging.getLogger(__name__)

FORM_NAME = "actualisation_form"
REQUESTED_SLOT = "requested_slot"
# Intents that are answers to the form's questions.
ANSWER_INTENTS = {"affirm", "deny", "inform", "nlu_fallback"}
HELP_INTENT = "help"
STOP_INTENT = "stop"
# Saying goodbye in the middle of the rehearsal also asks whether to stop it.
LEAVE_INTENTS = {STOP_INTENT, "goodbye"}
CREDENTIALS_INTENT = "disclose_credentials"
# Another intent above this confidence is a side question, not an answer attempt.
SIDE_QUESTION_CONFIDENCE = 0.6
# An hourly rate outside these bounds makes us ask "c'est bien le salaire brut ?".
# The legal minimum (SMIC) is near 12 euros gross an hour: half of it is far below.
SUSPICIOUS_RATE_LOW = 6.0
SUSPICIOUS_RATE_HIGH = 150.0
# A reply above this to "salaire horaire brut ?" is the month's gross salary.
MAX_HOURLY_RATE = 100.0
MAX_DAY = 31

BOOL_SLOTS = {
    *ANSWER_SLOTS,
    "declaration_confirmed",
    "rehearsal_ok",
    "gross_salary_check",
    "not_seeking_confirmed",
    "stop_confirmed",
}
# Slots forgotten when the person stops.
ALL_FORM_SLOTS = (
    *ANSWER_SLOTS,
    "hours_worked",
    "gross_salary",
    "sick_leave_dates",
    "declaration_confirmed",
    "rehearsal_ok",
    "hourly_rate",
    "gross_salary_check",
    "not_seeking_confirmed",
    "correction_field",
    "stop_confirmed",
    "actualisation_pending",
    "pending_salary",
    "actualisation_help",
    "summary_url",
)
# What is waiting for an extra question (slot `actualisation_pending`).
PENDING_SALARY_HELP = "salary_help"
PENDING_SALARY_CHECK = "salary_check"
PENDING_NOT_SEEKING = "not_seeking"
PENDING_CORRECTION = "correction"
# How the form ended, or the stop question (slot `actualisation_outcome`).
OUTCOME_STOP_ASKED = "stop_asked"
OUTCOME_ABANDONED = "abandoned"
OUTCOME_DECLINED = "declined"
OUTCOME_CONFIRMED = "confirmed"

YES_WORDS = {
    "oui", "ouais", "ouai", "ouii", "ok", "okay", "oki", "d'accord", "daccord", "dac", "si",
    "yes", "yep", "exact", "exactement", "absolument", "voila", "bien sur", "tout a fait",
    "c'est ca", "c'est correct", "c'est bon", "correct", "affirmatif", "evidemment", "bien",
}  # fmt: skip
NO_WORDS = {
    "non", "nan", "no", "nope", "pas du tout", "jamais", "aucun", "aucune", "rien",
    "negatif", "pas vraiment", "du tout",
}  # fmt: skip
STOP_WORDS = {
    "stop", "arrete", "arreter", "j'arrete", "je veux arreter", "on arrete", "annuler",
    "annule", "abandonner", "laisse tomber", "laissez tomber", "quitter", "fin", "stopper",
}  # fmt: skip
HELP_PATTERN = re.compile(
    r"\b(?:aide|aidez|help|c'est quoi|c est quoi|qu'est-ce|qu'est ce|qu est ce|"
    r"ca veut dire|veut dire quoi|comprends? pas|comprend rien|comprends rien|"
    r"explique|expliquer|expliquez|c koi|cest quoi)\b"
)
DONT_KNOW_PATTERN = re.compile(
    r"\b(?:sais pas|sait pas|sais plus|ne sais|aucune idee|connais pas|sai pas|chais pas|"
    r"j'sais pas|jsais pas|jsp|oublie)\b"
)
NET_PATTERN = re.compile(r"\bnets?\b")
# Words of the person's message that point to one question's help or correction.
TOPIC_KEYWORDS = (
    ("hourly_rate", ("horaire", "de l'heure", "par heure")),
    ("gross_salary", ("brut", "salaire", "net", "euros", "montant")),
    ("hours_worked", ("heures",)),
    ("internship", ("stage", "formation")),
    ("sick_leave", ("maladie", "arret")),
    ("maternity_leave", ("maternite",)),
    ("retirement_pension", ("retraite",)),
    ("invalidity_pension", ("invalidite",)),
    ("still_seeking", ("recherche", "cherche", "inscription", "inscrit")),
    ("worked", ("travail", "travaille", "activite", "salarie", "entreprise")),
)
# Answers to "Quelle réponse voulez-vous changer ?" (button payloads and free words).
CORRECTION_KEYWORDS = (
    ("worked", ("travail", "heure", "salaire", "brut", "1")),
    ("internship", ("stage", "formation", "2")),
    ("sick_leave", ("maladie", "arret", "3")),
    ("maternity_leave", ("maternite", "4")),
    ("retirement_pension", ("retraite", "5")),
    ("invalidity_pension", ("invalidite", "6")),
    ("still_seeking", ("recherche", "cherche", "emploi", "7")),
)
# Slots asked again when one answer is corrected.
CORRECTION_RESETS = {
    "worked": ("worked", "hours_worked", "gross_salary", "hourly_rate", "pending_salary"),
    "sick_leave": ("sick_leave", "sick_leave_dates"),
    "still_seeking": ("still_seeking", "not_seeking_confirmed"),
}
WHOLE_MONTH_PATTERN = re.compile(r"\btout le mois\b")


# --- reading the person's words -------------------------------------------------------


def simplify(text: str) -> str:
    """Folded text (lowercase, no accents) without punctuation around words."""
    text = fold(text or "").replace("\u2019", "'")
    text = re.sub(r"[^\w'€,.\- ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip(" .,-")


def yes_or_no(text: str) -> Optional[bool]:
    """True for "oui", "ouais, c'est ça"; False for "non", "pas du tout"; else None."""
    words = re.sub(r"[^\w' ]+", " ", simplify(text)).strip()
    if not words:
        return None
    for size in (3, 2, 1):
        start = " ".join(words.split()[:size])
        if start in NO_WORDS or start.startswith("non "):
            return False
        if start in YES_WORDS:
            return True
    if re.search(r"\b(?:n'ai pas|n'etais pas|ne suis pas|ne touche pas|n'ai jamais)\b", words):
        return False
    return None


def wants_stop(text: str, intent: str, confidence: float) -> bool:
    """The person asks to stop the rehearsal."""
    words = simplify(text)
    return words in STOP_WORDS or (intent in LEAVE_INTENTS and confidence >= 0.5)


def help_topic(text: str, intent: str, requested: str) -> Optional[str]:
    """The question whose help the person asks for, or None if they do not ask for help."""
    words = simplify(text)
    if intent != HELP_INTENT and not HELP_PATTERN.search(words) and words not in {"?", "quoi"}:
        return None
    for topic, keywords in TOPIC_KEYWORDS:
        if any(keyword in words for keyword in keywords):
            return topic
    return requested


def correction_target(text: str) -> Optional[str]:
    """The answer the person wants to change ("stage" -> "internship")."""
    words = simplify(text)
    for field, keywords in CORRECTION_KEYWORDS:
        if any(
            re.search(rf"(?<!\w){re.escape(keyword)}", words)
            if not keyword.isdigit()
            # a digit must stand alone: "2", not "12"
            else re.fullmatch(keyword, words)
            for keyword in keywords
        ):
            return field
    return None


def sick_leave_dates(text: str) -> Optional[str]:
    """The dates as the person gave them, numbers in digits ("du 3 au 10 mars"), or None."""
    words = re.sub(r"\s+", " ", (text or "").strip())
    if not words:
        return None
    if WHOLE_MONTH_PATTERN.search(fold(words)):
        return mask_text(words)
    converted = alpha2digit(words, "fr")
    converted = re.sub(r"\b(?:premier|1er)\b", "1", converted, flags=re.IGNORECASE)
    numbers = [int(n) for n in re.findall(r"\d+", converted)]
    days = [n for n in numbers if n < 1000]
    if not days or any(n < 1 or n > MAX_DAY for n in days):
        return None
    return mask_text(converted)


def required_slots(state: Dict[str, Any]) -> List[str]:
    """The questions to ask, in the site's order, given the answers so far."""
    outcome = state.get("actualisation_outcome")
    if outcome in (OUTCOME_ABANDONED, OUTCOME_DECLINED):
        return []
    if outcome == OUTCOME_STOP_ASKED:
        return ["stop_confirmed"]
    pending = state.get("actualisation_pending")
    slots: List[str] = []
    if state.get("actualisation_open") is False:
        slots.append("rehearsal_ok")
    slots.append("worked")
    if state.get("worked"):
        slots.append("hours_worked")
        if pending == PENDING_SALARY_HELP:
            slots.append("hourly_rate")
        if pending == PENDING_SALARY_CHECK:
            slots.append("gross_salary_check")
        slots.append("gross_salary")
    slots += ["internship", "sick_leave"]
    if state.get("sick_leave"):
        slots.append("sick_leave_dates")
    slots += ["maternity_leave", "retirement_pension", "invalidity_pension"]
    if pending == PENDING_NOT_SEEKING:
        slots.append("not_seeking_confirmed")
    slots.append("still_seeking")
    if pending == PENDING_CORRECTION:
        slots.append("correction_field")
    slots.append("declaration_confirmed")
    return slots


def next_slot(state: Dict[str, Any]) -> Optional[str]:
    """The first question still unanswered, or None when the form is done."""
    return next((slot for slot in required_slots(state) if state.get(slot) is None), None)


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
        if kind == "action" and event.get("name") == FORM_NAME and not marker_skipped:
            marker_skipped = True
            continue
        return kind == "user"
    return False


def period_of(state: Dict[str, Any]) -> Period:
    """The declared period kept in the slots (today's period if none)."""
    start, end = state.get("period_start"), state.get("period_end")
    if start and end:
        try:
            return period_from_texts(start, end)
        except ValueError:
            logger.warning("Unreadable period in slots: %s %s", start, end)
    return period_for()


def summary_url(state: Dict[str, Any]) -> str:
    """Link to the printable summary of the answers in `state`."""
    token = make_summary_token(
        settings().secret_key, state.get("period_start"), state.get("period_end"), state
    )
    return f"{settings().web_url}/resume/{token}"


# --- actions --------------------------------------------------------------------------


class ActionActualisationIntro(Action):
    """Says which month is declared, whether it is open, and what to have at hand.

    Runs before `actualisation_form` (rule in `data/rules/actualisation.yml`) and keeps
    the period in the slots `period_start`, `period_end`, `period_month`,
    `actualisation_open`. Earlier answers are forgotten: each rehearsal starts clean.
    """

    def name(self) -> str:
        return "action_actualisation_intro"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        period = period_for()
        dispatcher.utter_message(response="utter_actualisation_intro")
        texts = dict(
            month=period.month_name,
            start=period.start_text,
            end=period.end_text,
            opens=period.opens_text,
            closes=period.closes_text,
        )
        if period.is_open:
            dispatcher.utter_message(response="utter_actualisation_period_open", **texts)
        else:
            dispatcher.utter_message(response="utter_actualisation_period_closed", **texts)
        dispatcher.utter_message(response="utter_actualisation_have_at_hand")
        return [SlotSet(slot, None) for slot in ALL_FORM_SLOTS] + [
            SlotSet("actualisation_outcome", None),
            SlotSet("period_start", period.start_text),
            SlotSet("period_end", period.end_text),
            SlotSet("period_month", period.month_name),
            SlotSet("actualisation_open", period.is_open),
        ]


class ValidateActualisationForm(FormValidationAction):
    """Reads each answer of `actualisation_form`, checks it, and picks the next question.

    Wire it in `domain.yml` under `actions:` as `validate_actualisation_form`; the form's
    slots use `mappings: [{type: custom}]`. Each `validate_<slot>` takes the person's
    raw text and returns `{slot: value}`, or sends a specific French response
    (`utter_invalid_...`) and returns `{slot: None}` so the question is asked again.
    """

    def name(self) -> str:
        return f"validate_{FORM_NAME}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        state = dict(tracker.slots)
        requested = state.get(REQUESTED_SLOT)
        updates: Dict[str, Any] = {}
        if requested and is_fresh_user_turn(tracker.events):
            answer = self.read_message(requested, dispatcher, tracker, domain, state)
            if answer is None:
                # Not an answer: no event, so Rasa rejects the form, another rule answers
                # the side question, and the form then asks the same question again.
                return []
            updates = answer
            state.update(updates)
        events: List[EventType] = [SlotSet(slot, value) for slot, value in updates.items()]
        return events + [SlotSet(REQUESTED_SLOT, next_slot(state))]

    def read_message(
        self,
        requested: str,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
        state: Dict[str, Any],
    ) -> Optional[Dict[str, Any]]:
        """Slot updates for the person's message, or None when it is a side question."""
        message = tracker.latest_message or {}
        text = message.get("text") or ""
        intent = (message.get("intent") or {}).get("name") or ""
        confidence = float((message.get("intent") or {}).get("confidence") or 0.0)
        if intent == CREDENTIALS_INTENT or mask_text(text) != text:
            return None  # the security rule warns; nothing of it is kept here
        if requested == "stop_confirmed" and wants_stop(text, intent, confidence):
            return self.validate_stop_confirmed(True, dispatcher, state)
        if wants_stop(text, intent, confidence):
            return {"actualisation_outcome": OUTCOME_STOP_ASKED, "stop_confirmed": None}
        topic = help_topic(text, intent, requested)
        if topic is not None and not (requested in BOOL_SLOTS and yes_or_no(text) is not None):
            response = f"utter_help_{topic}"
            if response not in (domain.get("responses") or {}):
                response = f"utter_help_{requested}"
            dispatcher.utter_message(response=response)
            return {"actualisation_help": topic}
        is_answer_intent = intent in ANSWER_INTENTS or confidence < SIDE_QUESTION_CONFIDENCE
        if requested in BOOL_SLOTS:
            value = yes_or_no(text)
            if value is None and intent in ("affirm", "deny"):
                value = intent == "affirm"
            if value is None:
                if not is_answer_intent:
                    return None
                dispatcher.utter_message(response="utter_invalid_yes_no")
                return {requested: None}
            validate = getattr(self, f"validate_{requested}", None)
            if validate is None:
                return {requested: value}
            return validate(value, dispatcher, state)
        if requested == "correction_field":
            field = correction_target(text)
            if field is None and not is_answer_intent:
                return None
            return self.validate_correction_field(field, dispatcher, state)
        looks_like_answer = {
            "hours_worked": parse_hours,
            "gross_salary": parse_amount,
            "hourly_rate": parse_amount,
        }.get(requested, lambda words: sick_leave_dates(words))(text) is not None
        if not (is_answer_intent or looks_like_answer or DONT_KNOW_PATTERN.search(simplify(text))):
            return None
        return getattr(self, f"validate_{requested}")(text, dispatcher, state)

    # --- yes / no questions -----------------------------------------------------------

    def validate_rehearsal_ok(
        self, value: bool, dispatcher: CollectingDispatcher, state: Dict[str, Any]
    ) -> Dict[str, Any]:
        if value:
            return {"rehearsal_ok": True}
        return {"rehearsal_ok": False, "actualisation_outcome": OUTCOME_DECLINED}

    def validate_worked(
        self, value: bool, dispatcher: CollectingDispatcher, state: Dict[str, Any]
    ) -> Dict[str, Any]:
        if value:
            return {"worked": True}
        return {
            "worked": False,
            "hours_worked": None,
            "gross_salary": None,
            "hourly_rate": None,
            "pending_salary": None,
        }

    def validate_sick_leave(
        self, value: bool, dispatcher: CollectingDispatcher, state: Dict[str, Any]
    ) -> Dict[str, Any]:
        return {"sick_leave": value} if value else {"sick_leave": False, "sick_leave_dates": None}

    def validate_still_seeking(
        self, value: bool, dispatcher: CollectingDispatcher, state: Dict[str, Any]
    ) -> Dict[str, Any]:
        if value:
            return {"still_seeking": True}
        # Not recorded yet: the next question explains what "non" means and asks again.
        return {
            "still_seeking": None,
            "actualisation_pending": PENDING_NOT_SEEKING,
            "not_seeking_confirmed": None,
        }

    def validate_not_seeking_confirmed(
        self, value: bool, dispatcher: CollectingDispatcher, state: Dict[str, Any]
    ) -> Dict[str, Any]:
        if not value:
            dispatcher.utter_message(response="utter_still_seeking_kept")
        return {
            "still_seeking": not value,
            "not_seeking_confirmed": value,
            "actualisation_pending": None,
        }

    def validate_gross_salary_check(
        self, value: bool, dispatcher: CollectingDispatcher, state: Dict[str, Any]
    ) -> Dict[str, Any]:
        if value:
            return {
                "gross_salary": state.get("pending_salary"),
                "gross_salary_check": None,
                "pending_salary": None,
                "actualisation_pending": None,
            }
        dispatcher.utter_message(response="utter_explain_gross_net")
        return {
            "gross_salary": None,
            "gross_salary_check": None,
            "pending_salary": None,
            "actualisation_pending": None,
        }

    def validate_declaration_confirmed(
        self, value: bool, dispatcher: CollectingDispatcher, state: Dict[str, Any]
    ) -> Dict[str, Any]:
        if value:
            return {"declaration_confirmed": True, "actualisation_outcome": OUTCOME_CONFIRMED}
        return {
            "declaration_confirmed": None,
            "correction_field": None,
            "actualisation_pending": PENDING_CORRECTION,
        }

    def validate_stop_confirmed(
        self, value: bool, dispatcher: CollectingDispatcher, state: Dict[str, Any]
    ) -> Dict[str, Any]:
        if value:
            forget = {slot: None for slot in ALL_FORM_SLOTS}
            return {**forget, "actualisation_outcome": OUTCOME_ABANDONED}
        dispatcher.utter_message(response="utter_actualisation_continue")
        return {"stop_confirmed": None, "actualisation_outcome": None}

    # --- numbers and dates --------------------------------------------------------------

    def validate_hours_worked(
        self, text: str, dispatcher: CollectingDispatcher, state: Dict[str, Any]
    ) -> Dict[str, Any]:
        hours = parse_hours(text)
        max_hours = period_of(state).max_hours
        if hours is None:
            dispatcher.utter_message(response="utter_invalid_hours")
            return {"hours_worked": None}
        if hours <= 0:
            dispatcher.utter_message(response="utter_invalid_hours_not_positive")
            return {"hours_worked": None}
        if hours > max_hours:
            dispatcher.utter_message(response="utter_invalid_hours_too_many", max_hours=max_hours)
            return {"hours_worked": None}
        return {"hours_worked": hours}

    def validate_gross_salary(
        self, text: str, dispatcher: CollectingDispatcher, state: Dict[str, Any]
    ) -> Dict[str, Any]:
        words = simplify(text)
        if NET_PATTERN.search(words) or DONT_KNOW_PATTERN.search(words):
            dispatcher.utter_message(response="utter_explain_gross_net")
            return {
                "gross_salary": None,
                "hourly_rate": None,
                "actualisation_pending": PENDING_SALARY_HELP,
            }
        amount = parse_amount(text)
        if amount is None:
            dispatcher.utter_message(response="utter_invalid_gross_salary")
            return {"gross_salary": None}
        if amount <= 0:
            dispatcher.utter_message(response="utter_invalid_gross_salary_not_positive")
            return {"gross_salary": None}
        return self._check_rate(amount, state)

    def _check_rate(self, amount: float, state: Dict[str, Any]) -> Dict[str, Any]:
        """Records `amount`, or asks "c'est bien le brut ?" when the hourly rate is odd."""
        hours = state.get("hours_worked")
        if hours:
            rate = amount / float(hours)
            if rate < SUSPICIOUS_RATE_LOW or rate > SUSPICIOUS_RATE_HIGH:
                return {
                    "gross_salary": None,
                    "pending_salary": amount,
                    "gross_salary_check": None,
                    "actualisation_pending": PENDING_SALARY_CHECK,
                }
        return {"gross_salary": amount, "actualisation_pending": None, "pending_salary": None}

    def validate_hourly_rate(
        self, text: str, dispatcher: CollectingDispatcher, state: Dict[str, Any]
    ) -> Dict[str, Any]:
        rate = parse_amount(text)
        if rate is None or rate <= 0 or NET_PATTERN.search(simplify(text)):
            dispatcher.utter_message(response="utter_invalid_hourly_rate")
            return {"hourly_rate": None}
        if rate > MAX_HOURLY_RATE:
            # The person found the month's gross salary instead.
            dispatcher.utter_message(
                response="utter_salary_monthly_noted", amount=format_euros(rate)
            )
            return {"hourly_rate": None, **self._check_rate(rate, state)}
        hours = float(state.get("hours_worked") or 0)
        amount = round(hours * rate, 2)
        dispatcher.utter_message(
            response="utter_salary_estimated",
            hours=format_hours(hours),
            rate=format_euros(rate),
            amount=format_euros(amount),
        )
        return {"hourly_rate": rate, "gross_salary": amount, "actualisation_pending": None}

    def validate_sick_leave_dates(
        self, text: str, dispatcher: CollectingDispatcher, state: Dict[str, Any]
    ) -> Dict[str, Any]:
        dates = sick_leave_dates(text)
        if dates is None:
            dispatcher.utter_message(response="utter_invalid_sick_leave_dates")
        return {"sick_leave_dates": dates}

    def validate_correction_field(
        self, field: Optional[str], dispatcher: CollectingDispatcher, state: Dict[str, Any]
    ) -> Dict[str, Any]:
        if field is None:
            dispatcher.utter_message(response="utter_invalid_correction_field")
            return {"correction_field": None}
        resets = {slot: None for slot in CORRECTION_RESETS.get(field, (field,))}
        return {
            **resets,
            "correction_field": None,
            "declaration_confirmed": None,
            "actualisation_pending": None,
        }


class ActionAskDeclarationConfirmed(Action):
    """Shows the recap in the site's words, then asks "Est-ce correct ?"."""

    def name(self) -> str:
        return "action_ask_declaration_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        state = dict(tracker.slots)
        period = period_of(state)
        text = recap_text(period.start_text, period.end_text, state, templates_from_domain(domain))
        dispatcher.utter_message(response="utter_recap", recap=text)
        dispatcher.utter_message(response="utter_ask_declaration_confirmed")
        return []


class ActionAskGrossSalaryCheck(Action):
    """Asks "c'est bien le salaire brut ?" with the amount, the hours and the hourly rate."""

    def name(self) -> str:
        return "action_ask_gross_salary_check"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        amount = float(tracker.get_slot("pending_salary") or 0)
        hours = float(tracker.get_slot("hours_worked") or 0)
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
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        state = dict(tracker.slots)
        outcome = state.get("actualisation_outcome")
        if outcome == OUTCOME_DECLINED:
            dispatcher.utter_message(response="utter_actualisation_declined")
            return [SlotSet("actualisation_outcome", None), SlotSet("rehearsal_ok", None)]
        if not state.get("declaration_confirmed"):
            dispatcher.utter_message(response="utter_actualisation_abandoned")
            forget = [SlotSet(slot, None) for slot in ALL_FORM_SLOTS]
            return forget + [SlotSet("actualisation_outcome", None)]
        period = period_of(state)
        dispatcher.utter_message(response="utter_actualisation_ready")
        dispatcher.utter_message(response="utter_actualisation_steps")
        if not period.is_open:
            dispatcher.utter_message(
                response="utter_actualisation_when_open",
                opens=period.opens_text,
                closes=period.closes_text,
            )
        if state.get("worked"):
            dispatcher.utter_message(response="utter_actualisation_payslip")
        dispatcher.utter_message(response="utter_actualisation_modify")
        url = summary_url(state)
        dispatcher.utter_message(response="utter_actualisation_summary", url=url)
        return [SlotSet("summary_url", url)]
