"""Headless Chromium for the browser tests and benchmarks (Debian's chromium, driven by Playwright).

Playwright cannot download its own browser here; it drives the Debian package instead.
Without the background-networking flags Chromium keeps trying outside hosts.
"""

from __future__ import annotations

CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
