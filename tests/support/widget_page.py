"""Driving the chat widget in real Chromium: open it, talk, wait, and check what is on screen.

Used by `tests/web/test_widget_browser.py` and `tests/web/test_widget_layout.py`.
"""

from __future__ import annotations

import http.server
import json
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator, List

from playwright.sync_api import expect

from passerelle.config import ROOT

AXE_JS = ROOT / "tests" / "web" / "vendor" / "axe.min.js"
SCREENSHOTS = ROOT / "tests" / "out" / "screenshots"
# A guard against a reply that never comes, not a measure of speed (bench/web.py measures):
# on a loaded 2-core machine a long turn (the recap's end, its link) took more than 30 s.
REPLY_TIMEOUT_MS = 90_000
STORE_KEY = "passerelle:conversation"

# Runs in the page before its own scripts (as the browser's devtools would, outside the CSP):
# records Content Security Policy violations so a test can prove none happened.
WATCH_SCRIPT = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(event.violatedDirective + ' ' + event.blockedURI);
});
"""

# Where an element (or the part of a text inside it) is, and whether a person sees it:
# inside the window, inside every box that clips it (the conversation scrolls), and not
# covered by anything else at its centre.
IN_VIEW_JS = """
([selector, text]) => {
  const element = document.querySelector(selector);
  if (!element) return {found: false};
  let rect = element.getBoundingClientRect();
  if (text) {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    // Shown text has non-breaking spaces (French typography): compare with plain spaces.
    const plain = (node) => node.textContent.replace(/\u00a0/g, " ");
    let node = null;
    while ((node = walker.nextNode()) && !plain(node).includes(text)) {}
    if (!node) return {found: false};
    const range = document.createRange();
    const start = plain(node).indexOf(text);
    range.setStart(node, start);
    range.setEnd(node, start + text.length);
    rect = range.getBoundingClientRect();
  }
  const box = {top: rect.top, bottom: rect.bottom, left: rect.left, right: rect.right};
  const width = document.documentElement.clientWidth, height = window.innerHeight;
  let visible = rect.height > 0 && rect.top >= -0.5 && rect.left >= -0.5
    && rect.bottom <= height + 0.5 && rect.right <= width + 0.5;
  const clips = [];
  for (let parent = element.parentElement; parent; parent = parent.parentElement) {
    const style = getComputedStyle(parent);
    if (/(auto|scroll|hidden|clip)/.test(style.overflowY + style.overflowX)) {
      const clip = parent.getBoundingClientRect();
      const inside = rect.top >= clip.top - 0.5 && rect.bottom <= clip.bottom + 0.5
        && rect.left >= clip.left - 0.5 && rect.right <= clip.right + 0.5;
      clips.push({clipper: parent.className || parent.tagName, inside});
      visible = visible && inside;
    }
  }
  const hit = document.elementFromPoint((rect.left + rect.right) / 2, (rect.top + rect.bottom) / 2);
  const uncovered = !!hit && (hit === element || element.contains(hit) || hit.contains(element));
  return {found: true, visible: visible && uncovered, uncovered, box, clips,
          viewport: {width, height}};
}
"""


class Watched:
    """A page with what it did wrong: dialogs opened, page errors, CSP violations."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.dialogs: List[str] = []
        self.errors: List[str] = []
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def csp_violations(self) -> List[str]:
        return self.page.evaluate("window.__cspViolations")


def wait_ready(page: Any) -> None:
    """Waits for the greeting and the end of "Connexion..." (the session is confirmed)."""
    page.locator("#pw-input").wait_for()
    page.locator(".pw-msg-bot").first.wait_for(timeout=REPLY_TIMEOUT_MS)
    wait_connected(page)


def wait_connected(page: Any) -> None:
    expect(page.locator(".pw-status")).not_to_contain_text("Connexion", timeout=REPLY_TIMEOUT_MS)


def open_widget(watched: Watched, stack: Any) -> Any:
    page = watched.page
    page.goto(stack.web_url + "/")
    wait_ready(page)
    return page


def bot_messages(page: Any) -> Any:
    return page.locator(".pw-msg-bot")


def bot_texts(page: Any) -> Any:
    return page.locator(".pw-msg-bot .pw-text")


def user_messages(page: Any) -> Any:
    return page.locator(".pw-msg-user .pw-text")


def send(page: Any, text: str) -> int:
    """Types `text`, presses Enter, waits for the bot's whole turn; returns bot message count."""
    before = bot_messages(page).count()
    page.fill("#pw-input", text)
    page.press("#pw-input", "Enter")
    return wait_for_bot(page, before)


def wait_for_bot(page: Any, before: int) -> int:
    """Waits for more than `before` bot messages, all shown; returns how many there are."""
    bot_messages(page).nth(before).wait_for(timeout=REPLY_TIMEOUT_MS)
    expect(page.locator(".pw-typing")).to_be_hidden(timeout=REPLY_TIMEOUT_MS)
    return bot_messages(page).count()


# True when the last bot message (after the first `before` ones) contains one of the texts
# and nothing is being typed: the turn ended with it.
LAST_SAYS_JS = """
([before, texts]) => {
  const plain = (s) => s.replace(/\\s+/g, " ").toLowerCase();
  const shown = [...document.querySelectorAll(".pw-msg-bot")];
  const last = shown[shown.length - 1];
  return shown.length > before && !!last && document.querySelector(".pw-typing").hidden
    && texts.some((text) => plain(last.textContent).includes(plain(text)));
}
"""


def wait_for_last(page: Any, texts: Any, before: int = 0) -> str:
    """Waits until the last bot message says one of `texts` (a text or a list), after
    `before` bot messages; returns its text. A turn's messages come one by one: this waits
    for the one that ends it."""
    wanted = [texts] if isinstance(texts, str) else list(texts)
    page.wait_for_function(LAST_SAYS_JS, arg=[before, wanted], timeout=REPLY_TIMEOUT_MS)
    return bot_texts(page).last.inner_text()


def stored(page: Any) -> Dict[str, Any]:
    """The conversation the widget keeps in sessionStorage."""
    return json.loads(page.evaluate(f"sessionStorage.getItem('{STORE_KEY}')") or "null") or {}


def session_id(page: Any) -> str:
    return stored(page)["sessionId"]


def in_view(page: Any, selector: str, text: str = "") -> Dict[str, Any]:
    """Whether `selector`'s element (or `text` inside it) is on screen, and where."""
    return page.evaluate(IN_VIEW_JS, [selector, text])


def screenshot(page: Any, name: str, full_page: bool = False) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    assert path.stat().st_size > 10_000
    return path


def run_axe(page: Any) -> List[dict]:
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    return page.evaluate(
        "axe.run(document).then(r => r.violations.map(v => ({id: v.id,"
        " impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))})))"
    )


def focus_is_visible(page: Any) -> bool:
    style = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth, s.boxShadow]; })()"
    )
    return style[0] != "none" and style[1] != "0px" and style[2] != "none"


@contextmanager
def other_site_serving(embed_origin: str, pages: Dict[str, bytes]) -> Iterator[str]:
    """Another web site, at `embed_origin` (an origin listed in WIDGET_EMBED_ORIGINS, as an
    operator lists an association's site), serving `pages` by path ("/" for any other
    path). Yields its address."""

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path, pages["/"])
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    port = int(embed_origin.rsplit(":", 1)[1])
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
