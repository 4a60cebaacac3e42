"""The microphone through real PortAudio and ALSA, with no sound card.

ALSA's `file` plugin stands in for the sound card: capture reads a raw PCM file (faster
than real time, so only the plumbing is checked here: frames, their size and content,
half-duplex pause and resume).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

from passerelle.config import ROOT

ASOUNDRC = """
pcm.filein {{
  type file
  slave.pcm "null"
  file "/dev/null"
  infile "{infile}"
  format "raw"
}}
pcm.!default {{
  type asym
  playback.pcm {{ type plug slave {{ pcm "null" }} }}
  capture.pcm {{ type plug slave {{ pcm "filein" rate 16000 channels 1 format S16_LE }} }}
}}
"""

PROBE = """
import time
import numpy as np
from voice.mic import Microphone, has_input_device
assert has_input_device()
mic = Microphone().open()
first = [next(mic.frames(timeout=5)) for _ in range(20)]
print("sizes", sorted({len(f) for f in first}))
print("first", int(np.frombuffer(first[0], dtype="<i2")[:160].astype(np.int64).sum()))
mic.pause()
time.sleep(0.3)
print("paused_queue", mic._queue.qsize())
mic.resume()
print("resumed", len(next(mic.frames(timeout=5))))
mic.close()
from voice.audio import tone
from voice.mic import Speakers, has_output_device
assert has_output_device()
Speakers().play(tone(22050))
print("played yes")
"""


def test_microphone_and_speakers(tmp_path: Path) -> None:
    # A ramp the probe can recognise in the first frame it reads.
    ramp = (np.arange(16_000 * 2) % 1000).astype("<i2")
    infile = tmp_path / "in.raw"
    infile.write_bytes(ramp.tobytes())
    (tmp_path / ".asoundrc").write_text(ASOUNDRC.format(infile=infile), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={"HOME": str(tmp_path), "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert lines["sizes"] == "[960]"  # 30 ms of 16 kHz 16-bit mono
    assert int(lines["first"]) == int(ramp[:160].astype(np.int64).sum())
    assert lines["paused_queue"] == "0"  # closed while the kiosk speaks
    assert lines["resumed"] == "960"
    assert lines["played"] == "yes"  # the speakers path opens and plays
