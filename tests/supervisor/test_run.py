"""The `make run` supervisor: starts services, waits, stops them all, says why in French."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

from passerelle.config import load_settings
from supervisor.run import Service, StartupError, Supervisor, child_environment, services
from tests.support.private_services import free_port
from tests.support.processes import http_service


@pytest.fixture
def settings(tmp_path):
    return load_settings(
        {
            "RASA_TOKEN": "t",
            "PASSERELLE_SECRET_KEY": "k",
            "RASA_PORT": str(free_port()),
            "ACTION_PORT": str(free_port()),
            "WEB_PORT": str(free_port()),
            "CONSOLE_PORT": str(free_port()),
            "PASSERELLE_DB_URL": f"sqlite:///{tmp_path / 'c.db'}",
        }
    )


def test_make_run_starts_rasa_actions_widget_and_console(settings) -> None:
    found = {service.name: service for service in services(settings)}
    assert set(found) == {"actions", "rasa", "web", "console"}
    assert found["rasa"].argv[1:3] == ["-m", "rasa_server"]  # our launcher, not `rasa run`
    assert found["rasa"].health_url == f"{settings.rasa.url}/"
    assert found["web"].health_url == f"{settings.widget.bind_url}/health"


def test_no_secret_on_a_command_line_and_each_only_where_needed(settings, monkeypatch) -> None:
    monkeypatch.setenv("RASA_TOKEN", "t")  # an operator's setting must not leak to all
    monkeypatch.setenv("KIOSK_TOKEN", "b")
    found = {service.name: service for service in services(settings)}
    for service in found.values():
        assert not {"t", "k", "b"} & set(service.argv), service.name
    base = child_environment(settings)
    assert not {"RASA_TOKEN", "PASSERELLE_SECRET_KEY", "KIOSK_TOKEN"} & set(base)
    assert base["RASA_TELEMETRY_ENABLED"] == "false"
    assert found["rasa"].env == {
        "RASA_TOKEN": "t",
        "PASSERELLE_SECRET_KEY": "k",
        "KIOSK_TOKEN": settings.kiosk_token,
        **settings.rasa.process_environment,
    }
    for name in ("actions", "web", "console"):
        assert found[name].env == {"PASSERELLE_SECRET_KEY": "k"}, name


def test_each_rasa_process_gets_its_threads_and_malloc_arenas(tmp_path) -> None:
    settings = load_settings(
        {
            "RASA_TOKEN": "t",
            "PASSERELLE_SECRET_KEY": "k",
            "PASSERELLE_DB_URL": "postgresql://u@127.0.0.1:5432/p",
            "PASSERELLE_REDIS_URL": "redis://127.0.0.1:6379/1",
            "RASA_PROCESSES": "2",
            "RASA_THREADS": "3",
            "RASA_MALLOC_ARENAS": "4",
        }
    )
    found = {service.name: service for service in services(settings)}
    for name in ("rasa-1", "rasa-2"):
        env = found[name].env
        assert env["MALLOC_ARENA_MAX"] == "4"
        assert env["TF_INTER_OP_PARALLELISM_THREADS"] == "3"
        assert env["TF_INTRA_OP_PARALLELISM_THREADS"] == "3"
        assert env["OMP_NUM_THREADS"] == "3"
    for name in ("actions", "nginx", "web", "console"):
        assert "MALLOC_ARENA_MAX" not in found[name].env, name
    # The defaults: one thread and two arenas per Rasa process.
    default = load_settings({"RASA_TOKEN": "t", "PASSERELLE_SECRET_KEY": "k"})
    assert default.rasa.process_environment["TF_INTRA_OP_PARALLELISM_THREADS"] == "1"
    assert default.rasa.process_environment["MALLOC_ARENA_MAX"] == "2"


def test_all_services_start_and_stop_together(settings, tmp_path) -> None:
    model = tmp_path / "model.tar.gz"
    model.write_bytes(b"x")
    supervisor = Supervisor(settings, model_path=model)
    supervisor.services = [http_service("a", free_port()), http_service("b", free_port())]
    supervisor.start()
    try:
        assert all(s.process.poll() is None for s in supervisor.services)
        assert supervisor.first_exited() is None
    finally:
        supervisor.stop()
    assert all(s.process.poll() is not None for s in supervisor.services)


def test_missing_model_says_how_to_get_one(settings) -> None:
    supervisor = Supervisor(settings, model_path=Path("/nonexistent/model.tar.gz"))
    with pytest.raises(StartupError, match="Modèle absent.*make model"):
        supervisor.start()


def test_busy_port_is_named(settings, tmp_path) -> None:
    model = tmp_path / "model.tar.gz"
    model.write_bytes(b"x")
    supervisor = Supervisor(settings, model_path=model)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        supervisor.services = [http_service("rasa", port)]
        with pytest.raises(StartupError, match=f"Port déjà utilisé : rasa \\({port}\\)"):
            supervisor.start()


def test_a_service_that_dies_at_startup_stops_everything(settings, tmp_path) -> None:
    model = tmp_path / "model.tar.gz"
    model.write_bytes(b"x")
    supervisor = Supervisor(settings, model_path=model)
    good = http_service("a", free_port())
    broken = Service(
        "cassé", [sys.executable, "-c", "raise SystemExit(3)"], free_port(), "http://127.0.0.1:1/"
    )
    supervisor.services = [good, broken]
    with pytest.raises(StartupError, match="cassé s'est arrêté au démarrage \\(code 3\\)"):
        supervisor.start()
    supervisor.stop()
    assert good.process.poll() is not None
