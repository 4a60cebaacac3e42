"""Rasa's Redis lock store, with each change of a conversation's lock made atomic.

Configured in `endpoints.yml` when several Rasa processes run (`RASA_PROCESSES` > 1):

    lock_store:
      type: rasa_server.lock_store.RedisLockStore
      url: <host>
      port: <port>
      db: <database>
      password: <password>
      key_prefix: passerelle

The same settings as Rasa's `type: redis`. Rasa 3.6's `RedisLockStore` reads a lock,
changes it in Python and writes it back: two processes that get a message of the same
person at the same moment both read "nobody waiting", both take ticket 0, both process
the conversation at once, and one message's events are lost (seen in
tests/supervisor/test_scaleout_stack.py; rasa#9213; Rasa's fix, `ConcurrentRedisLockStore`,
is in Rasa Pro only). Here every read-change-write of a lock is one Redis transaction
(WATCH, MULTI, EXEC, retried when another process changed the lock in between), so
tickets are unique and messages of one person are processed one after the other.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Callable, Optional, Text, Tuple, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME
from rasa.core.lock_store import RedisLockStore as RasaRedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

T = TypeVar("T")
# What a change returns to leave the stored lock as it is.
UNCHANGED = object()


class RedisLockStore(RasaRedisLockStore):
    """Rasa's Redis lock store whose tickets are issued and removed atomically."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        # Rasa builds a lock store named by its module path with `endpoint_config` only.
        super().__init__(host=endpoint_config.url, **endpoint_config.kwargs)

    def _change(
        self,
        conversation_id: Text,
        change: Callable[[Optional[TicketLock]], Tuple[Any, T]],
    ) -> T:
        """Applies `change` to the stored lock in one transaction; returns its result.

        `change` gets the lock (or None) and returns (the lock to store, None to delete it,
        or `UNCHANGED`; the result).
        """
        key = self.key_prefix + conversation_id

        def transaction(pipe: Any) -> T:
            raw = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(raw)) if raw else None
            new, result = change(lock)
            pipe.multi()
            if new is None:
                pipe.delete(key)
            elif new is not UNCHANGED:
                pipe.set(key, new.dumps())
            return result

        return self.red.transaction(transaction, key, value_from_callable=True)

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def issue(lock: Optional[TicketLock]) -> Tuple[TicketLock, int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        # Redis errors are raised as they are (Rasa wraps them in a LockError), so the
        # operator's log line names Redis (rasa_server/faults.py).
        return self._change(conversation_id, issue)

    def update_lock(self, conversation_id: Text) -> None:
        def drop_expired(lock: Optional[TicketLock]) -> Tuple[Any, None]:
            if lock is None:
                return UNCHANGED, None
            lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, drop_expired)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        def remove(lock: Optional[TicketLock]) -> Tuple[Any, None]:
            if lock is None:
                return UNCHANGED, None
            lock.remove_ticket_for(ticket_number)
            return lock, None

        self._change(conversation_id, remove)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Removes the ticket, and the lock when nobody else waits: in one transaction."""

        def remove(lock: Optional[TicketLock]) -> Tuple[Any, None]:
            if lock is None:
                return UNCHANGED, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        self._change(conversation_id, remove)
