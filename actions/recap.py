"""The recap of a rehearsed declaration, in the site's own words, and its printable-link token.

The line templates live in `domain.yml` (`utter_recap_header`, `utter_recap_<slot>_true`,
`utter_recap_<slot>_false`) so that they can be reviewed without code; `recap_lines`
fills them. The summary token signs the period and the answers with
`itsdangerous` (nothing is stored on the server); `web/summary.py` reads it back.
This module does not import Rasa.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Optional

import yaml
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from actions.numbers import format_euros, format_hours

logger = logging.getLogger(__name__)

DOMAIN_PATH = Path(__file__).resolve().parent.parent / "domain.yml"
# The site's questions, in the site's order.
ANSWER_SLOTS = (
    "worked",
    "internship",
    "sick_leave",
    "maternity_leave",
    "retirement_pension",
    "invalidity_pension",
    "still_seeking",
)
# Everything the summary page shows.
SUMMARY_SLOTS = (*ANSWER_SLOTS, "hours_worked", "gross_salary", "sick_leave_dates")
SUMMARY_SALT = "resume"
SUMMARY_MAX_AGE_SECONDS = 7 * 24 * 3600
RECAP_PREFIX = "utter_recap_"


def templates_from_domain(domain: Mapping[str, Any]) -> dict[str, str]:
    """The recap templates (response name -> first text) found in a domain dict."""
    responses = domain.get("responses") or {}
    return {
        name: variants[0]["text"]
        for name, variants in responses.items()
        if name.startswith(RECAP_PREFIX) and variants and "text" in variants[0]
    }


@lru_cache(maxsize=1)
def templates_from_file(path: Path = DOMAIN_PATH) -> dict[str, str]:
    """The recap templates read from `domain.yml` (for the web page)."""
    with path.open(encoding="utf-8") as handle:
        return templates_from_domain(yaml.safe_load(handle))


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


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SUMMARY_SALT)


def make_summary_token(secret_key: str, start: str, end: str, answers: Mapping[str, Any]) -> str:
    """A signed, URL-safe token carrying the period and the answers."""
    payload = {
        "start": start,
        "end": end,
        "answers": {slot: answers.get(slot) for slot in SUMMARY_SLOTS},
    }
    return _serializer(secret_key).dumps(payload)


def read_summary_token(
    secret_key: str, token: str, max_age: int = SUMMARY_MAX_AGE_SECONDS
) -> Optional[dict[str, Any]]:
    """The payload of a token, or None when it is forged, damaged or expired."""
    try:
        payload = _serializer(secret_key).loads(token, max_age=max_age)
    except SignatureExpired:
        logger.info("Expired summary token")
        return None
    except BadSignature:
        logger.info("Invalid summary token")
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("answers"), dict):
        return None
    return payload


__all__ = [
    "ANSWER_SLOTS",
    "SUMMARY_SLOTS",
    "make_summary_token",
    "read_summary_token",
    "recap_lines",
    "recap_text",
    "templates_from_domain",
    "templates_from_file",
]
