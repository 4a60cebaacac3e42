"""How Rasa is started: our launcher (no token on the command line, widget origins only) and
Rasa's command line for `make` (no error reporting to Rasa's Sentry)."""

from __future__ import annotations

import os
import subprocess
import sys

from passerelle.config import ROOT

# Runs a real `rasa telemetry` command (it only prints the telemetry state), then tells
# whether Sentry error reporting was set up in that process.
SENTRY_PROBE = """
import sys
sys.argv = ["rasa", "telemetry"]
{runner}
import sentry_sdk
print("SENTRY", sentry_sdk.Hub.current.client is not None)
"""


def probe(runner: str) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("RASA_TELEMETRY_ENABLED", None)
    result = subprocess.run(
        [sys.executable, "-c", SENTRY_PROBE.format(runner=runner)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_rasa_command_line_of_make_reports_to_no_one() -> None:
    ours = probe("from rasa_server import cli\ncli.main()")
    assert "SENTRY False" in ours
    assert "Telemetry reporting is currently disabled" in ours


def test_plain_rasa_would_report_errors_to_sentry() -> None:
    """The control: what `rasa_server.cli` and `python -m rasa_server` avoid."""
    plain = probe("import rasa.__main__\nrasa.__main__.main()")
    assert "SENTRY True" in plain


def test_the_launcher_takes_no_secret_as_argument() -> None:
    from rasa_server.__main__ import parse_args

    # --port: one per Rasa process behind nginx (RASA_PROCESSES); never a secret.
    assert vars(parse_args([])) == {"model": ROOT / "models" / "passerelle.tar.gz", "port": None}
    assert vars(parse_args(["--port", "5105"]))["port"] == 5105
    assert vars(parse_args(["--model", "/tmp/m.tar.gz"]))["model"].name == "m.tar.gz"
