"""`domain.yml` read as plain data (no Rasa): the responses and the form's slots; and the
training examples of some intents (`data/nlu/*.yml`), for checks of known words."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List

import yaml

from passerelle.config import ROOT

DOMAIN_PATH = ROOT / "domain.yml"
NLU_DIR = ROOT / "data" / "nlu"
# "[35](hours)" or "[35]{...}" in an example: the words only.
ENTITY_ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


@lru_cache(maxsize=4)
def load_domain(path: Path = DOMAIN_PATH) -> Dict[str, Any]:
    """The domain as a dict, read once per process."""
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def form_required_slots(domain: Dict[str, Any], form: str) -> List[str]:
    """The `required_slots` of `form` in a domain dict."""
    return list(((domain.get("forms") or {}).get(form) or {}).get("required_slots") or [])


@lru_cache(maxsize=8)
def intent_examples(intents: tuple[str, ...], nlu_dir: Path = NLU_DIR) -> tuple[str, ...]:
    """The training examples of `intents` in Rasa's `- intent:` blocks of `nlu_dir`."""
    found = []
    for path in sorted(nlu_dir.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            if isinstance(block, dict) and block.get("intent") in intents:
                for line in str(block.get("examples") or "").splitlines():
                    line = line.strip()
                    if line.startswith("- "):
                        found.append(ENTITY_ANNOTATION.sub(r"\1", line[2:]))
    return tuple(found)


__all__ = ["DOMAIN_PATH", "NLU_DIR", "form_required_slots", "intent_examples", "load_domain"]
