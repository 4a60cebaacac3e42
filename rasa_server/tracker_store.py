"""Rasa SQL tracker store that masks secrets before anything is written.

Configured in `endpoints.yml`:

    tracker_store:
      type: rasa_server.tracker_store.MaskingSQLTrackerStore
      url: ${PASSERELLE_DB_URL}

`url` is one SQLAlchemy URL (`sqlite:////abs/path.db`, `postgresql://user@host:5432/db`);
`?login_db=postgres` lets Rasa create the database on first start.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict, Iterator, Optional, Text

from rasa.core.brokers.broker import EventBroker
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url

from passerelle.names import CREDENTIALS_INTENT
from passerelle.privacy import MASK, mask_value, secret_spans
from rasa_server.recent_history import RecentHistorySQLTrackerStore

logger = logging.getLogger(__name__)


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


def mask_event_data(data: Dict[Text, Any]) -> Dict[Text, Any]:
    """A copy of one serialised event with every secret masked."""
    kind = data.get("event")
    if kind == "user":
        parse_data = data.get("parse_data") or {}
        intent = (parse_data.get("intent") or {}).get("name")
        # When the person is giving credentials, any password-like word is masked too.
        aggressive = intent == CREDENTIALS_INTENT
        text = data.get("text") or ""
        spans = secret_spans(text, aggressive)
        masked = mask_value(data, aggressive)
        entities = (masked.get("parse_data") or {}).get("entities") or []
        for entity in entities:
            start, end = entity.get("start"), entity.get("end")
            if isinstance(start, int) and isinstance(end, int):
                if any(s < end and start < e for s, e in spans):
                    entity["value"] = MASK
                    if "text" in entity:
                        entity["text"] = MASK
        if isinstance(masked.get("parse_data"), dict):
            # The parser saw a folded (lowercased) copy: store the masked original instead,
            # so a secret whose case made it recognisable cannot leak through the copy.
            masked["parse_data"]["text"] = masked.get("text") or ""
        return masked
    if kind in {"bot", "slot"}:
        return mask_value(data)
    return data


class MaskingSQLTrackerStore(RecentHistorySQLTrackerStore):
    """SQLTrackerStore whose new events are masked before they are written.

    It reads a long session's recent events only (`rasa_server/recent_history.py`).
    """

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
        for event in super()._additional_events(session, tracker):
            yield Event.from_parameters(mask_event_data(event.as_dict()))
