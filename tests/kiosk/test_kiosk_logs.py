"""The kiosk's log never shows what the person said unmasked, spoken numbers included."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys

import pytest

from kiosk.logs import MaskingFilter, masked_for_log
from passerelle.config import ROOT
from passerelle.privacy import MASK

# As the recogniser writes them: numbers in words.
SPOKEN_CARD = (
    "ma carte bleue c'est quatre neuf sept zéro un zéro un deux trois quatre cinq six "
    "sept huit neuf zéro"
)
SPOKEN_NIR = (
    "mon numéro de sécurité sociale est un quatre-vingt-cinq zéro cinq sept huit zéro zéro "
    "six zéro quatre huit quatre"
)
# What must never be in a log line: the words and the digits they become.
CARD_PIECES = ("quatre neuf sept zéro", "un deux trois quatre cinq", "4 9 7", "4970", "7 8 9 0")
NIR_PIECES = ("zéro zéro six zéro", "85 05", "006 04", "quatre-vingt-cinq zéro")


@pytest.mark.parametrize(("said", "pieces"), [(SPOKEN_CARD, CARD_PIECES), (SPOKEN_NIR, NIR_PIECES)])
def test_a_secret_said_in_words_is_masked_in_its_digit_form(said: str, pieces: tuple) -> None:
    line = masked_for_log(said)
    assert MASK in line
    assert [piece for piece in pieces if piece in line] == []


@pytest.mark.parametrize(
    "said", ["trente-cinq heures", "oui", "mille deux cents euros", "m'actualiser", "au revoir"]
)
def test_a_line_with_nothing_to_mask_is_written_as_it_was(said: str) -> None:
    assert masked_for_log(said) == said


def test_the_filter_masks_every_module_s_lines_arguments_included() -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(MaskingFilter())
    for name in ("voice.grammar", "voice.whisper", "kiosk.kiosk"):
        log = logging.getLogger(f"test_kiosk_logs.{name}")
        log.propagate = False
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.info("Heard %r, taken as %r (%.2f)", SPOKEN_CARD, "Oui", 0.5)
        log.removeHandler(handler)
    written = out.getvalue()
    assert written.count(MASK) == 3
    assert [piece for piece in CARD_PIECES if piece in written] == []
    assert "taken as 'Oui' (0.50)" in written


@pytest.mark.stack
def test_the_verbose_kiosk_logs_nothing_said_unmasked(stack, tmp_path) -> None:
    """`python -m kiosk --typed --verbose` against the running assistant: its whole log."""
    env = {
        "PYTHONPATH": str(ROOT),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(ROOT),
        "KIOSK_TOKEN": stack.kiosk_token,
    }
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "--typed", "--verbose", "--wav-out", str(tmp_path)]
        + ["--rasa-url", stack.rasa_url],
        input=f"{SPOKEN_CARD}\n{SPOKEN_NIR}\nstop\n",
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    log = result.stderr + result.stdout
    said = [line for line in log.splitlines() if "Person said: " in line]
    assert len(said) >= 2, log[-2000:]
    assert all(MASK in line for line in said[:2]), said
    assert [piece for piece in CARD_PIECES + NIR_PIECES if piece in log] == []
