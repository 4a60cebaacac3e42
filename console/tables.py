"""Database tables seen by the console: Rasa's `events` (read only) and the console's own."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from passerelle.files import prepare_sqlite

logger = logging.getLogger(__name__)

# Rasa's SQL tracker store table, described exactly as Rasa 3.6 creates it.
# The console never writes to it; only the purge command deletes old rows.
RASA_METADATA = sa.MetaData()
events = sa.Table(
    "events",
    RASA_METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)

# How an old flag reads as a follow-up (console/data.py holds the statuses and reasons).
LEGACY_FLAG_STATUS = "a_traiter"
LEGACY_FLAG_REASON = "signalee"

# The console's own tables, created on start if missing.
METADATA = sa.MetaData()

counsellors = sa.Table(
    "console_counsellors",
    METADATA,
    sa.Column("name", sa.String(80), primary_key=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

sessions = sa.Table(
    "console_sessions",
    METADATA,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("counsellor", sa.String(80), nullable=False),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("last_seen", sa.Float, nullable=False),
)

login_failures = sa.Table(
    "console_login_failures",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(80), nullable=False),
    sa.Column("ip", sa.String(64), nullable=False),
    sa.Column("at", sa.Float, nullable=False),
    sa.Index("ix_console_login_failures_who", "username", "ip", "at"),
)

audit = sa.Table(
    "console_audit",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.Float, nullable=False, index=True),
    sa.Column("counsellor", sa.String(80), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("sender_id", sa.String(255)),
    sa.Column("ip", sa.String(64)),
)

# The follow-up of a conversation (replaces the old on/off flag): its status, why, who
# takes care of it, and who changed it last. Every change is also in the audit log.
followups = sa.Table(
    "console_followups",
    METADATA,
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("status", sa.String(12), nullable=False, index=True),
    sa.Column("reason", sa.String(40), nullable=False),
    sa.Column("assignee", sa.String(80)),
    sa.Column("counsellor", sa.String(80), nullable=False),
    sa.Column("at", sa.Float, nullable=False),
)

# The flags of earlier versions: read once into `followups`, then dropped.
LEGACY_METADATA = sa.MetaData()
legacy_flags = sa.Table(
    "console_flags",
    LEGACY_METADATA,
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("counsellor", sa.String(80), nullable=False),
    sa.Column("at", sa.Float, nullable=False),
)

# A counsellor's label on a misunderstood message: the right intent, or NOISE_LABEL.
labels = sa.Table(
    "console_labels",
    METADATA,
    sa.Column("event_id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("label", sa.String(255), nullable=False, index=True),
    sa.Column("counsellor", sa.String(80), nullable=False),
    sa.Column("at", sa.Float, nullable=False),
)

notes = sa.Table(
    "console_notes",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("counsellor", sa.String(80), nullable=False),
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
)

# Summary index: one row per conversation (Rasa sender_id), rebuilt from `events`.
conversations = sa.Table(
    "console_conversations",
    METADATA,
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("first_ts", sa.Float, nullable=False),
    sa.Column("last_ts", sa.Float, nullable=False, index=True),
    sa.Column("day", sa.String(10), nullable=False, index=True),
    sa.Column("channel", sa.String(10), nullable=False, index=True),
    sa.Column("turns", sa.Integer, nullable=False, index=True),
    sa.Column("fallbacks", sa.Integer, nullable=False, index=True),
    sa.Column("human_asked", sa.Boolean, nullable=False, index=True),
    sa.Column("actualisation", sa.String(12), nullable=False, index=True),
    sa.Column("intents", sa.Text, nullable=False),
    sa.Column("search_text", sa.Text, nullable=False),
    # The latest short code (passerelle/shortcode.py, "K7M4QR"); every code is a tag.
    sa.Column("code", sa.String(8)),
    # The last question of an unfinished actualisation, and its step in the funnel.
    sa.Column("stuck_at", sa.String(40), index=True),
    sa.Column("stopped_step", sa.String(40), index=True),
    # Questions asked LOOP_ASKS times in a row or more.
    sa.Column("loops", sa.Integer, nullable=False, index=True),
    sa.Index("ix_console_conversations_order", "first_ts", "sender_id"),
    sa.Index("ix_console_conversations_last", "last_ts", "sender_id"),
)

# The inbox: every misunderstood message (nlu_fallback, or an answer in a loop), one row
# per user event, rebuilt with the index. The text is as Rasa stored it (masked).
misunderstood = sa.Table(
    "console_misunderstood",
    METADATA,
    sa.Column("event_id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("ts", sa.Float, nullable=False, index=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("intent", sa.String(255)),
    sa.Column("confidence", sa.Float),
    sa.Column("reason", sa.String(12), nullable=False),
    sa.Column("question", sa.String(40)),
)

# Facts with many values per conversation: kind "intent" (topics), "step" (form funnel)
# or "code" (the short codes of its sessions).
tags = sa.Table(
    "console_conversation_tags",
    METADATA,
    sa.Column("sender_id", sa.String(255), nullable=False),
    sa.Column("kind", sa.String(8), nullable=False),
    sa.Column("value", sa.String(255), nullable=False),
    # The conversation's start, copied here so a topic filter walks this index in order.
    sa.Column("first_ts", sa.Float, nullable=False),
    sa.PrimaryKeyConstraint("sender_id", "kind", "value"),
    sa.Index("ix_console_tags_value", "kind", "value", "first_ts", "sender_id"),
)

index_state = sa.Table(
    "console_index_state",
    METADATA,
    sa.Column("key", sa.String(40), primary_key=True),
    sa.Column("value", sa.Integer, nullable=False),
)


def make_engine(url: str) -> sa.engine.Engine:
    """Engine for the store's URL (its `login_db` option is used here, then left out).

    A SQLite file is created 0600 before SQLite opens it (`passerelle/files.py`). On
    PostgreSQL with `login_db`, the database is created when missing, as Rasa's tracker
    store does: the console may start before Rasa on a fresh server.
    """
    prepare_sqlite(url)
    parsed = make_url(url)
    login_db = parsed.query.get("login_db")
    if login_db is not None:
        parsed = parsed.difference_update_query(["login_db"])
        if parsed.get_backend_name() == "postgresql" and parsed.database:
            ensure_database(parsed, str(login_db))
    return sa.create_engine(parsed, future=True, pool_pre_ping=True)


def ensure_database(url: sa.engine.URL, login_db: str) -> None:
    """Creates the PostgreSQL database of `url` through `login_db` when it is missing."""
    name = url.database or ""
    if '"' in name or "\x00" in name:
        raise ValueError(f"Nom de base de données refusé : {name!r}")
    login = sa.create_engine(url.set(database=login_db), isolation_level="AUTOCOMMIT")
    try:
        with login.connect() as conn:
            query = sa.text("SELECT 1 FROM pg_database WHERE datname = :name")
            if conn.execute(query, {"name": name}).first() is None:
                try:
                    conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
                except sa.exc.ProgrammingError:
                    # Rasa (or another console) created it in the meantime.
                    if conn.execute(query, {"name": name}).first() is None:
                        raise
    finally:
        login.dispose()


def create_console_tables(engine: sa.engine.Engine) -> None:
    """Creates the console's own tables if they do not exist yet (never Rasa's).

    The flags of earlier versions become follow-ups "à traiter", reason "Signalée", kept
    under the counsellor and time of the flag; the old table is then dropped.
    """
    METADATA.create_all(engine)
    if not sa.inspect(engine).has_table(legacy_flags.name):
        return
    try:
        _migrate_flags(engine)
    except sa.exc.SQLAlchemyError:
        # Most likely another console process (several workers) migrating at the same
        # moment; otherwise the old table is still there and the next start tries again.
        logger.warning("Old flags not migrated now; retried at next start", exc_info=True)


def _migrate_flags(engine: sa.engine.Engine) -> None:
    with engine.begin() as conn:
        known = set(conn.execute(sa.select(followups.c.sender_id)).scalars())
        rows = [
            {
                "sender_id": row.sender_id,
                "status": LEGACY_FLAG_STATUS,
                "reason": LEGACY_FLAG_REASON,
                "assignee": None,
                "counsellor": row.counsellor,
                "at": row.at,
            }
            for row in conn.execute(sa.select(legacy_flags))
            if row.sender_id not in known
        ]
        if rows:
            conn.execute(followups.insert(), rows)
        legacy_flags.drop(conn)
    logger.info("%s old flags became follow-ups", len(rows))


def rasa_events_exist(engine: sa.engine.Engine) -> bool:
    """True once Rasa has created its `events` table."""
    return sa.inspect(engine).has_table("events")
