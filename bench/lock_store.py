"""Redis lock store: what one message's lock costs, and tickets shared by mistake.

Compares Rasa 3.6's `type: redis` with Passerelle's (`rasa_server/lock_store.py`) on a
private redis-server started on a free port:
- the time of one lock cycle (ticket, acquire, clean-up), as Rasa does for every message;
- with several store objects (as several Rasa processes) taking tickets for one person
  at the same moment, how many tickets were given twice.
Usage: PYTHONPATH=. .venv/bin/python bench/lock_store.py
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import threading
import time
from typing import Dict, List

from rasa.core.lock_store import LockStore
from rasa.utils.endpoints import EndpointConfig

from passerelle.config import REDIS_LOCK_STORE
from tests.support.private_services import PrivateRedis

logger = logging.getLogger("bench.lock_store")
CYCLES = 2000
STORES = 4
TICKETS_EACH = 100
KINDS = {"Rasa (type: redis)": "redis", "Passerelle": REDIS_LOCK_STORE}


def make_store(kind: str, port: int) -> LockStore:
    return LockStore.create(
        EndpointConfig(url="127.0.0.1", type=kind, port=port, db=1, key_prefix="bench")
    )


async def cycle_ms(store: LockStore) -> List[float]:
    found = []
    for index in range(CYCLES):
        start = time.perf_counter()
        async with store.lock(f"cycle-{index % 50}"):
            pass
        found.append((time.perf_counter() - start) * 1000)
    return found


def duplicates(kind: str, port: int, person: str) -> int:
    stores = [make_store(kind, port) for _ in range(STORES)]
    barrier = threading.Barrier(STORES)
    issued: List[int] = []
    guard = threading.Lock()

    def take(store: LockStore) -> None:
        barrier.wait()
        for _ in range(TICKETS_EACH):
            ticket = store.issue_ticket(person)
            with guard:
                issued.append(ticket)

    threads = [threading.Thread(target=take, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(issued) - len(set(issued))


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    server = PrivateRedis()
    server.start()
    try:
        results: Dict[str, str] = {}
        for label, kind in KINDS.items():
            times = asyncio.run(cycle_ms(make_store(kind, server.port)))
            times.sort()
            twice = duplicates(kind, server.port, f"dup-{kind}")
            results[label] = (
                f"lock cycle p50 {statistics.median(times):.2f} ms, "
                f"p95 {times[int(len(times) * 0.95)]:.2f} ms; "
                f"tickets given twice: {twice} of {STORES * TICKETS_EACH}"
            )
        for label, line in results.items():
            logger.info("%-20s %s", label, line)
    finally:
        server.kill()


if __name__ == "__main__":
    main()
