"""Training benchmark: time to train the whole model from scratch (target <= 5 min).

Usage: .venv/bin/python bench/train.py
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from passerelle.config import ROOT


def main() -> None:
    rasa = Path(sys.executable).parent / "rasa"
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        subprocess.run(
            [str(rasa), "train", "--force", "--out", out, "--fixed-model-name", "bench"],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        elapsed = time.perf_counter() - start
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        size_mb = (Path(out) / "bench.tar.gz").stat().st_size / 1e6
    print(f"training from scratch : {elapsed:.0f} s ({elapsed / 60:.1f} min)")
    # CPU time (all threads): steadier than wall time when other work shares the cores.
    cpu = children.ru_utime + children.ru_stime
    print(f"CPU time (user+sys)   : {cpu:.0f} s ({cpu / 60:.1f} min)")
    print(f"load average (1 min)  : {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"model size            : {size_mb:.1f} MB")


if __name__ == "__main__":
    main()
