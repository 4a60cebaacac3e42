"""Masking benchmark: leaks, over-masked messages and masking time on the privacy corpora.

Usage: .venv/bin/python bench/privacy.py [--rounds 5]
Each case goes typed as written and through the kiosk's path (spoken numbers as digits),
through the masker alone (`tests/support/privacy_corpus.py`); the end-to-end runs are in
`tests/privacy/test_privacy_stack.py`. The time is the pure function's, per message
(`mask_message`, the conversation's expectation included): p50 and p99 over the
messages of each one's best time over the rounds (a shared machine's interruptions left
out), and the same over every timing.
Target: 0 leaks, 0 over-masked, p99 < 2 ms.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Callable, List, Optional

# Run as `python bench/privacy.py`, this folder comes first on sys.path and
# `bench/voice.py` would hide the `voice` package: drop the folder, put the root instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from passerelle.privacy import mask_message, secret_expected  # noqa: E402
from tests.support.privacy_corpus import (  # noqa: E402
    kiosk_message,
    leaks,
    load_ordinary_cases,
    load_secret_cases,
    over_masked,
)

PATHS = ("typed", "kiosk")
P99_TARGET_MS = 2.0


def percentile(values: List[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def masked_conversation(messages: List[str], times_ms: List[List[float]]) -> List[str]:
    """What the store keeps of the messages; each masking's time appended to `times_ms`."""
    stored: List[str] = []
    previous: Optional[str] = None
    for text in messages:
        started = time.perf_counter()
        result = mask_message(text, secret_expected(previous, None, None)).text
        times_ms.append([(time.perf_counter() - started) * 1000])
        stored.append(result)
        previous = result
    return stored


def sent(messages: List[str], path: str) -> List[str]:
    convert: Callable[[str], str] = kiosk_message if path == "kiosk" else str
    return [convert(message) for message in messages]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    secret_cases, ordinary_cases = load_secret_cases(), load_ordinary_cases()
    for name, cases in (("privacy", secret_cases), ("ordinary", ordinary_cases)):
        # times[i]: the timings of message i over the rounds.
        times: List[List[float]] = []
        leaked, over = set(), set()
        for round_number in range(args.rounds):
            timings: List[List[float]] = []
            for case in cases:
                for path in PATHS:
                    if name == "privacy":
                        stored = masked_conversation(sent(case.messages, path), timings)
                        if leaks(case, stored):
                            leaked.add((case.id, path))
                    else:
                        texts = sent([case.text], path)
                        stored = masked_conversation(texts, timings)
                        if over_masked(case, stored[0], texts[0]):
                            over.add((case.id, path))
            if round_number == 0:
                times = timings
            else:
                for kept, new in zip(times, timings, strict=True):
                    kept.extend(new)
        best = [min(t) for t in times]  # a shared machine's interruptions left out
        every = [value for t in times for value in t]
        p50, p99 = percentile(best, 0.5), percentile(best, 0.99)
        print(f"{name} corpus")
        print(f"  cases               : {len(cases)} ({len(times)} messages, typed and kiosk)")
        print(f"  leaks               : {len(leaked)}")
        print(f"  over-masked messages: {len(over)}")
        print(f"  masking p50         : {p50:.3f} ms per message (best of {args.rounds} rounds)")
        target = "ok" if p99 < P99_TARGET_MS else "ABOVE TARGET"
        print(f"  masking p99         : {p99:.3f} ms per message ({target}: < {P99_TARGET_MS} ms)")
        print(
            f"  every timing        : p50 {percentile(every, 0.5):.3f} ms, "
            f"p99 {percentile(every, 0.99):.3f} ms, max {max(every):.3f} ms"
        )
        for case_id, path in sorted(leaked | over):
            print(f"    {case_id} ({path})")  # noqa: T201


if __name__ == "__main__":
    main()
