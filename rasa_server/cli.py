"""Rasa's command line without reporting to outside services: `python -m rasa_server.cli train`.

`rasa` itself (`rasa.__main__.main`) turns on error reporting to Rasa's Sentry, with a key
shipped in the package, whatever `RASA_TELEMETRY_ENABLED` says. The Makefile runs `rasa
train`, `rasa test` and `rasa data validate` through this module instead: the same command
line, telemetry off, and error reporting replaced by nothing.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ["RASA_TELEMETRY_ENABLED"] = "false"
    import rasa.__main__
    import rasa.telemetry

    rasa.telemetry.initialize_error_reporting = _no_error_reporting
    sys.argv[0] = "rasa"
    rasa.__main__.main()


def _no_error_reporting() -> None:
    """Stands in for `rasa.telemetry.initialize_error_reporting`: reports nothing."""


if __name__ == "__main__":
    main()
