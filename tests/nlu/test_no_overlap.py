"""Checks that the held-out NLU sets stay apart from the training data and cover every intent.

The two test sets (tests/nlu/test_set.yml and the independent tests/nlu/independent_set.yml)
only measure something if none of their sentences is also learnt from data/nlu/. Texts are
compared after normalisation: lowercase, accents stripped, punctuation stripped, spaces
collapsed; exact copies are even looked for with all spaces removed, so that "j'ai" and
"jai" count as the same. Near duplicates (one letter or one word changed) are caught with a
similarity ratio.

The independent set is written by someone who never saw the training data. It is also
compared as the model reads it, respelled (passerelle/spelling.py): "g oublié mon mdp" and
"j'ai oublié mon mot de passe" are one input to the classifier. (The older test set
predates the respelling: "merciiii" reads "merci", which training must keep.) A failure
names the training example to rewrite, never the independent set's own text. The
development set, a guide written before the training data was read, is only checked for
its own duplicates: its shortest utterances ("oui", "stop") are in training too.
"""

from __future__ import annotations

import difflib
import logging
import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Dict, List, Set, Tuple

import pytest
import yaml
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

from passerelle.spelling import load_lexicon, respell
from passerelle.text import fold
from tests.support.nlu_eval import BLIND_SETS, DEV_SET, INDEPENDENT_SET, load_utterances

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
TRAINING_DIR = ROOT / "data" / "nlu"
TEST_SET = ROOT / "tests" / "nlu" / "test_set.yml"
HELD_OUT_SETS = {"test_set": TEST_SET, **BLIND_SETS}
# BLIND_SETS are never shown as texts, and compared respelled too.
# The independent set's make-up (issue 14): at least this many utterances, and these
# shares of styles.
MIN_INDEPENDENT_UTTERANCES = 600
MIN_STYLE_SHARES = {"sms": 0.25, "asr": 0.15, "long": 0.10, "mixed": 0.05}
DOMAIN = ROOT / "domain.yml"

INTENTS = frozenset(
    {
        "greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "help",
        "forgot_identifier", "forgot_password", "how_to_login", "mobile_app", "france_connect",
        "registration", "start_actualisation", "actualisation_period",
        "actualisation_requirements", "actualisation_proof", "actualisation_correction",
        "send_document", "received_mail", "advisor_contact", "appointments", "certificates",
        "security_advice", "suspicious_message", "password_advice", "shared_computer",
        "disclose_credentials", "human_handoff", "cv_help", "job_search", "repeat", "stop",
        "out_of_scope", "inform",
    }
)  # fmt: skip
ENTITIES = frozenset({"hours", "amount"})
MIN_TRAINING_EXAMPLES = 45
MIN_TEST_EXAMPLES = 10
# Two normalised texts at least this similar (difflib ratio) are near duplicates.
NEAR_DUPLICATE_RATIO = 0.9
# Entity values hold the number only, never the unit: "[35](hours) heures".
NUMBER_WORDS = frozenset(
    "zero un une deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze "
    "quinze seize vingt vingts trente quarante cinquante soixante cent cents mille et".split()
)
DIGITS = re.compile(r"^\d+(?:[.,]\d+)?$")

Example = Tuple[str, str]  # (intent, text)


def normalise(text: str) -> str:
    """Lowercase, no accents, no punctuation, single spaces."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    without_accents = "".join(c for c in decomposed if not unicodedata.combining(c))
    without_punctuation = re.sub(r"[^\w\s]|_", " ", without_accents)
    return " ".join(without_punctuation.split())


def compact(text: str) -> str:
    """The normalised text without any space: "j'ai", "j ai" and "jai" are one key."""
    return normalise(text).replace(" ", "")


_LEXICON = load_lexicon()


def respelled(text: str) -> str:
    """The compact key of the text as the model reads it: "g pa" and "j'ai pas" are one."""
    return compact(respell(fold(text), _LEXICON).text)


def read_messages(path: Path) -> List[dict]:
    """Parses one Rasa NLU YAML file with Rasa's own reader."""
    training_data = RasaYAMLReader().read(str(path))
    return [message.data for message in training_data.training_examples]


def load_examples(paths: List[Path]) -> List[Example]:
    """Returns (intent, text) for every example of the given files."""
    examples: List[Example] = []
    for path in paths:
        examples.extend((data["intent"], data["text"]) for data in read_messages(path))
    logger.debug("%s examples read from %s files", len(examples), len(paths))
    return examples


def training_files() -> List[Path]:
    return sorted(TRAINING_DIR.glob("*.yml"))


@pytest.fixture(scope="module")
def training() -> List[Example]:
    return load_examples(training_files())


def load_held_out(name: str) -> List[Example]:
    path = HELD_OUT_SETS[name]
    if path == TEST_SET:
        return load_examples([TEST_SET])
    if not path.exists():
        pytest.fail(f"Jeu de test absent : {path}")
    return [(u.intent, u.text) for u in load_utterances(path)]


@pytest.fixture(scope="module")
def held_out() -> List[Example]:
    return load_examples([TEST_SET])


@pytest.fixture(scope="module", params=sorted(HELD_OUT_SETS))
def held_out_set(request: pytest.FixtureRequest) -> Tuple[str, List[Example]]:
    return request.param, load_held_out(request.param)


@pytest.fixture(scope="module")
def training_index(training: List[Example]) -> Dict[str, str]:
    return {normalise(text): intent for intent, text in training}


@pytest.fixture(scope="module")
def training_keys(training: List[Example]) -> Set[str]:
    return {compact(text) for _, text in training}


def test_normalise_folds_accents_case_and_punctuation() -> None:
    assert normalise("J'ai  oublié mon MOT-de-passe !") == "j ai oublie mon mot de passe"


def test_training_files_are_split_by_topic() -> None:
    names = {path.stem for path in training_files()}
    assert {"conversation", "connexion", "actualisation", "echanges", "securite", "emploi"} <= names


def test_normalise_and_compact_ignore_apostrophes() -> None:
    assert normalise("J'ai") == "j ai"
    assert compact("J'ai") == compact("jai") == "jai"


def _shown(name: str, held: str, trained: str) -> str:
    """What a failure shows: the training text only, for the blind set."""
    return f"training: {trained!r}" if name in BLIND_SETS else f"{held!r} ~ {trained!r}"


def test_no_test_example_is_in_training(
    held_out_set: Tuple[str, List[Example]], training: List[Example]
) -> None:
    # Compared without spaces, so "jai oublie" in one set and "j'ai oublié" in the other
    # clash; and as respelled for the model, so "g oublié mon mdp" clashes too.
    name, examples = held_out_set
    keys: Dict[str, str] = {compact(text): text for _, text in training}
    if name in BLIND_SETS:
        keys.update({respelled(text): text for _, text in training})
    copied = [
        _shown(name, text, keys.get(compact(text)) or keys[respelled(text)])
        for _, text in examples
        if compact(text) in keys or (name in BLIND_SETS and respelled(text) in keys)
    ]
    assert copied == []


def test_no_test_example_is_a_near_duplicate_of_training(
    held_out_set: Tuple[str, List[Example]], training_index: Dict[str, str]
) -> None:
    name, examples = held_out_set
    near: List[str] = []
    for _, text in examples:
        normalised = normalise(text)
        matcher = difflib.SequenceMatcher(None, "", normalised)
        for trained in training_index:
            matcher.set_seq1(trained)
            if (
                matcher.real_quick_ratio() >= NEAR_DUPLICATE_RATIO
                and matcher.quick_ratio() >= NEAR_DUPLICATE_RATIO
                and matcher.ratio() >= NEAR_DUPLICATE_RATIO
            ):
                near.append(_shown(name, text, trained))
    assert near == []


def test_independent_set_has_the_agreed_make_up() -> None:
    utterances = load_utterances(INDEPENDENT_SET) if INDEPENDENT_SET.exists() else []
    assert len(utterances) >= MIN_INDEPENDENT_UTTERANCES
    assert {u.intent for u in utterances} >= INTENTS
    styles = Counter(u.style for u in utterances)
    shares = {style: styles[style] / len(utterances) for style in MIN_STYLE_SHARES}
    assert {s: round(v, 3) for s, v in shares.items() if v < MIN_STYLE_SHARES[s]} == {}


@pytest.mark.parametrize("which", ["training", "held_out"])
def test_every_example_has_words(which: str, request: pytest.FixtureRequest) -> None:
    # Emoji- or punctuation-only messages never reach the classifier (UnreadableMessageGuard).
    examples: List[Example] = request.getfixturevalue(which)
    assert [text for _, text in examples if not normalise(text)] == []


@pytest.fixture(scope="module")
def dev_set() -> List[Example]:
    return [(u.intent, u.text) for u in load_utterances(DEV_SET)]


@pytest.mark.parametrize("which", ["training", "held_out", "dev_set"])
def test_no_duplicate_inside_a_set(which: str, request: pytest.FixtureRequest) -> None:
    examples: List[Example] = request.getfixturevalue(which)
    counts = Counter(compact(text) for _, text in examples)
    assert [text for text, count in counts.items() if count > 1] == []


def test_training_covers_every_intent(training: List[Example]) -> None:
    counts = Counter(intent for intent, _ in training)
    assert set(counts) == INTENTS
    too_few = {i: n for i, n in counts.items() if n < MIN_TRAINING_EXAMPLES}
    assert too_few == {}


def test_test_set_covers_every_intent(held_out: List[Example]) -> None:
    counts = Counter(intent for intent, _ in held_out)
    assert set(counts) == INTENTS
    too_few = {i: n for i, n in counts.items() if n < MIN_TEST_EXAMPLES}
    assert too_few == {}


def test_every_intent_is_declared_in_the_domain() -> None:
    domain = yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))
    declared = {i if isinstance(i, str) else next(iter(i)) for i in domain["intents"]}
    assert INTENTS <= declared


@pytest.mark.parametrize("path", [*training_files(), TEST_SET], ids=lambda p: p.name)
def test_entities_hold_only_the_number(path: Path) -> None:
    bad = []
    for data in read_messages(path):
        for entity in data.get("entities", []):
            value = data["text"][entity["start"] : entity["end"]]
            if entity["entity"] not in ENTITIES or data["intent"] != "inform":
                bad.append((data["text"], entity["entity"]))
            elif not is_number(value):
                bad.append((data["text"], value))
    assert bad == []


def is_number(value: str) -> bool:
    """True for digits ("1 750,50") or French number words ("mille deux cents") only."""
    words = value.lower().replace("-", " ").split()
    if all(DIGITS.match(word) for word in words):
        return bool(words)
    return bool(words) and all(word in NUMBER_WORDS for word in words)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("35", True), ("1 750,50", True), ("trente-cinq", True), ("35 heures", False), ("", False)],
)
def test_is_number(value: str, expected: bool) -> None:
    assert is_number(value) is expected


def test_inform_examples_carry_both_entities() -> None:
    messages = [m for path in training_files() for m in read_messages(path)]
    found = {
        e["entity"] for m in messages if m["intent"] == "inform" for e in m.get("entities", [])
    }
    assert found == ENTITIES
