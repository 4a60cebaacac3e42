"""Web app of the chat widget: the page, the widget's files, spoken messages and health.

`create_app(settings)` builds a Starlette app; `python -m web` serves it on
`WEB_HOST:WEB_PORT`. Every response carries strict security headers. The page tells
the widget where Rasa's socket.io channel is with a `data-` attribute, never with inline script.

`/api/tts` ("Écouter") reads aloud only what the assistant said: each bot message reaches
the widget with a speech token signed by Rasa's channel (`passerelle/signing.py`), valid
one hour for that exact text. It answers only the widget's origins (its own page, and the
sites listed in `WIDGET_EMBED_ORIGINS`), `TTS_BURST` requests at once then
`TTS_PER_MINUTE` a minute per client address, and a French 503 when the synthesis queue
is full. Its sounds are kept `TTS_CACHE_MINUTES`: while the app runs, a sweep deletes
the expired ones every `SWEEP_SECONDS` at most (`web/tts.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Dict, List, Optional
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from passerelle.config import Settings
from passerelle.config import settings as current_settings
from passerelle.http import Scope, SecurityHeaders, header
from passerelle.names import SPEECH_TOKEN_FIELD
from passerelle.signing import speech_token_valid
from web.limits import RateLimiter
from web.pages import page_routes
from web.summary import summary_routes
from web.tts import MAX_TTS_CHARS, SpeechBusyError, SpeechCache

logger = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
TEMPLATES_DIR = WEB_DIR / "templates"
# The expired sounds are looked for this often at most (more often for a short cache).
SWEEP_SECONDS = 300.0
MAX_TTS_BODY_BYTES = 16_384
# "Écouter" per client address: a person clicks a few times a minute; a loop is cut short.
TTS_BURST = 10
TTS_PER_MINUTE = 20
HOST_PATTERN = re.compile(r"^[A-Za-z0-9.\-]{1,253}$|^\[[0-9A-Fa-f:.]{2,45}\]$")

MESSAGES = {
    "not_found": "Cette page n'existe pas.",
    "method": "Cette action n'est pas possible ici.",
    "error": "Une erreur est survenue. Réessayez dans un moment.",
    "tts_json": "La demande de lecture est mal formée. Envoyez un texte.",
    "tts_empty": "Il n'y a pas de texte à lire.",
    "tts_long": f"Le texte est trop long pour être lu. {MAX_TTS_CHARS} caractères au maximum.",
    "tts_failed": "La lecture à voix haute ne marche pas pour le moment. Réessayez plus tard.",
    "tts_origin": "La lecture à voix haute ne marche que depuis la page de l'assistant.",
    "tts_unknown": "Ce texte ne vient pas de l'assistant, ou il est trop ancien : "
    "il ne peut pas être lu.",
    "tts_throttled": "Trop de demandes de lecture. Attendez une minute, puis réessayez.",
    "tts_busy": "La lecture à voix haute est très demandée. Réessayez dans un instant.",
}


def rasa_public_url(config: Settings, host_header: str, scheme: str = "http") -> str:
    """Rasa's address for the browser: the setting, or the page's host name with Rasa's port."""
    if config.widget.rasa_url:
        return config.widget.rasa_url
    hostname = host_header.rsplit(":", 1)[0] if not host_header.endswith("]") else host_header
    if not HOST_PATTERN.match(hostname or ""):
        hostname = config.rasa.host
    return f"{scheme}://{hostname}:{config.rasa.port}"


def content_security_policy(rasa_url: str) -> str:
    """The page's Content Security Policy: only this server, plus Rasa for the socket."""
    parts = urlsplit(rasa_url)
    secure = parts.scheme == "https"
    origin = f"{parts.scheme}://{parts.netloc}"
    socket_origin = f"{'wss' if secure else 'ws'}://{parts.netloc}"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self'",
            "font-src 'self'",
            "media-src 'self' blob:",
            f"connect-src 'self' {origin} {socket_origin}",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'self'",
        ]
    )


def widget_headers(config: Settings) -> Callable[[Scope], Dict[str, str]]:
    """The widget's security headers; its policy lets the page reach Rasa's socket."""

    def headers_for(scope: Scope) -> Dict[str, str]:
        csp = content_security_policy(rasa_public_url(config, header(scope, b"host")))
        return {"content-security-policy": csp, "x-frame-options": "SAMEORIGIN"}

    return headers_for


def _error(request: Request, status: int, key: str) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"erreur": MESSAGES[key]}, status_code=status)
    return PlainTextResponse(MESSAGES[key], status_code=status)


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    key = {404: "not_found", 405: "method"}.get(status, "error")
    return _error(request, status, key)


async def _server_error(request: Request, exc: Exception) -> Response:
    logger.error("Error on %s", request.url.path, exc_info=exc)
    return _error(request, 500, "error")


def create_app(
    config: Optional[Settings] = None,
    speech: Optional[SpeechCache] = None,
    limiter: Optional[RateLimiter] = None,
) -> Starlette:
    """Builds the widget's web app for `config` (the process settings by default)."""
    config = config or current_settings()
    speech = speech or SpeechCache(
        config.widget.tts_cache_dir, max_age_seconds=config.widget.tts_cache_minutes * 60
    )
    limiter = limiter or RateLimiter(TTS_BURST, TTS_PER_MINUTE)
    origins = config.widget.allowed_origins
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))

    async def index(request: Request) -> Response:
        context = {
            "rasa_url": rasa_public_url(config, request.headers.get("host", "")),
            "idle_minutes": config.widget.idle_minutes,
        }
        return templates.TemplateResponse(
            request, "index.html", context, headers={"Cache-Control": "no-store"}
        )

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def tts(request: Request) -> Response:
        if request.headers.get("origin") not in origins:
            logger.warning("Speech request from a foreign or missing origin refused")
            return _error(request, 403, "tts_origin")
        if not limiter.allow(request.client.host if request.client else ""):
            logger.warning("Speech requests throttled for one client")
            return _error(request, 429, "tts_throttled")
        body = await _read_limited(request, MAX_TTS_BODY_BYTES)
        if body is None:
            return _error(request, 413, "tts_long")
        data = _json_object(body)
        said = data.get("text") if data is not None else None
        if not isinstance(said, str):
            return _error(request, 400, "tts_json")
        text = said.strip()
        if not text:
            return _error(request, 400, "tts_empty")
        if len(text) > MAX_TTS_CHARS:
            return _error(request, 413, "tts_long")
        if not speech_token_valid(config.secret_key, said, data.get(SPEECH_TOKEN_FIELD)):
            logger.warning("Speech request for a text without a valid token refused")
            return _error(request, 403, "tts_unknown")
        try:
            wav = await speech.wav(text)
        except SpeechBusyError:
            logger.warning("Speech synthesis queue full: request refused")
            return _error(request, 503, "tts_busy")
        except Exception:  # the voice layer failed: say so in French, keep the details in logs
            logger.exception("Speech synthesis failed for a text of %s characters", len(text))
            return _error(request, 503, "tts_failed")
        return Response(
            wav, media_type="audio/wav", headers={"Cache-Control": "private, max-age=3600"}
        )

    routes: List[BaseRoute] = [
        Route("/", index, methods=["GET"]),
        Route("/health", health, methods=["GET"]),
        Route("/api/tts", tts, methods=["POST"]),
        Mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static"),
        *summary_routes(config),
        *page_routes(config),
    ]
    middleware = [
        Middleware(SecurityHeaders, headers=widget_headers(config)),
        # Only the widget's own origins; no credentials (the widget sends no cookie).
        Middleware(
            CORSMiddleware,
            allow_origins=list(origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type"],
        ),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        sweeper = asyncio.create_task(sweep_speech_cache(speech))
        try:
            yield
        finally:
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper

    return Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
        lifespan=lifespan,
    )


async def sweep_speech_cache(speech: SpeechCache) -> None:
    """Deletes expired sounds now, then again and again while the app runs."""
    interval = max(1.0, min(SWEEP_SECONDS, speech.max_age_seconds / 4))
    logger.info(
        "Speech cache: sounds kept %.0f minute(s), swept every %.0f s",
        speech.max_age_seconds / 60,
        interval,
    )
    while True:
        try:
            await run_in_threadpool(speech.remove_expired)
        except OSError:
            logger.exception("Speech cache sweep failed")
        await asyncio.sleep(interval)


async def _read_limited(request: Request, limit: int) -> Optional[bytes]:
    """The request body, or None when it is larger than `limit` bytes."""
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _json_object(body: bytes) -> Optional[Dict[str, Any]]:
    """The JSON object in `body`; None when the body is not one."""
    try:
        data: Any = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return data if isinstance(data, dict) else None
