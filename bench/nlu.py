"""NLU benchmark: intent accuracy, macro-F1 and parse latency on the held-out test set.

Usage: .venv/bin/python bench/nlu.py [--model MODEL.tar.gz] [--test TEST_SET.yml]
Target on the 2-core machine: parse p50 <= 20 ms.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from passerelle.config import MODEL_PATH, ROOT
from tests.support.nlu_eval import evaluate


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=MODEL_PATH)
    parser.add_argument("--test", type=Path, default=ROOT / "tests" / "nlu" / "test_set.yml")
    args = parser.parse_args()
    result = evaluate(args.model, args.test)
    # The first parse warms the graph up; latency figures leave it out.
    latencies_ms = [s * 1000 for s in result.latencies_s[1:]]
    print(f"examples           : {len(result.pairs)}")
    print(f"intent accuracy    : {result.accuracy:.3f}")
    print(f"intent macro-F1    : {result.macro_f1:.3f}")
    print(f"parse latency p50  : {statistics.median(latencies_ms):.1f} ms")
    print(f"parse latency p95  : {percentile(latencies_ms, 0.95):.1f} ms")
    weakest = sorted(result.per_intent_f1().items(), key=lambda kv: kv[1])[:5]
    print("weakest intents    : " + ", ".join(f"{k} {v:.2f}" for k, v in weakest))
    for text, expected, predicted in result.errors():
        print(f"  error: {text!r}: {expected} -> {predicted}")


if __name__ == "__main__":
    main()
