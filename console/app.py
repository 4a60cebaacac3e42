"""The counsellor console web app (Starlette): list, transcript, exports, statistics."""

from __future__ import annotations

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
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
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

from console import auth, charts, exports, index, stats, store
from console.tables import audit, create_console_tables, flags, make_engine, notes
from console.transcript import (
    CHANNEL_LABELS,
    FORM_SLOTS,
    TZ,
    form_answers,
    shown_state,
    transcript,
)
from passerelle.config import Settings
from passerelle.config import settings as default_settings
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
AUDIT_PAGE_SIZE = 100
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self';"
        " frame-ancestors 'none'; base-uri 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cache-control": "no-store",
}
STATE_LABELS = {
    "none": "Aucune",
    "in_progress": "En cours",
    "abandoned": "Abandonnée",
    "completed": "Terminée",
}
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


class Guard:
    """ASGI middleware: a counsellor must be logged in everywhere but PUBLIC_PATHS.

    It also adds the security headers to every response.
    """

    def __init__(self, app: ASGIApp, engine: sa.engine.Engine) -> None:
        self.app = app
        self.engine = engine

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        path = scope["path"]
        if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
            await self.app(scope, receive, send_with_headers)
            return
        request = Request(scope)
        session = await run_in_threadpool(
            auth.find_session, self.engine, request.cookies.get(SESSION_COOKIE)
        )
        if session is None:
            response: Response
            if scope["method"] in ("GET", "HEAD"):
                target = path + (
                    "?" + scope["query_string"].decode() if scope["query_string"] else ""
                )
                response = RedirectResponse("/login?" + urlencode({"suite": target}), 303)
            else:
                response = PlainTextResponse("Connectez-vous d'abord.", 403)
            await response(scope, receive, send_with_headers)
            return
        scope.setdefault("state", {})["session"] = session
        await self.app(scope, receive, send_with_headers)


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
        session = getattr(request.state, "session", None)
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
        if not auth.same_token(request.state.session.csrf_token, form.get("csrf")):
            raise HTTPException(403, "Le formulaire a expiré. Rechargez la page et réessayez.")
        return form

    def secure(self, request: Request) -> bool:
        return self.cfg.console_cookie_secure or request.url.scheme == "https"

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
                ip = _client_ip(request)
                wait = await run_in_threadpool(
                    auth.throttled_minutes, self.engine, name.strip().lower(), ip, time.time()
                )
                if wait:
                    minutes = "minute" if wait == 1 else "minutes"
                    error, status = f"Trop d'essais. Réessayez dans {wait} {minutes}.", 429
                elif await run_in_threadpool(auth.verify_login, self.engine, name, password, ip):
                    token = await run_in_threadpool(auth.open_session, self.engine, name)
                    response = RedirectResponse(suite, 303)
                    self.set_private_cookie(request, response, SESSION_COOKIE, token)
                    response.delete_cookie(LOGIN_COOKIE, path="/")
                    return response
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
            auth.record,
            self.engine,
            request.state.session.counsellor,
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
        sender_id = request.query_params.get("id", "")
        with self.engine.connect() as conn:
            events = store.conversation(conn, sender_id) if sender_id else []
        if not events:
            raise HTTPException(404, "Cette conversation n'existe pas ou a été supprimée.")
        return sender_id, events

    def conversation(self, request: Request) -> Response:
        sender_id, events = self._conversation_or_404(request)
        self.refresh_index()
        auth.record(
            self.engine,
            request.state.session.counsellor,
            "ouverture",
            sender_id,
            _client_ip(request),
        )
        now = time.time()
        with self.engine.connect() as conn:
            summary = index.summary_of(conn, sender_id)
            flag = conn.execute(sa.select(flags).where(flags.c.sender_id == sender_id)).first()
            note_rows = conn.execute(
                sa.select(notes).where(notes.c.sender_id == sender_id).order_by(notes.c.id)
            ).all()
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
            form_slots=FORM_SLOTS,
            summary=summary,
            flag=flag,
            notes=note_rows,
            note_message=message,
            query=urlencode({"id": sender_id}),
        )

    async def flag(self, request: Request) -> Response:
        form = await self.checked_form(request)
        sender_id = str(form.get("id", ""))
        counsellor = request.state.session.counsellor

        def toggle() -> str:
            with self.engine.begin() as conn:
                removed = conn.execute(flags.delete().where(flags.c.sender_id == sender_id))
                if removed.rowcount:
                    return "signalement retiré"
                conn.execute(
                    flags.insert().values(
                        sender_id=sender_id, counsellor=counsellor, at=time.time()
                    )
                )
                return "signalement"

        await run_in_threadpool(self._conversation_or_404_id, sender_id)
        action = await run_in_threadpool(toggle)
        await run_in_threadpool(
            auth.record, self.engine, counsellor, action, sender_id, _client_ip(request)
        )
        return RedirectResponse("/conversation?" + urlencode({"id": sender_id}), 303)

    def _conversation_or_404_id(self, sender_id: str) -> None:
        with self.engine.connect() as conn:
            if not sender_id or not store.conversation(conn, sender_id):
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
            counsellor = request.state.session.counsellor

            def save() -> None:
                with self.engine.begin() as conn:
                    conn.execute(
                        notes.insert().values(
                            sender_id=sender_id, counsellor=counsellor, at=time.time(), text=text
                        )
                    )

            await run_in_threadpool(save)
            await run_in_threadpool(
                auth.record, self.engine, counsellor, "note", sender_id, _client_ip(request)
            )
        return RedirectResponse("/conversation?" + urlencode(back) + "#notes", 303)

    def transcript_json(self, request: Request) -> Response:
        sender_id, events = self._conversation_or_404(request)
        auth.record(
            self.engine,
            request.state.session.counsellor,
            "export JSON",
            sender_id,
            _client_ip(request),
        )
        with self.engine.connect() as conn:
            note_rows = conn.execute(
                sa.select(notes).where(notes.c.sender_id == sender_id).order_by(notes.c.id)
            ).all()
            flagged = conn.execute(
                sa.select(flags.c.sender_id).where(flags.c.sender_id == sender_id)
            ).first()
        document = {
            "conversation": sender_id,
            "signalee": flagged is not None,
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
        counsellor = request.state.session.counsellor
        auth.record(self.engine, counsellor, "export histoire", sender_id, _client_ip(request))
        return Response(
            exports.story_yaml(sender_id, events, counsellor),
            media_type="text/plain; charset=utf-8",
            headers={"content-disposition": 'attachment; filename="histoire.yml"'},
        )

    def export_csv(self, request: Request) -> Response:
        self.refresh_index()
        filters = index.Filters.parse(request.query_params)
        auth.record(
            self.engine, request.state.session.counsellor, "export CSV", None, _client_ip(request)
        )
        now = time.time()

        def lines() -> Any:
            with self.engine.connect() as conn:
                flagged = {row.sender_id for row in conn.execute(sa.select(flags.c.sender_id))}
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
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(audit)
                .order_by(audit.c.id.desc())
                .limit(AUDIT_PAGE_SIZE + 1)
                .offset((number - 1) * AUDIT_PAGE_SIZE)
            ).all()
        return self.render(
            request,
            "audit.html",
            rows=rows[:AUDIT_PAGE_SIZE],
            number=number,
            more=len(rows) > AUDIT_PAGE_SIZE,
        )


def create_app(
    cfg: Optional[Settings] = None, engine: Optional[sa.engine.Engine] = None
) -> Starlette:
    """Builds the console for these settings (and this engine, for tests and benches)."""
    cfg = cfg or default_settings()
    engine = engine or make_engine(cfg.db_url)
    create_console_tables(engine)
    console = Console(cfg, engine)

    async def on_error(request: Request, error: Exception) -> Response:
        if isinstance(error, HTTPException):
            return console.error(request, error.status_code, str(error.detail))
        logger.error("Erreur dans la console : %s", error, exc_info=error)
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
            logger.exception("L'index des conversations n'a pas pu être construit.")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        threading.Thread(target=warm_up, name="console-index", daemon=True).start()
        yield

    app = Starlette(
        routes=routes,
        exception_handlers={HTTPException: on_error, Exception: on_error},
        lifespan=lifespan,
        max_body_size=MAX_BODY_BYTES,
    )
    app.add_middleware(Guard, engine=engine)
    app.state.console = console
    return app
