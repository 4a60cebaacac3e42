"""Exports: CSV of the filtered list, JSON transcript, Rasa test story (`rasa data validate`)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from starlette.testclient import TestClient

from console.tables import audit
from passerelle.config import ROOT
from tests.console.conftest import XSS, Fixture, Talk, write

RASA = Path(sys.executable).parent / "rasa"
VALIDATE_TIMEOUT_S = 600
# What `rasa data validate` says about a story that does not match the domain.
STORY_PROBLEMS = (
    "is used in your stories, but it is not listed",
    "is used in the stories, but is not a valid utterance",
    "block, but it is not listed",
    "not part of the domain",
    "Issue found in",
)


def read_csv(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:]), delimiter=";"))


def test_csv_follows_the_filters(logged_in: TestClient) -> None:
    response = logged_in.get("/export.csv", params={"canal": "borne"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = read_csv(response.text)
    assert {row["conversation"] for row in rows} == {"kiosque-fini", "kiosque-abandon"}
    states = {row["conversation"]: row["actualisation"] for row in rows}
    assert states == {"kiosque-fini": "terminée", "kiosque-abandon": "abandonnée"}
    assert all(row["canal"] == "Borne" for row in rows)


def test_csv_neutralises_formulas(
    logged_in: TestClient, engine: sa.engine.Engine, fixture_store: Fixture
) -> None:
    write(engine, "=HYPERLINK(1)", Talk(fixture_store.now - 30).user("a", "greet").events)
    rows = read_csv(logged_in.get("/export.csv", params={"canal": "rest"}).text)
    assert "'=HYPERLINK(1)" in {row["conversation"] for row in rows}
    assert not any(row["conversation"].startswith("=") for row in rows)


def test_json_transcript_is_escaped_and_complete(
    logged_in: TestClient, engine: sa.engine.Engine
) -> None:
    response = logged_in.get("/conversation/transcript.json", params={"id": "rest-xss"})
    assert response.status_code == 200
    assert "<" not in response.text and ">" not in response.text
    document = json.loads(response.text)
    user = [line for line in document["messages"] if line["kind"] == "user"]
    assert user[0]["text"] == f"{XSS} mon identifiant est [masqué]"
    assert (user[0]["intent"], user[0]["confidence"]) == ("forgot_identifier", 0.55)
    with engine.connect() as conn:
        logged = conn.execute(
            sa.select(audit.c.action).where(audit.c.sender_id == "rest-xss")
        ).scalars()
        assert "export JSON" in list(logged)


def test_story_export_keeps_the_conversation(logged_in: TestClient) -> None:
    response = logged_in.get("/conversation/story.yml", params={"id": "rest-xss"})
    assert response.status_code == 200
    story = yaml.safe_load(response.text)["stories"][0]
    assert story["steps"] == [
        {
            "user": XSS + " mon identifiant est (masqué)",
            "intent": "forgot_identifier",
        },
        {"action": "utter_forgot_identifier"},
    ]
    form = yaml.safe_load(
        logged_in.get("/conversation/story.yml", params={"id": "kiosque-fini"}).text
    )["stories"][0]["steps"]
    assert {"active_loop": "actualisation_form"} in form
    assert {"slot_was_set": [{"declaration_confirmed": True}]} in form
    assert form[-1] == {"active_loop": None}


# The Rasa CLI is slow to start: run it once, on the SQLite store.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_exported_stories_pass_rasa_data_validate(logged_in: TestClient, tmp_path: Path) -> None:
    """The real CLI, with the project's domain (conversations that use only its names)."""
    for sender in ("web-aide-mdp", "web-perdu", "rest-xss"):
        response = logged_in.get("/conversation/story.yml", params={"id": sender})
        (tmp_path / f"{sender}.yml").write_text(response.text, encoding="utf-8")
    result = subprocess.run(
        [str(RASA), "data", "validate", "--data", str(tmp_path)]
        + ["--domain", str(ROOT / "domain.yml"), "--config", str(ROOT / "config.yml")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=VALIDATE_TIMEOUT_S,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    # Unknown intents and responses are only warnings for Rasa: look for them too (the
    # domain's own intents without NLU examples here are expected warnings).
    problems = [marker for marker in STORY_PROBLEMS if marker in output]
    assert str(tmp_path) not in output and not problems, output[-3000:]
