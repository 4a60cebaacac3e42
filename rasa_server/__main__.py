"""Starts the Rasa server: `python -m rasa_server [--model PATH]` (what `make run` starts).

The same server as `rasa run --enable-api --auth-token ... --cors ...`, through Rasa's own
`serve_application`, with three differences:
- the API token is read from the environment (`RASA_TOKEN`, see `passerelle/config.py`),
  never from the command line, where any local user would see it in `ps`; without a token
  the HTTP API stays closed and only the channels answer;
- the browser origins Rasa grants are the widget's (`WidgetSettings.allowed_origins`),
  never "*";
- no telemetry (`RASA_TELEMETRY_ENABLED=false`) and no error reporting to Sentry: `rasa`'s
  command line turns Sentry on in `rasa.__main__`, which this launcher does not run.
Request bodies are capped at `MAX_REQUEST_BYTES`, refused with a French 413.
Files it creates are private (umask 077; the SQLite store 0600 from its creation).
When the action server cannot be reached, the person gets a French apology
(`rasa_server/faults.py`). Repeated costs of every turn are removed
(`rasa_server/turn_cost.py`), and what the model loads for nothing is not loaded
(`rasa_server/memory.py`).
"""

from __future__ import annotations

import argparse
import ctypes
import logging
import os
from pathlib import Path
from typing import Any, Dict, List, Optional

from passerelle.config import MODEL_PATH, ROOT, settings
from passerelle.files import prepare_sqlite, private_umask
from rasa_server import faults, memory, turn_cost

logger = logging.getLogger(__name__)

TELEMETRY_VARIABLE = "RASA_TELEMETRY_ENABLED"
# Every channel body is far smaller (REST: 256 KB); the HTTP API's largest (training data
# posted to /model/train) is about 150 KB for this bot.
MAX_REQUEST_BYTES = 1024 * 1024
TOO_BIG = "La requête est trop grosse (1 Mo au plus)."


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m rasa_server", description=__doc__)
    parser.add_argument("--model", type=Path, default=MODEL_PATH, help="modèle entraîné")
    parser.add_argument(
        "--port", type=int, default=None, help="port (par défaut RASA_PORT ; un par processus)"
    )
    return parser.parse_args(argv)


def without_outside_reporting() -> None:
    """Turns Rasa's telemetry off for this process (and any child), before Rasa is imported."""
    os.environ[TELEMETRY_VARIABLE] = "false"


# glibc's `mallopt` parameter for MALLOC_ARENA_MAX.
M_ARENA_MAX = -8


def process_settings(wanted: Dict[str, str]) -> None:
    """This process's threads and malloc arenas (`RasaSettings.process_environment`).

    The supervisor sets them in the environment it starts Rasa with; started otherwise
    (a container), the threads are set here before TensorFlow reads them, and the malloc
    arenas through glibc's `mallopt`. Values already in the environment win.
    """
    for name, value in wanted.items():
        os.environ.setdefault(name, value)
    arenas = os.environ.get("MALLOC_ARENA_MAX", "")
    if arenas.isdigit():
        try:
            ctypes.CDLL(None).mallopt(M_ARENA_MAX, int(arenas))
        except (OSError, AttributeError):  # not glibc: its own allocator's defaults
            logger.debug("mallopt unavailable: malloc arenas left as they are")


async def harden(app: Any, loop: Any) -> None:
    """Before the server starts: a French answer for bodies over `MAX_REQUEST_BYTES`."""
    from sanic import response
    from sanic.exceptions import PayloadTooLarge

    app.config.REQUEST_MAX_SIZE = MAX_REQUEST_BYTES

    async def too_big(request: Any, exception: Exception) -> Any:
        return response.json({"erreur": TOO_BIG}, status=413)

    app.error_handler.add(PayloadTooLarge, too_big)


def main(argv: Optional[List[str]] = None) -> None:
    args = parse_args(argv)
    without_outside_reporting()
    private_umask()  # the store's journal files and anything else Rasa writes: 0600
    config = settings()
    # The conversation store's SQLite file exists, 0600, before Rasa's tracker store opens it.
    prepare_sqlite(config.store.db_url)

    import rasa.core.run
    import rasa.utils.io
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog
    from rasa.utils.tensorflow import environment as tf_env

    configure_logging_and_warnings(None, None, warn_only_once=True, filter_repeated_logs=True)
    rasa.utils.io.configure_colored_logging(None)
    configure_structlog(None)
    process_settings(config.rasa.process_environment)
    tf_env.setup_tf_environment()
    faults.install()
    turn_cost.apply()
    memory.apply()

    # endpoints.yml's lock store variables, when this launcher is run without the
    # supervisor (which sets them from the same settings).
    for name, value in config.store.lock_store.items():
        os.environ.setdefault(name, value)

    token = config.rasa.token
    if not token:
        logger.warning("RASA_TOKEN is empty: Rasa's HTTP API stays closed")
    rasa.core.run.serve_application(
        model_path=str(args.model),
        credentials=str(ROOT / "credentials.yml"),
        endpoints=AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml")),
        interface=config.rasa.host,
        port=args.port or config.rasa.port,
        cors=list(config.widget.allowed_origins),
        enable_api=bool(token),
        auth_token=token or None,
        server_listeners=[(harden, "before_server_start")],
    )


if __name__ == "__main__":
    main()
