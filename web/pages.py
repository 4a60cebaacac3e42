"""The widget's notices and what it needs to know at start (`GET /api/widget`).

- `/confidentialite`: the privacy notice, in plain French, with the figures the code uses
  (how long conversations, the summary's link and the "Écouter" sounds are kept, when the
  browser forgets them, what is masked).
- `/accessibilite`: the accessibility statement (RGAA), saying what is checked and how.
- `/api/widget`: the greeting (domain.yml's `utter_greet`, shown as soon as the widget
  opens, before anything is sent to the assistant, with its speech token for "Écouter"),
  where links in messages may go, the notices' addresses and the retention in days (said
  when the person erases).

`web/app.py` mounts `page_routes(settings)`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.templating import Jinja2Templates

from passerelle.config import Settings
from passerelle.domain import load_domain
from passerelle.names import SOCKETIO_INPUT, SPEECH_TOKEN_FIELD
from passerelle.signing import speech_token

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
PRIVACY_PATH = "/confidentialite"
ACCESSIBILITY_PATH = "/accessibilite"
CONFIG_PATH = "/api/widget"
GREETING_RESPONSE = "utter_greet"
# Official sites the guides (../shared/reference/) send people to. A link in a bot message
# becomes a real link only to these (and their subdomains) or to the widget's own pages.
OFFICIAL_SITES = ("francetravail.fr", "franceconnect.gouv.fr", "cybermalveillance.gouv.fr")
# The warning before erasing comes one minute before the conversation is cleared.
IDLE_WARNING_MINUTES = 1
# Written in the accessibility statement: the day its facts were last checked.
STATEMENT_DATE = "26 novembre 2026"

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))  # autoescapes .html


def text_variant(name: str, domain: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """The variant of response `name` a typed channel gets (no `channel:`, or socket.io)."""
    variants = (domain or load_domain())["responses"][name]
    return next((v for v in variants if v.get("channel") in (None, SOCKETIO_INPUT)), variants[0])


def greeting() -> Dict[str, Any]:
    """The greeting's text and buttons, as the bot would send them."""
    variant = text_variant(GREETING_RESPONSE)
    buttons: List[Dict[str, str]] = [
        {"title": b["title"], "payload": b["payload"]} for b in variant.get("buttons") or []
    ]
    return {"text": variant["text"], "buttons": buttons}


def widget_config(config: Settings) -> Dict[str, Any]:
    """What the widget reads at start (`GET /api/widget`).

    The greeting carries a speech token, as the bot's messages do, so "Écouter" reads it.
    """
    public = config.widget.public_url.rstrip("/")
    hello = greeting()
    if config.secret_key:
        hello[SPEECH_TOKEN_FIELD] = speech_token(config.secret_key, hello["text"])
    return {
        "greeting": hello,
        "links": {"origins": [config.widget.public_origin], "sites": list(OFFICIAL_SITES)},
        "pages": {
            "privacy": public + PRIVACY_PATH,
            "accessibility": public + ACCESSIBILITY_PATH,
        },
        "retention_days": config.store.retention_days,
    }


def page_routes(config: Settings) -> List[BaseRoute]:
    """The notices and the widget's start configuration, for this configuration."""
    facts = {
        "retention_days": config.store.retention_days,
        "idle_minutes": config.widget.idle_minutes + IDLE_WARNING_MINUTES,
        "summary_hours": config.widget.summary_hours,
        "tts_cache_minutes": config.widget.tts_cache_minutes,
        "statement_date": STATEMENT_DATE,
        "official_sites": OFFICIAL_SITES,
    }

    async def privacy(request: Request) -> Response:
        return templates.TemplateResponse(request, "privacy.html", facts)

    async def accessibility(request: Request) -> Response:
        return templates.TemplateResponse(request, "accessibility.html", facts)

    async def start_config(request: Request) -> Response:
        return JSONResponse(widget_config(config), headers={"Cache-Control": "no-cache"})

    return [
        Route(PRIVACY_PATH, privacy, methods=["GET"]),
        Route(ACCESSIBILITY_PATH, accessibility, methods=["GET"]),
        Route(CONFIG_PATH, start_config, methods=["GET"]),
    ]


__all__ = ["OFFICIAL_SITES", "greeting", "page_routes", "text_variant", "widget_config"]
