"""The per-turn fixes keep Rasa's behaviour: the action server's replies are checked as
before, and every event type resolves to Rasa's own class."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event, SlotSet
from rasa.shared.utils.common import all_subclasses

from rasa_server import turn_cost

VALID_REPLY = {
    "events": [{"event": "slot", "name": "worked", "value": True}],
    "responses": [{"response": "utter_ask_hours_worked"}],
}


@pytest.fixture(scope="module", autouse=True)
def applied() -> None:
    turn_cost.apply()


def action() -> RemoteAction:
    return RemoteAction("validate_actualisation_form", None)


def test_a_valid_reply_passes() -> None:
    assert action()._validate_action_result(VALID_REPLY) is True
    assert action()._validate_action_result({"events": [], "responses": []}) is True


@pytest.mark.parametrize(
    "reply",
    [
        {"events": [{"event": "slot", "value": True}]},  # a slot event without its name
        {"events": "not a list"},
        {"responses": [1]},
    ],
)
def test_an_invalid_reply_is_refused_with_rasas_message(reply: dict) -> None:
    with pytest.raises(ValidationError) as refused:
        action()._validate_action_result(reply)
    assert "Failed to validate Action server response from API" in refused.value.message


def test_the_schema_is_checked_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from jsonschema.validators import validator_for

    action()._validate_action_result(VALID_REPLY)  # the validator is built here at the latest
    checks = []
    cls = validator_for(RemoteAction.action_response_format_spec())
    monkeypatch.setattr(cls, "check_schema", classmethod(lambda c, s: checks.append(s)))
    for _ in range(5):
        action()._validate_action_result(VALID_REPLY)
    assert checks == []  # never checked again


def test_every_event_type_resolves_to_rasas_class() -> None:
    for cls in all_subclasses(Event):
        assert Event.resolve_by_type(cls.type_name) is next(
            c for c in all_subclasses(Event) if c.type_name == cls.type_name
        )
    assert Event.resolve_by_type("slot") is SlotSet
    assert Event.resolve_by_type("no_such_event", SlotSet) is SlotSet
    with pytest.raises(ValueError):
        Event.resolve_by_type("no_such_event")
    assert type(Event.from_parameters({"event": "slot", "name": "worked", "value": 1})) is SlotSet


def structlog_calls_and_copies(module_name: str) -> tuple[list, list]:
    """The `structlogger.*(...)` calls of a Rasa module, and every use of its `copy`."""
    import ast
    import importlib
    import inspect

    tree = ast.parse(inspect.getsource(importlib.import_module(module_name)))
    log_calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "structlogger"
    ]
    copies = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == "copy"]
    return log_calls, copies


@pytest.mark.parametrize("module_name", turn_cost.LOG_ONLY_MODULES)
def test_copies_are_dropped_only_where_they_only_feed_a_log(module_name: str) -> None:
    import ast

    log_calls, copies = structlog_calls_and_copies(module_name)
    in_logs = set()
    for call in log_calls:
        for node in ast.walk(call):
            if isinstance(node, ast.Name) and node.id == "copy":
                in_logs.add(id(node))
    assert copies, "the module no longer uses copy: remove it from LOG_ONLY_MODULES"
    # Every use of `copy` is inside a structured log call: dropping the copy changes
    # nothing else in the module.
    assert all(id(node) in in_logs for node in copies)


def test_a_log_copy_is_the_object_itself_and_rasa_elsewhere_still_copies() -> None:
    import copy
    import importlib

    from rasa.core.actions import action as rasa_action

    for name in turn_cost.LOG_ONLY_MODULES:
        module = importlib.import_module(name)
        events = [SlotSet("worked", True)]
        assert module.copy.deepcopy(events) is events
    # The action module's real copies (the latest user event it changes) are untouched.
    assert rasa_action.copy is copy
    original = [{"event": "user"}]
    assert copy.deepcopy(original) == original and copy.deepcopy(original) is not original


def rasa_events() -> list:
    from rasa.shared.core.events import (
        ActionExecuted,
        ActiveLoop,
        AllSlotsReset,
        BotUttered,
        FollowupAction,
        Restarted,
        SessionStarted,
        UserUttered,
    )

    user = UserUttered(
        "35 heures",
        {"name": "inform", "confidence": 0.9},
        [{"entity": "hours", "value": 35, "start": 0, "end": 2}],
    )
    return [
        event.as_dict()
        for event in (
            user,
            ActionExecuted("actualisation_form", policy="RulePolicy", confidence=1.0),
            SlotSet("hours_worked", 35.0),
            ActiveLoop("actualisation_form"),
            BotUttered("Avez-vous travaillé ?", {"buttons": []}, {"utter_action": "x"}),
            FollowupAction("action_listen"),
            SessionStarted(),
            Restarted(),
            AllSlotsReset(),
        )
    ]


@pytest.mark.parametrize(
    "reply",
    [
        {"events": rasa_events(), "responses": [{"response": "utter_ask_worked"}]},
        {"events": [], "responses": []},
        {},
        {"events": [{"event": "slot", "name": "worked"}]},  # no value
        {"events": [{"event": "no_such_event"}]},
        {"events": [{"name": "worked", "value": 1}]},  # no event type
        {"events": [{"event": "slot", "name": 3, "value": 1}]},
        {"events": [{"event": "user", "parse_data": {"entities": [{"value": 1}]}}]},
        {"events": [{"event": "bot", "timestamp": "hier"}]},
        {"events": ["slot"]},
        {"events": None},
        {"responses": [1]},
        [],
    ],
)
def test_the_check_by_event_type_agrees_with_the_whole_schema(reply: object) -> None:
    from jsonschema.validators import validator_for

    schema = RemoteAction.action_response_format_spec()
    assert turn_cost._valid_by_event_type(reply) == validator_for(schema)(schema).is_valid(reply)
