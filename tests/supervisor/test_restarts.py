"""The supervisor restarts a service that dies, with backoff, and gives up on one that cannot live.

Real child processes (Python's http.server, a script that serves then dies); no Rasa.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from pathlib import Path

import pytest

from passerelle.config import load_settings
from supervisor.run import Service, StartupError, Supervisor, is_healthy
from tests.support.private_services import free_port
from tests.support.processes import http_service

# Only a guard against a supervisor that would never act: no test asserts a duration.
SAFETY_LIMIT_S = 60
# Serves HTTP for a moment, then dies with code 3.
SHORT_LIVED = (
    "import http.server, sys, threading, time\n"
    "server = http.server.HTTPServer(('127.0.0.1', int(sys.argv[1])), "
    "http.server.SimpleHTTPRequestHandler)\n"
    "threading.Thread(target=server.serve_forever, daemon=True).start()\n"
    "time.sleep(0.5)\n"
    "raise SystemExit(3)\n"
)


def supervisor_with(tmp_path: Path, *services: Service, **env: str) -> Supervisor:
    model = tmp_path / "model.tar.gz"
    model.write_bytes(b"x")
    settings = load_settings(
        {
            "RASA_TOKEN": "t",
            "PASSERELLE_SECRET_KEY": "k",
            "PASSERELLE_DB_URL": f"sqlite:///{tmp_path / 'c.db'}",
            "SUPERVISOR_BACKOFF_SECONDS": "0.2",
            "SUPERVISOR_BACKOFF_MAX_SECONDS": "0.8",
            **env,
        }
    )
    supervisor = Supervisor(settings, model_path=model)
    supervisor.services = list(services)
    return supervisor


def watch_until(supervisor: Supervisor, done) -> None:
    deadline = time.monotonic() + SAFETY_LIMIT_S
    while not done():
        assert time.monotonic() < deadline, "the supervisor did not act"
        supervisor.watch()
        time.sleep(0.05)


def test_backoff_doubles_up_to_its_ceiling(tmp_path) -> None:
    supervisor = supervisor_with(tmp_path)
    assert [supervisor.backoff(n) for n in range(1, 6)] == [0.2, 0.4, 0.8, 0.8, 0.8]


def test_a_killed_service_is_restarted_and_logged_in_french(tmp_path, caplog) -> None:
    caplog.set_level(logging.INFO, logger="supervisor.run")
    service = http_service("web", free_port())
    supervisor = supervisor_with(tmp_path, service, http_service("console", free_port()))
    supervisor.start()
    try:
        first = service.process.pid
        os.killpg(first, signal.SIGKILL)
        watch_until(supervisor, lambda: service.process.pid != first and service.ready)
        assert is_healthy(service.health_url)
        assert supervisor.services[1].process.poll() is None  # the other one kept running
        log = caplog.text
        assert "Le service web s'est arrêté (tué par le signal 9)" in log
        assert "Redémarrage dans 0.2 s (échec 1 sur 5 avant abandon)" in log
        assert "Redémarrage de web." in log
        assert "web répond de nouveau." in log
    finally:
        supervisor.stop()
    assert service.process.poll() is not None


def test_workers_left_by_a_dead_service_are_killed_before_the_restart(tmp_path) -> None:
    """A service whose leader dies but whose child holds the port (Sanic workers)."""
    port = free_port()
    leader = (
        "import subprocess, sys, time\n"
        f"subprocess.Popen([sys.executable, '-m', 'http.server', '{port}', "
        "'--bind', '127.0.0.1'])\n"
        "time.sleep(3600)\n"
    )
    service = Service("actions", [sys.executable, "-c", leader], port, f"http://127.0.0.1:{port}/")
    supervisor = supervisor_with(tmp_path, service)
    supervisor.start()
    try:
        first = service.process.pid
        os.kill(first, signal.SIGKILL)  # the leader only: its child still serves
        watch_until(supervisor, lambda: service.process.pid != first and service.ready)
        assert service.process.poll() is None  # the new one holds the port
    finally:
        supervisor.stop()


def test_a_service_that_keeps_dying_is_given_up_with_a_french_message(tmp_path, caplog) -> None:
    caplog.set_level(logging.INFO, logger="supervisor.run")
    port = free_port()
    dying = Service(
        "rasa-2", [sys.executable, "-c", SHORT_LIVED, str(port)], port, f"http://127.0.0.1:{port}/"
    )
    steady = http_service("web", free_port())
    supervisor = supervisor_with(tmp_path, steady, dying, SUPERVISOR_MAX_FAST_FAILURES="3")
    supervisor.start()
    try:
        with pytest.raises(StartupError) as raised:
            watch_until(supervisor, lambda: False)
    finally:
        supervisor.stop()
    message = str(raised.value)
    assert "Le service rasa-2 s'est arrêté 3 fois de suite peu après son démarrage" in message
    assert "(code 3)" in message and "Abandon : tout Passerelle est arrêté" in message
    assert caplog.text.count("Redémarrage de rasa-2.") == 2  # bounded: two restarts, then stop
    assert "Redémarrage dans 0.4 s (échec 2 sur 3 avant abandon)" in caplog.text
    assert steady.process.poll() is not None and dying.process.poll() is not None


def test_a_long_run_resets_the_count_of_fast_failures(tmp_path) -> None:
    service = http_service("web", free_port())
    supervisor = supervisor_with(
        tmp_path, service, SUPERVISOR_STABLE_SECONDS="0", SUPERVISOR_MAX_FAST_FAILURES="2"
    )
    supervisor.start()
    try:
        for _ in range(3):  # more deaths than the limit, each after a "stable" run
            pid = service.process.pid
            os.killpg(pid, signal.SIGKILL)
            watch_until(supervisor, lambda pid=pid: service.process.pid != pid and service.ready)
            assert service.fast_failures == 1
    finally:
        supervisor.stop()


def test_an_answer_that_is_not_http_is_not_healthy_and_not_a_crash() -> None:
    """Seen for real: a client socket connected to itself echoes its own request back."""
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]

    def echo() -> None:
        connection, _ = server.accept()
        with connection:
            connection.sendall(connection.recv(1024))

    thread = threading.Thread(target=echo, daemon=True)
    thread.start()
    try:
        assert is_healthy(f"http://127.0.0.1:{port}/") is False
    finally:
        thread.join(timeout=10)
        server.close()
