"""nginx in front of several Rasa processes: its generated configuration, run for real.

The backends here are Python's http.server processes standing in for Rasa processes;
tests/supervisor/test_scaleout_stack.py runs the real thing.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import urllib.request

import pytest

from passerelle.config import ConfigError, load_settings
from supervisor import nginx
from supervisor.run import Service, Supervisor, services

NGINX = shutil.which("nginx")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def consecutive_free_ports(count: int) -> int:
    """The first of `count` free ports in a row."""
    while True:
        first = free_port()
        ports = range(first, first + count)
        if all(_free(port) for port in ports):
            return first


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def scaled_env(tmp_path, **extra: str) -> dict:
    return {
        "RASA_TOKEN": "t",
        "PASSERELLE_SECRET_KEY": "k",
        "RASA_PROCESSES": "2",
        "RASA_PORT": str(free_port()),
        "RASA_BACKEND_PORT": str(consecutive_free_ports(2)),
        "PASSERELLE_DB_URL": "postgresql://postgres@127.0.0.1:5432/passerelle",
        "PASSERELLE_REDIS_URL": "redis://127.0.0.1:6379/1",
        "PASSERELLE_RUN_DIR": str(tmp_path / "run"),
        **extra,
    }


def test_several_rasa_processes_refuse_sqlite_in_french(tmp_path) -> None:
    env = scaled_env(tmp_path, PASSERELLE_DB_URL=f"sqlite:///{tmp_path / 'c.db'}")
    with pytest.raises(ConfigError, match="RASA_PROCESSES=2 demande PostgreSQL.*SQLite"):
        load_settings(env)


def test_several_rasa_processes_need_redis(tmp_path) -> None:
    env = scaled_env(tmp_path, PASSERELLE_REDIS_URL="")
    with pytest.raises(ConfigError, match="RASA_PROCESSES=2 demande Redis"):
        load_settings(env)


def test_one_process_keeps_sqlite_and_the_lock_store_in_memory(tmp_path) -> None:
    settings = load_settings({"RASA_TOKEN": "t", "PASSERELLE_SECRET_KEY": "k"})
    assert settings.store.is_sqlite and settings.rasa.processes == 1
    assert settings.store.lock_store["PASSERELLE_LOCK_STORE"] == "in_memory"
    assert [s.name for s in services(settings)][:2] == ["actions", "rasa"]


def test_the_redis_url_gives_rasa_its_lock_store(tmp_path) -> None:
    settings = load_settings(scaled_env(tmp_path, PASSERELLE_REDIS_URL="redis://:s%40t@h:6390/3"))
    assert settings.store.lock_store == {
        "PASSERELLE_LOCK_STORE": "rasa_server.lock_store.RedisLockStore",
        "PASSERELLE_REDIS_HOST": "h",
        "PASSERELLE_REDIS_PORT": "6390",
        "PASSERELLE_REDIS_DB": "3",
        "PASSERELLE_REDIS_PASSWORD": "s@t",
    }
    with pytest.raises(ConfigError, match="redis://"):
        load_settings(scaled_env(tmp_path, PASSERELLE_REDIS_URL="http://h:6379"))


def test_two_rasa_processes_and_nginx_in_front(tmp_path) -> None:
    settings = load_settings(scaled_env(tmp_path, ACTION_WORKERS="3"))
    found = {service.name: service for service in services(settings)}
    assert {"actions", "rasa-1", "rasa-2", "nginx"} <= set(found)
    first = settings.rasa.backend_port
    assert [found["rasa-1"].port, found["rasa-2"].port] == [first, first + 1]
    assert found["rasa-2"].argv[-2:] == ["--port", str(first + 1)]
    assert found["rasa-2"].env["RASA_TOKEN"] == "t"  # secrets by kind
    assert found["nginx"].port == settings.rasa.port
    config = nginx.render(settings)
    assert config.count(f"server 127.0.0.1:{first + 1} ") == 2  # REST and socket.io
    assert "ip_hash;" in config and "least_conn;" in config
    assert f"listen 127.0.0.1:{settings.rasa.port};" in config


def test_nginx_config_is_valid_and_shares_and_survives_a_dead_backend(tmp_path) -> None:
    if NGINX is None:
        pytest.fail("nginx absent : lancez « make system-deps » (paquet Debian nginx).")
    settings = load_settings(scaled_env(tmp_path))
    path = nginx.write_config(settings)
    check = subprocess.run([*nginx.argv(settings), "-t"], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    assert path.parent == tmp_path / "run" / "nginx"
    backends = []
    for index, port in enumerate(settings.rasa.backend_ports):
        folder = tmp_path / f"b{index}"
        folder.mkdir()
        (folder / "who").write_text(f"backend {index}")
        backends.append(
            Service(
                f"rasa-{index + 1}",
                [
                    sys.executable,
                    "-m",
                    "http.server",
                    str(port),
                    "--bind",
                    "127.0.0.1",
                    "--directory",
                    str(folder),
                ],
                port,
                f"http://127.0.0.1:{port}/who",
            )
        )
    front = Service(
        "nginx",
        nginx.argv(settings),
        settings.rasa.port,
        f"http://127.0.0.1:{settings.rasa.port}{nginx.HEALTH_PATH}",
    )
    model = tmp_path / "m.tar.gz"
    model.write_bytes(b"x")
    supervisor = Supervisor(settings, model_path=model)
    supervisor.services = [*backends, front]
    supervisor.start()
    try:

        def who() -> str:
            url = f"http://127.0.0.1:{settings.rasa.port}/who"
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
                return response.read().decode()

        answers = {who() for _ in range(6)}
        assert answers == {"backend 0", "backend 1"}  # REST is shared among processes
        os.killpg(backends[0].process.pid, signal.SIGKILL)
        backends[0].process.wait()
        assert {who() for _ in range(6)} == {"backend 1"}  # none lost
    finally:
        supervisor.stop()
