"""Follow-up of a conversation by the counsellors: status, reason, assignee, notes.

It replaces the old on/off flag (migrated by `console.tables.create_console_tables`).
Every change is written to the audit log, saying what changed (never a note's words).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Optional

import sqlalchemy as sa

from console import data
from console.tables import LEGACY_FLAG_REASON, LEGACY_FLAG_STATUS, followups, notes
from passerelle.privacy import mask_text

STATUS_LABELS = {
    LEGACY_FLAG_STATUS: "À traiter",
    "en_cours": "En cours",
    "traite": "Traité",
}
REASON_LABELS = {
    LEGACY_FLAG_REASON: "Signalée",
    "actualisation": "Bloqué dans l'actualisation",
    "conseiller": "Demande un conseiller",
    "incompris": "Pas compris par l'assistant",
    "secret": "A donné un secret",
    "autre": "Autre",
}
DEFAULT_STATUS = LEGACY_FLAG_STATUS
DEFAULT_REASON = "autre"
MAX_NAME_IN_AUDIT = 26
AUDIT_ACTION_LENGTH = 40  # console_audit.action


@dataclass(frozen=True)
class Change:
    """What a counsellor asks to change (None: leave as is; "" assignee: nobody)."""

    status: Optional[str] = None
    reason: Optional[str] = None
    assignee: Optional[str] = None


def followup_of(engine: sa.engine.Engine, sender_id: str) -> Optional[Any]:
    """The conversation's follow-up row, or None."""
    with engine.connect() as conn:
        return conn.execute(sa.select(followups).where(followups.c.sender_id == sender_id)).first()


def _audit_line(text: str) -> str:
    return text[:AUDIT_ACTION_LENGTH]


def change(
    engine: sa.engine.Engine,
    sender_id: str,
    counsellor: str,
    wanted: Change,
    ip: Optional[str] = None,
) -> list[str]:
    """Applies the change; returns the audit lines written (one per field changed)."""
    if wanted.status is not None and wanted.status not in STATUS_LABELS:
        raise ValueError(f"unknown status {wanted.status!r}")
    if wanted.reason is not None and wanted.reason not in REASON_LABELS:
        raise ValueError(f"unknown reason {wanted.reason!r}")
    with engine.begin() as conn:
        row = conn.execute(sa.select(followups).where(followups.c.sender_id == sender_id)).first()
        before = {
            "status": row.status if row else None,
            "reason": row.reason if row else None,
            "assignee": row.assignee if row else None,
        }
        after = {
            "status": wanted.status or before["status"] or DEFAULT_STATUS,
            "reason": wanted.reason or before["reason"] or DEFAULT_REASON,
            "assignee": before["assignee"]
            if wanted.assignee is None
            else (wanted.assignee.strip()[:80] or None),
        }
        if after == before:
            return []
        values = {**after, "counsellor": counsellor, "at": time.time()}
        if row:
            conn.execute(
                followups.update().where(followups.c.sender_id == sender_id).values(values)
            )
        else:
            conn.execute(followups.insert().values(sender_id=sender_id, **values))
    lines = []
    if after["status"] != before["status"]:
        lines.append(f"suivi : {STATUS_LABELS[after['status']].lower()}")
    if after["reason"] != before["reason"]:
        lines.append(f"motif : {REASON_LABELS[after['reason']]}")
    if after["assignee"] != before["assignee"]:
        who = after["assignee"]
        lines.append(f"confié à {who[:MAX_NAME_IN_AUDIT]}" if who else "confié à personne")
    for line in lines:
        data.record(engine, counsellor, _audit_line(line), sender_id, ip)
    return lines


def close(engine: sa.engine.Engine, sender_id: str, counsellor: str, ip: Optional[str]) -> bool:
    """Removes the follow-up (the conversation needs nothing more); True if there was one."""
    with engine.begin() as conn:
        removed = conn.execute(followups.delete().where(followups.c.sender_id == sender_id))
    if removed.rowcount:
        data.record(engine, counsellor, "suivi retiré", sender_id, ip)
    return bool(removed.rowcount)


def edit_note(
    engine: sa.engine.Engine,
    sender_id: str,
    note_id: int,
    counsellor: str,
    text: str,
    ip: Optional[str] = None,
) -> bool:
    """Replaces a note's text (masked like every stored text); False if no such note."""
    with engine.begin() as conn:
        updated = conn.execute(
            notes.update()
            .where(notes.c.id == note_id, notes.c.sender_id == sender_id)
            .values(text=mask_text(text))
        )
    if updated.rowcount:
        data.record(engine, counsellor, "note modifiée", sender_id, ip)
    return bool(updated.rowcount)


__all__ = [
    "Change",
    "REASON_LABELS",
    "STATUS_LABELS",
    "change",
    "close",
    "edit_note",
    "followup_of",
]
