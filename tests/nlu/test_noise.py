"""Noise is never an answer: the trained model turns it into nlu_fallback (issue 14).

Keyboard mashes, repeated letters, random syllables, foreign scripts, punctuation, emoji
and the same word over and over become `nlu_fallback` whatever DIET says
(`rasa_server.nlu.UnreadableMessageGuard`), so the form never takes them for "oui" and
two in a row bring the 3949. SMS spellings and speech-recogniser output stay readable.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import List

import pytest

from passerelle.config import MODEL_PATH
from passerelle.names import FALLBACK_INTENT
from tests.support.nlu_eval import parse_intent

NOISE = [
    "aaaaaa",
    "qsdfgh",
    "...",
    "ok ok ok ok",
    "😀",
    "blorf zatu kripo manglu",
    "xq zzvrt plouk frimble",
    "azdazd",
    "fjfjfjfj",
    "wxcvbn",
    "ghjkl mlkj",
    "zzzzzzz",
    "?!?",
    "😀😀😀",
    "oui oui oui oui oui",
    "euh",
    "привет как дела",
    "你好",
]
# Syllables as a random generator makes them: a seed keeps the test the same every run.
CONSONANTS = "bdfgklmnprstvz"
VOWELS = "aeiou"
SEED = 14


def random_syllables(count: int) -> List[str]:
    rng = random.Random(SEED)
    messages = []
    for _ in range(count):
        words = []
        for _ in range(rng.randint(2, 4)):
            syllables = rng.randint(2, 3)
            word = "".join(rng.choice(CONSONANTS) + rng.choice(VOWELS) for _ in range(syllables))
            words.append(word + rng.choice(["", "", "k", "rf", "x", "z"]))
        messages.append(" ".join(words))
    return messages


# The people this serves write phonetically; the kiosk's recogniser writes lowercase
# without punctuation. None of these is noise.
READABLE = [
    ("g pa travaillé", "deny"),
    ("ouai g bossé un peu", "affirm"),
    ("jsp koi fer", "help"),
    ("bjr", "greet"),
    ("g oublié mon mdp", "forgot_password"),
    ("ché pa koi fer", "help"),
    ("oui", "affirm"),
    ("non", "deny"),
    ("35", "inform"),
    ("euh ben oui j'ai travaillé", "affirm"),
    ("je voudrais m'actualiser", "start_actualisation"),
    ("merciiii", "thank"),
    # Punctuation says nothing of the request ("?" once made this france_connect).
    ("Comment je me connecte ?", "how_to_login"),
    ("hayır", "deny"),  # Turkish, in the lexicon
]


@pytest.fixture(scope="module")
def model() -> Path:
    if not MODEL_PATH.exists():
        pytest.fail("Modèle absent : lancez « make model ».")
    return Path(MODEL_PATH)


@pytest.mark.parametrize("text", [*NOISE, *random_syllables(20)])
def test_noise_is_not_understood(model: Path, text: str) -> None:
    assert parse_intent(model, text) == FALLBACK_INTENT


@pytest.mark.parametrize(("text", "intent"), READABLE)
def test_sms_and_spoken_french_is_read(model: Path, text: str, intent: str) -> None:
    assert parse_intent(model, text) == intent
