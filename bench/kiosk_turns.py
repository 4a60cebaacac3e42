"""Kiosk turns: how long the kiosk speaks before the person can answer, in its main flows.

Plays each main flow (`tests/support/kiosk_flows.py`: greeting, forgotten identifier,
forgotten password, login, security advice, the whole actualisation) with the kiosk's
default voice and rate, as `python -m kiosk --typed --wav-out DIR` does, and prints every
turn: its length in seconds, the person's answer, and what the kiosk said. Target: every
turn at most 12 s. The WAV files stay in --out to be listened to.

Starts the whole assistant on free ports with a temporary SQLite store (as `make run`
does), unless --url points at one already running (then --kiosk-token is its key).

Usage: .venv/bin/python bench/kiosk_turns.py [--out DIR] [--flow actualisation]
       [--url http://127.0.0.1:5005 --kiosk-token KEY]
It prints figures; its exit status is 1 when a turn is over 12 s.
"""

# ruff: noqa: E402 - the packages can be imported only once sys.path is fixed below.
from __future__ import annotations

import argparse
import os
import socket
import sys
import tempfile
from pathlib import Path

# Run as `python bench/kiosk_turns.py`, this folder comes first on sys.path and
# `bench/voice.py` would hide the `voice` package: drop the folder, put the root instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from passerelle.config import load_settings
from supervisor.run import Supervisor
from tests.support.kiosk_flows import FLOWS, play

TARGET_S = 12.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def report(url: str, token: str, out: Path, names: list[str]) -> int:
    longest = 0.0
    over = 0
    for flow in FLOWS:
        if names and flow.name not in names:
            continue
        played = play(flow, url, token, out / flow.name.replace(" ", "-"))
        print(f"\n== {flow.name} ({len(played.turns)} tours)")
        for turn in played.turns:
            mark = "  TROP LONG" if turn.seconds > TARGET_S else ""
            print(f"{turn.seconds:5.1f} s  <{turn.answer or ''}>  {turn.said}{mark}")
            longest = max(longest, turn.seconds)
            over += turn.seconds > TARGET_S
    print(f"\nTour le plus long : {longest:.1f} s (cible : {TARGET_S:.0f} s) ; trop longs : {over}")
    print(f"WAV : {out}")
    return 1 if over else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="assistant already running (Rasa's address)")
    parser.add_argument("--kiosk-token", default=os.environ.get("KIOSK_TOKEN", ""))
    parser.add_argument("--out", type=Path, help="folder for the WAV files")
    parser.add_argument("--flow", action="append", default=[], help="only this flow")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="passerelle-borne-"))
    if args.url:
        return report(args.url, args.kiosk_token, out, args.flow)
    with tempfile.TemporaryDirectory() as work:
        ports = {name: str(free_port()) for name in ("RASA", "ACTION", "WEB", "CONSOLE")}
        token = "bench-kiosk-" + os.urandom(8).hex()
        env = {
            **os.environ,
            **{f"{name}_PORT": port for name, port in ports.items()},
            "PASSERELLE_DB_URL": f"sqlite:///{work}/bench.db",
            "RASA_TOKEN": "bench-" + os.urandom(8).hex(),
            "KIOSK_TOKEN": token,
            "PASSERELLE_SECRET_KEY": os.urandom(16).hex(),
        }
        os.environ.update(env)
        supervisor = Supervisor(load_settings(env))
        supervisor.start()
        try:
            return report(f"http://127.0.0.1:{ports['RASA']}", token, out, args.flow)
        finally:
            supervisor.stop()


if __name__ == "__main__":
    sys.exit(main())
