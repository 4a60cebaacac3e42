"""The chat widget in real headless Chromium, against the running assistant (`make run`'s servers).

Chromium is Debian's (`scripts/system-deps.sh test` installs it), driven by Playwright through
`executable_path`. Screenshots go to `tests/out/screenshots/` for a person to look at.
"""

from __future__ import annotations

import io
import json
import re
import wave
from pathlib import Path
from typing import Any, Iterator

import pytest
from playwright import sync_api as playwright_api
from playwright.sync_api import expect

from tests.support.browser import CHROMIUM_ARGS, CHROMIUM_PATH
from tests.support.widget_page import (
    REPLY_TIMEOUT_MS,
    STORE_KEY,
    WATCH_SCRIPT,
    Watched,
    bot_messages,
    bot_texts,
    focus_is_visible,
    open_widget,
    other_site_serving,
    run_axe,
    screenshot,
    send,
    session_id,
    stored,
    user_messages,
    wait_connected,
    wait_for_bot,
    wait_ready,
)

CHROMIUM = Path(CHROMIUM_PATH)
XSS = "<img src=x onerror=alert(1)>"
PASSWORD_QUESTION = "j'ai oublié mon mot de passe"

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail("Chromium absent : lancez « scripts/system-deps.sh test ».")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.add_init_script(WATCH_SCRIPT)
    yield context
    context.close()


@pytest.fixture
def watched(context: Any) -> Watched:
    return Watched(context.new_page())


def test_password_question_shows_recovery_steps_and_a_button_reply_works(
    stack: Any, watched: Watched
) -> None:
    page = open_widget(watched, stack)
    send(page, PASSWORD_QUESTION)
    answer = " ".join(bot_texts(page).all_inner_texts())
    assert "J'ai oublié mon mot de passe" in answer
    assert re.search(r"\b1\. ", answer), answer  # numbered steps
    # The official site named in the steps is a real link; nothing else is.
    site = page.locator(".pw-msg-bot .pw-text a", has_text="francetravail.fr").first
    assert site.get_attribute("href") == "https://www.francetravail.fr/"
    assert site.get_attribute("target") == "_blank"
    assert "noopener" in site.get_attribute("rel")
    replies = page.locator(".pw-replies .pw-reply")
    assert replies.count() >= 1
    for index in range(replies.count()):
        box = replies.nth(index).bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44
    title = replies.first.inner_text()
    before = bot_messages(page).count()
    replies.first.click()
    assert user_messages(page).last.inner_text() == title
    wait_for_bot(page, before)
    assert page.evaluate("document.activeElement.id") == "pw-input"  # a mouse: no keyboard
    # The conversation reached Rasa under a `web-` sender id, as the console expects.
    sender = session_id(page)
    assert re.fullmatch(r"web-[0-9a-f]{32}", sender)
    said = [e.get("text") for e in stack.tracker(sender)["events"] if e["event"] == "user"]
    assert said[0] == PASSWORD_QUESTION
    assert watched.dialogs == [] and watched.errors == [] and watched.csp_violations() == []


def test_reload_keeps_the_conversation_and_the_session(stack: Any, watched: Watched) -> None:
    page = open_widget(watched, stack)
    send(page, PASSWORD_QUESTION)
    before_reload = bot_messages(page).all_inner_texts()
    sender = session_id(page)
    page.reload()
    page.locator(".pw-msg-user").first.wait_for()
    assert user_messages(page).all_inner_texts() == [PASSWORD_QUESTION]
    assert bot_messages(page).all_inner_texts() == before_reload  # the greeting too
    wait_connected(page)
    send(page, "bonjour")
    assert session_id(page) == sender
    said = [e.get("text") for e in stack.tracker(sender)["events"] if e["event"] == "user"]
    assert said == [PASSWORD_QUESTION, "bonjour"]


def test_end_and_clear_leaves_nothing_in_the_browser(stack: Any, watched: Watched) -> None:
    page = open_widget(watched, stack)
    send(page, PASSWORD_QUESTION)
    page.click("text=Plus grand")
    # Something another page of the site could have left, to prove everything goes.
    page.evaluate("localStorage.setItem('trace', '1'); document.cookie = 'trace=1; path=/'")
    assert page.context.cookies()
    page.get_by_role("button", name="Terminer et effacer").click()
    page.get_by_role("button", name="Oui, effacer").click()  # after a confirmation
    assert page.evaluate("localStorage.length") == 0
    assert page.evaluate("sessionStorage.length") == 0
    assert page.evaluate("document.cookie") == ""
    assert page.context.cookies() == []
    assert page.locator(".pw-msg-user").count() == 0
    assert bot_messages(page).count() == 1  # the greeting again, nothing else
    assert "effacée de cet appareil" in page.locator(".pw-status").inner_text()
    assert page.evaluate("document.activeElement.id") == "pw-input"
    page.wait_for_timeout(1000)  # the widget reconnects: still nothing stored
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    page.reload()
    wait_ready(page)
    assert page.locator(".pw-msg-user").count() == 0 and bot_messages(page).count() == 1


def test_markup_in_messages_is_shown_as_text_and_runs_nothing(stack: Any, watched: Watched) -> None:
    page = watched.page

    def relay(route: Any) -> None:
        server = route.connect_to_server()
        route.on_message(server.send)
        server.on_message(route.send)
        relay.routes.append(route)

    relay.routes = []
    page.route_web_socket(re.compile(r".*/socket\.io/.*"), relay)
    open_widget(watched, stack)
    page.fill("#pw-input", XSS)
    page.press("#pw-input", "Enter")
    assert user_messages(page).first.inner_text() == XSS
    page.wait_for_timeout(1500)  # let the assistant answer, if it does
    # A bot message carrying markup, as a socket.io frame from the server side.
    before = bot_messages(page).count()
    frame = json.dumps(["bot_uttered", {"text": "Réponse " + XSS, "quick_replies": []}])
    relay.routes[-1].send("42" + frame)
    wait_for_bot(page, before)
    assert bot_texts(page).last.inner_text() == "Réponse " + XSS
    assert page.locator(".pw img").count() == 0
    page.reload()  # rendered again from sessionStorage: still text
    page.locator(".pw-msg-user").last.wait_for()
    assert bot_texts(page).last.inner_text() == "Réponse " + XSS
    assert page.locator(".pw img").count() == 0
    page.wait_for_timeout(500)
    assert watched.dialogs == []
    assert watched.errors == []
    assert watched.csp_violations() == []


def test_listen_fetches_a_real_wav_that_plays(stack: Any, watched: Watched) -> None:
    page = open_widget(watched, stack)
    send(page, PASSWORD_QUESTION)
    # The first answer (after the greeting): its own text is read, as the assistant wrote it.
    listen = page.locator(".pw-msg-bot .pw-listen").nth(1)
    text = stored(page)["messages"][2]["text"]
    with page.expect_response(lambda r: r.url.endswith("/api/tts")) as info:
        listen.click()
    response = info.value
    sent = response.request.post_data_json
    assert sent["text"] == text and sent["speech_token"]  # the token Rasa's channel signed
    assert response.status == 200
    assert response.headers["content-type"] == "audio/wav"
    assert int(response.headers["content-length"]) > 20_000
    # The browser decoded the sound and played it (the audio element fired "playing").
    expect(listen).to_have_attribute(
        "data-state", re.compile("^(playing|ended)$"), timeout=REPLY_TIMEOUT_MS
    )
    # The same request, read here: a real WAV of the sentence, served from the cache.
    body = page.request.post(
        stack.web_url + "/api/tts", data=sent, headers={"origin": stack.web_url}
    ).body()
    assert body[:4] == b"RIFF" and body[8:12] == b"WAVE"
    with wave.open(io.BytesIO(body)) as wav:
        assert wav.getnframes() / wav.getframerate() > 1.0
    assert watched.csp_violations() == []


def test_keyboard_only_reaches_the_input_sends_and_reaches_a_button_reply(
    stack: Any, watched: Watched
) -> None:
    page = open_widget(watched, stack)
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "pw-input":
            break
    assert page.evaluate("document.activeElement.id") == "pw-input"
    assert focus_is_visible(page)
    page.keyboard.type(PASSWORD_QUESTION)
    before = bot_messages(page).count()
    page.keyboard.press("Enter")
    wait_for_bot(page, before)
    page.locator(".pw-reply").first.wait_for()
    for _ in range(20):
        page.keyboard.press("Shift+Tab")
        if page.evaluate("document.activeElement.classList.contains('pw-reply')"):
            break
    assert page.evaluate("document.activeElement.classList.contains('pw-reply')")
    assert focus_is_visible(page)
    title = page.evaluate("document.activeElement.textContent")
    before = bot_messages(page).count()
    page.keyboard.press("Enter")
    wait_for_bot(page, before)
    assert user_messages(page).last.inner_text() == title
    assert page.evaluate("document.activeElement.id") == "pw-input"


def test_axe_finds_no_accessibility_violation_in_a_conversation(
    stack: Any, watched: Watched
) -> None:
    page = open_widget(watched, stack)
    send(page, PASSWORD_QUESTION)
    page.locator(".pw-reply").first.wait_for()
    assert run_axe(page) == []
    page.click("text=Plus grand")
    page.click("text=Plus grand")
    assert run_axe(page) == []
    screenshot(page, "widget-desktop-large-text")
    page.get_by_role("button", name="Terminer et effacer").click()
    assert run_axe(page) == []  # the confirmation dialog too


def test_screenshots_at_desktop_and_phone_width(stack: Any, browser: Any) -> None:
    for name, viewport in (
        ("widget-desktop", {"width": 1280, "height": 900}),
        ("widget-phone", {"width": 390, "height": 844}),
    ):
        context = browser.new_context(locale="fr-FR", viewport=viewport)
        context.add_init_script(WATCH_SCRIPT)
        watched = Watched(context.new_page())
        page = open_widget(watched, stack)
        send(page, PASSWORD_QUESTION)
        page.locator(".pw-reply").first.wait_for()
        screenshot(page, name)
        # Nothing wider than the screen: no sideways scrolling on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        if name == "widget-phone":
            assert run_axe(page) == []
        context.close()


def test_empty_message_is_not_sent(stack: Any, watched: Watched) -> None:
    page = open_widget(watched, stack)
    page.fill("#pw-input", "   ")
    page.press("#pw-input", "Enter")
    assert page.locator(".pw-error").inner_text() == "Écrivez votre message avant d'envoyer."
    page.click(".pw-send")
    assert page.locator(".pw-msg-user").count() == 0
    assert page.locator("#pw-input").get_attribute("aria-invalid") == "true"


def test_very_long_paste_is_refused_in_french_and_kept(
    stack: Any, context: Any, watched: Watched
) -> None:
    page = open_widget(watched, stack)
    long_text = "Bonjour " * 1250  # 10,000 characters
    # A real paste: the text goes through the clipboard, then Ctrl+V in the message box.
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=stack.web_url)
    page.evaluate("text => navigator.clipboard.writeText(text)", long_text)
    page.focus("#pw-input")
    page.keyboard.press("Control+V")
    assert page.input_value("#pw-input") == long_text
    error = page.locator(".pw-error").inner_text()
    assert "trop long" in error and "10000" in error and "2000" in error
    page.press("#pw-input", "Enter")
    assert page.locator(".pw-msg-user").count() == 0
    assert page.input_value("#pw-input") == long_text  # nothing lost: the person can shorten it
    page.fill("#pw-input", "bonjour")
    assert page.locator(".pw-error").inner_text() == ""


def test_unreachable_assistant_is_announced_then_message_goes_after_retry(
    stack: Any, watched: Watched
) -> None:
    page = watched.page
    blocked = {"on": True}

    def gate(route: Any) -> None:
        if blocked["on"]:
            route.close()
            return
        server = route.connect_to_server()
        route.on_message(server.send)
        server.on_message(route.send)

    page.route_web_socket(re.compile(r".*/socket\.io/.*"), gate)
    page.goto(stack.web_url + "/")
    status = page.locator(".pw-status")
    expect(status).to_contain_text("ne répond pas", timeout=REPLY_TIMEOUT_MS)
    page.fill("#pw-input", PASSWORD_QUESTION)
    page.press("#pw-input", "Enter")
    assert "gardé" in status.inner_text()
    assert user_messages(page).all_inner_texts() == [PASSWORD_QUESTION]
    blocked["on"] = False
    wait_for_bot(page, 1)  # after the greeting
    assert "J'ai oublié mon mot de passe" in " ".join(bot_texts(page).all_inner_texts())
    assert "de nouveau disponible" in status.inner_text()


def test_idle_widget_warns_then_clears(stack: Any, watched: Watched) -> None:
    page = watched.page
    page.clock.install()
    open_widget(watched, stack)
    send(page, PASSWORD_QUESTION)
    idle_minutes = int(page.get_attribute("script[data-idle-minutes]", "data-idle-minutes"))
    page.clock.run_for(idle_minutes * 60 * 1000 + 1000)
    warning = page.locator(".pw-idle")
    assert warning.is_visible()
    assert "Vous êtes toujours là ?" in warning.inner_text().replace("\xa0", " ")
    # Said once to screen readers; the countdown on screen counts down.
    assert page.locator(".pw-idle [role=alert]").inner_text().endswith("dans une minute.")
    countdown = page.locator(".pw-countdown")

    def seconds_left() -> int:
        return int(re.fullmatch(r"Effacement dans (\d+) secondes?\.", countdown.inner_text())[1])

    first = seconds_left()
    assert 55 <= first <= 60
    page.clock.run_for(10 * 1000)
    assert first - 11 <= seconds_left() <= first - 9
    assert page.locator(".pw-msg-user").count() > 0
    page.clock.run_for((seconds_left() + 1) * 1000)
    assert not warning.is_visible()
    assert page.locator(".pw-msg-user").count() == 0
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    status = page.locator(".pw-status").inner_text()
    assert "personne ne l'utilisait" in status and "copie masquée" in status


EMBEDDING_PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Association</title></head>
<body><main><h1>Notre association</h1><p>Bienvenue.</p></main>
<script src="{web_url}/static/widget.js" data-rasa-url="{rasa_url}"></script>
</body></html>"""


@pytest.fixture
def other_site(stack: Any) -> Iterator[str]:
    """Another web site (another origin, on this machine) whose page embeds the widget.

    It is served at the origin the stack lists in WIDGET_EMBED_ORIGINS, as an operator
    lists an association's site: Rasa and "Écouter" grant no other origin.
    """
    body = EMBEDDING_PAGE.format(web_url=stack.web_url, rasa_url=stack.rasa_url).encode()

    with other_site_serving(stack.embed_origin, {"/": body}) as url:
        yield url


def test_one_script_tag_embeds_the_widget_in_another_site(
    stack: Any, watched: Watched, other_site: str
) -> None:
    page = watched.page
    page.goto(other_site)
    launcher = page.get_by_role("button", name="Besoin d'aide ? Discuter avec Passerelle")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    launcher.click()
    # The open panel covers its launcher, which says it is expanded.
    expect(page.locator(".pw-launcher")).to_have_attribute("aria-expanded", "true")
    assert page.evaluate("document.activeElement.id") == "pw-input"
    wait_ready(page)
    send(page, PASSWORD_QUESTION)
    assert "J'ai oublié mon mot de passe" in " ".join(bot_texts(page).all_inner_texts())
    screenshot(page, "widget-embedded")
    # "Écouter" works from the listed site too (the TTS endpoint allows its origin by CORS).
    listen = page.locator(".pw-msg-bot .pw-listen").first
    listen.click()
    expect(listen).to_have_attribute(
        "data-state", re.compile("^(playing|ended)$"), timeout=REPLY_TIMEOUT_MS
    )
    page.evaluate("localStorage.setItem('site', 'garder')")
    page.get_by_role("button", name="Options").click()  # the panel is narrow: tools fold
    page.get_by_role("button", name="Terminer et effacer").click()
    page.get_by_role("button", name="Oui, effacer").click()
    # On another site only the widget's own data goes: the site's own storage stays.
    assert page.evaluate("localStorage.getItem('site')") == "garder"
    assert page.evaluate(f"sessionStorage.getItem('{STORE_KEY}')") is None
    page.get_by_role("button", name="Fermer").click()
    expect(launcher).to_be_focused()
    assert run_axe(page) == []
    assert watched.errors == []


def test_reduced_motion_stops_the_typing_animation(stack: Any, browser: Any) -> None:
    context = browser.new_context(locale="fr-FR", reduced_motion="reduce")
    page = context.new_page()
    page.goto(stack.web_url + "/")
    page.locator("#pw-input").wait_for()
    animation = page.evaluate(
        "getComputedStyle(document.querySelector('.pw-dots'), '::after').animationName"
    )
    context.close()
    assert animation == "none"


def test_text_is_large_and_can_be_enlarged_and_kept_on_reload(stack: Any, watched: Watched) -> None:
    page = open_widget(watched, stack)
    send(page, PASSWORD_QUESTION)
    smallest = page.evaluate(
        """() => Math.min(...[...document.querySelectorAll('.pw *')]
            .filter(el => [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
            .filter(el => el.getClientRects().length > 0)
            .map(el => parseFloat(getComputedStyle(el).fontSize)))"""
    )
    assert smallest >= 18
    root_size = "() => getComputedStyle(document.querySelector('.pw')).fontSize"
    assert page.evaluate(root_size) == "20px"
    page.get_by_role("button", name="Plus grand").click()
    assert page.evaluate(root_size) == "24px"
    page.get_by_role("button", name="Plus grand").click()
    assert page.evaluate(root_size) == "28px"
    assert page.get_by_role("button", name="Plus grand").is_disabled()
    page.reload()
    page.locator(".pw-msg").first.wait_for()
    assert page.evaluate(root_size) == "28px"
    page.get_by_role("button", name="Plus petit").click()
    assert page.evaluate(root_size) == "24px"
