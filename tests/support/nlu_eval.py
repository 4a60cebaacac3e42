"""Intent evaluation of a trained model on a labelled test set (tests and bench/nlu.py).

Two formats of test set are read:
- Rasa NLU YAML (`nlu:` with `intent:` and `examples:`), as `tests/nlu/test_set.yml`;
- a list of utterances with their style, as `tests/nlu/independent_set.yml` and
  `tests/nlu/dev_set.yml`: `version`, then `utterances: [{text, intent, style}]`, the
  style being one of `STYLES`.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import yaml
from rasa.core.agent import Agent
from rasa.shared.nlu.training_data.loading import load_data

from passerelle.config import ROOT

NLU_TESTS = ROOT / "tests" / "nlu"
TEST_SET = NLU_TESTS / "test_set.yml"
INDEPENDENT_SET = NLU_TESTS / "independent_set.yml"
DEV_SET = NLU_TESTS / "dev_set.yml"
# A second blind set by a third writer (2026-11-26, late): never trained on, never read.
BLIND_SET_3 = NLU_TESTS / "blind_set_3.yml"
# The sets written blind that measure generalisation: never trained on, their texts never
# shown (tests and bench/nlu.py print their figures and intent pairs only).
BLIND_SETS = {"independent_set": INDEPENDENT_SET, "blind_set_3": BLIND_SET_3}
# plain: written French; sms: phonetic or SMS spelling; asr: speech-recogniser output
# (lowercase, no punctuation, "euh", a wrong word); long: the request at the end of a long
# message; mixed: a second language mixed in.
STYLES = ("plain", "sms", "asr", "long", "mixed")
UNLABELLED_STYLE = "unlabelled"  # Rasa NLU YAML sets say no style


@dataclass(frozen=True)
class Utterance:
    text: str
    intent: str
    style: str


@dataclass
class Evaluation:
    """Per-example outcomes and the figures derived from them."""

    pairs: List[Tuple[str, str, str]] = field(default_factory=list)  # text, expected, predicted
    styles: List[str] = field(default_factory=list)  # the style of each pair
    latencies_s: List[float] = field(default_factory=list)
    # CPU time of this process per parse (all its threads): steadier than wall time when
    # other work shares the machine.
    cpu_s: List[float] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return sum(e == p for _, e, p in self.pairs) / len(self.pairs)

    def per_intent_f1(self) -> Dict[str, float]:
        labels = {e for _, e, _ in self.pairs}
        tp, fp, fn = Counter(), Counter(), Counter()
        for _, expected, predicted in self.pairs:
            if expected == predicted:
                tp[expected] += 1
            else:
                fn[expected] += 1
                fp[predicted] += 1
        scores = {}
        for label in labels:
            precision = tp[label] / (tp[label] + fp[label]) if tp[label] + fp[label] else 0.0
            recall = tp[label] / (tp[label] + fn[label]) if tp[label] + fn[label] else 0.0
            total = precision + recall
            scores[label] = 2 * precision * recall / total if total else 0.0
        return scores

    @property
    def macro_f1(self) -> float:
        scores = self.per_intent_f1()
        return sum(scores.values()) / len(scores)

    def per_style_accuracy(self) -> Dict[str, Tuple[float, int]]:
        """Style -> (accuracy, number of utterances)."""
        right: Counter = Counter()
        total: Counter = Counter()
        for (_, expected, predicted), style in zip(self.pairs, self.styles, strict=True):
            total[style] += 1
            right[style] += expected == predicted
        return {style: (right[style] / total[style], total[style]) for style in total}

    def confusions(self) -> List[Tuple[Tuple[str, str], int]]:
        """(expected, predicted) intent pairs of the errors, the most frequent first."""
        return Counter((e, p) for _, e, p in self.pairs if e != p).most_common()

    def errors(self) -> List[Tuple[str, str, str]]:
        return [pair for pair in self.pairs if pair[1] != pair[2]]


def load_utterances(path: Path) -> List[Utterance]:
    """The labelled utterances of a test set, in either format."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if "utterances" in data:
        return [
            Utterance(str(u["text"]), str(u["intent"]), str(u.get("style") or UNLABELLED_STYLE))
            for u in data["utterances"]
        ]
    training_data = load_data(str(path))
    return [
        Utterance(m.get("text"), m.get("intent"), UNLABELLED_STYLE)
        for m in training_data.intent_examples
    ]


def load_examples(path: Path) -> List[Tuple[str, str]]:
    """(text, intent) pairs of a test set."""
    return [(u.text, u.intent) for u in load_utterances(path)]


@lru_cache(maxsize=2)
def load_agent(model_path: Path) -> Agent:
    """The trained model, loaded once per process (it takes seconds)."""
    return Agent.load(str(model_path))


async def _evaluate(agent: Agent, utterances: List[Utterance]) -> Evaluation:
    result = Evaluation()
    for utterance in utterances:
        start, cpu_start = time.perf_counter(), time.process_time()
        parsed = await agent.parse_message(utterance.text)
        result.latencies_s.append(time.perf_counter() - start)
        result.cpu_s.append(time.process_time() - cpu_start)
        predicted = (parsed.get("intent") or {}).get("name") or "None"
        result.pairs.append((utterance.text, utterance.intent, predicted))
        result.styles.append(utterance.style)
    return result


def parse_intent(model_path: Path, text: str) -> Optional[str]:
    """The intent the model gives to one message."""
    parsed = asyncio.run(load_agent(Path(model_path)).parse_message(text))
    return (parsed.get("intent") or {}).get("name")


def evaluate(model_path: Path, test_set: Path) -> Evaluation:
    """Parses every utterance of `test_set` with the model at `model_path`."""
    return asyncio.run(_evaluate(load_agent(Path(model_path)), load_utterances(test_set)))
