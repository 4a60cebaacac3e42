"""The memory fixes keep Rasa's predictions: the trained model, loaded with and without
them (each in its own process), parses messages the same way, and spaCy is loaded once."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from passerelle.config import MODEL_PATH, ROOT

MESSAGES = (
    "comment je me connecte",
    "j ai oublie mon identifiant",
    "oui",
    "non",
    "35 heures",
    "1200 euros brut",
    "je veux m'actualiser",
    "g pa de mdp",
    "je sais pas",
    "blorf zatu",
)
# Loads the model in a fresh process (with `rasa_server.memory` or not) and prints what
# NLU makes of each message, and how many times spaCy loaded a model.
PROBE = """
import asyncio, json, sys
from rasa.core.agent import load_agent
if sys.argv[1] == "fixed":
    from rasa_server import memory
    memory.apply()
import spacy
loads = []
spacy_load = spacy.load
def counted(name, *args, **kwargs):
    loads.append(name)
    return spacy_load(name, *args, **kwargs)
spacy.load = counted

async def main():
    agent = await load_agent(sys.argv[2])
    parsed = []
    for text in json.loads(sys.argv[3]):
        result = await agent.parse_message(text)
        parsed.append({
            "intent": result["intent"]["name"],
            "confidence": round(result["intent"]["confidence"], 4),
            "ranking": [
                (i["name"], round(i["confidence"], 4)) for i in result["intent_ranking"][:3]
            ],
            "entities": [(e["entity"], e["value"]) for e in result["entities"]],
        })
    print(json.dumps({"parsed": parsed, "spacy_loads": len(loads)}))

asyncio.run(main())
"""


def parse_in_process(mode: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, mode, str(MODEL_PATH), json.dumps(MESSAGES)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def both() -> tuple[dict, dict]:
    if not MODEL_PATH.exists():
        pytest.fail(f"Modèle absent ({MODEL_PATH}) : lancez « make model » avant les tests.")
    return parse_in_process("rasa"), parse_in_process("fixed")


def test_the_model_built_without_training_predicts_as_rasas(both) -> None:
    rasa, fixed = both
    assert [p["intent"] for p in fixed["parsed"]] == [p["intent"] for p in rasa["parsed"]]
    assert fixed["parsed"] == rasa["parsed"]


def test_spacy_is_loaded_once_per_model_name(both) -> None:
    rasa, fixed = both
    assert rasa["spacy_loads"] == 2  # Rasa's graph: the provider node and the processor
    assert fixed["spacy_loads"] == 1
