"""Retention: old conversations and spoken sounds are deleted, by hand and every day.

The privacy notice promises that the masked copy of a conversation is deleted after
`RETENTION_DAYS` days (90 by default) and an "Écouter" sound after `TTS_CACHE_MINUTES`.
- `purge(engine, days)` deletes the conversations whose last message is older (their
  flags, notes and index rows with them);
- `make purge` (`python -m console.cli purge`) runs it and empties the speech cache;
- while the console runs (`make run` starts it), `purge_every_day` runs the purge at start
  and then every `PURGE_INTERVAL_SECONDS`, and deletes expired sounds, so the promise holds
  without a cron job. Each run is logged in French and written in the audit log.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Optional

import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool

from console import data, index, store
from console.tables import conversations, rasa_events_exist
from passerelle.config import Settings
from passerelle.files import empty_folder, remove_expired

logger = logging.getLogger(__name__)

SECONDS_PER_DAY = 86_400
PURGE_INTERVAL_SECONDS = SECONDS_PER_DAY
# Who the audit log names for a purge made by the console itself.
AUTOMATIC_ACTOR = "purge automatique"


def purge(engine: sa.engine.Engine, days: int, actor: str, now: Optional[float] = None) -> int:
    """Deletes conversations whose last message is older than `days`. Returns how many."""
    if days < 1:
        raise ValueError("Le nombre de jours doit être au moins 1.")
    now = time.time() if now is None else now
    cutoff = now - days * SECONDS_PER_DAY
    if not rasa_events_exist(engine):
        return 0
    index.refresh(engine)
    with engine.begin() as conn:
        old = [
            row.sender_id
            for row in conn.execute(
                sa.select(conversations.c.sender_id).where(conversations.c.last_ts < cutoff)
            )
        ]
        # Events without a timestamp cannot be dated; they go with their conversation.
        store.delete_conversations(conn, old)
        index.forget(conn, old)
    logger.info("Purge : %s conversation(s) de plus de %s jours supprimée(s).", len(old), days)
    data.record(engine, actor, f"purge : {len(old)} conversations")
    return len(old)


def empty_speech_cache(config: Settings) -> int:
    """Deletes every "Écouter" sound (`make purge`); how many."""
    removed = empty_folder(config.widget.tts_cache_dir)
    logger.info("Purge : %s son(s) du cache de lecture supprimé(s).", removed)
    return removed


def daily_purge(engine: sa.engine.Engine, config: Settings) -> tuple[int, int]:
    """One automatic run: old conversations, then expired sounds; how many of each."""
    count = purge(engine, config.store.retention_days, AUTOMATIC_ACTOR)
    sounds = remove_expired(config.widget.tts_cache_dir, config.widget.tts_cache_minutes * 60)
    return count, sounds


async def purge_every_day(
    engine: sa.engine.Engine, config: Settings, interval: float = PURGE_INTERVAL_SECONDS
) -> None:
    """Runs `daily_purge` now, then every `interval` seconds, until cancelled.

    A failed run (the database unreachable) is logged and retried at the next interval.
    """
    while True:
        try:
            count, sounds = await run_in_threadpool(daily_purge, engine, config)
        except Exception:  # noqa: BLE001 - logged; the console keeps serving
            logger.exception("Purge automatique impossible ; nouvel essai au prochain passage.")
        else:
            logger.info(
                "Purge automatique : %s conversation(s) de plus de %s jours et %s son(s) "
                "expiré(s) supprimés. Prochaine purge dans %s.",
                count,
                config.store.retention_days,
                sounds,
                _duration(interval),
            )
        await asyncio.sleep(interval)


def _duration(seconds: float) -> str:
    """ "24 heures", "30 secondes": for the log."""
    if seconds >= 3600:
        return f"{seconds / 3600:g} heures"
    return f"{seconds:g} secondes"


__all__ = [
    "AUTOMATIC_ACTOR",
    "PURGE_INTERVAL_SECONDS",
    "daily_purge",
    "empty_speech_cache",
    "purge",
    "purge_every_day",
]
