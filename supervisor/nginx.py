"""nginx in front of several Rasa processes: its configuration, from a template.

`nginx.conf.template` beside this module is filled with the ports of `RasaSettings` and
written under the run folder (`PASSERELLE_RUN_DIR`, `var/run` by default, ignored by git).
REST and the HTTP API go to the least busy process; socket.io sticks to one process per
client address (`ip_hash`), since a socket.io session lives in one process.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import List

from passerelle.config import Settings

TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"
# nginx's own answer, so its health does not depend on a Rasa process.
HEALTH_PATH = "/nginx-health"
# A process that refused a connection is left aside this long (nginx's fail_timeout).
FAIL_TIMEOUT_S = 5


def render(settings: Settings) -> str:
    """The nginx configuration for these settings."""
    run_dir = nginx_dir(settings)
    servers = "\n".join(
        f"        server 127.0.0.1:{port} max_fails=1 fail_timeout={FAIL_TIMEOUT_S}s;"
        for port in settings.rasa.backend_ports
    )
    values = {
        "run_dir": str(run_dir),
        "servers": servers,
        "host": settings.rasa.host,
        "port": str(settings.rasa.port),
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace("{{" + name + "}}", value)
    return text


def nginx_dir(settings: Settings) -> Path:
    return settings.supervisor.run_dir / "nginx"


def write_config(settings: Settings) -> Path:
    """Writes the configuration (and nginx's temporary folders' parent); returns its path."""
    folder = nginx_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "nginx.conf"
    path.write_text(render(settings), encoding="utf-8")
    return path


def nginx_binary(settings: Settings) -> str:
    """The nginx program's path, or "" when it is not installed."""
    return shutil.which(settings.supervisor.nginx) or ""


def argv(settings: Settings) -> List[str]:
    folder = nginx_dir(settings)
    return [
        nginx_binary(settings) or settings.supervisor.nginx,
        "-p",
        str(folder),
        "-c",
        str(folder / "nginx.conf"),
        "-e",
        "stderr",
        "-q",
    ]
