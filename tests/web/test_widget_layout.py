"""What a person sees, in real Chromium against the running assistant: the message box stays
on screen, the recap is read with its question, links work, the notices exist.

Issue 15's acceptance: at 390×844 (a phone, touch screen), embedded in another site and on the
widget's own page, after the greeting, after answer buttons, after the recap and at 200 % zoom,
the text box and "Envoyer" are inside the window; so are the recap's line and "Est-ce correct ?".
The same at 1280×800. axe finds nothing on every screen; each screen is saved in
`tests/out/screenshots/` (widget-<where>-<screen>.png) for a person to look at.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
from playwright import sync_api as playwright_api
from playwright.sync_api import expect

from tests.support.browser import CHROMIUM_ARGS, CHROMIUM_PATH
from tests.support.widget_page import (
    WATCH_SCRIPT,
    Watched,
    bot_messages,
    bot_texts,
    in_view,
    other_site_serving,
    run_axe,
    screenshot,
    wait_for_bot,
    wait_for_last,
    wait_ready,
)

pytestmark = pytest.mark.stack

RECAP_LINE = "Travail : oui, 35 heures pour 1 200 € brut"
QUESTION = "Est-ce correct ?"
ADDRESS = re.compile(r"https?://|www\.|/resume/")

# A plain site that fits small screens itself (else a phone zooms the page out).
EMBEDDING_PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport"
content="width=device-width, initial-scale=1"><title>Association</title>
<style>body {{ overflow-wrap: anywhere; }}</style></head>
<body><main><h1>Notre association</h1><p>Bienvenue.</p></main>
<script src="{web_url}/static/widget.js" data-rasa-url="{rasa_url}"></script>
</body></html>"""
# The same site, with the widget filling an ordinary <div> of its page (data-target).
TARGET_PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport"
content="width=device-width, initial-scale=1"><title>Association</title></head>
<body><main><h1>Notre association</h1><p>Une question ? Notre assistant vous répond.</p>
<div id="aide"></div></main>
<script src="{web_url}/static/widget.js" data-rasa-url="{rasa_url}" data-target="aide"></script>
</body></html>"""


@dataclass(frozen=True)
class Screen:
    """A window: its CSS size, how many device pixels per CSS pixel, touch or mouse."""

    name: str
    width: int
    height: int
    scale: float = 1
    touch: bool = False

    def context_options(self) -> Dict[str, Any]:
        options: Dict[str, Any] = {
            "locale": "fr-FR",
            "viewport": {"width": self.width, "height": self.height},
            "device_scale_factor": self.scale,
            "reduced_motion": "reduce",  # no reveal delay: the layout is the same, tests faster
        }
        if self.touch:
            options.update(is_mobile=True, has_touch=True)
        return options


PHONE = Screen("phone", 390, 844, 2, touch=True)
DESKTOP = Screen("desktop", 1280, 800)
# 200 % zoom: the browser lays the page out in half as many CSS pixels, twice as large.
PHONE_ZOOM = Screen("phone-zoom200", 195, 422, 4, touch=True)
DESKTOP_ZOOM = Screen("desktop-zoom200", 640, 400, 2)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM_PATH).exists():
        pytest.fail("Chromium absent : lancez « scripts/system-deps.sh test ».")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def other_site(stack: Any) -> Iterator[str]:
    """Another web site (another origin, on this machine) whose pages embed the widget.

    It is served at the origin the stack lists in WIDGET_EMBED_ORIGINS, as an operator lists
    an association's site: Rasa and "Écouter" grant no other origin.
    """
    pages = {
        "/": EMBEDDING_PAGE.format(web_url=stack.web_url, rasa_url=stack.rasa_url).encode(),
        "/cible": TARGET_PAGE.format(web_url=stack.web_url, rasa_url=stack.rasa_url).encode(),
    }

    with other_site_serving(stack.embed_origin, pages) as url:
        yield url


class Person:
    """A person using the widget on one screen, embedded or on the widget's own page."""

    def __init__(self, browser: Any, screen: Screen, where: str, url: str) -> None:
        self.screen = screen
        self.where = where
        self.context = browser.new_context(**screen.context_options())
        self.context.add_init_script(WATCH_SCRIPT)
        self.watched = Watched(self.context.new_page())
        self.page = self.watched.page
        self.page.goto(url)
        if where == "embedded":
            launcher = self.page.locator(".pw-launcher")
            self.tap(launcher)
            expect(launcher).to_have_attribute("aria-expanded", "true")
        wait_ready(self.page)

    def close(self) -> None:
        self.context.close()

    def tap(self, target: Any) -> None:
        """A finger on a touch screen, a mouse click elsewhere."""
        if self.screen.touch:
            target.tap()
        else:
            target.click()

    def choose(self, title: str, then: Any) -> str:
        """Taps the answer button `title`; waits for the turn to end with `then`."""
        before = bot_messages(self.page).count()
        self.tap(self.page.locator(".pw-replies .pw-reply", has_text=title).first)
        return wait_for_last(self.page, then, before)

    def type(self, text: str, then: Any) -> str:
        before = bot_messages(self.page).count()
        self.page.fill("#pw-input", text)
        self.page.press("#pw-input", "Enter")
        return wait_for_last(self.page, then, before)

    def check_screen(self, step: str, also: List[tuple] = ()) -> None:
        """The text box, "Envoyer" and `also` ((selector, text) pairs) are on screen; axe
        finds nothing; the screen is saved."""
        page = self.page
        name = f"widget-{self.screen.name}-{self.where}-{step}"
        screenshot(page, name)
        for selector, text in [("#pw-input", ""), (".pw-send", ""), *also]:
            seen = in_view(page, selector, text)
            assert seen.get("visible"), f"{name}: {selector} {text!r} off screen: {seen}"
        assert page.evaluate("document.documentElement.scrollWidth") <= self.screen.width
        assert run_axe(page) == [], name
        assert self.watched.errors == [] and self.watched.csp_violations() == []


REHEARSE = "Voulez-vous vous entraîner maintenant ?"
CLOSED = "n'est pas encore ouverte"


def rehearse_to_the_recap(person: Person, check: bool = False) -> None:
    """The actualisation, from asking for it to the recap, with buttons and words.

    With `check`, the first turn is checked on screen: when the window is closed, "… n'est
    pas encore ouverte" is still in view when "Voulez-vous vous entraîner ?" is asked.
    """
    asked = person.type("je veux m'actualiser", [REHEARSE, "Avez-vous travaillé"])
    if check:
        context = CLOSED if "entraîner" in asked else "Vous déclarez le mois"
        person.check_screen(
            "intro",
            also=[
                (".pw-log", context),
                (".pw-msg-bot:last-child", asked.replace("\xa0", " ").split("\n")[0]),
            ],
        )
    if "entraîner" in asked:  # between the 16th and the 27th the window is closed
        person.choose("Oui", "Avez-vous travaillé")
    person.choose("Oui", "Combien d'heures")
    person.type("35", "salaire brut")
    person.type("1200", "stage")
    for then in ("arrêt maladie", "congé maternité", "pension de retraite", "invalidité"):
        person.choose("Non", then)
    person.choose("Non", "recherche d'un emploi")
    person.choose("Oui", QUESTION)


PLACES = [
    (PHONE, "standalone"),
    (PHONE, "embedded"),
    (DESKTOP, "standalone"),
    (DESKTOP, "embedded"),
]


@pytest.mark.parametrize(("screen", "where"), PLACES, ids=[f"{s.name}-{w}" for s, w in PLACES])
def test_box_and_send_stay_on_screen_and_the_recap_is_read_with_its_question(
    stack: Any, browser: Any, other_site: str, screen: Screen, where: str
) -> None:
    person = Person(browser, screen, where, other_site if where == "embedded" else stack.web_url)
    page = person.page
    try:
        # The greeting and its topic buttons, before anything is typed.
        greeting = bot_texts(page).first.inner_text()
        assert greeting.startswith("Bonjour") and page.locator(".pw-replies .pw-reply").count() == 5
        person.check_screen("greeting")

        person.choose("Me connecter", "Pour vous connecter")
        person.check_screen("buttons")

        rehearse_to_the_recap(person, check=True)
        person.check_screen(
            "recap",
            also=[
                (".pw-msg-bot:nth-last-child(2)", RECAP_LINE),
                (".pw-msg-bot:last-child", QUESTION),
            ],
        )

        # Nine answer buttons (the groups, then "les heures" and "le salaire" alone): the
        # most this assistant shows at once.
        person.choose("Non, changer", "Quelle réponse voulez-vous changer")
        assert page.locator(".pw-replies .pw-reply").count() == 9
        person.check_screen("many-buttons")
        person.choose("Stage", "Avez-vous été en stage")
        person.choose("Non", QUESTION)

        person.choose("Oui, c'est correct", "Autre question ?")
        link = page.get_by_role("link", name=re.compile("^Ouvrir mon récapitulatif"))
        # The turn is long (steps, payslip, the link): it shows from its start, and scrolls.
        person.check_screen("done")
        # No bot message shows an address; the recap opens from its button.
        for text in bot_texts(page).all_inner_texts():
            assert not ADDRESS.search(text), text
        with page.expect_popup() as popup:
            person.tap(link)
        summary = popup.value
        summary.wait_for_load_state()
        assert summary.url.startswith(stack.web_url + "/resume/")
        expect(summary.locator("h1")).to_have_text("Mon actualisation")
        expect(summary.locator(".answers")).to_contain_text(RECAP_LINE)
        assert run_axe(summary) == []
        screenshot(summary, f"widget-{screen.name}-{where}-summary-page")
    finally:
        person.close()


ZOOMS = [
    (PHONE_ZOOM, "standalone"),
    (PHONE_ZOOM, "embedded"),
    (DESKTOP_ZOOM, "standalone"),
    (DESKTOP_ZOOM, "embedded"),
]


@pytest.mark.parametrize(("screen", "where"), ZOOMS, ids=[f"{s.name}-{w}" for s, w in ZOOMS])
def test_box_and_send_stay_on_screen_at_200_percent_zoom(
    stack: Any, browser: Any, other_site: str, screen: Screen, where: str
) -> None:
    person = Person(browser, screen, where, other_site if where == "embedded" else stack.web_url)
    try:
        person.check_screen("greeting")
        person.choose("Me connecter", "Pour vous connecter")
        person.check_screen("buttons")
        rehearse_to_the_recap(person)
        person.check_screen("recap")
        # The tools fold under "Options", and open without pushing the box away.
        person.tap(person.page.get_by_role("button", name="Options"))
        expect(person.page.get_by_role("button", name="Plus grand")).to_be_visible()
        person.check_screen("options")
    finally:
        person.close()


def test_touch_screen_has_no_keyboard_hint_and_a_tap_does_not_pop_the_keyboard(
    stack: Any, browser: Any
) -> None:
    person = Person(browser, PHONE, "standalone", stack.web_url)
    page = person.page
    try:
        assert page.locator(".pw-help").count() == 0
        assert "pw-help" not in (page.get_attribute("#pw-input", "aria-describedby") or "")
        assert page.get_attribute("#pw-input", "enterkeyhint") == "send"
        person.choose("Me connecter", "Pour vous connecter")
        assert page.evaluate("document.activeElement.id") != "pw-input"
    finally:
        person.close()


def test_screen_readers_hear_each_bot_message_once_with_its_answer_count(
    stack: Any, browser: Any
) -> None:
    person = Person(browser, DESKTOP, "standalone", stack.web_url)
    page = person.page
    try:
        # The conversation is not a live region (it would read "Écouter" with each message).
        log = page.locator(".pw-log")
        assert log.get_attribute("aria-live") is None and log.get_attribute("role") != "log"
        live = page.locator(".pw [aria-live=polite]")
        before = bot_messages(page).count()
        page.fill("#pw-input", "comment me connecter")
        page.press("#pw-input", "Enter")
        wait_for_last(page, "Pour vous connecter", before)
        said = [text.replace("\xa0", " ") for text in live.locator("p").all_inner_texts()]
        shown = bot_texts(page).all_inner_texts()[before:]
        assert len(said) == len(shown) >= 1
        assert all(s.startswith("Passerelle :") and "Écouter" not in s for s in said)
        count = page.locator(".pw-replies .pw-reply").count()
        assert said[-1].endswith(f"{count} réponses possibles.")
        assert page.get_attribute(".pw-replies", "aria-label") == f"{count} réponses possibles"
    finally:
        person.close()


def test_escape_closes_the_embedded_panel_and_returns_to_the_launcher(
    stack: Any, browser: Any, other_site: str
) -> None:
    person = Person(browser, DESKTOP, "embedded", other_site)
    page = person.page
    try:
        launcher = page.locator(".pw-launcher")
        panel = page.locator("#pw-panel")
        assert launcher.get_attribute("aria-controls") == "pw-panel"
        page.focus("#pw-input")
        page.keyboard.press("Escape")
        expect(panel).to_be_hidden()
        expect(launcher).to_have_attribute("aria-expanded", "false")
        expect(launcher).to_be_focused()
        page.keyboard.press("Enter")
        expect(panel).to_be_visible()
        expect(launcher).to_have_attribute("aria-expanded", "true")
        # Escape in the erase confirmation closes only the confirmation.
        page.get_by_role("button", name="Options").click()
        page.get_by_role("button", name="Terminer et effacer").click()
        page.keyboard.press("Escape")
        expect(page.locator(".pw-dialog")).to_be_hidden()
        expect(panel).to_be_visible()
        page.keyboard.press("Escape")  # the options fold first
        page.keyboard.press("Escape")
        expect(panel).to_be_hidden()
        assert run_axe(page) == []
    finally:
        person.close()


def test_erasing_asks_first_and_says_what_is_kept(stack: Any, browser: Any) -> None:
    person = Person(browser, DESKTOP, "standalone", stack.web_url)
    page = person.page
    try:
        person.type("j'ai oublié mon identifiant", "Votre premier identifiant")
        messages = bot_messages(page).count()
        page.get_by_role("button", name="Terminer et effacer").click()
        dialog = page.get_by_role("dialog", name="Effacer la conversation ?")
        expect(dialog).to_be_visible()
        expect(dialog).to_contain_text("effacée de cet appareil")
        expect(dialog).to_contain_text("copie masquée")
        expect(dialog).to_contain_text("pendant 90 jours, pour les conseillers")
        assert dialog.get_by_role("link").get_attribute("href").endswith("/confidentialite")
        screenshot(page, "widget-desktop-standalone-erase-confirmation")
        assert run_axe(page) == []
        page.get_by_role("button", name="Non, continuer").click()
        expect(dialog).to_be_hidden()
        assert bot_messages(page).count() == messages  # nothing erased
        expect(page.get_by_role("button", name="Terminer et effacer")).to_be_focused()
        page.get_by_role("button", name="Terminer et effacer").click()
        page.get_by_role("button", name="Oui, effacer").click()
        assert page.locator(".pw-msg-user").count() == 0
        status = page.locator(".pw-status").inner_text()
        assert "effacée de cet appareil" in status
        assert "copie masquée" in status and "90 jours" in status
    finally:
        person.close()


@pytest.mark.parametrize(
    ("name", "title", "facts"),
    [
        ("Vie privée", "Vie privée : ce que deviennent vos messages", ["90 jours", "[masqué]"]),
        ("Accessibilité", "Déclaration d'accessibilité", ["non conforme", "axe-core"]),
    ],
)
def test_notices_exist_and_are_linked_from_the_widget(
    stack: Any, browser: Any, name: str, title: str, facts: List[str]
) -> None:
    person = Person(browser, PHONE, "standalone", stack.web_url)
    page = person.page
    try:
        person.tap(page.get_by_role("button", name="Options"))
        link = page.get_by_role("link", name=re.compile(f"^{name}"))
        expect(link).to_be_visible()
        with page.expect_popup() as popup:
            person.tap(link)
        notice = popup.value
        notice.wait_for_load_state()
        expect(notice.locator("h1")).to_have_text(title)
        for fact in facts:
            expect(notice.locator("main")).to_contain_text(fact)
        assert run_axe(notice) == []
        screenshot(notice, f"notice-{name.lower().replace(' ', '-').replace('é', 'e')}", True)
    finally:
        person.close()


def test_links_go_only_to_the_assistant_and_official_sites(stack: Any, browser: Any) -> None:
    person = Person(browser, DESKTOP, "standalone", stack.web_url)
    page = person.page
    try:
        routes: List[Any] = []

        def relay(route: Any) -> None:
            server = route.connect_to_server()
            route.on_message(server.send)
            server.on_message(route.send)
            routes.append(route)

        page.route_web_socket(re.compile(r".*/socket\.io/.*"), relay)
        page.reload()
        wait_ready(page)
        messages = [
            {
                "text": "Allez sur francetravail.fr, ou sur https://evil.example/francetravail.fr "
                "et javascript:alert(1). Aide : cybermalveillance.gouv.fr."
            },
            link_message("Piège", "https://evil.example/x"),
            {"text": "Deuxième."},
            link_message("Script", "javascript:alert(1)"),
            {"text": "Votre récapitulatif."},
            link_message("Mon récapitulatif", stack.web_url + "/resume/abc"),
        ]
        before = bot_messages(page).count()
        for message in messages:
            routes[-1].send("42" + json.dumps(["bot_uttered", message]))
        # Each link joins the bubble of the text sent just before it (as Rasa sends them).
        wait_for_bot(page, before + 2)
        expect(page.locator(".pw-link-button")).to_have_count(1)
        assert bot_messages(page).count() == before + 3
        links = page.locator(".pw-log a")
        hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
        assert hrefs == [
            "https://www.francetravail.fr/",
            "https://www.cybermalveillance.gouv.fr/",
            stack.web_url + "/resume/abc",
        ]
        first, second, third = (bot_messages(page).nth(before + n) for n in range(3))
        assert "https://evil.example/francetravail.fr" in first.inner_text()
        assert first.locator("p.pw-text", has_text="Piège").count() == 1  # shown, not a link
        assert second.locator("p.pw-text", has_text="Script").count() == 1
        assert third.locator(".pw-link-button").inner_text().startswith("Mon récapitulatif")
        assert watched_clean(person)
    finally:
        person.close()


def link_message(title: str, url: str) -> Dict[str, Any]:
    return {"attachment": {"type": "link", "payload": {"title": title, "url": url}}}


def watched_clean(person: Person) -> bool:
    return person.watched.dialogs == [] and person.watched.errors == []


def test_listen_never_sends_an_address_to_be_read(stack: Any, browser: Any) -> None:
    person = Person(browser, DESKTOP, "standalone", stack.web_url)
    page = person.page
    try:
        rehearse_to_the_recap(person)
        person.choose("Oui, c'est correct", "Autre question ?")
        summary = page.locator(".pw-msg-bot", has_text="Votre récapitulatif est prêt")
        with page.expect_request(lambda r: r.url.endswith("/api/tts")) as request:
            summary.locator(".pw-listen").click()
        spoken = request.value.post_data_json["text"]
        assert "récapitulatif" in spoken and not ADDRESS.search(spoken)
        assert summary.locator(".pw-link-button").count() == 1
    finally:
        person.close()


def test_answers_outside_the_form_end_with_autre_question(stack: Any, browser: Any) -> None:
    person = Person(browser, DESKTOP, "standalone", stack.web_url)
    page = person.page
    try:
        answer = person.type("comment envoyer un document", "Autre question ?")
        assert answer == "Autre question\u00a0?"  # typeset: "?" never alone on a line
        titles = page.locator(".pw-replies .pw-reply").all_inner_texts()
        assert titles == ["Oui, voir les sujets", "Non, c'est tout"]
        person.choose("Oui, voir les sujets", "Je peux vous aider")
        assert page.locator(".pw-replies .pw-reply").count() >= 5
    finally:
        person.close()


def test_widget_in_an_ordinary_element_of_another_site_gets_room(
    stack: Any, browser: Any, other_site: str
) -> None:
    """data-target: the element has no height of its own; the widget is one screen tall."""
    person = Person(browser, PHONE, "target", other_site + "cible")
    page = person.page
    try:
        box = page.locator(".pw").bounding_box()
        log = page.locator(".pw-log").bounding_box()
        assert 600 <= box["height"] <= PHONE.height and log["height"] >= 160
        page.locator("#pw-input").scroll_into_view_if_needed()
        person.check_screen("greeting")
    finally:
        person.close()
