"""Who needs help: "Bloqué à", loops counted as not understood, the funnel's stops, the
inbox of misunderstood messages and its NLU export, the short code in the search box.

The looping conversation is built with the events Rasa 3.6's form writes: each time it
asks, it sets `requested_slot` (and once more while validating an answer).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
from starlette.testclient import TestClient

from console import index
from console.tables import audit
from passerelle.config import ROOT
from tests.console.conftest import Fixture, Talk, csrf_of, write
from tests.console.test_index import found

RASA = Path(sys.executable).parent / "rasa"
VALIDATE_TIMEOUT_S = 600
LOOPING = "web-boucle-taux"
LOST = "web-perdu-mdp"
CODE = "K7M-4QR"
FORM = "actualisation_form"
REQUESTED = "requested_slot"
HOURLY_QUESTION = "Combien gagnez-vous de l'heure, en brut ?"
REFUSED = ("euh je sais plus trop", "pas beaucoup")
LOST_TEXT = "jarrive plu a rentré dans mon espace, mon identifiant c 1234567A"


def ask(talk: Talk, question: str, text: str = "Question ?") -> Talk:
    return talk.slot(REQUESTED, question).bot(f"utter_ask_{question}", text).listen()


def looping_on_the_hourly_rate(start: float) -> Talk:
    """Works, gives the hours, does not know the salary, then loops on the hourly rate."""
    talk = Talk(start, code=CODE).user("je veux m'actualiser", "start_actualisation")
    talk.action(FORM).loop(FORM)
    ask(talk, "worked", "Avez-vous travaillé ?")
    talk.user("oui", "affirm").action(FORM).slot(REQUESTED, "worked").slot("worked", True)
    ask(talk, "hours_worked")
    talk.user("35 heures", "inform").action(FORM).slot(REQUESTED, "hours_worked")
    talk.slot("hours_worked", 35.0)
    ask(talk, "gross_salary")
    talk.user("je sais pas", "inform").action(FORM).slot(REQUESTED, "gross_salary")
    talk.slot("actualisation_pending", "salary_help")
    ask(talk, "hourly_rate", HOURLY_QUESTION)
    for text in REFUSED:
        talk.user(text, "inform", 0.61).action(FORM).slot(REQUESTED, "hourly_rate")
        ask(talk, "hourly_rate", HOURLY_QUESTION)
    return talk


@pytest.fixture
def stuck_store(engine: sa.engine.Engine, fixture_store: Fixture) -> Fixture:
    write(engine, LOOPING, looping_on_the_hourly_rate(fixture_store.now - 7200).events)
    lost = Talk(fixture_store.now - 5000)
    lost.user(LOST_TEXT, "nlu_fallback", 0.3).action("action_nlu_fallback")
    lost.bot("utter_not_understood", "Je n'ai pas compris.").listen()
    write(engine, LOST, lost.events)
    return fixture_store


def test_a_loop_on_the_hourly_rate_is_stuck_there_and_not_understood(
    engine: sa.engine.Engine, stuck_store: Fixture
) -> None:
    index.refresh(engine)
    with engine.connect() as conn:
        row = index.summary_of(conn, LOOPING)
    assert row is not None
    assert (row["stuck_at"], row["stopped_step"], row["loops"]) == (
        "hourly_rate",
        "gross_salary",
        1,
    )
    assert row["fallbacks"] == len(REFUSED)  # no nlu_fallback, yet two answers refused
    assert LOOPING in found(engine, stuck_store, incompris="oui")
    assert found(engine, stuck_store, boucle="oui") == {LOOPING}
    assert found(engine, stuck_store, bloque="hourly_rate") == {LOOPING}
    assert LOOPING in found(engine, stuck_store, arret="gross_salary")
    # Stopped earlier: the abandoned rehearsal of the fixture, after the hours.
    assert found(engine, stuck_store, bloque="hours_worked") == {"kiosque-abandon"}
    assert found(engine, stuck_store, arret="declaration_confirmed") == {"kiosque-fini"}


def test_the_counsellor_sees_bloque_a_salaire_horaire(
    logged_in: TestClient, stuck_store: Fixture
) -> None:
    listed = logged_in.get("/", params={"bloque": "hourly_rate"}).text
    assert "Bloqué à : salaire horaire" in listed
    assert "dont boucle" in listed
    page = logged_in.get("/conversation", params={"id": LOOPING}).text
    assert "Bloqué à : salaire horaire" in page
    assert "Messages non compris : 2 (dont question répétée 3 fois)" in page
    # The clean transcript: answers as a table in French writing, no slot lines.
    assert '<th scope="row">Heures travaillées</th><td>35 h</td>' in page
    assert "Réponse enregistrée" not in page and "35.0" not in page
    assert f'code <span class="code">{CODE}</span>' in page


def test_the_short_code_finds_the_conversation(
    logged_in: TestClient, engine: sa.engine.Engine, stuck_store: Fixture
) -> None:
    for typed in (CODE, CODE.lower(), CODE.replace("-", " "), CODE.replace("-", "")):
        assert found(engine, stuck_store, q=typed) == {LOOPING}, typed
    listed = logged_in.get("/", params={"q": "k7m 4qr"}).text
    assert "<strong>1</strong> conversation." in listed and CODE in listed
    assert found(engine, stuck_store, q="ZZZ-ZZZ") == set()


def test_the_funnel_bars_list_who_stopped_there(
    logged_in: TestClient, stuck_store: Fixture
) -> None:
    page = logged_in.get("/stats").text
    links = re.findall(r'<a href="(/\?arret=gross_salary[^"]*)"', page)
    assert links, "la barre du salaire brut n'est pas un lien"
    listed = logged_in.get(links[0].replace("&amp;", "&")).text
    assert "Bloqué à : salaire horaire" in listed and "<strong>1</strong> conversation." in listed


def test_the_inbox_lists_fallbacks_and_loops_with_the_guessed_intent(
    logged_in: TestClient, stuck_store: Fixture
) -> None:
    page = logged_in.get("/incompris").text
    for text in (*REFUSED, "blablabla", "zzz"):
        assert text in page, text
    assert "Question répétée : salaire horaire" in page
    assert (
        "Réponse à une question&nbsp;(61&nbsp;%)" in page
    )  # the intent guessed for the refused answers


def label(client: TestClient, text: str, value: str) -> None:
    page = client.get("/incompris").text
    row = next(part for part in page.split("<tr>") if text in part)
    message = re.search(r'name="message" value="(\d+)"', row).group(1)
    response = client.post(
        "/incompris/etiquette",
        data={"csrf": csrf_of(page), "message": message, "etiquette": value},
    )
    assert response.status_code == 303


def test_labelled_messages_export_as_masked_nlu_that_rasa_accepts(
    logged_in: TestClient, engine: sa.engine.Engine, stuck_store: Fixture, tmp_path: Path
) -> None:
    label(logged_in, LOST_TEXT, "forgot_identifier")
    label(logged_in, "euh je sais plus trop", "inform")
    label(logged_in, "pas beaucoup", "inform")  # already in data/nlu: left out
    label(logged_in, "zzz", "__bruit__")
    assert "zzz" in logged_in.get("/incompris", params={"vue": "bruit"}).text
    assert "zzz" not in logged_in.get("/incompris").text
    export = logged_in.get("/incompris/nlu.yml")
    assert export.status_code == 200
    document = yaml.safe_load(export.text)
    assert {block["intent"] for block in document["nlu"]} == {"forgot_identifier", "inform"}
    assert "1234567A" not in export.text and "(masqué)" in export.text
    assert "zzz" not in export.text

    # Rasa's own reader sees the examples...
    path = tmp_path / "incompris.yml"
    path.write_text(export.text, encoding="utf-8")
    examples = {
        (m.get("intent"), m.get("text")) for m in RasaYAMLReader().read(path).intent_examples
    }
    assert ("inform", "euh je sais plus trop") in examples
    assert "pas beaucoup" not in export.text
    # ...and `rasa data validate` accepts them merged with the project's data.
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    shutil.copy(path, data / "nlu" / "incompris.yml")
    result = subprocess.run(
        [str(RASA), "data", "validate", "--fail-on-warnings", "--data", str(data)]
        + ["--domain", str(ROOT / "domain.yml"), "--config", str(ROOT / "config.yml")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=VALIDATE_TIMEOUT_S,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]

    with engine.connect() as conn:
        actions = set(conn.execute(sa.select(audit.c.action)).scalars())
    assert {"étiquette : forgot_identifier", "message marqué bruit", "export NLU"} <= actions
