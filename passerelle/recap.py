"""The recap of a rehearsed declaration: one "question : réponse" line per answer.

The line templates live in `domain.yml` (`utter_recap_header`, `utter_recap_<slot>_true`,
`utter_recap_<slot>_false`) so that they can be reviewed without code; `recap_lines`
fills them. A figure the person skipped ("passer cette question") has its own line,
`utter_recap_<variant>_true`, that says it is still to be found (`MISSING_VARIANTS`).
The action server shows the recap; the summary page (`web/`) prints it.
The header's `{period}` reads "du 1er au 30 juin 2019", like every date the bot says.
"""

from __future__ import annotations

from typing import Any, Mapping

from passerelle.actualisation import ANSWER_SLOTS
from passerelle.calendar import format_range_texts
from passerelle.domain import load_domain
from passerelle.numbers import format_euros, format_hours

RECAP_PREFIX = "utter_recap_"
# The line of a "yes" whose details are missing: (slot, hours missing, amount missing)
# -> the template's middle name. Dates missing only matter for the sick leave.
MISSING_VARIANTS = {
    ("worked", True, False): "worked_no_hours",
    ("worked", False, True): "worked_no_salary",
    ("worked", True, True): "worked_no_figures",
    ("sick_leave", True, False): "sick_leave_no_dates",
}


def _template_name(slot: str, value: bool, answers: Mapping[str, Any]) -> str:
    if value and slot == "worked":
        missing = (answers.get("hours_worked") is None, answers.get("gross_salary") is None)
        slot = MISSING_VARIANTS.get((slot, *missing), slot)
    elif value and slot == "sick_leave" and not answers.get("sick_leave_dates"):
        slot = MISSING_VARIANTS[(slot, True, False)]
    return f"{RECAP_PREFIX}{slot}_{'true' if value else 'false'}"


def templates_from_domain(domain: Mapping[str, Any]) -> dict[str, str]:
    """The recap templates (response name -> first text) found in a domain dict."""
    responses = domain.get("responses") or {}
    return {
        name: variants[0]["text"]
        for name, variants in responses.items()
        if name.startswith(RECAP_PREFIX) and variants and "text" in variants[0]
    }


def templates_from_file() -> dict[str, str]:
    """The recap templates of this project's `domain.yml`."""
    return templates_from_domain(load_domain())


def recap_lines(answers: Mapping[str, Any], templates: Mapping[str, str]) -> list[str]:
    """One line per answered question, in the site's words and order.

    `answers` maps the slot names of ANSWER_SLOTS (bools) and `hours_worked`,
    `gross_salary`, `sick_leave_dates` to the person's answers. Unanswered questions
    are left out; a "yes" whose figures were skipped says they are still to be found.
    """
    lines = []
    for slot in ANSWER_SLOTS:
        value = answers.get(slot)
        if value is None:
            continue
        template = templates[_template_name(slot, bool(value), answers)]
        lines.append(
            template.format(
                hours=format_hours(float(answers.get("hours_worked") or 0)),
                amount=format_euros(float(answers.get("gross_salary") or 0)),
                dates=answers.get("sick_leave_dates") or "",
            )
        )
    return lines


def recap_header(start: str, end: str, templates: Mapping[str, str]) -> str:
    """ "Vos réponses pour la période du 1er au 30 juin 2019 :" from the slots' texts."""
    return templates[f"{RECAP_PREFIX}header"].format(period=format_range_texts(start, end))


def recap_text(
    start: str, end: str, answers: Mapping[str, Any], templates: Mapping[str, str]
) -> str:
    """The whole recap: the header, then one "- question : réponse" line per answer.

    `start` and `end` are the slots' "01/06/2019" texts.
    """
    lines = recap_lines(answers, templates)
    return "\n".join([recap_header(start, end, templates), *(f"- {line}" for line in lines)])


__all__ = [
    "recap_header",
    "recap_lines",
    "recap_text",
    "templates_from_domain",
    "templates_from_file",
]
