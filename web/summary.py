"""The printable summary of a rehearsed actualisation (`GET /resume/{token}`).

The link is made by `action_actualisation_done`: the encrypted token carries the period
and the answers (`passerelle/summary.py`), so nothing is stored on the server. A forged,
damaged or expired token (older than `SUMMARY_LINK_HOURS`) gets the French error page.
The page is plain HTML in large type with a print style sheet; the "Imprimer" button
uses `/static/summary.js` (no inline script, for the Content-Security-Policy).
`web/app.py` mounts `summary_routes(settings)`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict, List

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.templating import Jinja2Templates

from passerelle.config import Settings
from passerelle.numbers import format_euros, format_hours
from passerelle.recap import recap_header, recap_lines, templates_from_file
from passerelle.summary import SUMMARY_PATH, read_summary_token

logger = logging.getLogger(__name__)

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
PAGE_TEMPLATE = "summary.html"
ERROR_TEMPLATE = "summary_error.html"
NO_STORE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))  # autoescapes .html


def summary_context(payload: Dict[str, Any]) -> Dict[str, Any]:
    """What the page shows: the period, the recap lines, and the figures to keep."""
    answers = payload.get("answers") or {}
    recap = templates_from_file()
    details: List[tuple[str, str]] = []
    if answers.get("worked"):
        details.append(("Heures travaillées", format_hours(float(answers["hours_worked"] or 0))))
        details.append(("Salaire brut", format_euros(float(answers["gross_salary"] or 0))))
    if answers.get("sick_leave") and answers.get("sick_leave_dates"):
        details.append(("Dates de l'arrêt maladie", str(answers["sick_leave_dates"])))
    return {
        "header": recap_header(payload.get("start") or "", payload.get("end") or "", recap),
        "lines": recap_lines(answers, recap),
        "details": details,
        "worked": bool(answers.get("worked")),
    }


def summary_routes(config: Settings) -> List[BaseRoute]:
    """The printable summary's route, reading tokens with this configuration's key."""
    hours = {"summary_hours": config.widget.summary_hours}

    def error_page(request: Request) -> Response:
        return templates.TemplateResponse(request, ERROR_TEMPLATE, hours, 404, headers=NO_STORE)

    async def summary_page(request: Request) -> Response:
        """The summary for a valid token; a French error page otherwise."""
        payload = read_summary_token(
            config.secret_key, request.path_params["token"], config.widget.summary_hours
        )
        if payload is None:
            return error_page(request)
        try:
            context = summary_context(payload)
        except (KeyError, TypeError, ValueError):
            logger.warning("Summary token with unexpected content")
            return error_page(request)
        return templates.TemplateResponse(request, PAGE_TEMPLATE, context, headers=NO_STORE)

    return [Route(SUMMARY_PATH + "{token}", summary_page, methods=["GET"])]


__all__ = ["summary_context", "summary_routes"]
