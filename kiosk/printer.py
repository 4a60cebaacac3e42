"""The recap on paper: the kiosk prints the summary page on a CUPS printer (`lp`).

At the end of a rehearsed actualisation the assistant gives the kiosk the link to the
printable summary (a `custom` message, never spoken). When `KIOSK_PRINTER` names a CUPS
queue, the kiosk downloads that page from the widget's public address, turns it into plain
text (headings, lists and steps kept) and sends it to `lp -d <queue>`; CUPS's own filters
turn the text into a page for the printer. The server is CUPS's default one, or the one
in `CUPS_SERVER`.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import textwrap
from dataclasses import dataclass
from html.parser import HTMLParser

import httpx

logger = logging.getLogger(__name__)

LP = "lp"
LPSTAT = "lpstat"
JOB_TITLE = "Mon actualisation"
TIMEOUT_S = 10.0
LINE_WIDTH = 72  # characters per printed line (CUPS prints text at 10 characters an inch)
BLOCKS = {"h1", "h2", "h3", "p", "ul", "ol", "dl", "main", "section", "div", "table", "tr"}
SKIPPED = {"script", "style", "button", "head", "noscript", "template"}
HIDDEN_CLASSES = {"no-print"}


class PrintError(RuntimeError):
    """The summary could not be printed (English detail, for the logs)."""


class _PageText(HTMLParser):
    """Plain text of an HTML page, as it would print: no scripts, buttons or `no-print`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.line = ""
        self.skipping: list[str] = []  # open tags whose content is left out
        self.lists: list[list[int]] = []  # for each open list: [is_ordered, item count]
        self.heading = ""

    def _end_line(self) -> None:
        text = " ".join(self.line.split())
        if text:
            self.lines.append(text)
        self.line = ""

    def _blank_line(self) -> None:
        self._end_line()
        if self.lines and self.lines[-1] != "":
            self.lines.append("")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = set((dict(attrs).get("class") or "").split())
        if self.skipping or tag in SKIPPED or classes & HIDDEN_CLASSES:
            if tag not in {"br", "img", "input", "meta", "link"}:
                self.skipping.append(tag)
            return
        if tag in BLOCKS:
            self._blank_line()
        if tag in ("ul", "ol"):
            self.lists.append([tag == "ol", 0])
        elif tag == "li":
            self._end_line()
            if self.lists:
                self.lists[-1][1] += 1
                ordered, count = self.lists[-1]
                self.line = f"{count}. " if ordered else "- "
            else:
                self.line = "- "
        elif tag in ("dt", "br"):
            self._end_line()
        elif tag == "dd":
            self.line = self.line.rstrip() + " : "
        elif tag in ("h1", "h2", "h3"):
            self.heading = tag

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if self.skipping[-1] == tag:
                self.skipping.pop()
            return
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        if tag == "h1":
            self._end_line()
            self.lines.append("=" * len(self.lines[-1]) if self.lines else "")
            self.heading = ""
        elif tag in BLOCKS:
            self._blank_line()
        elif tag in ("li", "dd"):
            self._end_line()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.line += data

    def text(self) -> str:
        self._end_line()
        wrapped = []
        for line in self.lines:
            indent = "   " if line[:1].isdigit() or line.startswith("- ") else ""
            wrapped.extend(
                textwrap.wrap(line, LINE_WIDTH, subsequent_indent=indent, break_on_hyphens=False)
                or [""]
            )
        return "\n".join(wrapped).strip() + "\n"


def page_text(html: str) -> str:
    """The summary page as plain text lines, ready for a text printer."""
    parser = _PageText()
    parser.feed(html)
    parser.close()
    return parser.text()


@dataclass(frozen=True)
class Printer:
    """A CUPS queue, and the only address summaries may be downloaded from."""

    queue: str
    allowed_prefix: str  # the widget's public URL: the summary links start with it
    timeout: float = TIMEOUT_S

    def check(self) -> str | None:
        """A French message when printing cannot work on this machine, else None."""
        if shutil.which(LP) is None or shutil.which(LPSTAT) is None:
            return (
                f"L'imprimante « {self.queue} » est réglée (KIOSK_PRINTER), mais les commandes "
                "lp et lpstat sont absentes. Installez le paquet cups-client."
            )
        try:
            known = subprocess.run(
                [LPSTAT, "-p", self.queue], capture_output=True, timeout=self.timeout, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            logger.warning("lpstat failed: %s", error)
            known = None
        if known is None or known.returncode != 0:
            return (
                f"L'imprimante « {self.queue} » (KIOSK_PRINTER) est introuvable dans CUPS. "
                "Vérifiez son nom avec : lpstat -p"
            )
        return None

    def print_summary(self, url: str) -> str:
        """Downloads the summary page at `url` and prints it; returns the CUPS job id."""
        prefix = self.allowed_prefix.rstrip("/") + "/"
        if not url.startswith(prefix):
            raise PrintError(f"summary link outside {prefix}")
        try:
            response = httpx.get(url, timeout=self.timeout, follow_redirects=False)
            response.raise_for_status()
        except httpx.HTTPError as error:
            raise PrintError(f"summary page unavailable: {error}") from error
        text = page_text(response.text)
        try:
            done = subprocess.run(
                [LP, "-d", self.queue, "-t", JOB_TITLE],
                input=text.encode("utf-8"),
                capture_output=True,
                timeout=self.timeout,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise PrintError(f"lp failed: {error}") from error
        if done.returncode != 0:
            detail = done.stderr.decode("utf-8", "replace").strip()
            raise PrintError(f"lp exited with {done.returncode}: {detail}")
        job = done.stdout.decode("utf-8", "replace").strip()
        logger.info("Summary sent to printer %s: %s", self.queue, job)
        return job


__all__ = ["PrintError", "Printer", "page_text"]
