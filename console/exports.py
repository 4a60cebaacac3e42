"""Exports: the list as CSV, a transcript as JSON, a reviewed conversation as a Rasa test story."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime
from typing import Any, Iterable, Iterator

import sqlalchemy as sa

from console.followup import STATUS_LABELS
from console.store import Event
from console.tables import followups
from console.transcript import CHANNEL_LABELS, SILENT_ACTIONS, TZ, shown_state
from passerelle.actualisation import QUESTION_LABELS, STATE_LABELS
from passerelle.shortcode import CODE_SLOT, shown
from passerelle.topics import topic_label

CSV_COLUMNS = (
    "conversation",
    "code",
    "date",
    "dernier_message",
    "canal",
    "tours",
    "sujets",
    "incompris",
    "conseiller_demande",
    "actualisation",
    "bloque_a",
    "suivi",
)
# A spreadsheet would run cells starting with these as formulas.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Story steps Rasa replays itself.
STORY_SKIPPED_ACTIONS = SILENT_ACTIONS | {"action_unlikely_intent"}
# Square brackets in a story's user text would be read as entity markup.
ENTITY_MARKUP = re.compile(r"[\[\]]")
JSON_HTML_SAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}
# Names Rasa gives intents, actions, slots and forms; anything else is quoted.
PLAIN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def local_time(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, TZ).strftime("%Y-%m-%d %H:%M")


def followup_statuses(conn: sa.engine.Connection) -> dict[str, str]:
    """Each followed conversation's status, as a counsellor reads it."""
    return {
        row.sender_id: STATUS_LABELS.get(row.status, row.status)
        for row in conn.execute(sa.select(followups.c.sender_id, followups.c.status))
    }


def csv_lines(rows: Iterable[Any], followed: dict[str, str], now: float) -> Iterator[str]:
    """The CSV file line by line (semicolon separated, as French spreadsheets expect)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    yield "\ufeff" + buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        state = shown_state(row.actualisation, row.last_ts, now)
        writer.writerow(
            [
                _cell(row.sender_id),
                shown(row.code) if row.code else "",
                local_time(row.first_ts),
                local_time(row.last_ts),
                CHANNEL_LABELS.get(row.channel, row.channel),
                row.turns,
                _cell(", ".join(topic_label(intent) for intent in row.intents.split())),
                row.fallbacks,
                "oui" if row.human_asked else "non",
                STATE_LABELS[state].lower() if state in STATE_LABELS else state,
                QUESTION_LABELS.get(row.stuck_at or "", ""),
                followed.get(row.sender_id, "").lower(),
            ]
        )
        yield buffer.getvalue()


def safe_json(document: Any) -> str:
    """JSON with <, > and & escaped, so no HTML or script can run from it anywhere."""
    text = json.dumps(document, ensure_ascii=False, indent=2)
    for char, escaped in JSON_HTML_SAFE.items():
        text = text.replace(char, escaped)
    return text


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _name(name: str) -> str:
    return name if PLAIN_NAME.match(name) else _quoted(name)


def _value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def story_yaml(sender_id: str, events: list[Event], reviewer: str) -> str:
    """The conversation as a Rasa 3 test story, ready to add to tests/stories/."""
    reviewed = datetime.now(TZ).strftime("%Y-%m-%d")
    lines = [
        f"# Conversation {_quoted(sender_id)} relue par {_quoted(reviewer)} le {reviewed}.",
        "# Les crochets des messages sont remplacés par des parenthèses.",
        'version: "3.1"',
        "stories:",
        f"- story: {_quoted(f'conversation relue {sender_id}')}",
        "  steps:",
    ]
    for event in events:
        data = event.data
        if event.type_name == "user":
            intent = ((data.get("parse_data") or {}).get("intent") or {}).get("name")
            intent = intent or event.intent_name
            if not intent:
                continue
            text = " ".join(str(data.get("text") or "").split())
            text = ENTITY_MARKUP.sub(lambda match: "(" if match.group() == "[" else ")", text)
            if text and not text.startswith("/"):
                lines.append(f"  - user: {_quoted(text)}")
                lines.append(f"    intent: {_name(intent)}")
            else:
                lines.append(f"  - intent: {_name(intent)}")
        elif event.type_name == "action":
            name = event.action_name or data.get("name")
            if name and name not in STORY_SKIPPED_ACTIONS:
                lines.append(f"  - action: {_name(name)}")
        elif event.type_name == "slot" and data.get("name") and data["name"] != CODE_SLOT:
            # The code is drawn at random each session: a story cannot expect it.
            lines.append("  - slot_was_set:")
            lines.append(f"    - {_name(str(data['name']))}: {_value(data.get('value'))}")
        elif event.type_name == "active_loop":
            lines.append(f"  - active_loop: {_value(data.get('name'))}")
    return "\n".join(lines) + "\n"
