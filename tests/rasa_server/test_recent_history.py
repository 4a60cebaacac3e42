"""The tracker store reads a long session's recent events and its state: the same slots,
form and latest message as Rasa's full reading, and every event stored exactly once,
on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from typing import List

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from passerelle.actualisation import ANSWERS_IN_ORDER
from passerelle.names import ACTUALISATION_FORM
from rasa_server.recent_history import RecentHistorySQLTrackerStore
from rasa_server.tracker_store import MaskingSQLTrackerStore

RECENT = 30
# A turn's events, as Rasa writes them during the form: 5 events.
TURNS = 40


def store_for(domain: Domain, db_url: str) -> MaskingSQLTrackerStore:
    return MaskingSQLTrackerStore(domain=domain, url=db_url, recent_events=RECENT)


def turn_events(index: int) -> List[Event]:
    """One turn of the person answering the form: a slot set, the next question asked."""
    answered = ANSWERS_IN_ORDER[index % len(ANSWERS_IN_ORDER)]
    value = float(index) if answered in ("hours_worked", "gross_salary") else index % 2 == 0
    return [
        UserUttered(f"réponse {index}", intent={"name": "inform", "confidence": 0.9}),
        ActionExecuted(ACTUALISATION_FORM),
        SlotSet(answered, value),
        BotUttered(f"question {index + 1}"),
        ActionExecuted("action_listen"),
    ]


def play(store: MaskingSQLTrackerStore, sender: str, turns: range) -> List[Event]:
    """Plays `turns` as Rasa does (retrieve, update, save); returns the events added."""
    added: List[Event] = []

    async def one(index: int) -> None:
        tracker = await store.retrieve(sender)
        if tracker is None:
            tracker = store.init_tracker(sender)
            started = SessionStarted()
            # Rasa logs the session start action once it ran: not before the session.
            start = [
                ActionExecuted("action_session_start", timestamp=started.timestamp),
                started,
                ActionExecuted("action_listen"),
            ]
            for event in start:
                tracker.update(event)
            added.extend(start)
        events = turn_events(index)
        if index == 1:
            events.insert(2, ActiveLoop(ACTUALISATION_FORM))
        for event in events:
            tracker.update(event)
        added.extend(events)
        await store.save(tracker)
        await store.save(tracker)  # a second save writes nothing more

    for index in turns:
        asyncio.run(one(index))
    return added


def full(store: MaskingSQLTrackerStore, sender: str) -> DialogueStateTracker:
    return asyncio.run(store.retrieve_full_tracker(sender))


def test_a_long_session_is_read_from_its_recent_events(domain: Domain, db_url: str) -> None:
    store = store_for(domain, db_url)
    sender = f"long-{uuid.uuid4().hex[:8]}"
    added = play(store, sender, range(TURNS))
    recent = asyncio.run(store.retrieve(sender))
    whole = full(store, sender)

    stored = [(e.type_name, e.as_dict().get("name"), e.as_dict().get("text")) for e in whole.events]
    expected = [(e.type_name, e.as_dict().get("name"), e.as_dict().get("text")) for e in added]
    assert stored == expected  # every event once, in order
    assert len(recent.events) < RECENT + len(ANSWERS_IN_ORDER) + 2 < len(whole.events)
    assert recent.current_slot_values() == whole.current_slot_values()
    assert recent.active_loop_name == whole.active_loop_name == ACTUALISATION_FORM
    assert recent.latest_message.text == whole.latest_message.text == f"réponse {TURNS - 1}"
    for slot in ANSWERS_IN_ORDER:  # answers given long ago are still there
        assert recent.get_slot(slot) is not None


def test_a_short_session_is_read_whole(domain: Domain, db_url: str) -> None:
    store = store_for(domain, db_url)
    sender = f"short-{uuid.uuid4().hex[:8]}"
    play(store, sender, range(3))
    recent = asyncio.run(store.retrieve(sender))
    assert [e.as_dict() for e in recent.events] == [e.as_dict() for e in full(store, sender).events]


def test_a_session_with_a_restart_is_read_whole(domain: Domain, db_url: str) -> None:
    store = store_for(domain, db_url)
    sender = f"restart-{uuid.uuid4().hex[:8]}"
    play(store, sender, range(4))

    async def restart() -> None:
        tracker = await store.retrieve(sender)
        tracker.update(Restarted())
        tracker.update(ActionExecuted("action_listen"))
        await store.save(tracker)

    asyncio.run(restart())
    play(store, sender, range(4, TURNS))
    recent = asyncio.run(store.retrieve(sender))
    whole = full(store, sender)
    assert len(recent.events) == len(whole.events)
    assert recent.current_slot_values() == whole.current_slot_values()
    assert recent.active_loop_name is None  # the restart ended the form


def test_the_project_store_reads_recent_events() -> None:
    assert issubclass(MaskingSQLTrackerStore, RecentHistorySQLTrackerStore)
