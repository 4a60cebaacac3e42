"""Where a form turn's time goes: Rasa in this process under cProfile, the action server apart.

Loads the trained model in-process with the project's endpoints (SQL tracker store on a
temporary SQLite file), starts the action server, then plays actualisations:
- CPU per turn, Rasa (this process) and the action server (its /proc counters), so a
  loaded machine changes the figures less than wall time would;
- the functions where Rasa spends its CPU (cProfile, process time), by area;
- CPU per turn near turn 10 and near turn 200 of one long conversation.

Usage: .venv/bin/python bench/profile_turn.py [--rounds 6] [--top 25] [--long 200]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import logging
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

from passerelle.config import MODEL_PATH, ROOT, load_settings
from rasa_server import memory, turn_cost
from supervisor.run import is_healthy

# Areas of Rasa's work, by the module a function lives in (first match wins).
AREAS: Tuple[Tuple[str, str], ...] = (
    ("tracker store (SQL)", "tracker_store"),
    ("tracker store (SQL)", "sqlalchemy"),
    ("action server call", "core/actions/action.py"),
    ("action server call", "aiohttp"),
    ("masking", "passerelle/privacy"),
    ("policies: featurisation", "featurizers"),
    ("policies: featurisation", "shared/core/domain.py"),
    ("policies", "core/policies"),
    ("NLU (spaCy, DIET)", "spacy"),
    ("NLU (spaCy, DIET)", "tensorflow"),
    ("NLU (spaCy, DIET)", "rasa/nlu"),
    ("tracker replay and events", "shared/core/trackers.py"),
    ("tracker replay and events", "shared/core/events.py"),
    ("tracker replay and events", "shared/core/slots.py"),
    ("json", "json/"),
)
CPU_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of `pid` and its finished children."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11:15]) / CPU_TICKS


class Player:
    """Plays conversations through an in-process Rasa agent."""

    def __init__(self, agent: Any, action_pid: int) -> None:
        self.agent = agent
        self.action_pid = action_pid
        self.rasa_cpu: List[float] = []
        self.action_cpu: List[float] = []
        self.wall: List[float] = []

    async def say(self, sender: str, text: str) -> List[Dict[str, Any]]:
        cpu, action_cpu, wall = (
            time.process_time(),
            cpu_seconds(self.action_pid),
            time.perf_counter(),
        )
        answer = await self.agent.handle_text(text, sender_id=sender)
        self.wall.append(time.perf_counter() - wall)
        self.rasa_cpu.append(time.process_time() - cpu)
        self.action_cpu.append(cpu_seconds(self.action_pid) - action_cpu)
        return answer or []

    async def actualisation(self, sender: str, index: int) -> None:
        """One full rehearsal, as bench/load.py's people answer."""
        hours, salary = 20 + index * 7 % 132, 1000 + index * 37
        await self.say(sender, "je veux m'actualiser")
        tracker = await self.agent.tracker_store.retrieve(sender)
        if tracker.get_slot("requested_slot") == "rehearsal_ok":
            await self.say(sender, "oui")
        for text in ("oui", f"{hours} heures", f"{salary} euros", "non", "non", "non", "non"):
            await self.say(sender, text)
        for text in ("non", "oui", "oui"):
            await self.say(sender, text)

    def reset(self) -> None:
        self.rasa_cpu, self.action_cpu, self.wall = [], [], []


def ms(values: Sequence[float]) -> str:
    return f"{statistics.median(values) * 1000:6.1f} ms"


def areas(stats: pstats.Stats) -> Dict[str, float]:
    """Own CPU time (tottime) summed by area of Rasa's work."""
    found: Dict[str, float] = {}
    for (filename, _, _), (_, _, tottime, _, _) in stats.stats.items():
        area = next((name for name, part in AREAS if part in filename), "other")
        found[area] = found.get(area, 0.0) + tottime
    return found


def print_profile(profiler: cProfile.Profile, turns: int, top: int) -> None:
    """Rasa's CPU by area, then the top functions by cumulative and own time."""
    stats = pstats.Stats(profiler)
    total = sum(areas(stats).values())
    print("\nRasa's CPU by area (own time, % of the profiled CPU):")
    for area, seconds in sorted(areas(stats).items(), key=lambda item: -item[1]):
        print(f"  {area:<28} {seconds / turns * 1000:6.1f} ms/turn  {seconds / total:5.1%}")
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(top)
        lines = [line for line in out.getvalue().splitlines() if line.strip()]
        start = next(i for i, line in enumerate(lines) if "ncalls" in line)
        print(f"\ntop {top} by {order} (process time, {turns} turns):")
        for line in lines[start : start + top + 1]:
            print("  " + line.replace(str(ROOT) + "/.venv/lib/python3.10/site-packages/", ""))


async def main_async(args: argparse.Namespace, work: Path) -> None:
    from rasa.core.agent import load_agent
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    # Rasa's logging as the server sets it (rasa_server/__main__.py): INFO, not debug.
    configure_logging_and_warnings(None, None, warn_only_once=True, filter_repeated_logs=True)
    configure_structlog(None)
    if not args.stock_rasa:
        turn_cost.apply()  # as the launcher does
        memory.apply()

    endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml"))
    agent = await load_agent(str(MODEL_PATH), endpoints=endpoints)
    if args.whole_history:  # Rasa's own reading of the session, for comparison
        store = getattr(agent.tracker_store, "_tracker_store", agent.tracker_store)
        store.recent_events = 10**9
    player = Player(agent, args.action_pid)
    await player.actualisation(f"warm-{uuid.uuid4().hex[:8]}", 0)
    player.reset()

    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for index in range(args.rounds):
        await player.actualisation(f"prof-{uuid.uuid4().hex[:8]}", index + 1)
    profiler.disable()
    turns = len(player.wall)
    print(f"form turns profiled            : {turns}")
    print(f"turn wall time, p50            : {ms(player.wall)}")
    print(f"Rasa CPU per turn, p50         : {ms(player.rasa_cpu)}")
    # The median hides a rare slow turn (the masking once cost 5 s at each recap's end).
    print(f"Rasa CPU per turn, mean        : {statistics.mean(player.rasa_cpu) * 1000:6.1f} ms")
    print(f"Rasa CPU per turn, max         : {max(player.rasa_cpu) * 1000:6.1f} ms")
    print(f"action server CPU per turn, p50: {ms(player.action_cpu)}")
    print(f"action server CPU, mean        : {statistics.mean(player.action_cpu) * 1000:6.1f} ms")

    print_profile(profiler, turns, args.top)

    if args.long:
        player.reset()
        sender = f"long-{uuid.uuid4().hex[:8]}"
        index = 0
        late_profiler = cProfile.Profile(time.process_time)
        while len(player.wall) < args.long:
            index += 1
            if args.profile_long and len(player.wall) >= args.long - 24:
                late_profiler.enable()
            await player.actualisation(sender, index)
        late_profiler.disable()
        window = 12
        early = slice(0, window)
        late = slice(len(player.wall) - window, len(player.wall))
        print(f"\none conversation of {len(player.wall)} turns (median of {window} turns):")
        for label, part in (("first turns", early), ("last turns", late)):
            print(
                f"  {label:<12} wall {ms(player.wall[part])}   Rasa CPU {ms(player.rasa_cpu[part])}"
                f"   action server CPU {ms(player.action_cpu[part])}"
            )
        ratio = statistics.median(player.rasa_cpu[late]) / statistics.median(player.rasa_cpu[early])
        print(f"  Rasa CPU, last / first: {ratio:.2f}")
        if args.profile_long:
            print("\nthe last turns of the long conversation, profiled:")
            print_profile(late_profiler, 24, args.top)


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=6, help="actualisations profiled")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--long", type=int, default=200, help="turns of the long conversation")
    parser.add_argument("--profile-long", action="store_true", help="profile its last turns")
    parser.add_argument("--whole-history", action="store_true", help="read whole sessions")
    parser.add_argument("--stock-rasa", action="store_true", help="without rasa_server.turn_cost")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as work:
        port = 5055 + int(uuid.uuid4().int % 3000)
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "RASA_TELEMETRY_ENABLED": "false",
            "PASSERELLE_SECRET_KEY": "profile-" + uuid.uuid4().hex,
        }
        actions = subprocess.Popen(
            [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            while not is_healthy(f"http://127.0.0.1:{port}/health"):
                if actions.poll() is not None:
                    raise RuntimeError("the action server did not start")
                time.sleep(0.5)
            os.environ.update(
                {
                    "PASSERELLE_ACTION_URL": f"http://127.0.0.1:{port}/webhook",
                    "PASSERELLE_DB_URL": f"sqlite:///{work}/profile.db",
                    "PASSERELLE_SECRET_KEY": env["PASSERELLE_SECRET_KEY"],
                    "RASA_TELEMETRY_ENABLED": "false",
                    # endpoints.yml's lock store: in memory, as one Rasa process has it.
                    **load_settings({}).store.lock_store,
                }
            )
            args.action_pid = actions.pid
            asyncio.run(main_async(args, Path(work)))
        finally:
            actions.terminate()
            actions.wait(timeout=20)


if __name__ == "__main__":
    main()
