"""With the real assistant: a person who loops on the hourly rate is "Bloqué à : salaire
horaire" in the console, and the refused answers count as not understood."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from console import index
from console.tables import create_console_tables, make_engine, misunderstood
from passerelle.shortcode import CODE_SLOT, normalized
from tests.conftest import Stack

REFUSED = ("euh je sais plus", "bof pas grand chose")


@pytest.mark.stack
def test_a_real_loop_on_the_hourly_rate(stack: Stack) -> None:
    sender = f"rest-boucle-{uuid.uuid4().hex[:8]}"
    replies = stack.say(sender, "je veux m'actualiser")
    if "entraîner" in " ".join(str(reply.get("text")) for reply in replies):
        stack.say(sender, "oui")  # the window is closed: rehearse
    for message in ("oui", "35 heures", "estimer", *REFUSED):
        stack.say(sender, message)
    tracker = stack.tracker(sender)
    assert tracker["slots"]["requested_slot"] == "hourly_rate", tracker["slots"]

    engine = make_engine(stack.db_url)
    create_console_tables(engine)
    index.refresh(engine)
    with engine.connect() as conn:
        row = index.summary_of(conn, sender)
        inbox = set(
            conn.execute(
                sa.select(misunderstood.c.text).where(misunderstood.c.sender_id == sender)
            ).scalars()
        )
    engine.dispose()
    assert row is not None
    assert (row["stuck_at"], row["stopped_step"], row["loops"]) == (
        "hourly_rate",
        "gross_salary",
        1,
    )
    assert row["fallbacks"] >= len(REFUSED)
    assert set(REFUSED) <= inbox
    assert row["code"] == normalized(tracker["slots"][CODE_SLOT])
