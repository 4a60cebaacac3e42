"""The processes of the running assistant, read from /proc (Linux), and a stand-in service
for the supervisor's tests."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Dict, List

from supervisor.run import Service

PROC = Path("/proc")


def children_of(pid: int) -> Dict[int, List[str]]:
    """Every descendant of `pid` with its command line."""
    parents: Dict[int, int] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (name) state ppid ...": the name may hold spaces, so split after ")".
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: Dict[int, List[str]] = {}
    for child in parents:
        ancestor = parents.get(child)
        while ancestor is not None and ancestor != pid:
            ancestor = parents.get(ancestor)
        if ancestor == pid:
            try:
                raw = (PROC / str(child) / "cmdline").read_bytes()
            except OSError:
                continue
            found[child] = raw.decode(errors="replace").split("\0")
    return found


def environ_of(pid: int) -> Dict[str, str]:
    raw = (PROC / str(pid) / "environ").read_bytes().decode(errors="replace")
    return dict(item.split("=", 1) for item in raw.split("\0") if "=" in item)


def service(processes: Dict[int, List[str]], module: str) -> int:
    """The process started as `python -m <module>`."""
    matches = [pid for pid, argv in processes.items() if argv[1:3] == ["-m", module]]
    assert len(matches) == 1, (module, processes)
    return matches[0]


def memory_kib(pid: int) -> Dict[str, int]:
    """VmRSS (resident now) and VmHWM (resident peak) of `pid`, in KiB."""
    found = {}
    for line in (PROC / str(pid) / "status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0])
    return found


def reset_peak_memory(pid: int) -> None:
    """Starts VmHWM afresh from the current resident size (Linux: clear_refs, value 5)."""
    (PROC / str(pid) / "clear_refs").write_text("5")


def http_service(name: str, port: int) -> Service:
    """A small real service for the supervisor: Python's HTTP server on `port`."""
    return Service(
        name=name,
        argv=[sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        port=port,
        health_url=f"http://127.0.0.1:{port}/",
    )
