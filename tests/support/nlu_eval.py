"""Intent evaluation of a trained model on a labelled test set (tests and bench/nlu.py)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Tuple

from rasa.core.agent import Agent
from rasa.shared.nlu.training_data.loading import load_data


@dataclass
class Evaluation:
    """Per-example outcomes and the figures derived from them."""

    pairs: List[Tuple[str, str, str]] = field(default_factory=list)  # text, expected, predicted
    latencies_s: List[float] = field(default_factory=list)

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

    def errors(self) -> List[Tuple[str, str, str]]:
        return [pair for pair in self.pairs if pair[1] != pair[2]]


def load_examples(path: Path) -> List[Tuple[str, str]]:
    """(text, intent) pairs of a Rasa NLU YAML file."""
    data = load_data(str(path))
    return [(m.get("text"), m.get("intent")) for m in data.intent_examples]


async def _evaluate(agent: Agent, examples: List[Tuple[str, str]]) -> Evaluation:
    result = Evaluation()
    for text, expected in examples:
        start = time.perf_counter()
        parsed = await agent.parse_message(text)
        result.latencies_s.append(time.perf_counter() - start)
        predicted = (parsed.get("intent") or {}).get("name") or "None"
        result.pairs.append((text, expected, predicted))
    return result


def evaluate(model_path: Path, test_set: Path) -> Evaluation:
    """Parses every example of `test_set` with the model at `model_path`."""
    agent = Agent.load(str(model_path))
    return asyncio.run(_evaluate(agent, load_examples(test_set)))
