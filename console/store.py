"""Reads conversations from Rasa's tracker store (`events` table), never writing to it."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Optional, Sequence

import sqlalchemy as sa

from console.tables import events, rasa_events_exist

logger = logging.getLogger(__name__)

SENDER_BATCH = 500


@dataclass(frozen=True)
class Event:
    """One Rasa event, its JSON `data` decoded."""

    id: int
    sender_id: str
    type_name: str
    timestamp: Optional[float]
    intent_name: Optional[str]
    action_name: Optional[str]
    data: dict = field(default_factory=dict)


def _decode(row: Any) -> Event:
    try:
        data = json.loads(row.data) if row.data else {}
    except ValueError:
        logger.warning("Event %s is not valid JSON, skipped", row.id)
        data = {}
    if not isinstance(data, dict):
        data = {}
    return Event(
        id=row.id,
        sender_id=row.sender_id,
        type_name=row.type_name,
        timestamp=row.timestamp,
        intent_name=row.intent_name,
        action_name=row.action_name,
        data=data,
    )


def max_event_id(conn: sa.engine.Connection) -> int:
    """The highest `events.id`, 0 when the table is empty or missing."""
    if not rasa_events_exist(conn.engine):
        return 0
    return conn.execute(sa.select(sa.func.max(events.c.id))).scalar() or 0


def senders_changed(conn: sa.engine.Connection, after_id: int, upto_id: int) -> list[str]:
    """Sender ids having at least one event with after_id < id <= upto_id."""
    query = (
        sa.select(events.c.sender_id)
        .where(events.c.id > after_id, events.c.id <= upto_id)
        .distinct()
    )
    return [row.sender_id for row in conn.execute(query)]


def events_of(
    conn: sa.engine.Connection, senders: Sequence[str], upto_id: Optional[int] = None
) -> Iterator[tuple[str, list[Event]]]:
    """Yields (sender_id, events in order) for each sender, reading in batches."""
    for start in range(0, len(senders), SENDER_BATCH):
        batch = list(senders[start : start + SENDER_BATCH])
        query = sa.select(events).where(events.c.sender_id.in_(batch))
        if upto_id is not None:
            query = query.where(events.c.id <= upto_id)
        grouped: dict[str, list[Event]] = {sender: [] for sender in batch}
        for row in conn.execute(query.order_by(events.c.id)):
            grouped[row.sender_id].append(_decode(row))
        yield from grouped.items()


def conversation(conn: sa.engine.Connection, sender_id: str) -> list[Event]:
    """All events of one conversation, in the order Rasa stored them."""
    if not rasa_events_exist(conn.engine):
        return []
    query = sa.select(events).where(events.c.sender_id == sender_id).order_by(events.c.id)
    return [_decode(row) for row in conn.execute(query)]


def delete_conversations(conn: sa.engine.Connection, senders: Iterable[str]) -> int:
    """Deletes every event of these conversations (retention only). Returns rows deleted."""
    senders = list(senders)
    deleted = 0
    for start in range(0, len(senders), SENDER_BATCH):
        batch = senders[start : start + SENDER_BATCH]
        deleted += conn.execute(events.delete().where(events.c.sender_id.in_(batch))).rowcount
    return deleted
