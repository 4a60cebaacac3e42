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
    LOOP_ASKS,
    QUESTION_LABELS,
    QUESTION_STEPS,
    STATE_ABANDONED,
    STATE_COMPLETED,
    STATE_IN_PROGRESS,
    STATE_NONE,
    STOP_SLOT,
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
from passerelle.shortcode import CODE_SLOT, normalized
from passerelle.text import fold

TZ = ZoneInfo(TIMEZONE)

# How facts are recognised in the events.
FALLBACK_ACTIONS = frozenset({FALLBACK_ACTION, DEFAULT_FALLBACK_ACTION})
# Events that say nothing to a counsellor.
SILENT_ACTIONS = frozenset({LISTEN_ACTION, SESSION_START_ACTION})
CHANNEL_LABELS = {WIDGET_CHANNEL: "Widget", KIOSK_CHANNEL: "Borne", REST_CHANNEL: "REST"}
# Why a message is in the inbox of misunderstood messages.
REASON_FALLBACK = "incompris"
REASON_LOOP = "boucle"


def day_of(timestamp: float) -> str:
    """Local (Paris) calendar day of an epoch timestamp, as YYYY-MM-DD."""
    return datetime.fromtimestamp(timestamp, TZ).strftime("%Y-%m-%d")


def _intent(event: Event) -> tuple[Optional[str], Optional[float]]:
    intent = (event.data.get("parse_data") or {}).get("intent") or {}
    name = intent.get("name") or event.intent_name
    confidence = intent.get("confidence")
    return name, confidence if isinstance(confidence, (int, float)) else None


def best_guess(event: Event) -> tuple[Optional[str], Optional[float]]:
    """The intent the model thought most likely, `nlu_fallback` put aside."""
    name, confidence = _intent(event)
    if name != FALLBACK_INTENT:
        return name, confidence
    ranking = (event.data.get("parse_data") or {}).get("intent_ranking") or []
    for item in ranking:
        if isinstance(item, dict) and item.get("name") not in (None, FALLBACK_INTENT):
            score = item.get("confidence")
            return item["name"], score if isinstance(score, (int, float)) else None
    return name, confidence


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
    codes: list[str] = field(default_factory=list)  # compact ("K7M4QR"), oldest first
    stuck_at: Optional[str] = None  # a question of QUESTION_LABELS
    stopped_step: Optional[str] = None  # a step of FUNNEL_STEPS
    loops: int = 0
    misunderstood: list[dict[str, Any]] = field(default_factory=list)

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
            "code": self.codes[-1] if self.codes else None,
            "stuck_at": self.stuck_at,
            "stopped_step": self.stopped_step,
            "loops": self.loops,
        }


@dataclass
class _Loops:
    """Follows the question pending at each of the person's answers, to find loops.

    Rasa's form sets `requested_slot` each time it asks (and once more while validating):
    the value last set before a user message is the question that message answers. The
    same question pending at consecutive answers means the previous answer was refused.
    A run of LOOP_ASKS asks or more is a loop; its refused answers go to the inbox.
    """

    question: Optional[str] = None
    refused: list[Event] = field(default_factory=list)
    last_answer: Optional[Event] = None
    loops: int = 0
    looping: list[tuple[Event, str]] = field(default_factory=list)

    def answer(self, event: Event, pending: Optional[str]) -> None:
        if pending is not None and pending == self.question and self.last_answer is not None:
            self.refused.append(self.last_answer)
        else:
            self.close()
            self.question = pending
        self.last_answer = event if pending is not None else None

    def close(self, asked_again: bool = False) -> None:
        if asked_again and self.last_answer is not None:
            self.refused.append(self.last_answer)
        if self.question is not None and len(self.refused) + 1 >= LOOP_ASKS:
            self.loops += 1
            self.looping += [(event, self.question) for event in self.refused]
        self.question, self.refused, self.last_answer = None, [], None


def summarize(sender_id: str, events: list[Event]) -> Optional[Summary]:
    """Summary of one conversation, None when it has no timestamped event."""
    stamps = [event.timestamp for event in events if event.timestamp is not None]
    if not stamps:
        return None
    summary = Summary(sender_id, min(stamps), max(stamps), channel_of(sender_id))
    texts: list[str] = []
    turn: Optional[Event] = None
    turn_is_fallback = False
    loop_active = started = confirmed = False
    steps: set[str] = set()
    requested: Optional[str] = None  # the question the form asked last
    last_question: Optional[str] = None  # the last one asked, the stop question aside
    loops = _Loops()
    fallback_turns: list[Event] = []

    def close_turn() -> None:
        if turn_is_fallback and turn is not None:
            fallback_turns.append(turn)

    for event in events:
        if event.type_name == "user":
            close_turn()
            turn = event
            loops.answer(event, requested if loop_active else None)
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
                if not loop_active:
                    confirmed = False  # a new rehearsal: its own ending counts
                loop_active = started = True
                steps.add(FUNNEL_STARTED)
            elif loop_active:
                loop_active = False
                requested = None
        elif event.type_name == "slot":
            name, value = event.data.get("name"), event.data.get("value")
            if name == REQUESTED_SLOT:
                requested = value if value in QUESTION_LABELS else None
                if requested is not None and requested != STOP_SLOT:
                    last_question = requested
                if value in ANSWERS_IN_ORDER:
                    steps.add(value)
            elif name == CONFIRMED_SLOT and value is True:
                confirmed = True
                steps.add(CONFIRMED_SLOT)
            elif name == CODE_SLOT and isinstance(value, str):
                code = normalized(value)
                if code and code not in summary.codes:
                    summary.codes.append(code)
        elif event.type_name == "restart":
            loop_active = False
            requested = None
    close_turn()
    loops.close(asked_again=loop_active and requested == loops.question)

    looping = {event.id: question for event, question in loops.looping}
    fallback_ids = {event.id for event in fallback_turns}
    summary.loops = loops.loops
    summary.fallbacks = len(fallback_ids | set(looping))
    for event in sorted([*fallback_turns, *(e for e, _ in loops.looping)], key=lambda e: e.id):
        if any(row["event_id"] == event.id for row in summary.misunderstood):
            continue
        intent, confidence = best_guess(event)
        summary.misunderstood.append(
            {
                "event_id": event.id,
                "sender_id": sender_id,
                "ts": event.timestamp if event.timestamp is not None else summary.last_ts,
                "text": str(event.data.get("text") or ""),
                "intent": intent,
                "confidence": confidence,
                "reason": REASON_FALLBACK if event.id in fallback_ids else REASON_LOOP,
                "question": looping.get(event.id),
            }
        )

    if confirmed:
        summary.actualisation = STATE_COMPLETED
    elif loop_active:
        summary.actualisation = STATE_IN_PROGRESS
    elif started:
        summary.actualisation = STATE_ABANDONED
    if summary.actualisation == STATE_COMPLETED:
        summary.stopped_step = CONFIRMED_SLOT
    elif started:
        summary.stuck_at = last_question
        summary.stopped_step = QUESTION_STEPS.get(last_question or "", FUNNEL_STARTED)
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


# Steps of the form repeated at every turn: they say nothing to a counsellor.
FORM_ACTIONS = frozenset({ACTUALISATION_FORM, f"validate_{ACTUALISATION_FORM}"})


def clean_transcript(events: list[Event]) -> list[Line]:
    """The transcript a counsellor reads: messages, the code given, the form's start and
    end, and actions; no slot lines (the answers are a table of their own), no empty
    messages (the code sent to the widget), no form steps repeated at each turn."""
    kept: list[Line] = []
    for line in transcript(events):
        if line.kind == "slot":
            if line.name == CODE_SLOT and isinstance(line.value, str):
                kept.append(line)
            continue
        if line.kind == "bot" and not line.text and not line.buttons:
            continue
        if line.kind == "action" and line.name in FORM_ACTIONS:
            continue
        kept.append(line)
    return kept


def form_answers(events: list[Event]) -> dict[str, Any]:
    """Last value given to each actualisation question (and the confirmation)."""
    answers: dict[str, Any] = {}
    for event in events:
        if event.type_name == "slot":
            answers[event.data.get("name")] = event.data.get("value")
    return answers_of(answers)
