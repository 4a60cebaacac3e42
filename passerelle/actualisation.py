"""The monthly actualisation, as data: its questions in order, their conditions, slot names,
the states a rehearsal goes through, and the labels a counsellor reads.

The action server asks the questions (`actions/actualisation.py`), the console follows
them (`console/`), the summary page shows them (`web/`): all read them here.
`domain.yml`'s form lists `FORM_REQUIRED_SLOTS`; `tests/passerelle/test_actualisation_core.py`
checks that both agree.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional

# --- slots ------------------------------------------------------------------------------

# The site's questions, in the site's order (yes/no answers).
ANSWER_SLOTS = (
    "worked",
    "internship",
    "sick_leave",
    "maternity_leave",
    "retirement_pension",
    "invalidity_pension",
    "still_seeking",
)
# The details asked after a "yes".
DETAIL_SLOTS = {"worked": ("hours_worked", "gross_salary"), "sick_leave": ("sick_leave_dates",)}
CONFIRMED_SLOT = "declaration_confirmed"
# `domain.yml`'s `forms: actualisation_form: required_slots:`; the details and extra
# questions are added by `questions()` when they apply.
FORM_REQUIRED_SLOTS = (*ANSWER_SLOTS, CONFIRMED_SLOT)
# Every answer a person gives, in the order they are asked when they all apply.
ANSWERS_IN_ORDER = (
    "worked",
    "hours_worked",
    "gross_salary",
    "internship",
    "sick_leave",
    "sick_leave_dates",
    "maternity_leave",
    "retirement_pension",
    "invalidity_pension",
    "still_seeking",
)
# What the printable summary carries.
SUMMARY_SLOTS = (*ANSWER_SLOTS, "hours_worked", "gross_salary", "sick_leave_dates")
# Extra questions, asked only when needed.
REHEARSAL_SLOT = "rehearsal_ok"  # the window is closed: rehearse anyway?
HOURLY_RATE_SLOT = "hourly_rate"  # "I don't know my gross salary": estimate it
SALARY_CHECK_SLOT = "gross_salary_check"  # odd hourly rate: is it really gross?
NOT_SEEKING_SLOT = "not_seeking_confirmed"  # "no" to still seeking: sure?
CORRECTION_SLOT = "correction_field"  # which answer to change at the recap
STOP_SLOT = "stop_confirmed"  # stop the rehearsal?
HOURS_CHECK_SLOT = "monthly_hours_check"  # "35h par semaine": note the month's figure?
# Bookkeeping slots.
PERIOD_SLOTS = ("period_start", "period_end", "period_month", "actualisation_open")
PENDING_SLOT = "actualisation_pending"
PENDING_SALARY_SLOT = "pending_salary"
HELP_SLOT = "actualisation_help"
# "35h par semaine": the hours per unit and the unit ("semaine" or "jour"), until the
# person says whether the month's figure is right (question `monthly_hours_check`).
PENDING_HOURS_SLOT = "pending_hours"
PENDING_HOURS_UNIT_SLOT = "pending_hours_unit"
# Answers not understood in a row at the requested question (0 once it is answered).
# The console reads it: two or more is a loop, counted as not understood.
FAILED_TRIES_SLOT = "failed_tries"
# True once the person is stuck at a question: its conditional variant in `domain.yml`
# offers a way out (an example, "je ne sais pas", skip, the 3949).
STUCK_SLOT = "question_stuck"
# Questions the person chose to skip ("passer cette question"): it is a rehearsal.
SKIPPED_SLOT = "skipped_questions"
OUTCOME_SLOT = "actualisation_outcome"
SUMMARY_URL_SLOT = "summary_url"

# Questions answered by yes or no.
BOOL_SLOTS = frozenset(
    {
        *ANSWER_SLOTS,
        CONFIRMED_SLOT,
        REHEARSAL_SLOT,
        SALARY_CHECK_SLOT,
        NOT_SEEKING_SLOT,
        STOP_SLOT,
        HOURS_CHECK_SLOT,
    }
)
# Questions answered by a number of hours, an amount, or dates.
HOURS_SLOT = "hours_worked"
SALARY_SLOT = "gross_salary"
DATES_SLOT = "sick_leave_dates"
# Questions answered by a figure or dates: they can be skipped, and after
# `FAILED_TRIES_BEFORE_EXITS` answers not understood they offer a way out.
VALUE_SLOTS = (HOURS_SLOT, SALARY_SLOT, HOURLY_RATE_SLOT, DATES_SLOT)
FAILED_TRIES_BEFORE_EXITS = 2
# "affirm" or "deny" from the classifier counts as an answer only above this confidence
# (and with a yes/no word, `actions.actualisation.yes_no_answer`); below it, only a known
# yes/no form does (`passerelle.text.yes_or_no`). "aaaaaa" came out as `affirm` 0.59
# (issue 14). `bench/yes_no.py`, on the 100 yes/no answers of both NLU test sets: at 0.8,
# 86 right, 12 asked again (mostly other languages: "evet", "nao"), 2 wrong; 0.5 takes
# one more ("da", 0.70); no threshold takes any of its 20 noise messages.
YES_NO_MIN_CONFIDENCE = 0.8
# Forgotten when the person stops or starts again.
ALL_FORM_SLOTS = (
    *ANSWER_SLOTS,
    HOURS_SLOT,
    SALARY_SLOT,
    DATES_SLOT,
    CONFIRMED_SLOT,
    REHEARSAL_SLOT,
    HOURLY_RATE_SLOT,
    SALARY_CHECK_SLOT,
    NOT_SEEKING_SLOT,
    CORRECTION_SLOT,
    STOP_SLOT,
    PENDING_SLOT,
    PENDING_SALARY_SLOT,
    HELP_SLOT,
    SUMMARY_URL_SLOT,
    HOURS_CHECK_SLOT,
    PENDING_HOURS_SLOT,
    PENDING_HOURS_UNIT_SLOT,
    FAILED_TRIES_SLOT,
    STUCK_SLOT,
    SKIPPED_SLOT,
)

# --- states -----------------------------------------------------------------------------

# What is waiting for an extra question (slot `actualisation_pending`).
PENDING_SALARY_HELP = "salary_help"
PENDING_SALARY_CHECK = "salary_check"
PENDING_NOT_SEEKING = "not_seeking"
PENDING_CORRECTION = "correction"
PENDING_HOURS_CHECK = "hours_check"
# How the form ended, or the stop question (slot `actualisation_outcome`).
OUTCOME_STOP_ASKED = "stop_asked"
OUTCOME_ABANDONED = "abandoned"
OUTCOME_DECLINED = "declined"
OUTCOME_CONFIRMED = "confirmed"


def questions(state: Mapping[str, Any]) -> List[str]:
    """The questions to ask, in the site's order, given the answers so far (slot values)."""
    outcome = state.get(OUTCOME_SLOT)
    if outcome in (OUTCOME_ABANDONED, OUTCOME_DECLINED):
        return []
    if outcome == OUTCOME_STOP_ASKED:
        return [STOP_SLOT]
    pending = state.get(PENDING_SLOT)
    slots: List[str] = []
    if state.get("actualisation_open") is False:
        slots.append(REHEARSAL_SLOT)
    slots.append("worked")
    if state.get("worked"):
        if pending == PENDING_HOURS_CHECK:
            slots.append(HOURS_CHECK_SLOT)
        slots.append(HOURS_SLOT)
        if pending == PENDING_SALARY_HELP:
            slots.append(HOURLY_RATE_SLOT)
        if pending == PENDING_SALARY_CHECK:
            slots.append(SALARY_CHECK_SLOT)
        slots.append(SALARY_SLOT)
    slots += ["internship", "sick_leave"]
    if state.get("sick_leave"):
        slots.append(DATES_SLOT)
    slots += ["maternity_leave", "retirement_pension", "invalidity_pension"]
    if pending == PENDING_NOT_SEEKING:
        slots.append(NOT_SEEKING_SLOT)
    slots.append("still_seeking")
    if pending == PENDING_CORRECTION:
        slots.append(CORRECTION_SLOT)
    slots.append(CONFIRMED_SLOT)
    return slots


def next_question(state: Mapping[str, Any]) -> Optional[str]:
    """The first question still unanswered and not skipped, or None when all are done."""
    skipped = set(state.get(SKIPPED_SLOT) or ())
    return next(
        (slot for slot in questions(state) if state.get(slot) is None and slot not in skipped),
        None,
    )


def answers_of(slots: Mapping[str, Any]) -> Dict[str, Any]:
    """The person's answers among `slots`, in the order they are asked."""
    return {slot: slots[slot] for slot in (*ANSWERS_IN_ORDER, CONFIRMED_SLOT) if slot in slots}


# --- what a counsellor reads ------------------------------------------------------------

# Each answer, named for a counsellor (transcript, exports).
ANSWER_LABELS = {
    "worked": "A travaillé",
    "hours_worked": "Heures travaillées",
    "gross_salary": "Salaire brut",
    "internship": "Stage ou formation",
    "sick_leave": "Arrêt maladie",
    "sick_leave_dates": "Dates de l'arrêt",
    "maternity_leave": "Congé maternité",
    "retirement_pension": "Pension de retraite",
    "invalidity_pension": "Pension d'invalidité",
    "still_seeking": "Toujours en recherche",
    "declaration_confirmed": "Déclaration confirmée",
}
# The funnel of the statistics page: started, each question reached, confirmed.
FUNNEL_STARTED = "started"
FUNNEL_STEPS = (FUNNEL_STARTED, *ANSWERS_IN_ORDER, CONFIRMED_SLOT)
STEP_LABELS = {
    FUNNEL_STARTED: "Actualisation commencée",
    "worked": "A travaillé ?",
    "hours_worked": "Heures travaillées",
    "gross_salary": "Salaire brut",
    "internship": "Stage ou formation ?",
    "sick_leave": "Arrêt maladie ?",
    "sick_leave_dates": "Dates de l'arrêt",
    "maternity_leave": "Congé maternité ?",
    "retirement_pension": "Pension de retraite ?",
    "invalidity_pension": "Pension d'invalidité ?",
    "still_seeking": "Toujours en recherche ?",
    "declaration_confirmed": "Déclaration confirmée",
}
# Every question the form may ask, named for a counsellor ("Bloqué à : salaire horaire").
QUESTION_LABELS = {
    REHEARSAL_SLOT: "s'entraîner quand même",
    "worked": "a travaillé",
    HOURS_SLOT: "heures travaillées",
    HOURLY_RATE_SLOT: "salaire horaire",
    SALARY_CHECK_SLOT: "vérification du salaire",
    SALARY_SLOT: "salaire brut",
    "internship": "stage ou formation",
    "sick_leave": "arrêt maladie",
    DATES_SLOT: "dates de l'arrêt",
    "maternity_leave": "congé maternité",
    "retirement_pension": "pension de retraite",
    "invalidity_pension": "pension d'invalidité",
    NOT_SEEKING_SLOT: "fin de la recherche d'emploi",
    "still_seeking": "toujours en recherche",
    CORRECTION_SLOT: "réponse à changer",
    CONFIRMED_SLOT: "confirmation du récapitulatif",
    STOP_SLOT: "arrêter l'entraînement",
}
# The funnel step each question belongs to (where a stopped rehearsal shows in the funnel).
QUESTION_STEPS = {
    **{slot: slot for slot in (*ANSWERS_IN_ORDER, CONFIRMED_SLOT)},
    REHEARSAL_SLOT: FUNNEL_STARTED,
    HOURLY_RATE_SLOT: SALARY_SLOT,
    SALARY_CHECK_SLOT: SALARY_SLOT,
    NOT_SEEKING_SLOT: "still_seeking",
    CORRECTION_SLOT: CONFIRMED_SLOT,
}
# A question asked this many times in a row is a loop: the person is not understood.
LOOP_ASKS = 3
# Where a conversation's rehearsal stands (console index and filters).
STATE_NONE = "none"
STATE_IN_PROGRESS = "in_progress"
STATE_ABANDONED = "abandoned"
STATE_COMPLETED = "completed"
STATE_LABELS = {
    STATE_NONE: "Aucune",
    STATE_IN_PROGRESS: "En cours",
    STATE_ABANDONED: "Abandonnée",
    STATE_COMPLETED: "Terminée",
}
# An unfinished rehearsal counts as abandoned after this long without a message.
IDLE_MINUTES_BEFORE_ABANDONED = 30


__all__ = [name for name in dir() if name.isupper()] + ["answers_of", "next_question", "questions"]
