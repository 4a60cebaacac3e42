"""Turns a conversation's Rasa events into facts: summary for the index and transcript lines."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Optional
from zoneinfo import ZoneInfo

from console.store import Event
from passerelle.actualisation import (
    ANSWERS_IN_ORDER,
    CONFIRMED_SLOT,
    FUNNEL_STARTED,
    FUNNEL_STEPS,
    IDLE_MINUTES_BEFORE_ABANDONED,
    STATE_ABANDONED,
    STATE_COMPLETED,
    STATE_IN_PROGRESS,
    STATE_NONE,
    answers_of,
)
from passerelle.names import (
    ACTUALISATION_FORM,
    DEFAULT_FALLBACK_ACTION,
    FALLBACK_ACTION,
    FALLBACK_INTENT,
    HUMAN_INTENT,
    KIOSK_CHANNEL,
    LISTEN_ACTION,
    REQUESTED_SLOT,
    REST_CHANNEL,
    SESSION_START_ACTION,
    TIMEZONE,
    WIDGET_CHANNEL,
    channel_of,
)
from passerelle.text import fold

TZ = ZoneInfo(TIMEZONE)

# How facts are recognised in the events.
FALLBACK_ACTIONS = frozenset({FALLBACK_ACTION, DEFAULT_FALLBACK_ACTION})
# Events that say nothing to a counsellor.
SILENT_ACTIONS = frozenset({LISTEN_ACTION, SESSION_START_ACTION})
CHANNEL_LABELS = {WIDGET_CHANNEL: "Widget", KIOSK_CHANNEL: "Borne", REST_CHANNEL: "REST"}


def day_of(timestamp: float) -> str:
    """Local (Paris) calendar day of an epoch timestamp, as YYYY-MM-DD."""
    return datetime.fromtimestamp(timestamp, TZ).strftime("%Y-%m-%d")


def _intent(event: Event) -> tuple[Optional[str], Optional[float]]:
    intent = (event.data.get("parse_data") or {}).get("intent") or {}
    name = intent.get("name") or event.intent_name
    confidence = intent.get("confidence")
    return name, confidence if isinstance(confidence, (int, float)) else None


@dataclass
class Summary:
    """What the conversation list shows about one conversation."""

    sender_id: str
    first_ts: float
    last_ts: float
    channel: str
    turns: int = 0
    fallbacks: int = 0
    human_asked: bool = False
    actualisation: str = STATE_NONE
    intents: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    search_text: str = ""

    @property
    def day(self) -> str:
        return day_of(self.first_ts)

    def row(self) -> dict[str, Any]:
        return {
            "sender_id": self.sender_id,
            "first_ts": self.first_ts,
            "last_ts": self.last_ts,
            "day": self.day,
            "channel": self.channel,
            "turns": self.turns,
            "fallbacks": self.fallbacks,
            "human_asked": self.human_asked,
            "actualisation": self.actualisation,
            "intents": " ".join(self.intents),
            "search_text": self.search_text,
        }


def summarize(sender_id: str, events: list[Event]) -> Optional[Summary]:
    """Summary of one conversation, None when it has no timestamped event."""
    stamps = [event.timestamp for event in events if event.timestamp is not None]
    if not stamps:
        return None
    summary = Summary(sender_id, min(stamps), max(stamps), channel_of(sender_id))
    texts: list[str] = []
    turn_is_fallback = False
    loop_active = started = confirmed = False
    steps: set[str] = set()

    def close_turn() -> None:
        if turn_is_fallback:
            summary.fallbacks += 1

    for event in events:
        if event.type_name == "user":
            close_turn()
            summary.turns += 1
            name, _ = _intent(event)
            turn_is_fallback = name == FALLBACK_INTENT
            if name and name not in summary.intents:
                summary.intents.append(name)
            if name == HUMAN_INTENT:
                summary.human_asked = True
            text = event.data.get("text")
            if isinstance(text, str) and text:
                texts.append(fold(text))
        elif event.type_name == "action":
            if (event.action_name or event.data.get("name")) in FALLBACK_ACTIONS:
                turn_is_fallback = True
        elif event.type_name == "active_loop":
            name = event.data.get("name")
            if name == ACTUALISATION_FORM:
                loop_active = started = True
                steps.add(FUNNEL_STARTED)
            elif loop_active:
                loop_active = False
        elif event.type_name == "slot":
            name, value = event.data.get("name"), event.data.get("value")
            if name == REQUESTED_SLOT and value in ANSWERS_IN_ORDER:
                steps.add(value)
            elif name == CONFIRMED_SLOT and value is True:
                confirmed = True
                steps.add(CONFIRMED_SLOT)
        elif event.type_name == "restart":
            loop_active = False
    close_turn()

    if confirmed:
        summary.actualisation = STATE_COMPLETED
    elif loop_active:
        summary.actualisation = STATE_IN_PROGRESS
    elif started:
        summary.actualisation = STATE_ABANDONED
    summary.steps = [step for step in FUNNEL_STEPS if step in steps]
    summary.search_text = "\n".join(texts)
    return summary


def shown_state(state: str, last_ts: float, now: float) -> str:
    """Actualisation state for a counsellor: an idle unfinished form counts as abandoned."""
    if state == STATE_IN_PROGRESS and now - last_ts > IDLE_MINUTES_BEFORE_ABANDONED * 60:
        return STATE_ABANDONED
    return state


@dataclass
class Line:
    """One line of a transcript as a counsellor reads it."""

    kind: str  # "user", "bot", "action", "slot", "form", "session"
    timestamp: Optional[float]
    text: str = ""
    intent: Optional[str] = None
    confidence: Optional[float] = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    buttons: list[str] = field(default_factory=list)
    name: Optional[str] = None
    value: Any = None

    def as_dict(self) -> dict[str, Any]:
        keep = {"kind": self.kind, "timestamp": self.timestamp}
        for key in ("text", "intent", "confidence", "name", "value"):
            value = getattr(self, key)
            if value not in (None, ""):
                keep[key] = value
        if self.entities:
            keep["entities"] = self.entities
        if self.buttons:
            keep["buttons"] = self.buttons
        return keep


def _entities(event: Event) -> list[dict[str, Any]]:
    found = (event.data.get("parse_data") or {}).get("entities") or []
    return [
        {key: entity.get(key) for key in ("entity", "value", "start", "end")}
        for entity in found
        if isinstance(entity, dict) and entity.get("entity")
    ]


def transcript(events: list[Event]) -> list[Line]:
    """The conversation in order: messages, intents, form answers, form start and end."""
    lines: list[Line] = []
    for event in events:
        data = event.data
        if event.type_name == "user":
            name, confidence = _intent(event)
            lines.append(
                Line(
                    "user",
                    event.timestamp,
                    text=str(data.get("text") or ""),
                    intent=name,
                    confidence=confidence,
                    entities=_entities(event),
                )
            )
        elif event.type_name == "bot":
            buttons = (data.get("data") or {}).get("buttons") or []
            # The response's name rides with its text instead of a line of its own.
            utter = lines.pop().name if lines and lines[-1].kind == "action" else None
            lines.append(
                Line(
                    "bot",
                    event.timestamp,
                    text=str(data.get("text") or ""),
                    buttons=[str(b.get("title", "")) for b in buttons if isinstance(b, dict)],
                    name=utter,
                )
            )
        elif event.type_name == "action":
            name = event.action_name or data.get("name")
            if name and name not in SILENT_ACTIONS:
                lines.append(Line("action", event.timestamp, name=name))
        elif event.type_name == "slot":
            lines.append(
                Line("slot", event.timestamp, name=data.get("name"), value=data.get("value"))
            )
        elif event.type_name == "active_loop":
            lines.append(Line("form", event.timestamp, name=data.get("name")))
        elif event.type_name in ("session_started", "restart"):
            lines.append(Line("session", event.timestamp, name=event.type_name))
    return lines


def form_answers(events: list[Event]) -> dict[str, Any]:
    """Last value given to each actualisation question (and the confirmation)."""
    answers: dict[str, Any] = {}
    for event in events:
        if event.type_name == "slot":
            answers[event.data.get("name")] = event.data.get("value")
    return answers_of(answers)
