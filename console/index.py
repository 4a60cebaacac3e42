"""Summary index of conversations (one row each), kept up to date from Rasa's events."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Mapping, Optional

import sqlalchemy as sa

from console import store
from console.tables import (
    conversations,
    followups,
    index_state,
    labels,
    misunderstood,
    notes,
    tags,
)
from console.transcript import CHANNEL_LABELS, Summary, summarize
from passerelle.actualisation import (
    FUNNEL_STEPS,
    IDLE_MINUTES_BEFORE_ABANDONED,
    QUESTION_LABELS,
    STATE_ABANDONED,
    STATE_COMPLETED,
    STATE_IN_PROGRESS,
    STATE_NONE,
)
from passerelle.shortcode import normalized, shown
from passerelle.text import fold
from passerelle.topics import ANSWER_INTENTS, topic_label

logger = logging.getLogger(__name__)

LAST_EVENT_KEY = "last_event_id"
SCHEMA_KEY = "index_schema"
# Bump when the summary changes: the index is then rebuilt from Rasa's events.
INDEX_SCHEMA = 4
PAGE_SIZE = 50
MAX_SEARCH_LENGTH = 100
# Filter values in the page address (French, readable) -> stored values.
ACTUALISATION_FILTERS = {
    "aucune": STATE_NONE,
    "en_cours": STATE_IN_PROGRESS,
    "abandonnee": STATE_ABANDONED,
    "terminee": STATE_COMPLETED,
}
CHANNEL_FILTERS = {"widget": "widget", "borne": "kiosk", "rest": "rest"}
YES_NO = {"oui": True, "non": False}
# Follow-up statuses in the page address -> stored values (console/data.py names them).
FOLLOWUP_FILTERS = {"a_traiter": "a_traiter", "en_cours": "en_cours", "traite": "traite"}
NO_FOLLOWUP = "aucun"
# Sortable columns: address value -> index column.
SORTS = {
    "debut": "first_ts",
    "dernier": "last_ts",
    "tours": "turns",
    "incompris": "fallbacks",
}
DEFAULT_SORT = "debut"

_refresh_lock = threading.Lock()


def refresh(engine: sa.engine.Engine) -> int:
    """Brings the index up to date with new events. Returns how many conversations changed.

    Each conversation with new events is summarised again from all its events, so the
    result never depends on how the events were split between refreshes. Work is committed
    in short batches so Rasa is never kept waiting on a SQLite store.
    """
    with _refresh_lock:
        _check_schema(engine)
        with engine.begin() as conn:
            upto = store.max_event_id(conn)
            done = conn.execute(
                sa.select(index_state.c.value).where(index_state.c.key == LAST_EVENT_KEY)
            ).scalar()
            if done is None:
                conn.execute(index_state.insert().values(key=LAST_EVENT_KEY, value=0))
                done = 0
            if upto <= done:
                return 0
            senders = store.senders_changed(conn, done, upto)
        started = time.monotonic()
        for start in range(0, len(senders), store.SENDER_BATCH):
            with engine.begin() as conn:
                batch = senders[start : start + store.SENDER_BATCH]
                summaries = [
                    summarize(sender_id, events)
                    for sender_id, events in store.events_of(conn, batch, upto)
                ]
                _replace(conn, batch, [summary for summary in summaries if summary])
        with engine.begin() as conn:
            conn.execute(
                index_state.update().where(index_state.c.key == LAST_EVENT_KEY).values(value=upto)
            )
    logger.info(
        "Index mis à jour : %s conversations en %.1f s.", len(senders), time.monotonic() - started
    )
    return len(senders)


def _check_schema(engine: sa.engine.Engine) -> None:
    """Rebuilds the index from scratch when it was made by an older version of this code."""
    with engine.begin() as conn:
        version = conn.execute(
            sa.select(index_state.c.value).where(index_state.c.key == SCHEMA_KEY)
        ).scalar()
        if version == INDEX_SCHEMA:
            return
        logger.info("Conversation index rebuilt (schema %s)", INDEX_SCHEMA)
        for table in (tags, conversations, misunderstood):
            table.drop(conn, checkfirst=True)
            table.create(conn)
        conn.execute(
            index_state.delete().where(index_state.c.key.in_([SCHEMA_KEY, LAST_EVENT_KEY]))
        )
        conn.execute(index_state.insert().values(key=SCHEMA_KEY, value=INDEX_SCHEMA))


def _replace(conn: sa.engine.Connection, senders: list[str], summaries: list[Summary]) -> None:
    """Replaces the index rows of these conversations by their new summaries."""
    for table in (conversations, tags, misunderstood):
        conn.execute(table.delete().where(table.c.sender_id.in_(senders)))
    if summaries:
        conn.execute(conversations.insert(), [summary.row() for summary in summaries])
    rows = [
        {"sender_id": summary.sender_id, "kind": kind, "value": value, "first_ts": summary.first_ts}
        for summary in summaries
        for kind, values in (
            ("intent", summary.intents),
            ("step", summary.steps),
            ("code", summary.codes),
        )
        for value in values
    ]
    if rows:
        conn.execute(tags.insert(), rows)
    inbox = [row for summary in summaries for row in summary.misunderstood]
    if inbox:
        conn.execute(misunderstood.insert(), inbox)


def forget(conn: sa.engine.Connection, senders: list[str]) -> None:
    """Removes conversations from the index, follow-ups, notes and labels (after a purge)."""
    for start in range(0, len(senders), store.SENDER_BATCH):
        batch = senders[start : start + store.SENDER_BATCH]
        for table in (conversations, tags, misunderstood, followups, notes, labels):
            conn.execute(table.delete().where(table.c.sender_id.in_(batch)))


@dataclass
class Filters:
    """The list filters, read from the page address. `errors` holds French messages."""

    date_from: Optional[str] = None
    date_to: Optional[str] = None
    channel: Optional[str] = None
    turns_min: Optional[int] = None
    turns_max: Optional[int] = None
    intent: Optional[str] = None
    fallback: Optional[bool] = None
    human: Optional[bool] = None
    actualisation: Optional[str] = None
    followup: Optional[str] = None  # a status, or NO_FOLLOWUP
    stuck_at: Optional[str] = None  # a question of QUESTION_LABELS
    stopped_step: Optional[str] = None  # a step of FUNNEL_STEPS
    loops: Optional[bool] = None
    search: Optional[str] = None
    code: Optional[str] = None  # the search, when it is a short code ("K7M4QR")
    code_senders: list[str] = field(default_factory=list)  # filled by `with_code_senders`
    sort: str = DEFAULT_SORT
    ascending: bool = False
    page: int = 1
    errors: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> Filters:
        found = cls()

        def text(name: str) -> str:
            return (params.get(name) or "").strip()

        for name, attr, label in (("du", "date_from", "début"), ("au", "date_to", "fin")):
            raw = text(name)
            if raw:
                try:
                    setattr(found, attr, date.fromisoformat(raw).isoformat())
                except ValueError:
                    found.errors.append(
                        f"La date de {label} n'est pas valide. Choisissez une date dans le"
                        " calendrier."
                    )
        for name, attr in (("tours_min", "turns_min"), ("tours_max", "turns_max")):
            raw = text(name)
            if raw:
                if raw.isdigit() and len(raw) < 7:
                    setattr(found, attr, int(raw))
                else:
                    found.errors.append("Le nombre de tours doit être un nombre entier.")
        choices = (
            ("canal", "channel", CHANNEL_FILTERS, "Ce canal n'existe pas."),
            ("actualisation", "actualisation", ACTUALISATION_FILTERS, "Cet état n'existe pas."),
            ("incompris", "fallback", YES_NO, "Choisissez oui ou non."),
            ("humain", "human", YES_NO, "Choisissez oui ou non."),
            ("boucle", "loops", YES_NO, "Choisissez oui ou non."),
            (
                "suivi",
                "followup",
                {**FOLLOWUP_FILTERS, NO_FOLLOWUP: NO_FOLLOWUP},
                "Ce statut n'existe pas.",
            ),
            (
                "bloque",
                "stuck_at",
                {name: name for name in QUESTION_LABELS},
                "Cette question n'existe pas.",
            ),
            (
                "arret",
                "stopped_step",
                {name: name for name in FUNNEL_STEPS},
                "Cette étape n'existe pas.",
            ),
            (
                "tri",
                "sort",
                {name: name for name in SORTS},
                "On ne peut pas trier sur cette colonne.",
            ),
        )
        for name, attr, allowed, message in choices:
            raw = text(name)
            if raw:
                if raw in allowed:
                    setattr(found, attr, allowed[raw])
                else:
                    found.errors.append(message)
        found.intent = text("sujet")[:255] or None
        search = text("q")
        if len(search) > MAX_SEARCH_LENGTH:
            found.errors.append(
                f"La recherche est trop longue ({MAX_SEARCH_LENGTH} lettres au plus)."
            )
            search = search[:MAX_SEARCH_LENGTH]
        found.search = search or None
        found.code = normalized(search) if search else None
        found.ascending = text("ordre") == "croissant"
        raw_page = text("page")
        if raw_page.isdigit() and 0 < int(raw_page) < 1_000_000:
            found.page = int(raw_page)
        elif raw_page:
            found.errors.append("Le numéro de page n'est pas valide.")
        return found

    def query_params(self, page: Optional[int] = None) -> dict[str, str]:
        """The page address parameters that give these filters back."""
        reverse_channel = {v: k for k, v in CHANNEL_FILTERS.items()}
        reverse_state = {v: k for k, v in ACTUALISATION_FILTERS.items()}

        def yes_no(value: Optional[bool]) -> Optional[str]:
            return None if value is None else ("oui" if value else "non")

        params = {
            "du": self.date_from,
            "au": self.date_to,
            "canal": reverse_channel.get(self.channel) if self.channel else None,
            "tours_min": None if self.turns_min is None else str(self.turns_min),
            "tours_max": None if self.turns_max is None else str(self.turns_max),
            "sujet": self.intent,
            "incompris": yes_no(self.fallback),
            "humain": yes_no(self.human),
            "actualisation": reverse_state.get(self.actualisation) if self.actualisation else None,
            "boucle": yes_no(self.loops),
            "suivi": self.followup,
            "bloque": self.stuck_at,
            "arret": self.stopped_step,
            "q": self.search,
            "tri": None if self.sort == DEFAULT_SORT else self.sort,
            "ordre": "croissant" if self.ascending else None,
            "page": str(page) if page and page > 1 else None,
        }
        return {key: value for key, value in params.items() if value}


def with_code_senders(conn: sa.engine.Connection, filters: Filters) -> Filters:
    """Looks up the conversations of the searched code (when the search is a code)."""
    if filters.code:
        query = sa.select(tags.c.sender_id).where(
            tags.c.kind == "code", tags.c.value == filters.code
        )
        filters.code_senders = list(conn.execute(query).scalars())
    return filters


def _where(query: sa.sql.Select, filters: Filters, now: float) -> sa.sql.Select:
    """Adds the filters to a query on `conversations` (joined to `tags` for a topic)."""
    c = conversations.c
    if filters.intent:
        query = query.select_from(tags.join(conversations, tags.c.sender_id == c.sender_id)).where(
            tags.c.kind == "intent", tags.c.value == filters.intent
        )
    else:
        query = query.select_from(conversations)
    if filters.date_from:
        query = query.where(c.day >= filters.date_from)
    if filters.date_to:
        query = query.where(c.day <= filters.date_to)
    if filters.channel:
        query = query.where(c.channel == filters.channel)
    if filters.turns_min is not None:
        query = query.where(c.turns >= filters.turns_min)
    if filters.turns_max is not None:
        query = query.where(c.turns <= filters.turns_max)
    if filters.fallback is not None:
        query = query.where(c.fallbacks > 0 if filters.fallback else c.fallbacks == 0)
    if filters.human is not None:
        query = query.where(c.human_asked == filters.human)
    if filters.actualisation:
        idle_since = now - IDLE_MINUTES_BEFORE_ABANDONED * 60
        if filters.actualisation == STATE_ABANDONED:
            query = query.where(
                sa.or_(
                    c.actualisation == STATE_ABANDONED,
                    sa.and_(c.actualisation == STATE_IN_PROGRESS, c.last_ts < idle_since),
                )
            )
        elif filters.actualisation == STATE_IN_PROGRESS:
            query = query.where(c.actualisation == STATE_IN_PROGRESS, c.last_ts >= idle_since)
        else:
            query = query.where(c.actualisation == filters.actualisation)
    if filters.loops is not None:
        query = query.where(c.loops > 0 if filters.loops else c.loops == 0)
    if filters.stuck_at:
        query = query.where(c.stuck_at == filters.stuck_at)
    if filters.stopped_step:
        query = query.where(c.stopped_step == filters.stopped_step)
    if filters.followup == NO_FOLLOWUP:
        query = query.where(c.sender_id.not_in(sa.select(followups.c.sender_id)))
    elif filters.followup:
        query = query.where(
            c.sender_id.in_(
                sa.select(followups.c.sender_id).where(followups.c.status == filters.followup)
            )
        )
    if filters.code:
        # A short code finds its conversation, whatever the person wrote.
        coded = sa.select(tags.c.sender_id).where(
            tags.c.kind == "code", tags.c.value == filters.code
        )
        query = query.where(c.sender_id.in_(coded))
    elif filters.search:
        for word in fold(filters.search).split():
            escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(c.search_text.like(f"%{escaped}%", escape="\\"))
    return query


def _newest_first(filters: Filters) -> tuple:
    """The order asked (newest first by default), on the columns of the index it walks."""
    if filters.sort == DEFAULT_SORT:
        table = tags if filters.intent else conversations
        column, tie = table.c.first_ts, table.c.sender_id
    else:
        column, tie = conversations.c[SORTS[filters.sort]], conversations.c.sender_id
    if filters.ascending:
        return (column.asc(), tie.asc())
    return (column.desc(), tie.desc())


@dataclass
class Page:
    """One page of the conversation list."""

    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int


def list_page(conn: sa.engine.Connection, filters: Filters, now: float) -> Page:
    """The conversations matching `filters`, newest first, one page of PAGE_SIZE."""
    c = conversations.c
    filters = with_code_senders(conn, filters)
    total = conn.execute(_where(sa.select(sa.func.count()), filters, now)).scalar()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(filters.page, pages)
    query = (
        _where(
            sa.select(
                c.sender_id,
                c.first_ts,
                c.last_ts,
                c.channel,
                c.turns,
                c.fallbacks,
                c.human_asked,
                c.actualisation,
                c.intents,
                c.code,
                c.stuck_at,
                c.loops,
            ),
            filters,
            now,
        )
        .order_by(*_newest_first(filters))
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    rows = [dict(row._mapping) for row in conn.execute(query)]
    followed = followups_of(conn, [row["sender_id"] for row in rows])
    for row in rows:
        row["followup"] = followed.get(row["sender_id"])
        row["channel_label"] = CHANNEL_LABELS.get(row["channel"], row["channel"])
        row["topics"] = [
            topic_label(intent) for intent in row["intents"].split() if intent not in ANSWER_INTENTS
        ]
        row["code_shown"] = shown(row["code"]) if row["code"] else None
        row["stuck_label"] = QUESTION_LABELS.get(row["stuck_at"] or "")
    return Page(rows, total, page, pages)


def all_rows(conn: sa.engine.Connection, filters: Filters, now: float) -> Any:
    """Every conversation matching `filters` (for the CSV export), newest first."""
    filters = with_code_senders(conn, filters)
    query = _where(sa.select(conversations), filters, now).order_by(*_newest_first(filters))
    return conn.execution_options(stream_results=True).execute(query)


def followups_of(conn: sa.engine.Connection, senders: list[str]) -> dict[str, Any]:
    """The follow-up rows of these conversations, by conversation."""
    if not senders:
        return {}
    query = sa.select(followups).where(followups.c.sender_id.in_(senders))
    return {row.sender_id: row for row in conn.execute(query)}


def known_intents(conn: sa.engine.Connection) -> list[str]:
    """Every intent seen in a conversation, for the topic filter."""
    query = sa.select(tags.c.value).where(tags.c.kind == "intent").distinct().order_by(tags.c.value)
    return [row.value for row in conn.execute(query)]


def summary_of(conn: sa.engine.Connection, sender_id: str) -> Optional[dict[str, Any]]:
    """The index row of one conversation, None if unknown."""
    row = conn.execute(
        sa.select(conversations).where(conversations.c.sender_id == sender_id)
    ).first()
    return dict(row._mapping) if row else None
