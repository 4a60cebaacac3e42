"""REST benchmark: turn latency p50/p95 and throughput for 1, 10 and 50 users, server memory.

Starts the whole assistant on free ports with a temporary SQLite store (as `make run`
does), unless --url points at one already running. Every user sends the same short,
realistic conversation. Targets on 2 cores: single-user p50 <= 50 ms, RSS <= 1.5 GB.

Usage: .venv/bin/python bench/rest.py [--turns 20] [--url http://127.0.0.1:5005]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import tempfile
import time
import uuid
from typing import List, Optional

import httpx

from passerelle.config import load_settings
from supervisor.run import Supervisor

MESSAGES = [
    "bonjour",
    "j ai oublie mon identifiant",
    "et mon mot de passe aussi",
    "comment je me connecte",
    "ou sont mes courriers",
    "des conseils de securite",
    "merci",
    "au revoir",
]
USER_COUNTS = (1, 10, 50)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: List[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def user(client: httpx.AsyncClient, url: str, turns: int, latencies: List[float]) -> None:
    sender = f"bench-{uuid.uuid4().hex[:12]}"
    for i in range(turns):
        start = time.perf_counter()
        response = await client.post(
            f"{url}/webhooks/rest/webhook",
            json={"sender": sender, "message": MESSAGES[i % len(MESSAGES)]},
        )
        response.raise_for_status()
        latencies.append(time.perf_counter() - start)


async def run_level(url: str, users: int, turns: int) -> None:
    latencies: List[float] = []
    limits = httpx.Limits(max_connections=users)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        await user(client, url, 2, [])  # warm-up
        start = time.perf_counter()
        await asyncio.gather(*(user(client, url, turns, latencies) for _ in range(users)))
        wall = time.perf_counter() - start
    ms = [x * 1000 for x in latencies]
    print(
        f"{users:>3} users : p50 {statistics.median(ms):7.1f} ms"
        f"   p95 {percentile(ms, 0.95):7.1f} ms"
        f"   throughput {len(ms) / wall:6.1f} turns/s   ({len(ms)} turns)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=16, help="turns per user")
    parser.add_argument("--url", help="an assistant already running (no memory figure then)")
    args = parser.parse_args()

    supervisor: Optional[Supervisor] = None
    url = args.url
    with tempfile.TemporaryDirectory() as work:
        if url is None:
            env = dict(os.environ)
            env.update(
                {
                    "RASA_PORT": str(free_port()),
                    "ACTION_PORT": str(free_port()),
                    "WEB_PORT": str(free_port()),
                    "CONSOLE_PORT": str(free_port()),
                    "PASSERELLE_DB_URL": f"sqlite:///{work}/bench.db",
                }
            )
            settings = load_settings(env)
            supervisor = Supervisor(settings)
            start = time.perf_counter()
            supervisor.start()
            print(f"startup            : {time.perf_counter() - start:.1f} s")
            url = settings.rasa.url
            rasa = next(s for s in supervisor.services if s.name == "rasa")
            print(f"Rasa RSS at rest   : {rss_mb(rasa.process.pid):.0f} MB")
        try:
            for users in USER_COUNTS:
                asyncio.run(run_level(url, users, args.turns))
            if supervisor is not None:
                rasa = next(s for s in supervisor.services if s.name == "rasa")
                actions = next(s for s in supervisor.services if s.name == "actions")
                print(f"Rasa RSS after load: {rss_mb(rasa.process.pid):.0f} MB")
                print(f"action server RSS  : {rss_mb(actions.process.pid):.0f} MB")
        finally:
            if supervisor is not None:
                supervisor.stop()


if __name__ == "__main__":
    main()
