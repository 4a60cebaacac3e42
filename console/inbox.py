"""The inbox of misunderstood messages, as in Rasa X: label them, export them as NLU data.

Every `nlu_fallback` message and every refused answer in a loop is listed
(`console_misunderstood`, rebuilt with the index) with the intent the model guessed.
A counsellor gives the right intent, or marks the message as noise. Labelled messages
export as a Rasa NLU YAML file ready to add to `data/nlu/`, masked again on the way out.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Optional

import sqlalchemy as sa
import yaml

from console import data
from console.tables import conversations, labels, misunderstood
from console.transcript import TZ
from passerelle.config import ROOT
from passerelle.domain import load_domain
from passerelle.names import FALLBACK_INTENT
from passerelle.privacy import mask_text

NOISE_LABEL = "__bruit__"
PAGE_SIZE = 25  # each row carries a list of every intent: kept short
NLU_DIR = ROOT / "data" / "nlu"
# Which messages the inbox shows: address value -> label condition.
VIEWS = ("a_etiqueter", "etiquetes", "bruit")
DEFAULT_VIEW = "a_etiqueter"
# Square brackets would be read as entity markup in Rasa's NLU format.
BRACKETS = {"[": "(", "]": ")"}
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def intents() -> list[str]:
    """The intents a message may be labelled with: every intent of domain.yml."""
    return [name for name in load_domain()["intents"] if name != FALLBACK_INTENT]


@dataclass
class InboxPage:
    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int
    view: str


def page(conn: sa.engine.Connection, view: str, number: int) -> InboxPage:
    """One page of the inbox, newest first."""
    m, lab = misunderstood.c, labels.c
    labelled = sa.select(lab.event_id).where(lab.event_id == m.event_id)
    if view == "etiquetes":
        condition = labelled.where(lab.label != NOISE_LABEL).exists()
    elif view == "bruit":
        condition = labelled.where(lab.label == NOISE_LABEL).exists()
    else:
        condition = ~labelled.exists()
    total = conn.execute(
        sa.select(sa.func.count()).select_from(misunderstood).where(condition)
    ).scalar()
    pages = max(1, -(-total // PAGE_SIZE))
    number = min(max(1, number), pages)
    # The page first (walking the index on `ts`), then its labels and codes.
    shown = (
        sa.select(misunderstood)
        .where(condition)
        .order_by(m.ts.desc(), m.event_id.desc())
        .limit(PAGE_SIZE)
        .offset((number - 1) * PAGE_SIZE)
        .subquery()
    )
    query = (
        sa.select(shown, lab.label, lab.counsellor, conversations.c.code)
        .select_from(
            shown.outerjoin(labels, lab.event_id == shown.c.event_id).outerjoin(
                conversations, conversations.c.sender_id == shown.c.sender_id
            )
        )
        .order_by(shown.c.ts.desc(), shown.c.event_id.desc())
    )
    rows = [dict(row._mapping) for row in conn.execute(query)]
    return InboxPage(rows, total, number, pages, view)


def label(
    engine: sa.engine.Engine,
    event_id: int,
    value: str,
    counsellor: str,
    ip: Optional[str] = None,
) -> bool:
    """Gives a misunderstood message its intent (or NOISE_LABEL, or "" to remove the
    label). False when the message is not in the inbox or the intent does not exist."""
    if value and value != NOISE_LABEL and value not in intents():
        return False
    with engine.begin() as conn:
        row = conn.execute(
            sa.select(misunderstood.c.sender_id).where(misunderstood.c.event_id == event_id)
        ).first()
        if row is None:
            return False
        conn.execute(labels.delete().where(labels.c.event_id == event_id))
        if value:
            conn.execute(
                labels.insert().values(
                    event_id=event_id,
                    sender_id=row.sender_id,
                    label=value,
                    counsellor=counsellor,
                    at=time.time(),
                )
            )
    action = {"": "étiquette retirée", NOISE_LABEL: "message marqué bruit"}.get(
        value, f"étiquette : {value}"
    )
    data.record(engine, counsellor, action[:40], row.sender_id, ip)
    return True


@lru_cache(maxsize=1)
def _known_examples(nlu_dir: Path = NLU_DIR) -> frozenset[str]:
    """The examples already in the project's NLU data (folded spaces, lower case)."""
    found: set[str] = set()
    for path in sorted(nlu_dir.glob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in document.get("nlu") or []:
            for line in str(block.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    found.add(" ".join(line[2:].split()).lower())
    return frozenset(found)


def example_text(text: str) -> str:
    """A message as an NLU example: masked, on one line, without entity markup."""
    text = CONTROL.sub(" ", mask_text(text))
    for bracket, replacement in BRACKETS.items():
        text = text.replace(bracket, replacement)
    return " ".join(text.split())


def nlu_yaml(labelled: Iterable[tuple[str, str]], counsellor: str) -> str:
    """Rasa 3 NLU YAML for (intent, text) pairs, grouped by intent, without duplicates
    nor examples the project already has."""
    known = _known_examples()
    by_intent: dict[str, list[str]] = {}
    seen: set[str] = set()
    for intent, text in labelled:
        example = example_text(text)
        key = example.lower()
        if not example or example.startswith("/") or key in known or key in seen:
            continue
        seen.add(key)
        by_intent.setdefault(intent, []).append(example)
    made = datetime.now(TZ).strftime("%Y-%m-%d")
    lines = [
        'version: "3.1"',
        "",
        f"# Messages non compris, étiquetés dans la console ; exportés par {counsellor} le {made}.",
        "# Relisez-les, puis ajoutez-les au fichier de leur sujet dans data/nlu/.",
        "nlu:",
    ]
    for intent in sorted(by_intent):
        lines.append(f"- intent: {intent}")
        lines.append("  examples: |")
        lines.extend(f"    - {example}" for example in by_intent[intent])
    if not by_intent:
        lines[-1] = "nlu: []"
    return "\n".join(lines) + "\n"


def labelled_examples(conn: sa.engine.Connection) -> list[tuple[str, str]]:
    """(intent, text) of every message labelled with an intent, oldest first."""
    query = (
        sa.select(labels.c.label, misunderstood.c.text)
        .select_from(labels.join(misunderstood, misunderstood.c.event_id == labels.c.event_id))
        .where(labels.c.label != NOISE_LABEL)
        .order_by(misunderstood.c.ts, misunderstood.c.event_id)
    )
    return [(row.label, row.text) for row in conn.execute(query)]


__all__ = [
    "DEFAULT_VIEW",
    "NOISE_LABEL",
    "VIEWS",
    "example_text",
    "intents",
    "label",
    "labelled_examples",
    "nlu_yaml",
    "page",
]
