"""A private CUPS server for the kiosk's printing tests, with a printer that prints to a file.

Debian's `cups` (installed by `scripts/system-deps.sh test`) runs here as its own scheduler,
on a free port, with every file in a temporary folder: the machine's CUPS, if any, is left
alone. The printer is CUPS's generic PDF printer with a `file:` device, so a job goes
through CUPS's real filters and ends as a PDF file. The documents CUPS received are kept
(`PreserveJobFiles`), so a test can read what was sent to print.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

CUPSD = "/usr/sbin/cupsd"
PDF_DRIVER = "lsb/usr/cupsfilters/Generic-PDF_Printer-PDF.ppd"
MISSING = (
    "CUPS est absent de cette machine ({what}) : installez-le avec "
    "« scripts/system-deps.sh test » (paquets cups et cups-client)."
)
START_TIMEOUT_S = 20.0
JOB_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class PrivateCups:
    """A running private CUPS server and its file printer."""

    server: str  # host:port, for CUPS_SERVER
    queue: str
    output: Path  # the PDF the printer writes
    spool: Path  # where CUPS keeps the documents it received

    def env(self) -> dict[str, str]:
        return {**os.environ, "CUPS_SERVER": self.server}

    def received(self) -> list[bytes]:
        """The documents sent to print, oldest first."""
        return [path.read_bytes() for path in sorted(self.spool.glob("d*-001"))]

    def wait_for_page(self, timeout: float = JOB_TIMEOUT_S) -> bytes:
        """The printed PDF, once CUPS has finished writing it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = subprocess.run(
                ["lpstat", "-o", self.queue], env=self.env(), capture_output=True, text=True
            )
            if self.output.exists() and self.output.stat().st_size and not done.stdout.strip():
                return self.output.read_bytes()
            time.sleep(0.3)
        raise AssertionError(f"Rien n'a été imprimé dans {self.output}")


def missing() -> str | None:
    """Why a private CUPS cannot run here, or None."""
    for tool in (CUPSD, "lp", "lpadmin", "lpstat"):
        if shutil.which(tool) is None:
            return MISSING.format(what=tool)
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def private_cups(queue: str = "borne") -> Iterator[PrivateCups]:
    """Starts cupsd with its files in a new folder, adds a PDF file printer; stops it after.

    The folder is a fresh one under the system's temporary folder, not pytest's: CUPS's
    filters run as `lp` and must reach it.
    """
    folder = Path(tempfile.mkdtemp(prefix="passerelle-cups-"))
    for name in ("spool", "cache", "state", "log", "out", "ppd"):
        (folder / name).mkdir(exist_ok=True)
    (folder / "out").chmod(0o777)
    port = _free_port()
    (folder / "cupsd.conf").write_text(
        f"Listen 127.0.0.1:{port}\nLogLevel warn\nWebInterface No\nBrowsing No\n"
        "PreserveJobFiles Yes\nPreserveJobHistory Yes\nDefaultAuthType None\n"
        "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
        "<Policy default>\n  <Limit All>\n    Order deny,allow\n    Allow all\n"
        "  </Limit>\n</Policy>\n",
        encoding="utf-8",
    )
    # As root, cupsd runs its filters as `lp`; as another user, as that user.
    user = "User lp\nGroup lp\n" if os.geteuid() == 0 else ""
    (folder / "cups-files.conf").write_text(
        f"ServerRoot {folder}\nRequestRoot {folder / 'spool'}\nCacheDir {folder / 'cache'}\n"
        f"StateDir {folder / 'state'}\nTempDir {folder / 'spool'}\n"
        f"AccessLog {folder / 'log' / 'access_log'}\nErrorLog {folder / 'log' / 'error_log'}\n"
        f"PageLog {folder / 'log' / 'page_log'}\nFileDevice Yes\n{user}",
        encoding="utf-8",
    )
    folder.chmod(0o755)
    process = subprocess.Popen(
        [CUPSD, "-f", "-c", str(folder / "cupsd.conf"), "-s", str(folder / "cups-files.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    cups = PrivateCups(f"127.0.0.1:{port}", queue, folder / "out" / "page.pdf", folder / "spool")
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while subprocess.run(["lpstat", "-r"], env=cups.env(), capture_output=True).returncode:
            if process.poll() is not None or time.monotonic() > deadline:
                log = folder / "log" / "error_log"
                raise RuntimeError(
                    "cupsd n'a pas démarré : "
                    + (log.read_text(errors="replace")[-2000:] if log.exists() else "")
                )
            time.sleep(0.2)
        add = ["lpadmin", "-p", queue, "-E", "-v", f"file://{cups.output}", "-m", PDF_DRIVER]
        while subprocess.run(add, env=cups.env(), capture_output=True).returncode:
            if time.monotonic() > deadline:  # the scheduler answers before it accepts changes
                raise RuntimeError(f"lpadmin n'a pas pu créer l'imprimante {queue}")
            time.sleep(0.2)
        yield cups
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)


__all__ = ["PrivateCups", "missing", "private_cups"]
