"""Database tables seen by the console: Rasa's `events` (read only) and the console's own."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from passerelle.files import prepare_sqlite

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

flags = sa.Table(
    "console_flags",
    METADATA,
    sa.Column("sender_id", sa.String(255), primary_key=True),
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
    sa.Index("ix_console_conversations_order", "first_ts", "sender_id"),
)

# Facts with many values per conversation: kind "intent" (topics) or "step" (form funnel).
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
    """Engine for the store's URL (`login_db`, only meant for Rasa, is left out).

    A SQLite file is created 0600 before SQLite opens it (`passerelle/files.py`).
    """
    prepare_sqlite(url)
    parsed = make_url(url)
    if "login_db" in parsed.query:
        parsed = parsed.difference_update_query(["login_db"])
    return sa.create_engine(parsed, future=True, pool_pre_ping=True)


def create_console_tables(engine: sa.engine.Engine) -> None:
    """Creates the console's own tables if they do not exist yet (never Rasa's)."""
    METADATA.create_all(engine)


def rasa_events_exist(engine: sa.engine.Engine) -> bool:
    """True once Rasa has created its `events` table."""
    return sa.inspect(engine).has_table("events")
