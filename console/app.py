"""The counsellor console web app (Starlette): list, transcript, exports, statistics.

While it runs, it purges old conversations by itself every day (`console/retention.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any, AsyncIterator, Optional
from urllib.parse import urlencode

import sqlalchemy as sa
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    BaseUser,
)
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import (
    HTMLResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from console import auth, charts, data, exports, index, retention, stats, store
from console.tables import create_console_tables, make_engine
from console.transcript import CHANNEL_LABELS, TZ, form_answers, shown_state, transcript
from passerelle.actualisation import ANSWER_LABELS, ANSWERS_IN_ORDER, STATE_LABELS
from passerelle.config import Settings
from passerelle.config import settings as default_settings
from passerelle.http import SecurityHeaders
from passerelle.privacy import MASK

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
SESSION_COOKIE = "console_session"
LOGIN_COOKIE = "console_login"
# Routes anyone may reach; every other route needs a logged-in counsellor.
PUBLIC_PATHS = frozenset({"/health", "/login"})
PUBLIC_PREFIXES = ("/static/",)
MAX_NOTE_LENGTH = 2000
MASK_OPEN = Markup('<mark class="masque">')
MASK_CLOSE = Markup("</mark>")
MAX_BODY_BYTES = 64 * 1024
# Pages check Rasa's table for new events at most this often.
INDEX_REFRESH_SECONDS = 1.0
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self';"
        " frame-ancestors 'none'; base-uri 'none'"
    ),
    "x-frame-options": "DENY",
    "cache-control": "no-store",
}


def _when(timestamp: Optional[float]) -> str:
    if timestamp is None:
        return ""
    return datetime.fromtimestamp(timestamp, TZ).strftime("%d/%m/%Y %H:%M")


def _answer(value: Any) -> str:
    if value is True:
        return "oui"
    if value is False:
        return "non"
    if value is None:
        return "—"
    return str(value)


def _masked(text: Any) -> Markup:
    """Escapes the text, then styles each "[masqué]" while keeping its literal words."""
    escaped = Markup.escape(str(text))
    mask = Markup.escape(MASK)
    return escaped.replace(mask, MASK_OPEN + mask + MASK_CLOSE)


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "inconnue"


class Counsellor(BaseUser):
    """A logged-in counsellor (`request.user`), with the session's CSRF token."""

    def __init__(self, session: auth.Session) -> None:
        self.session = session

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return self.session.counsellor


class CounsellorSessions(AuthenticationBackend):
    """Starlette authentication backend: the session cookie names a live session."""

    def __init__(self, engine: sa.engine.Engine) -> None:
        self.engine = engine

    async def authenticate(
        self, conn: HTTPConnection
    ) -> Optional[tuple[AuthCredentials, BaseUser]]:
        session = await run_in_threadpool(
            auth.find_session, self.engine, conn.cookies.get(SESSION_COOKIE)
        )
        if session is None:
            return None
        return AuthCredentials(["counsellor"]), Counsellor(session)


class LoginRequired:
    """ASGI middleware: a counsellor must be logged in everywhere but PUBLIC_PATHS.

    Pages (GET) send to the login page and come back after; forms get a 403.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        public = path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)
        if scope["type"] != "http" or public or scope["user"].is_authenticated:
            await self.app(scope, receive, send)
            return
        response: Response
        if scope["method"] in ("GET", "HEAD"):
            target = path + ("?" + scope["query_string"].decode() if scope["query_string"] else "")
            response = RedirectResponse("/login?" + urlencode({"suite": target}), 303)
        else:
            response = PlainTextResponse("Connectez-vous d'abord.", 403)
        await response(scope, receive, send)


def counsellor_of(request: Request) -> str:
    return request.user.session.counsellor


class Console:
    """The console's pages, bound to one database and one configuration."""

    def __init__(self, cfg: Settings, engine: sa.engine.Engine) -> None:
        self.cfg = cfg
        self.engine = engine
        self.jinja = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
        )
        self.jinja.filters.update(when=_when, masked=_masked, answer=_answer)
        self.jinja.globals.update(
            state_labels=STATE_LABELS, channel_labels=CHANNEL_LABELS, answer_labels=ANSWER_LABELS
        )
        self._refreshed_at = 0.0
        self._intents: Optional[list[str]] = None

    # --- helpers ---------------------------------------------------------

    def render(
        self, request: Request, name: str, status: int = 200, **context: Any
    ) -> HTMLResponse:
        session = request.user.session if request.user.is_authenticated else None
        html = self.jinja.get_template(name).render(request=request, session=session, **context)
        return HTMLResponse(html, status)

    def refresh_index(self) -> None:
        now = time.monotonic()
        if now - self._refreshed_at >= INDEX_REFRESH_SECONDS:
            if index.refresh(self.engine):
                self._intents = None
            self._refreshed_at = time.monotonic()

    def intents(self, conn: sa.engine.Connection) -> list[str]:
        """Intents offered in the topic filter (cached until the index changes)."""
        if self._intents is None:
            self._intents = index.known_intents(conn)
        return self._intents

    async def checked_form(self, request: Request) -> Any:
        """The posted form, only if it carries the session's CSRF token."""
        form = await request.form()
        if not auth.same_token(request.user.session.csrf_token, form.get("csrf")):
            raise HTTPException(403, "Le formulaire a expiré. Rechargez la page et réessayez.")
        return form

    def secure(self, request: Request) -> bool:
        return self.cfg.console.cookie_secure or request.url.scheme == "https"

    def set_private_cookie(
        self,
        request: Request,
        response: Response,
        name: str,
        value: str,
        max_age: Optional[int] = None,
    ) -> None:
        """Sets a cookie scripts cannot read and other sites never send (HttpOnly, Strict)."""
        response.set_cookie(
            name,
            value,
            httponly=True,
            samesite="strict",
            secure=self.secure(request),
            path="/",
            max_age=max_age,
        )

    def error(self, request: Request, status: int, message: str) -> HTMLResponse:
        return self.render(request, "error.html", status, message=message)

    # --- public ----------------------------------------------------------

    async def health(self, request: Request) -> Response:
        return PlainTextResponse("ok")

    async def login(self, request: Request) -> Response:
        suite = request.query_params.get("suite", "/")
        if not suite.startswith("/") or suite.startswith("//"):
            suite = "/"
        nonce = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)
        error, status = None, 200
        if request.method == "POST":
            form = await request.form()
            name = str(form.get("nom", ""))[:80]
            password = str(form.get("mot_de_passe", ""))[: auth.MAX_PASSWORD_LENGTH]
            cookie_nonce = request.cookies.get(LOGIN_COOKIE)
            if not cookie_nonce or not auth.same_token(
                auth.login_csrf(self.cfg.secret_key, cookie_nonce), form.get("csrf")
            ):
                error, status = "Le formulaire a expiré. Réessayez.", 403
            else:
                outcome = await run_in_threadpool(
                    auth.attempt_login, self.engine, name, password, _client_ip(request)
                )
                if outcome.result is auth.LoginResult.OK:
                    token = await run_in_threadpool(auth.open_session, self.engine, name)
                    response = RedirectResponse(suite, 303)
                    self.set_private_cookie(request, response, SESSION_COOKIE, token)
                    response.delete_cookie(LOGIN_COOKIE, path="/")
                    return response
                if outcome.result is auth.LoginResult.THROTTLED:
                    wait = outcome.wait_minutes
                    minutes = "minute" if wait == 1 else "minutes"
                    error, status = f"Trop d'essais. Réessayez dans {wait} {minutes}.", 429
                elif outcome.result is auth.LoginResult.BUSY:
                    error, status = "Trop de connexions à la fois. Réessayez dans un instant.", 503
                else:
                    error, status = "Nom ou mot de passe incorrect.", 401
        response = self.render(
            request,
            "login.html",
            status,
            error=error,
            suite=suite,
            csrf=auth.login_csrf(self.cfg.secret_key, nonce),
        )
        self.set_private_cookie(request, response, LOGIN_COOKIE, nonce, max_age=3600)
        return response

    # --- counsellors only ------------------------------------------------

    async def logout(self, request: Request) -> Response:
        await self.checked_form(request)
        await run_in_threadpool(
            auth.close_session, self.engine, request.cookies.get(SESSION_COOKIE)
        )
        await run_in_threadpool(
            data.record,
            self.engine,
            counsellor_of(request),
            "déconnexion",
            None,
            _client_ip(request),
        )
        response = RedirectResponse("/login", 303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    def conversations(self, request: Request) -> Response:
        self.refresh_index()
        filters = index.Filters.parse(request.query_params)
        if filters.search:
            # Who searched the conversations' text, not what: the words may be personal.
            data.record(self.engine, counsellor_of(request), "recherche", None, _client_ip(request))
        now = time.time()
        with self.engine.connect() as conn:
            page = index.list_page(conn, filters, now)
            intents = self.intents(conn)
        for row in page.rows:
            row["state"] = shown_state(row["actualisation"], row["last_ts"], now)

        def page_url(number: int) -> str:
            params = filters.query_params(number)
            return "/?" + urlencode(params) if params else "/"

        export_params = filters.query_params()
        return self.render(
            request,
            "list.html",
            filters=filters,
            page=page,
            intents=intents,
            page_url=page_url,
            export_url="/export.csv" + ("?" + urlencode(export_params) if export_params else ""),
        )

    def _conversation_or_404(self, request: Request) -> tuple[str, list[store.Event]]:
        """The conversation named in the address and its events, or a French 404."""
        sender_id = request.query_params.get("id", "")
        with self.engine.connect() as conn:
            events = store.conversation(conn, sender_id) if sender_id else []
        if not events:
            raise HTTPException(404, "Cette conversation n'existe pas ou a été supprimée.")
        return sender_id, events

    def conversation(self, request: Request) -> Response:
        sender_id, events = self._conversation_or_404(request)
        self.refresh_index()
        data.record(
            self.engine, counsellor_of(request), "ouverture", sender_id, _client_ip(request)
        )
        now = time.time()
        with self.engine.connect() as conn:
            summary = index.summary_of(conn, sender_id)
        if summary:
            summary["state"] = shown_state(summary["actualisation"], summary["last_ts"], now)
        message = {
            "vide": "La note est vide. Écrivez quelques mots.",
            "longue": f"La note est trop longue ({MAX_NOTE_LENGTH} caractères au plus).",
        }.get(request.query_params.get("note", ""))
        return self.render(
            request,
            "conversation.html",
            sender_id=sender_id,
            lines=transcript(events),
            answers=form_answers(events),
            form_slots=ANSWERS_IN_ORDER,
            summary=summary,
            flag=data.flag_of(self.engine, sender_id),
            notes=data.notes_of(self.engine, sender_id),
            note_message=message,
            query=urlencode({"id": sender_id}),
        )

    async def flag(self, request: Request) -> Response:
        form = await self.checked_form(request)
        sender_id = str(form.get("id", ""))
        counsellor = counsellor_of(request)
        await run_in_threadpool(self._conversation_or_404_id, sender_id)
        flagged = await run_in_threadpool(data.toggle_flag, self.engine, sender_id, counsellor)
        action = "signalement" if flagged else "signalement retiré"
        await run_in_threadpool(
            data.record, self.engine, counsellor, action, sender_id, _client_ip(request)
        )
        return RedirectResponse("/conversation?" + urlencode({"id": sender_id}), 303)

    def _conversation_or_404_id(self, sender_id: str) -> None:
        if not data.conversation_exists(self.engine, sender_id):
            raise HTTPException(404, "Cette conversation n'existe pas ou a été supprimée.")

    async def note(self, request: Request) -> Response:
        form = await self.checked_form(request)
        sender_id = str(form.get("id", ""))
        text = str(form.get("texte", "")).strip()
        await run_in_threadpool(self._conversation_or_404_id, sender_id)
        back = {"id": sender_id}
        if not text:
            back["note"] = "vide"
        elif len(text) > MAX_NOTE_LENGTH:
            back["note"] = "longue"
        else:
            counsellor = counsellor_of(request)
            await run_in_threadpool(data.add_note, self.engine, sender_id, counsellor, text)
            await run_in_threadpool(
                data.record, self.engine, counsellor, "note", sender_id, _client_ip(request)
            )
        return RedirectResponse("/conversation?" + urlencode(back) + "#notes", 303)

    def transcript_json(self, request: Request) -> Response:
        sender_id, events = self._conversation_or_404(request)
        data.record(
            self.engine, counsellor_of(request), "export JSON", sender_id, _client_ip(request)
        )
        note_rows = data.notes_of(self.engine, sender_id)
        document = {
            "conversation": sender_id,
            "signalee": data.flag_of(self.engine, sender_id) is not None,
            "reponses_actualisation": form_answers(events),
            "notes": [
                {"conseiller": n.counsellor, "date": n.at, "texte": n.text} for n in note_rows
            ],
            "messages": [line.as_dict() for line in transcript(events)],
        }
        return Response(
            exports.safe_json(document),
            media_type="application/json",
            headers={"content-disposition": 'attachment; filename="conversation.json"'},
        )

    def story(self, request: Request) -> Response:
        sender_id, events = self._conversation_or_404(request)
        counsellor = counsellor_of(request)
        data.record(self.engine, counsellor, "export histoire", sender_id, _client_ip(request))
        return Response(
            exports.story_yaml(sender_id, events, counsellor),
            media_type="text/plain; charset=utf-8",
            headers={"content-disposition": 'attachment; filename="histoire.yml"'},
        )

    def export_csv(self, request: Request) -> Response:
        self.refresh_index()
        filters = index.Filters.parse(request.query_params)
        data.record(self.engine, counsellor_of(request), "export CSV", None, _client_ip(request))
        now = time.time()

        def lines() -> Any:
            flagged = data.flagged_ids(self.engine)
            with self.engine.connect() as conn:
                yield from exports.csv_lines(index.all_rows(conn, filters, now), flagged, now)

        return StreamingResponse(
            lines(),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": 'attachment; filename="conversations.csv"'},
        )

    def statistics(self, request: Request) -> Response:
        self.refresh_index()
        filters = index.Filters.parse(request.query_params)
        today = datetime.now(TZ).date()
        date_from, date_to = stats.period(filters.date_from, filters.date_to, today)
        with self.engine.connect() as conn:
            figures = stats.compute(conn, date_from, date_to)
        svg = {
            "per_day": charts.vertical_bars("Conversations par jour", figures.per_day),
            "intents": charts.horizontal_bars("Sujets les plus demandés", figures.top_intents),
            "fallback": charts.line(
                "Messages non compris (%) par jour", figures.fallback_rate, " %"
            ),
            "funnel": charts.horizontal_bars("Parcours de l'actualisation", figures.funnel),
        }
        return self.render(
            request,
            "stats.html",
            figures=figures,
            svg=svg,
            errors=filters.errors,
        )

    def audit_log(self, request: Request) -> Response:
        raw = request.query_params.get("page", "1")
        number = int(raw) if raw.isdigit() and 0 < int(raw) < 1_000_000 else 1
        rows, more = data.audit_page(self.engine, number)
        return self.render(request, "audit.html", rows=rows, number=number, more=more)


def create_app(
    cfg: Optional[Settings] = None,
    engine: Optional[sa.engine.Engine] = None,
    purge_every: Optional[float] = None,
) -> Starlette:
    """Builds the console for these settings (and this engine, for tests and benches).

    `purge_every`: seconds between two automatic purges, the first at start; `python -m
    console` gives one day (`retention.PURGE_INTERVAL_SECONDS`). None: no automatic purge
    (tests and benches, whose made-up conversations may be old).
    """
    cfg = cfg or default_settings()
    engine = engine or make_engine(cfg.store.db_url)
    create_console_tables(engine)
    auth.forget_typed_names(engine)
    console = Console(cfg, engine)

    async def on_error(request: Request, error: Exception) -> Response:
        if isinstance(error, HTTPException):
            return console.error(request, error.status_code, str(error.detail))
        logger.error("Console error: %s", error, exc_info=error)
        return console.error(request, 500, "Une erreur est survenue. Réessayez dans un instant.")

    routes = [
        Route("/health", console.health),
        Route("/login", console.login, methods=["GET", "POST"]),
        Route("/logout", console.logout, methods=["POST"]),
        Route("/", console.conversations),
        Route("/conversation", console.conversation),
        Route("/conversation/flag", console.flag, methods=["POST"]),
        Route("/conversation/note", console.note, methods=["POST"]),
        Route("/conversation/transcript.json", console.transcript_json),
        Route("/conversation/story.yml", console.story),
        Route("/export.csv", console.export_csv),
        Route("/stats", console.statistics),
        Route("/audit", console.audit_log),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]

    def warm_up() -> None:
        try:
            index.refresh(engine)
        except Exception:  # noqa: BLE001 - the first page view retries and reports
            logger.exception("The conversation index could not be built")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        threading.Thread(target=warm_up, name="console-index", daemon=True).start()
        purger = None
        if purge_every:
            purger = asyncio.create_task(retention.purge_every_day(engine, cfg, purge_every))
        try:
            yield
        finally:
            if purger is not None:
                purger.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await purger

    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(SecurityHeaders, headers=SECURITY_HEADERS),
            Middleware(AuthenticationMiddleware, backend=CounsellorSessions(engine)),
            Middleware(LoginRequired),
        ],
        exception_handlers={HTTPException: on_error, Exception: on_error},
        lifespan=lifespan,
        max_body_size=MAX_BODY_BYTES,
    )
    app.state.console = console
    return app
