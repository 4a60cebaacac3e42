"""Starts the whole assistant on this machine (`make run`); Ctrl-C stops it all.

Services: the Rasa server (`python -m rasa_server`: REST, socket.io, HTTP API with a
token), the action server, the web widget (`python -m web`) and the counsellor console
(`python -m console`). Each is a child process in its own process group; on Ctrl-C all
are stopped. Tests start the same supervisor (see `tests/conftest.py`).

Scale-out (`RASA_PROCESSES` above 1): several Rasa processes share PostgreSQL and a Redis
lock store, and nginx (`supervisor/nginx.py`) listens on `RASA_PORT` in front of them.
The action server runs `ACTION_WORKERS` Sanic workers (rasa_sdk's own setting).

A service that dies is restarted after a wait that doubles at each failure in a row
(`SupervisorSettings`). One that keeps dying soon after it starts is given up after a
bounded number of tries: then everything stops with a French message, never a loop.
Operator messages are French.

Secrets never go on a command line (any local user reads those in `ps`), and each child's
environment holds only the secrets that process needs (`SERVICE_SECRETS`). Every child
runs with Rasa's telemetry off.

`python -m supervisor --init` only creates the secret files (the Rasa token and the
key that signs links and cookies) when their variables are not set; `make run` and
`make test` call it first. Reading the settings never creates them.

Files: the supervisor sets the umask to 077 before anything (its children inherit it),
makes `var/` 0700, and creates the SQLite store 0600 before Rasa opens it
(`passerelle/files.py`): no secret file or conversation is ever readable by others.
"""

from __future__ import annotations

import http.client
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from passerelle.config import (
    KIOSK_TOKEN_VARIABLE,
    MODEL_PATH,
    RASA_TOKEN_VARIABLE,
    ROOT,
    SECRET_KEY_VARIABLE,
    SECRET_VARIABLES,
    ConfigError,
    Settings,
    SupervisorSettings,
    init_secrets,
    load_settings,
)
from passerelle.files import prepare_sqlite, private_umask
from supervisor import nginx

logger = logging.getLogger(__name__)

# Loading TensorFlow, spaCy and the model takes a while on 2 cores (the default of
# SUPERVISOR_STARTUP_SECONDS, `SupervisorSettings.startup_s`).
STARTUP_TIMEOUT_S = SupervisorSettings().startup_s
STOP_TIMEOUT_S = 15.0
POLL_INTERVAL_S = 0.5
# rasa_sdk reads its number of Sanic workers from this variable.
ACTION_WORKERS_VARIABLE = "ACTION_SERVER_SANIC_WORKERS"
# The secrets each service is given; a service not listed gets none.
SERVICE_SECRETS: Dict[str, Tuple[str, ...]] = {
    # the HTTP API token, the kiosk channel's key, the key that signs widget sessions
    "rasa": (RASA_TOKEN_VARIABLE, KIOSK_TOKEN_VARIABLE, SECRET_KEY_VARIABLE),
    "actions": (SECRET_KEY_VARIABLE,),  # signs the printable summary's link
    "web": (SECRET_KEY_VARIABLE,),  # reads summary links and "Écouter" tokens
    "console": (SECRET_KEY_VARIABLE,),  # the login form's CSRF token
}


@dataclass
class Service:
    """One child process and how to know it is ready."""

    name: str
    argv: List[str]
    port: int
    health_url: str
    env: Dict[str, str] = field(default_factory=dict)
    process: Optional[subprocess.Popen] = None
    # What it is ("rasa" for rasa-1, rasa-2...): its secrets are looked up by kind.
    kind: str = ""
    # Restarts: when the current process started, failures in a row that came soon after
    # a start, when the next start is due, and whether the current process answered.
    started_at: float = 0.0
    fast_failures: int = 0
    restart_at: Optional[float] = None
    ready: bool = False

    def __post_init__(self) -> None:
        self.kind = self.kind or self.name


def child_environment(settings: Settings) -> Dict[str, str]:
    """Environment for every child, without any secret: see `service_environment`."""
    env = {name: value for name, value in os.environ.items() if name not in SECRET_VARIABLES}
    env.update(
        {
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")])),
            "PASSERELLE_DB_URL": settings.store.db_url,
            "PASSERELLE_ACTION_URL": settings.actions.url,
            "RASA_TELEMETRY_ENABLED": "false",
            "RASA_PORT": str(settings.rasa.port),
            "ACTION_PORT": str(settings.actions.port),
            "WEB_PORT": str(settings.widget.port),
            "CONSOLE_PORT": str(settings.console.port),
            "SANIC_HOST": "127.0.0.1",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        }
    )
    # Rasa's lock store (endpoints.yml): in memory, or Redis for several processes.
    env.update(settings.store.lock_store)
    # rasa_sdk's own setting for its number of Sanic workers.
    env[ACTION_WORKERS_VARIABLE] = str(settings.actions.workers)
    return env


def secret_values(settings: Settings) -> Dict[str, str]:
    return {
        RASA_TOKEN_VARIABLE: settings.rasa.token,
        SECRET_KEY_VARIABLE: settings.secret_key,
        KIOSK_TOKEN_VARIABLE: settings.kiosk_token,
    }


def service_environment(settings: Settings, name: str) -> Dict[str, str]:
    """The secrets service `name` needs (`SERVICE_SECRETS`), and nothing else secret."""
    values = secret_values(settings)
    return {variable: values[variable] for variable in SERVICE_SECRETS.get(name, ())}


def services(settings: Settings, model_path: Path = MODEL_PATH) -> List[Service]:
    """The services `make run` starts, in start order."""
    actions = Service(
        name="actions",
        argv=[sys.executable, "-m", "rasa_sdk", "--actions", "actions"]
        + ["--port", str(settings.actions.port)],
        port=settings.actions.port,
        health_url=f"http://127.0.0.1:{settings.actions.port}/health",
    )
    found: List[Service] = [actions]
    ports = settings.rasa.backend_ports
    for index, port in enumerate(ports, start=1):
        # Our launcher of Rasa's `serve_application`: it reads the token from its
        # environment, so no secret is on this command line.
        found.append(
            Service(
                name="rasa" if len(ports) == 1 else f"rasa-{index}",
                kind="rasa",
                argv=[sys.executable, "-m", "rasa_server", "--model", str(model_path)]
                + ["--port", str(port)],
                port=port,
                health_url=f"http://127.0.0.1:{port}/",
            )
        )
    if len(ports) > 1:
        found.append(
            Service(
                name="nginx",
                argv=nginx.argv(settings),
                port=settings.rasa.port,
                health_url=f"http://127.0.0.1:{settings.rasa.port}{nginx.HEALTH_PATH}",
            )
        )
    for module, port, url in (
        ("web", settings.widget.port, settings.widget.bind_url),
        ("console", settings.console.port, settings.console.bind_url),
    ):
        if (ROOT / module / "__main__.py").exists():
            found.append(
                Service(
                    name=module,
                    argv=[sys.executable, "-m", module],
                    port=port,
                    health_url=f"{url}/health",
                )
            )
    for service in found:
        service.env.update(service_environment(settings, service.kind))
        if service.kind == "rasa":
            # Its threads and malloc arenas (`RasaSettings.process_environment`).
            service.env.update(settings.rasa.process_environment)
    return found


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def is_healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (local URL)
            return 200 <= response.status < 300
    # HTTPException: something that is not HTTP answered, e.g. a client socket connected to
    # itself while the service's port (an ephemeral one in tests) was not listening yet.
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException):
        return False


class StartupError(RuntimeError):
    """A service could not start; the message is French and says what to do."""


def how_it_ended(returncode: Optional[int]) -> str:
    """ "code 3" or "tué par le signal 9", for the operator."""
    if returncode is not None and returncode < 0:
        return f"tué par le signal {-returncode}"
    return f"code {returncode}"


def kill_group(process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    """Sends `sig` to the process group of `process` (its workers too), if any is left."""
    try:
        os.killpg(process.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


class Supervisor:
    """Starts services, waits until they answer, restarts those that die, stops them all."""

    def __init__(self, settings: Settings, model_path: Path = MODEL_PATH) -> None:
        self.settings = settings
        self.model_path = model_path
        self.services = services(settings, model_path)
        self.env: Dict[str, str] = {}

    def check(self) -> None:
        if not self.model_path.exists():
            raise StartupError(
                f"Modèle absent ({self.model_path}). Lancez « make model » pour l'entraîner."
            )
        if any(s.name == "nginx" for s in self.services) and not nginx.nginx_binary(self.settings):
            raise StartupError(
                f"nginx est absent ({self.settings.supervisor.nginx}) : il en faut un devant "
                f"{self.settings.rasa.processes} processus Rasa. Lancez « make system-deps » "
                "(paquet Debian nginx), ou gardez RASA_PROCESSES=1."
            )
        busy = [s for s in self.services if not port_is_free(s.port)]
        if busy:
            names = ", ".join(f"{s.name} ({s.port})" for s in busy)
            raise StartupError(
                f"Port déjà utilisé : {names}. Un autre Passerelle tourne peut-être déjà. "
                "Arrêtez-le, ou changez le port (voir .env.example)."
            )

    def start(self) -> None:
        self.check()
        if any(s.name == "nginx" for s in self.services):
            nginx.write_config(self.settings)
        self.env = child_environment(self.settings)
        for service in self.services:
            logger.info("Démarrage de %s : port %s", service.name, service.port)
            self.launch(service)
        self.wait_ready()

    def launch(self, service: Service) -> None:
        service.process = subprocess.Popen(
            service.argv, cwd=ROOT, env={**self.env, **service.env}, start_new_session=True
        )
        service.started_at = time.monotonic()
        service.ready = False

    def wait_ready(self) -> None:
        deadline = time.monotonic() + self.settings.supervisor.startup_s
        waiting = list(self.services)
        while waiting:
            for service in list(waiting):
                if service.process is not None and service.process.poll() is not None:
                    raise StartupError(
                        f"Le service {service.name} s'est arrêté au démarrage "
                        f"({how_it_ended(service.process.returncode)}). "
                        "Lisez le journal ci-dessus."
                    )
                if is_healthy(service.health_url):
                    logger.info("%s est prêt.", service.name)
                    service.ready = True
                    waiting.remove(service)
            if waiting and time.monotonic() > deadline:
                names = ", ".join(s.name for s in waiting)
                raise StartupError(f"Délai dépassé : {names} ne répond pas.")
            if waiting:
                time.sleep(POLL_INTERVAL_S)

    def first_exited(self) -> Optional[Service]:
        for service in self.services:
            if service.process is not None and service.process.poll() is not None:
                return service
        return None

    def backoff(self, failures: int) -> float:
        """Seconds before the restart after `failures` failures in a row (1, 2, 4... s)."""
        policy = self.settings.supervisor
        return min(policy.backoff_s * 2 ** (failures - 1), policy.backoff_max_s)

    def watch(self) -> None:
        """One look at every service: restarts the dead, notes the restarted that answer.

        Raises `StartupError` when a service failed fast `max_fast_failures` times in a row.
        """
        policy = self.settings.supervisor
        now = time.monotonic()
        for service in self.services:
            process = service.process
            if process is None:
                continue
            if service.restart_at is not None:
                if now >= service.restart_at:
                    service.restart_at = None
                    logger.warning("Redémarrage de %s.", service.name)
                    self.launch(service)
                continue
            if process.poll() is None:
                if not service.ready and is_healthy(service.health_url):
                    service.ready = True
                    logger.warning("%s répond de nouveau.", service.name)
                continue
            # Workers a dead service left behind would hold its port.
            kill_group(process)
            ran = now - service.started_at
            service.fast_failures = service.fast_failures + 1 if ran < policy.stable_s else 1
            if service.fast_failures >= policy.max_fast_failures:
                raise StartupError(
                    f"Le service {service.name} s'est arrêté {service.fast_failures} fois de "
                    f"suite peu après son démarrage ({how_it_ended(process.returncode)}). "
                    "Abandon : tout Passerelle est arrêté. Lisez le journal ci-dessus pour "
                    "la cause, corrigez-la, puis relancez « make run »."
                )
            delay = self.backoff(service.fast_failures)
            service.restart_at = now + delay
            logger.warning(
                "Le service %s s'est arrêté (%s) après %.0f s. Redémarrage dans %.1f s "
                "(échec %d sur %d avant abandon).",
                service.name,
                how_it_ended(process.returncode),
                ran,
                delay,
                service.fast_failures,
                policy.max_fast_failures,
            )

    def stop(self) -> None:
        started = [s for s in self.services if s.process is not None]
        for service in started:
            kill_group(service.process, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for service in started:
            try:
                service.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            # Whatever is left of the group (the leader, or workers it left) is killed.
            kill_group(service.process)
            service.process.wait()


def _announce(settings: Settings, supervisor: Supervisor) -> None:
    names = {s.name for s in supervisor.services}
    lines = [
        "Passerelle est prêt.",
        f"  Assistant (REST, socket.io) : {settings.rasa.url}"
        + (
            f" (nginx, {settings.rasa.processes} processus Rasa)"
            if settings.rasa.processes > 1
            else ""
        ),
        f"  Serveur d'actions           : http://127.0.0.1:{settings.actions.port}",
    ]
    if "web" in names:
        lines.append(f"  Discussion (widget)         : {settings.widget.public_url}")
    if "console" in names:
        lines.append(f"  Console des conseillers     : {settings.console.public_url}")
    lines.append("Ctrl-C pour tout arrêter.")
    for line in lines:
        logger.info("%s", line)


def main(argv: Optional[List[str]] = None) -> int:
    logging.basicConfig(level=logging.INFO, format="[passerelle] %(message)s")
    argv = sys.argv[1:] if argv is None else argv
    private_umask()
    if argv == ["--init"]:
        for path in init_secrets():
            logger.info("Secret créé : %s", path)
        return 0
    stop_requested = False

    def request_stop(signum: int, frame: object) -> None:
        nonlocal stop_requested
        stop_requested = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        init_secrets()
        settings = load_settings().require_secrets()
        prepare_sqlite(settings.store.db_url)
    except ConfigError as error:
        logger.error("%s", error)
        return 2
    supervisor = Supervisor(settings)
    try:
        supervisor.start()
        _announce(settings, supervisor)
        while not stop_requested:
            supervisor.watch()
            time.sleep(POLL_INTERVAL_S)
        logger.info("Arrêt demandé.")
        return 0
    except StartupError as error:
        logger.error("%s", error)
        return 1
    finally:
        supervisor.stop()
        logger.info("Tout est arrêté.")
