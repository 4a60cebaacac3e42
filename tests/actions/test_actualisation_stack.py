"""End to end: a person rehearses their actualisation through the REST channel."""

from __future__ import annotations

import base64
import json
import sqlite3
import uuid

import httpx
import pytest

pytestmark = pytest.mark.stack

PASSWORD = "Pierre76&Dupont"


def slots(stack, sender: str) -> dict:
    return stack.tracker(sender)["slots"]


def say(stack, sender: str, text: str) -> str:
    """Sends `text`; returns everything the bot answered, as one string."""
    return "\n".join(message.get("text", "") for message in stack.say(sender, text))


def summary_links(messages: list) -> list:
    """The link attachments among REST messages (the recap's "Ouvrir mon récapitulatif")."""
    return [
        m["attachment"]["payload"]
        for m in messages
        if (m.get("attachment") or {}).get("type") == "link"
    ]


def check_summary_link(stack, sender: str, url: str) -> None:
    """The link hides the answers, opens the page, and an altered copy gets the error page."""
    token = url.rsplit("/", 1)[1]
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    for text in (token, raw.decode("latin-1")):
        assert not any(piece in text for piece in ("1200", "35.0", "35,0", "/20", "worked"))
    page = httpx.get(url, timeout=30)
    assert page.status_code == 200 and "35 heures pour 1 200 € brut" in page.text
    altered = url[:-5] + ("AAAAA" if not url.endswith("AAAAA") else "BBBBB")
    refused = httpx.get(altered, timeout=30)
    assert refused.status_code == 404 and "Récapitulatif introuvable" in refused.text
    # The store keeps the link as it was given (nothing readable in it, nothing corrupted).
    with sqlite3.connect(stack.db_path) as conn:
        rows = [
            data
            for (data,) in conn.execute("SELECT data FROM events WHERE sender_id = ?", (sender,))
        ]
    assert any(token in data for data in rows)


def test_person_rehearses_with_words_a_correction_and_a_password(stack) -> None:
    sender = f"actu-{uuid.uuid4().hex[:8]}"
    intro = say(stack, sender, "je veux m'actualiser")
    assert "Je n'envoie rien à France Travail" in intro
    if slots(stack, sender)["requested_slot"] == "rehearsal_ok":
        say(stack, sender, "oui")
    assert slots(stack, sender)["requested_slot"] == "worked"

    say(stack, sender, "oui")
    refused = say(stack, sender, "moins cinq")
    assert "plus grand que zéro" in refused
    assert slots(stack, sender)["hours_worked"] is None
    say(stack, sender, "trente-cinq heures")
    say(stack, sender, "mille deux cents euros")
    state = slots(stack, sender)
    assert (state["worked"], state["hours_worked"], state["gross_salary"]) == (True, 35.0, 1200.0)
    assert state["requested_slot"] == "internship"

    warning = say(stack, sender, f"mon mot de passe c'est {PASSWORD}")
    assert "Ne donnez jamais votre mot de passe" in warning
    assert "stage" in warning  # the form asks the same question again
    assert slots(stack, sender)["requested_slot"] == "internship"

    for answer in ("non", "non", "non", "non", "non"):
        say(stack, sender, answer)
    warned = say(stack, sender, "non")  # no longer seeking a job
    assert "inscription comme demandeur d'emploi s'arrête" in warned
    assert slots(stack, sender)["still_seeking"] is None
    recap = say(stack, sender, "oui")
    assert slots(stack, sender)["still_seeking"] is False
    assert "Travail : oui, 35 heures pour 1 200 € brut" in recap
    assert "Recherche d'emploi : non" in recap

    say(stack, sender, "non")  # not correct
    say(stack, sender, "stage")
    recap = say(stack, sender, "oui")
    assert "- Stage : oui\n" in recap
    messages = stack.say(sender, "oui")
    done = "\n".join(message.get("text", "") for message in messages)
    assert "M'actualiser" in done and "/resume/" not in done  # no raw address in any text
    [link] = summary_links(messages)
    assert link["title"] == "Ouvrir mon récapitulatif" and "/resume/" in link["url"]
    check_summary_link(stack, sender, link["url"])

    state = slots(stack, sender)
    assert state["internship"] is True
    assert state["declaration_confirmed"] is True
    assert state["sick_leave"] is False and state["still_seeking"] is False
    assert PASSWORD not in json.dumps(stack.tracker(sender), ensure_ascii=False)
