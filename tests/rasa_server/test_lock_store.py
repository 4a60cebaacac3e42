"""The Redis lock store: tickets stay unique when several processes ask at the same moment.

Real Redis (a private redis-server on a free port), real concurrency: threads with their
own store objects and connections, as separate Rasa processes would have.
"""

from __future__ import annotations

import threading
from typing import Iterator, List

import pytest
from rasa.core.lock_store import LockStore
from rasa.utils.endpoints import EndpointConfig

from passerelle.config import REDIS_LOCK_STORE
from rasa_server.lock_store import RedisLockStore
from tests.support.private_services import PrivateRedis

STORES = 4
TICKETS_EACH = 50


@pytest.fixture(scope="module")
def redis_server() -> Iterator[PrivateRedis]:
    server = PrivateRedis()
    server.start()
    try:
        yield server
    finally:
        server.kill()


def store(server: PrivateRedis) -> LockStore:
    """Built the way Rasa builds it from endpoints.yml."""
    return LockStore.create(
        EndpointConfig(
            url="127.0.0.1", type=REDIS_LOCK_STORE, port=server.port, db=1, key_prefix="test"
        )
    )


def test_rasa_builds_this_store_from_the_endpoint(redis_server) -> None:
    built = store(redis_server)
    assert isinstance(built, RedisLockStore)
    assert built.key_prefix.startswith("test:")


def test_tickets_issued_at_the_same_moment_are_unique(redis_server) -> None:
    stores = [store(redis_server) for _ in range(STORES)]
    barrier = threading.Barrier(STORES)
    issued: List[int] = []
    guard = threading.Lock()

    def take(lock_store: LockStore) -> None:
        barrier.wait()
        for _ in range(TICKETS_EACH):
            ticket = lock_store.issue_ticket("meme-personne")
            with guard:
                issued.append(ticket)

    threads = [threading.Thread(target=take, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(issued) == list(range(STORES * TICKETS_EACH))
    lock = stores[0].get_lock("meme-personne")
    assert len(lock.tickets) == STORES * TICKETS_EACH  # none overwritten


async def test_messages_of_one_person_take_turns(redis_server) -> None:
    first, second = store(redis_server), store(redis_server)
    order: List[str] = []
    async with first.lock("tour"):
        ticket = second.issue_ticket("tour")
        assert second.get_lock("tour").is_locked(ticket)  # waits for the first
        order.append("first")
    second.cleanup("tour", ticket)
    assert second.get_lock("tour") is None  # nobody waits: the lock is gone
    async with second.lock("tour"):
        order.append("second")
    assert order == ["first", "second"]
