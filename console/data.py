"""The console's own data: flags, notes and the audit log (SQL lives here, not in handlers).

Notes go through the same masker as the conversations (`passerelle/privacy.py`).

Conversations themselves are read from Rasa's store (`console/store.py`) and summarised
in the index (`console/index.py`); accounts and sessions are in `console/auth.py`.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Optional, Sequence

import sqlalchemy as sa

from console import store
from console.tables import audit, flags, notes
from passerelle.privacy import mask_text

logger = logging.getLogger(__name__)

AUDIT_PAGE_SIZE = 100


def record(
    engine: sa.engine.Engine,
    counsellor: str,
    action: str,
    sender_id: Optional[str] = None,
    ip: Optional[str] = None,
) -> None:
    """Writes one line of the audit log (who did what, on which conversation)."""
    with engine.begin() as conn:
        conn.execute(
            audit.insert().values(
                at=time.time(),
                counsellor=counsellor[:80],
                action=action,
                sender_id=sender_id,
                ip=ip,
            )
        )
    logger.info("Audit: %s %s", counsellor, action)


def audit_page(engine: sa.engine.Engine, number: int) -> tuple[Sequence[Any], bool]:
    """One page of the audit log, newest first, and whether there is a next page."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(audit)
            .order_by(audit.c.id.desc())
            .limit(AUDIT_PAGE_SIZE + 1)
            .offset((number - 1) * AUDIT_PAGE_SIZE)
        ).all()
    return rows[:AUDIT_PAGE_SIZE], len(rows) > AUDIT_PAGE_SIZE


def conversation_exists(engine: sa.engine.Engine, sender_id: str) -> bool:
    with engine.connect() as conn:
        return bool(sender_id) and bool(store.conversation(conn, sender_id))


def toggle_flag(engine: sa.engine.Engine, sender_id: str, counsellor: str) -> bool:
    """Flags the conversation, or removes its flag; True when it is now flagged."""
    with engine.begin() as conn:
        removed = conn.execute(flags.delete().where(flags.c.sender_id == sender_id))
        if removed.rowcount:
            return False
        conn.execute(
            flags.insert().values(sender_id=sender_id, counsellor=counsellor, at=time.time())
        )
        return True


def flag_of(engine: sa.engine.Engine, sender_id: str) -> Optional[Any]:
    """The conversation's flag row, or None."""
    with engine.connect() as conn:
        return conn.execute(sa.select(flags).where(flags.c.sender_id == sender_id)).first()


def flagged_ids(engine: sa.engine.Engine) -> set[str]:
    with engine.connect() as conn:
        return {row.sender_id for row in conn.execute(sa.select(flags.c.sender_id))}


def add_note(engine: sa.engine.Engine, sender_id: str, counsellor: str, text: str) -> None:
    """Stores a counsellor's note, masked like the conversations (a note may quote a secret)."""
    with engine.begin() as conn:
        conn.execute(
            notes.insert().values(
                sender_id=sender_id, counsellor=counsellor, at=time.time(), text=mask_text(text)
            )
        )


def notes_of(engine: sa.engine.Engine, sender_id: str) -> Sequence[Any]:
    """The conversation's notes, oldest first."""
    with engine.connect() as conn:
        return conn.execute(
            sa.select(notes).where(notes.c.sender_id == sender_id).order_by(notes.c.id)
        ).all()


__all__ = [
    "AUDIT_PAGE_SIZE",
    "add_note",
    "audit_page",
    "conversation_exists",
    "flag_of",
    "flagged_ids",
    "notes_of",
    "record",
    "toggle_flag",
]
