"""Everything the kiosk can say: never "écrivez", "cliquez", a web address, or a long turn.

The list is complete: every response of `domain.yml` as Rasa 3.6 resolves it for the
kiosk's channel (its real response generator, `channel: kiosk` variants first), button
titles included (the kiosk reads them as choices), every response the custom actions
name, and the kiosk's own sentences (`kiosk/messages.yml`).
"""

from __future__ import annotations

import ast
import re
import string
from datetime import date
from pathlib import Path

import pytest
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator

from kiosk.assistant import Assistant, Reply
from kiosk.kiosk import Kiosk, load_messages
from kiosk.listen import TypedEars
from kiosk.speak import WavMouth, speech_seconds
from kiosk.steps import STEP_SECONDS, plan_steps, speakable
from passerelle.calendar import period_for
from passerelle.config import ROOT
from passerelle.domain import load_domain
from passerelle.names import KIOSK_INPUT, SUMMARY_LINK_KEY
from passerelle.recap import recap_text, templates_from_domain
from passerelle.text import words
from voice.config import VoiceConfig

DOMAIN = load_domain()
RESPONSES = DOMAIN["responses"]
MESSAGES = load_messages()
NLG = TemplatedNaturalLanguageGenerator(RESPONSES)
TODAY = date(2026, 11, 26)

# Asking to write, type, click, press or touch, in the person's folded words.
FORBIDDEN = re.compile(
    r"\b(?:ecri(?:s|re|vez|vant)|avez ecrit|l'avez ecrit|tape[sz]?|taper|tapant|"
    r"clique[sz]?|cliquer|cliquant|appui(?:e|es|ez)?|appuy(?:er|ez|ant)|"
    r"touche[sz]?|toucher|saisi(?:r|ssez|s)|boutons?|claviers?|ci dessous|ci dessus)\b"
)
# A web address or a link in the text, or one as the voice would read it.
ADDRESS = re.compile(
    r"https?:|www\.|\b[\w-]+\.(?:fr|gouv|com|org|net)\b|\{url\}|"
    r"\bpoint (?:f r|gouv|c o m|org|net)\b|barre oblique",
    re.IGNORECASE,
)
# Sample values for every placeholder of the responses.
SLOTS = {
    "month": "novembre 2026",
    "period_month": "novembre 2026",
    "start": "01/11/2026",
    "end": "30/11/2026",
    "opens": "28 novembre 2026",
    "closes": "15 décembre 2026",
    "period": "du 1er au 30 novembre 2026",
    "window": "du 28 novembre au 15 décembre 2026",
    "hours": "35 heures",
    "amount": "1 200 €",
    "rate": "34,29 €",
    "max_hours": "720",
    "dates": "du 3 au 10",
    "url": "http://127.0.0.1:8000/resume/gAAAAABpJ1Xq3r9cVt2mHkQe8sLw0Zc-Jx_7nVuT4o",
    "link_hours": "48",
}


def recap() -> str:
    answers = {
        "worked": True,
        "hours_worked": 35.0,
        "gross_salary": 1200.0,
        "internship": False,
        "sick_leave": True,
        "sick_leave_dates": "du 3 au 10",
        "maternity_leave": False,
        "retirement_pension": False,
        "invalidity_pension": False,
        "still_seeking": True,
    }
    return recap_text(SLOTS["start"], SLOTS["end"], answers, templates_from_domain(DOMAIN))


def for_kiosk(name: str) -> dict:
    """The response as Rasa sends it on the kiosk's channel, placeholders filled."""
    values = {**SLOTS, "recap": recap()}
    response = NLG.generate_from_slots(name, {}, KIOSK_INPUT, **values)
    assert response is not None, name
    return response


def spoken_parts(response: dict) -> list[str]:
    """What the kiosk would say of a response: its text and its button titles."""
    parts = [response.get("text") or ""]
    parts += [str(button.get("title", "")) for button in response.get("buttons") or []]
    return [part for part in parts if part]


def names_in_actions() -> set[str]:
    """Every response a custom action sends by name (`utter_message(response=...)`)."""
    found = set()
    for path in (ROOT / "actions").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "utter_message":
                for keyword in node.keywords:
                    if keyword.arg == "text":
                        # Only replays of earlier bot messages (action_repeat) send raw text.
                        assert not isinstance(keyword.value, ast.Constant), path
                    if keyword.arg == "response" and isinstance(keyword.value, ast.Constant):
                        found.add(keyword.value.value)
                    if keyword.arg == "response" and isinstance(keyword.value, ast.JoinedStr):
                        found.add("utter_help_*")
    return found


ALL_TEXTS = [(name, part) for name in RESPONSES for part in spoken_parts(for_kiosk(name))] + [
    (f"kiosk/messages.yml:{key}", text) for key, text in MESSAGES.items()
]


def test_the_actions_only_send_responses_of_the_domain() -> None:
    named = names_in_actions()
    assert "utter_actualisation_summary" in named and "utter_recap" in named
    for name in named - {"utter_help_*"}:
        assert name in RESPONSES, name
    assert [name for name in RESPONSES if name.startswith("utter_help_")]


def test_nothing_the_kiosk_says_asks_to_write_type_or_click() -> None:
    offending = [f"{where}: {text}" for where, text in ALL_TEXTS if FORBIDDEN.search(words(text))]
    assert not offending, "\n".join(offending)


def test_nothing_the_kiosk_says_is_a_web_address() -> None:
    offending = [
        f"{where}: {text}"
        for where, text in ALL_TEXTS
        if ADDRESS.search(text) or ADDRESS.search(speakable(text, TODAY))
    ]
    assert not offending, "\n".join(offending)


def test_the_checks_catch_the_written_wording() -> None:
    """The same checks do flag what other channels say, so they are not empty."""
    written = NLG.generate_from_slots("utter_forgot_password", {}, "rest")["text"]
    assert FORBIDDEN.search(words(written)) and ADDRESS.search(written)
    # The written summary carries its address as a link attachment, never in its text.
    summary = NLG.generate_from_slots("utter_actualisation_summary", {}, "rest", **SLOTS)
    assert ADDRESS.search(summary["attachment"]["payload"]["url"])
    assert not ADDRESS.search(summary["text"])
    assert ADDRESS.search(speakable("Allez sur cybermalveillance.gouv.fr.", TODAY))
    assert FORBIDDEN.search(words("Appuyez sur les touches Ctrl et Maj. Tapez votre code."))


def test_other_channels_keep_todays_text() -> None:
    for name, variants in RESPONSES.items():
        default = [variant for variant in variants if not variant.get("channel")]
        assert default and variants[0] is default[0], name
        for channel in ("rest", "socketio", "collector"):
            response = NLG.generate_from_slots(name, {}, channel, **SLOTS)
            assert response.get("channel") is None, (name, channel)


def test_the_kiosk_variants_keep_their_buttons_payloads() -> None:
    """A spoken variant offers the same answers as the written one, with titles to say."""
    for name, variants in RESPONSES.items():
        kiosk = [variant for variant in variants if variant.get("channel") == KIOSK_INPUT]
        if not kiosk:
            continue
        written = [button["payload"] for button in variants[0].get("buttons") or []]
        spoken = [button["payload"] for button in kiosk[0].get("buttons") or []]
        assert spoken == written, name


def test_the_summary_link_reaches_the_kiosk_to_print_never_to_say() -> None:
    response = for_kiosk("utter_actualisation_summary")
    assert not response.get("text")
    assert response["custom"] == {SUMMARY_LINK_KEY: SLOTS["url"]}


def kiosk_for_planning(tmp_path: Path) -> Kiosk:
    config = VoiceConfig.from_settings()
    return Kiosk(
        config, TypedEars([]), WavMouth(tmp_path), Assistant("http://127.0.0.1:9", 1.0, "x")
    )


def test_every_response_alone_speaks_in_steps_of_at_most_12_seconds(tmp_path: Path) -> None:
    """Each response, planned as the kiosk plans a turn, with its default voice and rate."""
    kiosk = kiosk_for_planning(tmp_path)
    rate = kiosk.config.tts_rate
    too_long = []
    for name in RESPONSES:
        response = for_kiosk(name)
        reply = Reply(
            response.get("text") or "", response.get("buttons") or [], response.get("custom") or {}
        )
        turn = kiosk._turn_of([reply])
        steps = plan_steps(
            turn.paragraphs, turn.closing, lambda t: speech_seconds(t, rate), MESSAGES["more"]
        )
        for step in steps:
            length = speech_seconds(step.text, rate)
            if length > STEP_SECONDS:
                too_long.append(f"{name}: {length:.1f} s: {step.text}")
    assert not too_long, "\n".join(too_long)


def test_the_kiosks_own_sentences_are_short_too() -> None:
    """What the kiosk says by itself, alone or after "Je n'ai rien entendu."."""
    rate = VoiceConfig.from_settings().tts_rate
    said = [*MESSAGES.values(), f"{MESSAGES['nothing_heard']} {MESSAGES['greeting_question']}"]
    too_long = [text for text in said if speech_seconds(text, rate) > STEP_SECONDS]
    assert not too_long


def test_placeholders_are_all_filled_for_the_kiosk() -> None:
    for name, variants in RESPONSES.items():
        for variant in variants:
            fields = {f for _, f, _, _ in string.Formatter().parse(variant.get("text") or "") if f}
            assert fields <= set(SLOTS) | {"recap"}, (name, fields)


def reply_for(name: str, **values: str) -> Reply:
    response = NLG.generate_from_slots(name, {}, KIOSK_INPUT, **values)
    return Reply(response.get("text") or "", response.get("buttons") or [])


@pytest.mark.parametrize(
    "today",
    [date(2026, 11, 26), date(2026, 11, 30), date(2026, 12, 3), date(2027, 1, 5)],
    ids=["closed", "open on the 30th", "open next month", "open, last year's month"],
)
def test_the_actualisation_intro_asks_its_first_question_within_12_seconds(
    today: date, tmp_path: Path
) -> None:
    """The intro turn as `action_actualisation_intro` and the form send it, in one step."""
    period = period_for(today)
    texts = dict(
        month=period.month_name,
        start=period.start_text,
        end=period.end_text,
        opens=period.opens_text,
        closes=period.closes_text,
    )
    replies = [
        reply_for("utter_actualisation_intro"),
        reply_for(
            "utter_actualisation_period_open"
            if period.is_open
            else "utter_actualisation_period_closed",
            **texts,
        ),
        reply_for("utter_actualisation_have_at_hand"),
        reply_for("utter_ask_worked" if period.is_open else "utter_ask_rehearsal_ok", **texts),
    ]
    kiosk = kiosk_for_planning(tmp_path)
    turn = kiosk._turn_of(replies, today)
    rate = kiosk.config.tts_rate
    steps = plan_steps(
        turn.paragraphs, turn.closing, lambda t: speech_seconds(t, rate), MESSAGES["more"]
    )
    assert len(steps) == 1, [step.text for step in steps]
    assert steps[0].text.endswith("?") and ("travaillé" in steps[0].text) == period.is_open
    assert speech_seconds(steps[0].text, rate) <= STEP_SECONDS, steps[0].text


YES_NO_QUESTIONS = [
    f"utter_ask_{slot}"
    for slot in (
        "worked",
        "internship",
        "sick_leave",
        "maternity_leave",
        "retirement_pension",
        "invalidity_pension",
        "still_seeking",
        "rehearsal_ok",
        "declaration_confirmed",
    )
]
RETRIES = [
    *[("utter_invalid_yes_no", question) for question in YES_NO_QUESTIONS],
    ("utter_invalid_hours", "utter_ask_hours_worked"),
    ("utter_invalid_hours_not_positive", "utter_ask_hours_worked"),
    ("utter_invalid_hours_too_many", "utter_ask_hours_worked"),
    ("utter_invalid_gross_salary", "utter_ask_gross_salary"),
    ("utter_invalid_gross_salary_not_positive", "utter_ask_gross_salary"),
    ("utter_invalid_hourly_rate", "utter_ask_hourly_rate"),
    ("utter_invalid_sick_leave_dates", "utter_ask_sick_leave_dates"),
    ("utter_invalid_correction_field", "utter_ask_correction_field"),
]


@pytest.mark.parametrize(("error", "question"), RETRIES, ids=[q for _, q in RETRIES])
def test_an_answer_not_understood_and_the_question_again_fit_in_one_turn(
    error: str, question: str, tmp_path: Path
) -> None:
    """No "Voulez-vous la suite ?" between "je n'ai pas compris" and the question."""
    kiosk = kiosk_for_planning(tmp_path)
    turn = kiosk._turn_of([reply_for(error, **SLOTS), reply_for(question, **SLOTS)], TODAY)
    rate = kiosk.config.tts_rate
    steps = plan_steps(
        turn.paragraphs, turn.closing, lambda t: speech_seconds(t, rate), MESSAGES["more"]
    )
    assert len(steps) == 1, [step.text for step in steps]
