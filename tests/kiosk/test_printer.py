"""The recap on paper: the summary page printed through a real, private CUPS server."""

from __future__ import annotations

import re
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from kiosk.printer import Printer, PrintError, page_text
from tests.support.cups import PrivateCups

SUMMARY_HTML = """<!doctype html>
<html lang="fr"><head><title>Mon actualisation – récapitulatif</title>
<link rel="stylesheet" href="/static/summary.css"></head>
<body><main class="summary">
<h1>Mon actualisation</h1>
<p class="warning">Ceci est une préparation. Rien n'a été envoyé à France Travail.</p>
<h2>Pour la période du 01/11/2026 au 30/11/2026, vous déclarez :</h2>
<ul class="answers"><li>avoir travaillé 35 heures pour 1 200 € brut ;</li>
<li>ne pas avoir été en stage.</li></ul>
<h2>À recopier sur le site</h2>
<dl class="details"><dt>Heures travaillées</dt><dd>35 heures</dd>
<dt>Salaire brut</dt><dd>1 200 €</dd></dl>
<ol class="steps"><li>Cliquez sur « M'actualiser ».</li>
<li>Répondez à toutes les questions.</li></ol>
<p class="no-print"><button type="button" id="print-button">Imprimer</button></p>
</main><script src="/static/summary.js"></script></body></html>"""


@pytest.fixture
def summary_site() -> Iterator[str]:
    """A web server giving the summary page, as the widget's app does at /resume/<token>."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            found = self.path.startswith("/resume/")
            data = (SUMMARY_HTML if found else "introuvable").encode()
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_page_as_printed_text() -> None:
    assert page_text(SUMMARY_HTML) == (
        "Mon actualisation\n"
        "=================\n"
        "\n"
        "Ceci est une préparation. Rien n'a été envoyé à France Travail.\n"
        "\n"
        "Pour la période du 01/11/2026 au 30/11/2026, vous déclarez :\n"
        "\n"
        "- avoir travaillé 35 heures pour 1 200 € brut ;\n"
        "- ne pas avoir été en stage.\n"
        "\n"
        "À recopier sur le site\n"
        "\n"
        "Heures travaillées : 35 heures\n"
        "Salaire brut : 1 200 €\n"
        "\n"
        "1. Cliquez sur « M'actualiser ».\n"
        "2. Répondez à toutes les questions.\n"
    )


def test_the_summary_is_printed_on_the_cups_printer(
    cups: PrivateCups, summary_site: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CUPS_SERVER", cups.server)
    printer = Printer(cups.queue, summary_site)
    assert printer.check() is None
    job = printer.print_summary(f"{summary_site}/resume/eJxdj8EK.abc")
    assert cups.queue in job
    page = cups.wait_for_page()
    # CUPS's generic PDF printer wraps the PDF in printer job commands (PJL).
    pdf = page[page.index(b"%PDF") : page.rindex(b"%%EOF") + len(b"%%EOF")]
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout
    assert re.search(rb"^Pages:\s+1$", info, re.MULTILINE), info
    # What CUPS received to print is the page's text, in UTF-8.
    assert cups.received()[-1].decode("utf-8") == page_text(SUMMARY_HTML)


def test_what_is_never_printed(
    cups: PrivateCups, summary_site: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CUPS_SERVER", cups.server)
    before = len(cups.received())
    printer = Printer(cups.queue, summary_site)
    with pytest.raises(PrintError, match="outside"):
        printer.print_summary("http://ailleurs.example/resume/abc")
    with pytest.raises(PrintError, match="unavailable"):
        printer.print_summary(f"{summary_site}/autre-page")
    with pytest.raises(PrintError, match="lp exited"):
        Printer("pas-de-telle-imprimante", summary_site).print_summary(f"{summary_site}/resume/x")
    assert len(cups.received()) == before


def test_a_wrong_printer_name_is_said_in_french(
    cups: PrivateCups, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CUPS_SERVER", cups.server)
    problem = Printer("pas-de-telle-imprimante", "http://127.0.0.1:8000").check()
    assert problem and "introuvable" in problem and "lpstat -p" in problem
    monkeypatch.setenv("PATH", str(tmp_path))  # no lp on this PATH
    problem = Printer(cups.queue, "http://127.0.0.1:8000").check()
    assert problem and "cups-client" in problem
