"""The actualisation's questions, said once in the core, agree with `domain.yml`."""

from __future__ import annotations

from passerelle import actualisation as form
from passerelle.domain import form_required_slots, load_domain
from passerelle.names import ACTUALISATION_FORM
from passerelle.recap import RECAP_PREFIX, templates_from_file

DOMAIN = load_domain()
SLOT_TYPES = {name: spec.get("type") for name, spec in DOMAIN["slots"].items()}


def test_form_slots_match_the_domain() -> None:
    assert tuple(form_required_slots(DOMAIN, ACTUALISATION_FORM)) == form.FORM_REQUIRED_SLOTS


def test_every_question_and_state_slot_is_a_custom_slot_of_the_domain() -> None:
    core_slots = {
        *form.ALL_FORM_SLOTS,
        *form.PERIOD_SLOTS,
        form.OUTCOME_SLOT,
    }
    assert core_slots <= set(SLOT_TYPES)
    for name in core_slots:
        mappings = DOMAIN["slots"][name]["mappings"]
        assert mappings == [{"type": "custom"}], name


def test_yes_no_questions_are_bool_slots_and_the_others_are_not() -> None:
    for slot in form.BOOL_SLOTS:
        assert SLOT_TYPES[slot] == "bool", slot
    for slot in (form.HOURS_SLOT, form.SALARY_SLOT, form.HOURLY_RATE_SLOT):
        assert SLOT_TYPES[slot] == "float", slot


def test_every_question_is_asked_by_the_domain() -> None:
    """Each question has a response or an action that asks it."""
    responses, actions = set(DOMAIN["responses"]), set(DOMAIN["actions"])
    everything = dict.fromkeys(form.ALL_FORM_SLOTS, True)
    asked = set(form.questions({**everything, "actualisation_open": False}))
    asked |= set(form.questions({"worked": True, "sick_leave": True, "actualisation_pending": "x"}))
    for slot in asked | {form.STOP_SLOT, form.NOT_SEEKING_SLOT, form.CORRECTION_SLOT}:
        assert f"utter_ask_{slot}" in responses or f"action_ask_{slot}" in actions, slot


def test_recap_templates_cover_every_answer() -> None:
    templates = templates_from_file()
    assert f"{RECAP_PREFIX}header" in templates
    for slot in form.ANSWER_SLOTS:
        assert {f"{RECAP_PREFIX}{slot}_true", f"{RECAP_PREFIX}{slot}_false"} <= set(templates)


def test_labels_name_every_answer_and_step() -> None:
    assert set(form.ANSWER_LABELS) == {*form.ANSWERS_IN_ORDER, form.CONFIRMED_SLOT}
    assert set(form.STEP_LABELS) == set(form.FUNNEL_STEPS)


def test_questions_follow_the_answers() -> None:
    assert form.questions({"actualisation_open": True})[:2] == ["worked", "internship"]
    worked = form.questions({"worked": True, "sick_leave": True})
    assert worked[:3] == ["worked", "hours_worked", "gross_salary"]
    assert worked.index("sick_leave_dates") == worked.index("sick_leave") + 1
    assert form.questions({"actualisation_outcome": form.OUTCOME_STOP_ASKED}) == ["stop_confirmed"]
    assert form.questions({"actualisation_outcome": form.OUTCOME_ABANDONED}) == []
    assert form.next_question({"worked": False, "internship": True}) == "sick_leave"
