"""The whole assistant started as `make run` starts it (`python -m supervisor`), as a child.

One way for the tests' stacks (tests/conftest.py, the scaled stack of tests/supervisor) and
the benches to start it, wait until every service answers, and stop it: the supervisor runs
in its own process group, its output goes to a log file, and it is stopped with Ctrl-C
(SIGINT) as a person would, then killed if it does not stop in time.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, Sequence

from passerelle.config import ROOT
from supervisor.run import is_healthy


class StartError(RuntimeError):
    """The assistant stopped or did not answer in time; the message ends with its log."""


def start(env: Dict[str, str], log_path: Path) -> subprocess.Popen:
    """`python -m supervisor` with `env`, its output in `log_path`."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("w", encoding="utf-8")
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "supervisor"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    finally:
        log.close()  # the child keeps its own copy of the file


def wait_healthy(
    process: subprocess.Popen, urls: Sequence[str], timeout_s: float, log_path: Path
) -> None:
    """Returns once every URL answers; raises `StartError` if the supervisor stops first or
    `timeout_s` passes (a guard against a service that never comes, not a measure)."""
    deadline = time.monotonic() + timeout_s
    while not all(is_healthy(url) for url in urls):
        if process.poll() is not None or time.monotonic() > deadline:
            tail = log_path.read_text(encoding="utf-8", errors="replace")[-4000:]
            raise StartError(f"L'assistant n'a pas démarré. Fin du journal :\n{tail}")
        time.sleep(1)


def stop(process: subprocess.Popen, timeout_s: float = 40) -> None:
    """Ctrl-C to the supervisor's group (it stops its services), then SIGKILL if needed."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextmanager
def supervised(
    env: Dict[str, str],
    log_path: Path,
    urls: Sequence[str],
    timeout_s: float,
    stop_timeout_s: float = 40,
) -> Iterator[subprocess.Popen]:
    """The supervisor running with `env` until the block ends, every URL answering."""
    process = start(env, log_path)
    try:
        wait_healthy(process, urls, timeout_s, log_path)
        yield process
    finally:
        stop(process, stop_timeout_s)


__all__ = ["StartError", "start", "stop", "supervised", "wait_healthy"]
