"""Measures the web widget: page weight, greeting and connection times, reply time, "Écouter".

Run it against running servers (`make run`, or the ports you give):
    PYTHONPATH=. .venv/bin/python bench/web.py --web-url http://127.0.0.1:8000 --rounds 5
It prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from typing import Dict, List

import httpx
from playwright.sync_api import sync_playwright

from passerelle.config import settings
from passerelle.names import SPEECH_TOKEN_FIELD
from passerelle.signing import speech_token
from tests.support.browser import CHROMIUM_ARGS, CHROMIUM_PATH

CHROMIUM = CHROMIUM_PATH
QUESTION = "j'ai oublié mon mot de passe"
SPOKEN = "Cliquez sur « J'ai oublié mon mot de passe ». Suivez les étapes."
TIMEOUT_MS = 60_000


def page_weight(web_url: str) -> Dict[str, int]:
    """Bytes of each file the widget page loads."""
    paths = ["/", "/static/widget.js", "/static/widget.css", "/static/page.css"]
    paths += ["/static/vendor/socket.io.min.js", "/api/widget"]
    with httpx.Client(base_url=web_url, timeout=30) as client:
        return {path: len(client.get(path).content) for path in paths}


def tts_latency(web_url: str, rounds: int) -> Dict[str, List[float]]:
    """Seconds for a new sentence (synthesised) and for the same one again (cached).

    "Écouter" reads only texts the assistant said: the bench signs its sentences with the
    secret key, as Rasa's widget channel does, and calls from the widget's page origin.
    """
    cold: List[float] = []
    warm: List[float] = []
    key = settings().secret_key
    with httpx.Client(base_url=web_url, timeout=60, headers={"origin": web_url}) as client:
        for _ in range(rounds):
            text = f"{SPOKEN} Essai {uuid.uuid4().hex[:6]}."
            body = {"text": text, SPEECH_TOKEN_FIELD: speech_token(key, text)}
            for bucket in (cold, warm):
                started = time.perf_counter()
                response = client.post("/api/tts", json=body)
                response.raise_for_status()
                bucket.append(time.perf_counter() - started)
    return {"synthèse": cold, "cache": warm}


def browser_timings(web_url: str, rounds: int) -> Dict[str, List[float]]:
    """Seconds from page load to the greeting and to a confirmed session, and from Enter to
    the last reply shown."""
    greeting: List[float] = []
    connect: List[float] = []
    reply: List[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(rounds):
            context = browser.new_context(locale="fr-FR")
            page = context.new_page()
            started = time.perf_counter()
            page.goto(web_url + "/")
            page.locator(".pw-msg-bot").first.wait_for(timeout=TIMEOUT_MS)  # the greeting
            greeting.append(time.perf_counter() - started)
            page.locator(".pw-status:not(:has-text('Connexion'))").wait_for(
                state="attached", timeout=TIMEOUT_MS
            )
            connect.append(time.perf_counter() - started)
            before = page.locator(".pw-msg-bot").count()
            page.fill("#pw-input", QUESTION)
            started = time.perf_counter()
            page.press("#pw-input", "Enter")
            page.locator(".pw-msg-bot").nth(before).wait_for(timeout=TIMEOUT_MS)
            page.locator(".pw-typing").wait_for(state="hidden", timeout=TIMEOUT_MS)
            reply.append(time.perf_counter() - started)
            context.close()
        browser.close()
    return {"accueil affiché": greeting, "connexion": connect, "réponse affichée": reply}


def show(title: str, figures: Dict[str, List[float]]) -> None:
    print(title)
    for name, values in figures.items():
        print(
            f"  {name:18s} médiane {statistics.median(values) * 1000:8.1f} ms"
            f"   max {max(values) * 1000:8.1f} ms   ({len(values)} essais)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--web-url", default=settings().widget.bind_url)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    weights = page_weight(args.web_url)
    print("Poids de la page (octets)")
    for path, size in weights.items():
        print(f"  {path:34s} {size:9d}")
    print(f"  {'total':34s} {sum(weights.values()):9d}")
    show("Écouter (POST /api/tts)", tts_latency(args.web_url, args.rounds))
    show("Navigateur (Chromium headless)", browser_timings(args.web_url, args.rounds))
    print("Note : la réponse affichée inclut 700 ms par message (un message à la fois).")


if __name__ == "__main__":
    main()
