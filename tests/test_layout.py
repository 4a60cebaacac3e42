"""One home for each thing: the apps never retype what the core says once.

Outside the core (`passerelle/`), no module defines a slot list, a yes/no list, a fold
function, a sender prefix, a month-name table, or spells an intent the code tests for.
The layers themselves (who imports whom) are import-linter contracts in pyproject.toml.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from passerelle import actualisation, names
from passerelle.calendar import MONTH_NAMES
from passerelle.config import ROOT
from passerelle.text import words

APP_PACKAGES = ("actions", "rasa_server", "web", "console", "kiosk", "supervisor", "voice")
SLOT_NAMES = set(actualisation.ALL_FORM_SLOTS)
MONTHS = set(MONTH_NAMES)
YES_NO = {"oui", "non", "ouais", "nan", "d'accord"}
SHARED_STRINGS = {
    names.WIDGET_SENDER_PREFIX,
    names.KIOSK_SENDER_PREFIX,
    names.FALLBACK_INTENT,
    names.CREDENTIALS_INTENT,
    names.HUMAN_INTENT,
    names.TIMEZONE,
}
FOLD_NAMES = ("fold", "simplify")


def modules() -> list[Path]:
    return sorted(path for package in APP_PACKAGES for path in (ROOT / package).rglob("*.py"))


def strings_of(node: ast.AST) -> list[str]:
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [
            e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)
        ]
    return []


def problems_in(path: Path, root: Path = ROOT) -> list[str]:
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        where = f"{path.relative_to(root)}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if node.name.lstrip("_").startswith(FOLD_NAMES):
                found.append(f"{where} defines a fold function {node.name}()")
        texts = strings_of(node)
        if len(SLOT_NAMES.intersection(texts)) >= 3:
            found.append(f"{where} lists actualisation slots")
        if len(MONTHS.intersection(texts)) >= 3:
            found.append(f"{where} lists month names")
        if len(YES_NO.intersection(words(text) for text in texts)) >= 2:
            found.append(f"{where} lists yes/no words")
        if isinstance(node, ast.Constant) and node.value in SHARED_STRINGS:
            found.append(f"{where} spells {node.value!r} (import it from passerelle.names)")
    return found


def test_the_scan_sees_the_apps() -> None:
    assert len(modules()) > 30


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_app_retypes_the_core(path: Path) -> None:
    assert problems_in(path) == []


def test_the_scan_catches_a_copy(tmp_path: Path) -> None:
    copy = tmp_path / "copy.py"
    copy.write_text(
        "def fold(t):\n    return t\n"
        "SLOTS = ('worked', 'internship', 'sick_leave')\n"
        "YES = {'oui', 'ouais'}\n"
        "PREFIX = 'web-'\n",
        encoding="utf-8",
    )
    problems = [p.split(" ", 1)[1] for p in problems_in(copy, tmp_path)]
    assert problems == [
        "defines a fold function fold()",
        "lists actualisation slots",
        "lists yes/no words",
        "spells 'web-' (import it from passerelle.names)",
    ]
