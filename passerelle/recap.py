"""The recap of a rehearsed declaration, in the site's own words.

The line templates live in `domain.yml` (`utter_recap_header`, `utter_recap_<slot>_true`,
`utter_recap_<slot>_false`) so that they can be reviewed without code; `recap_lines`
fills them. The action server shows the recap; the summary page (`web/`) prints it.
"""

from __future__ import annotations

from typing import Any, Mapping

from passerelle.actualisation import ANSWER_SLOTS
from passerelle.domain import load_domain
from passerelle.numbers import format_euros, format_hours

RECAP_PREFIX = "utter_recap_"


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
    are left out.
    """
    lines = []
    for slot in ANSWER_SLOTS:
        value = answers.get(slot)
        if value is None:
            continue
        template = templates[f"{RECAP_PREFIX}{slot}_{'true' if value else 'false'}"]
        lines.append(
            template.format(
                hours=format_hours(float(answers.get("hours_worked") or 0)),
                amount=format_euros(float(answers.get("gross_salary") or 0)),
                dates=answers.get("sick_leave_dates") or "",
            )
        )
    return lines


def recap_text(
    start: str, end: str, answers: Mapping[str, Any], templates: Mapping[str, str]
) -> str:
    """The whole recap: "Pour la période du ... vous déclarez :" then "- line ;" lines."""
    lines = recap_lines(answers, templates)
    header = templates[f"{RECAP_PREFIX}header"].format(start=start, end=end)
    items = [f"- {line} ;" for line in lines[:-1]] + [f"- {line}." for line in lines[-1:]]
    return "\n".join([header, *items])


__all__ = ["recap_lines", "recap_text", "templates_from_domain", "templates_from_file"]
