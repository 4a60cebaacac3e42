"""Rasa SQL tracker store that masks secrets before anything is written.

Configured in `endpoints.yml`:

    tracker_store:
      type: rasa_server.tracker_store.MaskingSQLTrackerStore
      url: ${PASSERELLE_DB_URL}

`url` is one SQLAlchemy URL (`sqlite:////abs/path.db`, `postgresql://user@host:5432/db`);
`?login_db=postgres` lets Rasa create the database on first start.

Every new event is masked before it is written, whatever its type: each string of its
serialised form (texts, parse data, entities, slots, bot data, metadata keys and values)
goes through `passerelle.privacy`. The store knows the conversation: the events already
stored tell whether the person announced a secret or the bot just answered a disclosed
credential, and then the next message is masked whole (`privacy.secret_expected`). What
was cut out of a message is also chased in the events of the same turn (a slot filled
from it, a bot message quoting it).
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional, Text

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url

from passerelle.names import CREDENTIALS_INTENT, LISTEN_ACTION
from passerelle.privacy import MASK, mask_message, mask_value, secret_expected

logger = logging.getLogger(__name__)

USER, BOT, ACTION = "user", "bot", "action"
UTTER_ACTION_KEY = "utter_action"  # BotUttered metadata: the response a message came from


def _sql_kwargs(url: Text) -> Dict[Text, Any]:
    """SQLTrackerStore keyword arguments for one SQLAlchemy URL."""
    parsed = make_url(url)
    query = dict(parsed.query)
    login_db = query.pop("login_db", None)
    kwargs: Dict[Text, Any] = {
        "dialect": parsed.drivername,
        "host": parsed.host,
        "port": parsed.port,
        "db": parsed.database,
        "username": parsed.username,
        "password": parsed.password,
        "login_db": login_db,
        "query": query or None,
    }
    if parsed.drivername.startswith("sqlite") and parsed.database:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    return kwargs


@dataclass
class TurnContext:
    """What the masker needs to know of the conversation so far."""

    user_text: Optional[str] = None  # the person's last message (as stored, or as said)
    bot_text: Optional[str] = None  # the bot's last message since then
    bot_action: Optional[str] = None  # the response it came from
    last_action: Optional[str] = None
    fragments: List[str] = field(default_factory=list)  # secrets of the current turn

    @classmethod
    def from_history(cls, events: Iterable[Dict[Text, Any]]) -> TurnContext:
        """The context after `events` (serialised, oldest first)."""
        context = cls()
        for data in events:
            context.update(data)
        return context

    def update(self, data: Dict[Text, Any], original_text: Optional[str] = None) -> None:
        kind = data.get("event")
        if kind == USER:
            self.user_text = original_text if original_text is not None else data.get("text")
            self.bot_text = self.bot_action = self.last_action = None
        elif kind == ACTION and data.get("name") != LISTEN_ACTION:
            self.last_action = data.get("name")
        elif kind == BOT:
            metadata = data.get("metadata") or {}
            self.bot_text = data.get("text") or ""
            self.bot_action = metadata.get(UTTER_ACTION_KEY) or self.last_action

    def expects_secret(self) -> bool:
        return secret_expected(self.user_text, self.bot_text, self.bot_action)


def _mask_user(data: Dict[Text, Any], context: TurnContext) -> Dict[Text, Any]:
    text = data.get("text") or ""
    parse_data = data.get("parse_data") or {}
    intent = parse_data.get("intent") or {}
    name, confidence = intent.get("name"), float(intent.get("confidence") or 0.0)
    # When the person is giving credentials, any secret-looking word is masked too.
    aggressive = name == CREDENTIALS_INTENT
    masked = mask_message(text, context.expects_secret(), name, confidence, aggressive)
    context.fragments = masked.fragments
    result = mask_value(data, aggressive or masked.whole, masked.fragments)
    result["text"] = masked.text
    parse = result.get("parse_data")
    if isinstance(parse, dict):
        # The parser saw a folded copy: store the masked original instead, so that a secret
        # whose case made it recognisable cannot leak through the copy.
        parse["text"] = masked.text
        for entity in parse.get("entities") or []:
            start, end = entity.get("start"), entity.get("end")
            overlaps = (
                isinstance(start, int)
                and isinstance(end, int)
                and any(s < end and start < e for s, e in masked.spans)
            )
            if masked.whole or overlaps:
                entity["value"] = MASK
                if "text" in entity:
                    entity["text"] = MASK
    return result


def mask_events(
    history: Iterable[Dict[Text, Any]], new: Iterable[Dict[Text, Any]]
) -> List[Dict[Text, Any]]:
    """The `new` serialised events, masked knowing the `history` already stored."""
    context = TurnContext.from_history(history)
    masked: List[Dict[Text, Any]] = []
    for data in new:
        if data.get("event") == USER:
            result = _mask_user(data, context)
            context.update(result, original_text=data.get("text") or "")
        else:
            result = mask_value(data, fragments=context.fragments)
            context.update(result)
        masked.append(result)
    return masked


def mask_event_data(data: Dict[Text, Any]) -> Dict[Text, Any]:
    """A copy of one serialised event with every secret masked (no conversation known)."""
    return mask_events([], [data])[0]


def _last_turn(events: List[Event]) -> List[Dict[Text, Any]]:
    """The stored events from the last user message on: all the context needs."""
    turn: List[Dict[Text, Any]] = []
    for event in reversed(events):
        data = event.as_dict()
        turn.append(data)
        if data.get("event") == USER:
            break
    return list(reversed(turn))


class MaskingSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose new events are masked before they are written."""

    def __init__(
        self,
        domain: Optional[Domain] = None,
        host: Optional[Text] = None,
        event_broker: Optional[EventBroker] = None,
        url: Optional[Text] = None,
        **kwargs: Any,
    ) -> None:
        # Rasa passes the endpoint's `url` as `host`.
        db_url = url or host
        if not db_url:
            raise ValueError(
                "PASSERELLE_DB_URL est vide : indiquez l'adresse de la base des conversations."
            )
        kwargs.update(_sql_kwargs(db_url))
        super().__init__(domain=domain, event_broker=event_broker, **kwargs)

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        new = list(super()._additional_events(session, tracker))
        stored = list(itertools.islice(tracker.events, 0, len(tracker.events) - len(new)))
        masked = mask_events(_last_turn(stored), [event.as_dict() for event in new])
        for data in masked:
            yield Event.from_parameters(data)
