"""A SQL tracker store that reads a long conversation's recent events only, so turn 200
costs what turn 10 costs.

Rasa 3.6 reads every event of the session at each turn, replays them, featurises the
whole history for its policies (quadratic inside a form: `applied_events`) and sends it
all to the action server: a turn near turn 200 cost about 6 times a turn near turn 10
(bench/PROFILE.md). Here `retrieve` reads at most `recent_events` events (a whole
actualisation with its side questions fits) and, before them, the latest value of each
slot and the latest form state, which the database finds by itself (one row per slot).
The tracker's slots, form and latest message are exactly those of the full replay;
only the distant turns are left out of what the policies see. Nothing is ever deleted:
the database keeps every event, the tracker API (`retrieve_full_tracker`) returns them
all, and `save` writes exactly the events that are new since `retrieve`.

A session holding an event that undoes earlier ones (restart, slot reset, rewind, undo)
is read whole, as Rasa does. Configured in `endpoints.yml` (`recent_events`, default
`RECENT_EVENTS`).
"""

from __future__ import annotations

import itertools
import json
import logging
from typing import Any, Iterator, Optional, Text

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import (
    ActionReverted,
    ActiveLoop,
    AllSlotsReset,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
)
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)

# About 11 events a turn: 200 hold a whole actualisation (13 to 16 turns) and a few
# side questions, so a form's own history is never cut.
RECENT_EVENTS = 200
# Events whose effect depends on what came before them: such a session is read whole.
UNDOING_EVENTS = (
    Restarted.type_name,
    AllSlotsReset.type_name,
    UserUtteranceReverted.type_name,
    ActionReverted.type_name,
)
# The latest value of each slot and the latest form event carry the state the recent
# events start from.
STATE_EVENTS = (SlotSet.type_name, ActiveLoop.type_name)
# Set on a tracker read by `retrieve`: how many of its events are already stored.
STORED_ATTRIBUTE = "_passerelle_stored_events"


class RecentHistorySQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose `retrieve` reads the recent events and the state before them."""

    def __init__(self, *args: Any, recent_events: int = RECENT_EVENTS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recent_events = int(recent_events)

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The tracker of the latest session, from its recent events and its state."""
        with self.session_scope() as session:
            events = self._recent_events(session, sender_id)
        if events is None:
            return await super().retrieve(sender_id)
        if not self.domain or not events:
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        setattr(tracker, STORED_ATTRIBUTE, len(tracker.events))
        return tracker

    def _recent_events(self, session: Any, sender_id: Text) -> Optional[list]:
        """The state events then the recent events, or None to read the session whole."""
        table = self.SQLEvent
        # The session's events, as Rasa's `_event_query` finds them (after its start).
        started = (
            session.query(sa.func.max(table.timestamp))
            .filter(table.sender_id == sender_id, table.type_name == SessionStarted.type_name)
            .scalar()
        )
        conditions = [table.sender_id == sender_id]
        if started is not None:
            conditions.append(table.timestamp >= started)
        newest = session.query(table).filter(*conditions).order_by(table.id.desc())
        rows = newest.limit(self.recent_events + 1).all()
        if len(rows) <= self.recent_events:
            return None  # a short session: Rasa's own reading
        recent = rows[: self.recent_events][::-1]
        conditions.append(table.id < recent[0].id)
        undoing = session.query(table.id).filter(*conditions, table.type_name.in_(UNDOING_EVENTS))
        if undoing.first() is not None:
            return None
        # One row per slot (a slot event's `action_name` is the slot's name), one per form.
        latest = (
            session.query(sa.func.max(table.id))
            .filter(*conditions, table.type_name.in_(STATE_EVENTS))
            .group_by(table.type_name, table.action_name)
        )
        state = session.query(table).filter(table.id.in_(latest)).order_by(table.id)
        return [json.loads(row.data) for row in itertools.chain(state.all(), recent)]

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        """The events new since `retrieve`; Rasa's count for a tracker read whole."""
        stored = getattr(tracker, STORED_ATTRIBUTE, None)
        if stored is None:
            return super()._additional_events(session, tracker)
        setattr(tracker, STORED_ATTRIBUTE, len(tracker.events))  # saved once, not twice
        return itertools.islice(tracker.events, stored, len(tracker.events))


__all__ = ["RECENT_EVENTS", "RecentHistorySQLTrackerStore"]
