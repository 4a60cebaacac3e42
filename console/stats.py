"""Figures for the statistics page, computed from the summary index."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Optional

import sqlalchemy as sa

from console.tables import conversations, tags
from console.transcript import TZ
from passerelle.actualisation import FUNNEL_STEPS, STEP_LABELS
from passerelle.topics import ANSWER_INTENTS

TOP_INTENTS = 15
DEFAULT_DAYS = 30


@dataclass
class Stats:
    date_from: str
    date_to: str
    total: int
    per_day: list[tuple[str, int]]
    top_intents: list[tuple[str, int]]
    fallback_rate: list[tuple[str, float]]
    funnel: list[tuple[str, int]]
    funnel_steps: list[str]  # the step of each funnel bar
    stopped: list[int]  # conversations whose rehearsal stopped at each step


def _days(date_from: str, date_to: str) -> list[str]:
    start, end = date.fromisoformat(date_from), date.fromisoformat(date_to)
    return [(start + timedelta(days=n)).isoformat() for n in range((end - start).days + 1)]


def period(date_from: Optional[str], date_to: Optional[str], today: date) -> tuple[str, str]:
    """The period to show: the one asked, or the last DEFAULT_DAYS days."""
    end = date_to or today.isoformat()
    start = date_from or (date.fromisoformat(end) - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
    if start > end:
        start, end = end, start
    return start, end


def compute(conn: sa.engine.Connection, date_from: str, date_to: str) -> Stats:
    """Every figure of the page for conversations started between the two days (included)."""
    c = conversations.c
    in_period = sa.and_(c.day >= date_from, c.day <= date_to)
    by_day = {
        row.day: (row.n, row.turns or 0, row.fallbacks or 0)
        for row in conn.execute(
            sa.select(
                c.day,
                sa.func.count().label("n"),
                sa.func.sum(c.turns).label("turns"),
                sa.func.sum(c.fallbacks).label("fallbacks"),
            )
            .where(in_period)
            .group_by(c.day)
        )
    }
    days = _days(date_from, date_to)
    per_day = [(day, by_day.get(day, (0, 0, 0))[0]) for day in days]
    fallback_rate = [
        (day, round(100 * by_day[day][2] / by_day[day][1], 1))
        for day in days
        if day in by_day and by_day[day][1]
    ]
    # Tags carry their conversation's start: count them on their own index.
    start = datetime.combine(date.fromisoformat(date_from), time.min, TZ).timestamp()
    end = datetime.combine(date.fromisoformat(date_to) + timedelta(days=1), time.min, TZ)

    def tag_counts(kind: str) -> dict[str, int]:
        query = (
            sa.select(tags.c.value, sa.func.count().label("n"))
            .where(
                tags.c.kind == kind,
                tags.c.first_ts >= start,
                tags.c.first_ts < end.timestamp(),
            )
            .group_by(tags.c.value)
        )
        return {row.value: row.n for row in conn.execute(query)}

    topics = {k: v for k, v in tag_counts("intent").items() if k not in ANSWER_INTENTS}
    intents = sorted(topics.items(), key=lambda item: (-item[1], item[0]))
    steps = tag_counts("step")
    funnel = [(STEP_LABELS[step], steps.get(step, 0)) for step in FUNNEL_STEPS]
    stopped_at = {
        row.stopped_step: row.n
        for row in conn.execute(
            sa.select(c.stopped_step, sa.func.count().label("n"))
            .where(in_period, c.stopped_step.is_not(None))
            .group_by(c.stopped_step)
        )
    }
    stopped = [stopped_at.get(step, 0) for step in FUNNEL_STEPS]
    funnel_steps = list(FUNNEL_STEPS)
    if not any(count for _, count in funnel):
        funnel, funnel_steps, stopped = [], [], []
    return Stats(
        date_from=date_from,
        date_to=date_to,
        total=sum(count for _, count in per_day),
        per_day=per_day,
        top_intents=intents[:TOP_INTENTS],
        fallback_rate=fallback_rate,
        funnel=funnel,
        funnel_steps=funnel_steps,
        stopped=stopped,
    )
