"""Yes/no answers in the form: how the confidence threshold sorts real answers and noise.

For each `affirm`/`deny` utterance of the test sets, and for keyboard noise, the form's
reading (`actions.actualisation.yes_no_answer`) at several thresholds: right, asked
again ("Répondez par oui ou par non"), or wrong. The chosen threshold is
`passerelle.actualisation.YES_NO_MIN_CONFIDENCE`.

Usage: PYTHONPATH=. .venv/bin/python bench/yes_no.py [--model MODEL.tar.gz] [--test SET.yml ...]
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import List, Optional, Tuple

import yaml
from rasa.core.agent import Agent

import actions.actualisation as form_actions
from passerelle import actualisation as form
from passerelle.config import MODEL_PATH, ROOT
from tests.support.nlu_eval import load_examples

THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9)
YES_NO = ("affirm", "deny")
NOISE = (
    "aaaaaa", "qsdfgh", "...", "ok ok ok ok", "😀", "blorf zatu kripo manglu",
    "xq zzvrt plouk frimble", "azerty", "jjjjjj", "mlkjh", "ezrtgf", "pouet pouet",
    "zorglub", "wxcvbn", "????", "hmmmm", "kikou lol", "brlbrl", "fjdksl", "nnnnn",
)  # fmt: skip


def answers(test_sets: List[Path]) -> List[Tuple[str, str]]:
    """(text, intent) of every affirm/deny utterance in the test sets that exist."""
    found: List[Tuple[str, str]] = []
    for path in test_sets:
        if not path.exists():
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "utterances" in data:  # the independent set
            found += [(u["text"], u["intent"]) for u in data["utterances"]]
        else:
            found += load_examples(path)
    return [(text, intent) for text, intent in found if intent in YES_NO]


def reading(text: str, intent: str, confidence: float, threshold: float) -> Optional[bool]:
    form_actions.form.YES_NO_MIN_CONFIDENCE = threshold  # type: ignore[misc]
    return form_actions.yes_no_answer(text, intent, confidence)


async def parse_all(agent: Agent, texts: List[str]) -> List[Tuple[str, float]]:
    parsed = []
    for text in texts:
        result = await agent.parse_message(text)
        intent = result.get("intent") or {}
        parsed.append((intent.get("name") or "", float(intent.get("confidence") or 0.0)))
    return parsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=MODEL_PATH)
    parser.add_argument("--test", type=Path, nargs="*", default=[], help="more test sets")
    args = parser.parse_args()
    agent = Agent.load(str(args.model))
    sets = [ROOT / "tests" / "nlu" / "test_set.yml", ROOT / "tests" / "nlu" / "independent_set.yml"]
    sets += args.test
    labelled = answers(sets)
    parsed = asyncio.run(parse_all(agent, [t for t, _ in labelled]))
    noise = asyncio.run(parse_all(agent, list(NOISE)))
    chosen = form.YES_NO_MIN_CONFIDENCE
    print(f"yes/no answers: {len(labelled)}; noise messages: {len(NOISE)}; chosen: {chosen}")
    print("threshold  right  asked-again  wrong  noise-taken")
    for threshold in THRESHOLDS:
        right = again = wrong = 0
        for (text, expected), (intent, confidence) in zip(labelled, parsed, strict=True):
            value = reading(text, intent, confidence, threshold)
            if value is None:
                again += 1
            elif value == (expected == "affirm"):
                right += 1
            else:
                wrong += 1
        taken = sum(
            reading(text, intent, confidence, threshold) is not None
            for text, (intent, confidence) in zip(NOISE, noise, strict=True)
        )
        print(f"{threshold:9.2f}  {right:5d}  {again:11d}  {wrong:5d}  {taken:11d}")
    form_actions.form.YES_NO_MIN_CONFIDENCE = chosen  # type: ignore[misc]
    for (text, expected), (intent, confidence) in zip(labelled, parsed, strict=True):
        value = reading(text, intent, confidence, chosen)
        if value is None:
            print(f"  asked again: {text!r} ({expected}; NLU {intent} {confidence:.2f})")
        elif value != (expected == "affirm"):
            print(f"  wrong: {text!r} ({expected}; NLU {intent} {confidence:.2f})")
    for text, (intent, confidence) in zip(NOISE, noise, strict=True):
        print(f"  noise: {text!r}: NLU {intent} {confidence:.2f}")


if __name__ == "__main__":
    main()
