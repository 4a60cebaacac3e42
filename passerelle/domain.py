"""`domain.yml` read as plain data (no Rasa): the responses and the form's slots."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List

import yaml

from passerelle.config import ROOT

DOMAIN_PATH = ROOT / "domain.yml"


@lru_cache(maxsize=4)
def load_domain(path: Path = DOMAIN_PATH) -> Dict[str, Any]:
    """The domain as a dict, read once per process."""
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def form_required_slots(domain: Dict[str, Any], form: str) -> List[str]:
    """The `required_slots` of `form` in a domain dict."""
    return list(((domain.get("forms") or {}).get(form) or {}).get("required_slots") or [])


__all__ = ["DOMAIN_PATH", "form_required_slots", "load_domain"]
