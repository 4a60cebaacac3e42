"""The processes `make run` starts, read from /proc: no secret on a command line, each secret
only in the environment of the processes that need it, Rasa's telemetry off."""

from __future__ import annotations

import os

import pytest

from tests.conftest import Stack
from tests.support.processes import children_of, environ_of, service

pytestmark = pytest.mark.stack


def test_no_secret_on_any_command_line_and_each_only_where_needed(stack: Stack) -> None:
    processes = children_of(stack.pid)
    assert len(processes) >= 4
    secrets = {"RASA_TOKEN": stack.token, "KIOSK_TOKEN": stack.kiosk_token}
    for argv in processes.values():
        line = " ".join(argv)
        for name, value in secrets.items():
            assert value not in line, f"{name} on the command line of {line}"
        assert "--auth-token" not in argv
    rasa = service(processes, "rasa_server")  # our launcher, not `rasa run`
    web, console, actions = (service(processes, m) for m in ("web", "console", "rasa_sdk"))
    rasa_env = environ_of(rasa)
    assert rasa_env["RASA_TOKEN"] == stack.token  # it needs it: the HTTP API
    assert rasa_env["KIOSK_TOKEN"] == stack.kiosk_token
    for pid in (web, console, actions):
        env = environ_of(pid)
        assert "RASA_TOKEN" not in env and "KIOSK_TOKEN" not in env, processes[pid]
        blob = "\0".join(f"{k}={v}" for k, v in env.items())
        assert stack.token not in blob and stack.kiosk_token not in blob, processes[pid]
    for pid in processes:
        try:
            env = environ_of(pid)
        except OSError:
            continue
        assert env.get("RASA_TELEMETRY_ENABLED") == "false", processes[pid]
    # The HTTP API still opens with the token (operators, tests).
    assert stack.tracker("un-inconnu")["sender_id"] == "un-inconnu"
    print(
        f"\n{len(processes)} processes checked: "
        + ", ".join(
            " ".join(os.path.basename(part) for part in argv[:3]) for argv in processes.values()
        )
    )
