"""Three costs of every Rasa 3.6 turn that serve nobody, removed (bench/PROFILE.md measures them).

The Rasa server's launcher (`rasa_server/__main__.py`) calls `apply()` once, before the
model is loaded. The replacements keep Rasa's behaviour and only drop repeated work:

- Every action server reply is checked against Rasa's constant response schema with
  `jsonschema.validate()`, which first checks the schema itself against the JSON Schema
  meta-schema, every time: about 290 ms of CPU per form turn on 2 cores, more than the
  rest of the turn together. Here the validator is built once; a reply is checked exactly
  as before (same schema, same `ValidationError` and message). A valid reply is
  recognised first by checking each event against its own type's schema only.
- Deserialising an event (`Event.resolve_by_type`, for every event of every tracker read
  from the store and every event the action server returns) walks the whole tree of
  `Event` subclasses, and asks `inspect.isabstract` of each, to find one class by name.
  Here the first lookup of a name is remembered; unknown names go through Rasa's own code.
- Rasa's processor, form action and policies deep-copy events, trackers' states and parse
  data at every turn only to pass the copies to `structlogger.debug(...)`, which drops
  them unless the log level is DEBUG. Those modules use `copy` for nothing else; there,
  `copy.deepcopy` hands back the object itself, which structlog renders at once if it
  renders it at all (`LOG_ONLY_MODULES`).
"""

from __future__ import annotations

import functools
import importlib
import logging
import types
from typing import Any, Callable, Dict, Optional, Text, Tuple, Type

logger = logging.getLogger(__name__)

_APPLIED = False
# Rasa 3.6 modules whose only use of the `copy` module is `copy.deepcopy(...)` as an
# argument of `structlogger.debug` or `.exception` (checked by tests/rasa_server/
# test_turn_cost.py on Rasa's source).
LOG_ONLY_MODULES = (
    "rasa.core.processor",
    "rasa.core.actions.forms",
    "rasa.core.policies.memoization",
    "rasa.core.policies.rule_policy",
)
# What those modules see as `copy`: `deepcopy` gives back its argument.
LOG_COPY = types.SimpleNamespace(deepcopy=lambda value, memo=None: value)


def apply() -> None:
    """Replaces the two slow paths in this process (idempotent)."""
    global _APPLIED
    if _APPLIED:
        return
    _cache_action_response_validator()
    _cache_event_types()
    _no_copies_for_logs()
    _APPLIED = True
    logger.debug("Rasa per-turn fixes applied")


def _cache_action_response_validator() -> None:
    from jsonschema import ValidationError
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import DOCS_BASE_URL, RemoteAction

    @functools.lru_cache(maxsize=1)
    def response_validator() -> Any:
        schema = RemoteAction.action_response_format_spec()
        cls = validator_for(schema)
        cls.check_schema(schema)  # once, as `jsonschema.validate` did on every call
        return cls(schema)

    def validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
        if _valid_by_event_type(result):
            return True
        # What `jsonschema.validate` does after checking the schema: the most relevant error.
        error: Optional[ValidationError] = best_match(response_validator().iter_errors(result))
        if error is None:
            return True
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error

    RemoteAction._validate_action_result = validate_action_result


@functools.lru_cache(maxsize=1)
def _event_validators() -> Tuple[Any, Any, Dict[Text, Any]]:
    """The reply's schema without its events' `oneOf`, a validator for what every event
    shares, and one validator per event type (the `oneOf` branch whose `event` is it)."""
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    event_schema = schema["properties"]["events"]["items"]
    reply = {**schema, "properties": {**schema["properties"], "events": {"type": "array"}}}
    shared = {key: value for key, value in event_schema.items() if key != "oneOf"}
    by_type = {}
    for branch in event_schema["oneOf"]:
        by_type[branch["properties"]["event"]["const"]] = validator_for(branch)(branch)
    return validator_for(reply)(reply), validator_for(shared)(shared), by_type


def _valid_by_event_type(result: Any) -> bool:
    """True when `result` is valid for Rasa's response schema, checking each event against
    the one `oneOf` branch of its type. Every branch names its `event` with a `const` and
    `event` is required, so an event matches exactly one branch when that one holds: the
    same answer as the whole `oneOf`, without trying the 22 others (and building an error
    for each). False sends the reply through the full validation, for Rasa's error."""
    reply, shared, by_type = _event_validators()
    if not reply.is_valid(result):
        return False
    for event in result.get("events") or ():
        if not shared.is_valid(event):
            return False
        branch = by_type.get(event.get("event"))
        if branch is None or not branch.is_valid(event):
            return False
    return True


def _cache_event_types() -> None:
    from rasa.shared.core.events import Event

    rasa_resolve: Callable[..., Optional[Type[Event]]] = Event.resolve_by_type
    known: Dict[Text, Type[Event]] = {}

    def resolve_by_type(
        type_name: Text, default: Optional[Type[Event]] = None
    ) -> Optional[Type[Event]]:
        found = known.get(type_name)
        if found is None:
            found = rasa_resolve(type_name, default)
            if found is not None and found is not default:
                known[type_name] = found
        return found

    Event.resolve_by_type = staticmethod(resolve_by_type)


def _no_copies_for_logs() -> None:
    for name in LOG_ONLY_MODULES:
        importlib.import_module(name).copy = LOG_COPY


__all__ = ["LOG_ONLY_MODULES", "apply"]
