"""Whisper scores the expected answers against the audio; numbers get a number prompt.

Real engine (faster-whisper, int8, CPU) and real voices (SVOX Pico): no mock. The
decision rule itself (`Grammar.choose`) is tested on given scores.
"""

from __future__ import annotations

import numpy as np
import pytest

from kiosk.listen import LEAD_MS, hear
from passerelle.numbers import parse_amount, parse_hours
from tests.support import spoken_set
from voice.asr import Grammar, to_message, transcribe
from voice.audio import Audio, silence
from voice.config import SAMPLE_RATE, VoiceConfig
from voice.grammar import (
    CLOSED_FLOOR,
    CLOSED_MARGIN,
    CLOSED_SLACK,
    LIFT_FLOOR,
    LIFT_MARGIN,
    Scored,
)
from voice.tts import PicoVoice, synthesize
from voice.vad import frames
from voice.whisper import (
    Decoded,
    number_confidence,
    number_hypothesis,
    prompt_for,
    stretched,
    written,
)

YES_NO = [{"title": "Oui", "payload": "/affirm"}, {"title": "Non", "payload": "/deny"}]
TOPICS = [
    {"title": "Me connecter", "payload": "/how_to_login"},
    {"title": "M'actualiser", "payload": "/start_actualisation"},
    {"title": "Mes courriers", "payload": "/received_mail"},
]
ESTIMATE = [{"title": "Estimer", "payload": "estimer"}]


def pico(text: str) -> Audio:
    return synthesize(text, engine=PicoVoice())


def samples_of(audio: Audio) -> np.ndarray:
    return audio.resampled(SAMPLE_RATE).samples.astype(np.float32) / 32768.0


# --- the decision rule, on given scores ---------------------------------------------------


def scores(grammar: Grammar, total: float = -30.0, **given: float) -> dict[str, Scored]:
    """Every scored form at `total` (two tokens each), but those `given` by their text."""
    named = {form.replace("_", " "): value for form, value in given.items()}
    return {form: Scored(named.get(form, total), 2) for form in grammar.scored}


def test_a_clear_answer_is_taken() -> None:
    grammar = Grammar.from_buttons(YES_NO)
    chosen = grammar.choose("Houi.", scores(grammar, Oui=-0.8), Scored(-0.6, 2))
    assert chosen == "Oui" and grammar.payload_for(chosen) == "/affirm"


def test_what_whisper_wrote_is_taken_when_it_is_an_answer() -> None:
    grammar = Grammar.from_buttons(YES_NO)
    # Another answer may score a little ahead of it (less than CLOSED_MARGIN).
    given = scores(grammar, Oui=-3.0 + CLOSED_MARGIN / 2)
    assert grammar.choose("Non.", given, Scored(-3.0, 2)) == "Non."
    # ...unless it is unlikely from the audio alone (Whisper copied its prompt on noise).
    assert grammar.choose("Non.", scores(grammar), Scored(-30.0, 2)) == ""


def test_an_answer_whisper_misheard_is_taken_when_nearly_as_likely() -> None:
    grammar = Grammar.from_buttons(TOPICS)
    given = scores(grammar, Mes_courriers=-3.0)
    chosen = grammar.choose("Mais courrier.", given, Scored(-3.0 + CLOSED_SLACK / 2, 3))
    assert grammar.payload_for(chosen) == "/received_mail"


def test_two_answers_close_together_are_no_choice() -> None:
    grammar = Grammar.from_buttons(YES_NO)
    given = scores(grammar, Oui=-1.0, Non=-1.0 - CLOSED_MARGIN / 2)
    assert grammar.payload_for(grammar.choose("Houille.", given, Scored(-1.0, 2))) is None


def test_a_free_question_stays_itself() -> None:
    grammar = Grammar.from_buttons(TOPICS)
    text = "Je voudrais une attestation de paiement."
    given = scores(grammar, Me_connecter=-9.0)
    assert grammar.choose(text, given, Scored(-2.0, 9)) == text


def test_a_looping_text_is_never_taken_as_written() -> None:
    """Whisper looped on a sentence of its prompt: only the audio's scores may choose."""
    grammar = Grammar.from_buttons(YES_NO)
    copied = Scored(-20.0, 3)
    assert grammar.choose("Plus lentement.", scores(grammar), copied, written=False) == ""
    given = scores(grammar, Oui=-0.5)
    assert grammar.choose("Plus lentement.", given, copied, written=False) == "Oui"


def test_an_answer_whisper_wrote_is_refused_when_another_scores_clearly_ahead() -> None:
    # Measured on MBROLA fr4's quick "Invalidité", written "Travail." (prompt copied).
    buttons = [{"title": "Travail", "payload": "travail"}, {"title": "Invalidité", "payload": "i"}]
    grammar = Grammar.from_buttons(buttons)
    given = scores(grammar, Invalidité=-7.65, Travail=-13.62)
    assert grammar.choose("Travail.", given, Scored(-13.62, 3)) == ""
    # A harmless command Whisper base scores badly stays what it wrote ("Plus fort").
    given = scores(grammar, Plus_fort=-9.9, Invalidité=-4.6)
    assert grammar.choose("Plus fort.", given, Scored(-9.9, 2)) == "Plus fort."


def test_unlikely_answers_are_never_taken() -> None:
    grammar = Grammar.from_buttons(YES_NO)
    given = scores(grammar, Oui=2 * (CLOSED_FLOOR - 1))
    assert grammar.payload_for(grammar.choose("Fff.", given, Scored(-40.0, 5))) is None


def lifted(grammar: Grammar, **given: float) -> tuple[dict[str, Scored], dict[str, Scored]]:
    """Scores of every checked form on the turn and on silence: -25 on silence, and on the
    turn -25 plus its lift (0, or the value `given` by its text)."""
    named = {form.replace("_", " "): value for form, value in given.items()}
    forms = [*grammar.scored, *grammar.verified]
    priors = {form: Scored(-25.0, 2) for form in forms}
    scores = {form: Scored(-25.0 + named.get(form, 0.0), 2) for form in forms}
    return scores, priors


def test_the_answer_the_audio_lifts_clearly_is_taken() -> None:
    grammar = Grammar.from_buttons(TOPICS)
    scores, priors = lifted(grammar, Mes_courriers=LIFT_MARGIN + 3.0, Me_connecter=2.0)
    chosen = grammar.choose("Mais courrier.", scores, Scored(-22.0, 3), priors=priors)
    assert grammar.payload_for(chosen) == "/received_mail"


def test_a_common_answer_that_scores_well_on_anything_is_not_taken_by_its_score() -> None:
    """ "Oui" scores high on any audio, noise included; its lift (against silence) does not."""
    grammar = Grammar.from_buttons(YES_NO)
    scores, priors = lifted(grammar, Oui=1.0, Non=0.5)
    priors["Oui"] = Scored(-2.0, 1)
    scores["Oui"] = Scored(-1.0, 1)  # the best score of all, and a lift of 1 only
    text = grammar.choose("Un autre.", scores, Scored(-7.0, 3), priors=priors)
    assert not text or grammar.payload_for(text) is None


def test_an_answer_heard_inside_other_words_must_be_borne_out_by_the_audio() -> None:
    """In chatter Whisper writes the background's words, answers among them ("Ah, ouais.",
    "Arrêtez."): taken only if the audio lifts that answer (`LIFT_FLOOR`)."""
    grammar = Grammar.from_buttons(YES_NO)
    scores, priors = lifted(grammar, Ouais=LIFT_FLOOR - 1.0, Non=LIFT_FLOOR - 1.5)
    assert grammar.choose("Ah, ouais.", scores, Scored(-8.0, 4), priors=priors) == ""
    scores, priors = lifted(grammar, Arrête=LIFT_FLOOR - 1.0)
    assert (
        grammar.choose("Résez dans l'ici. Arrêtez.", scores, Scored(-15.0, 8), priors=priors) == ""
    )
    # Borne out, the same words are taken.
    scores, priors = lifted(grammar, Ouais=LIFT_FLOOR + 2.0)
    assert grammar.choose("Ah, ouais.", scores, Scored(-8.0, 4), priors=priors) == "Ah, ouais."


def test_stop_and_recommence_are_checked_but_never_chosen_by_their_score() -> None:
    grammar = Grammar.from_buttons(YES_NO)
    assert {"Stop", "Recommence"} <= set(grammar.verified)
    assert not set(grammar.verified) & set(grammar.scored)
    scores, priors = lifted(grammar, Stop=20.0)
    text = grammar.choose("Un autre.", scores, Scored(-20.0, 2), priors=priors)
    assert grammar.payload_for(text) != "stop"
    assert Grammar.for_number("hours").verified == []


def test_only_the_commands_that_change_nothing_are_scored() -> None:
    """A short word scores well on noise: "stop" would end the conversation, "recommence"
    restart it. "répète", "plus fort" and "plus lentement" only say something again."""
    grammar = Grammar.from_buttons(YES_NO)
    assert "Oui" in grammar.scored and "Bien sûr" in grammar.scored
    assert {"Répète", "Plus fort", "Plus lentement", "Moins vite"} <= set(grammar.scored)
    assert "Stop" in grammar.spoken and "Stop" not in grammar.scored
    assert "Recommence" in grammar.spoken and "Recommence" not in grammar.scored
    assert Grammar.for_number("amount", ESTIMATE).scored == ["Estimer"]  # a figure is asked


def test_candidates_are_written_as_whisper_writes_them() -> None:
    grammar = Grammar.from_buttons([{"title": "Non, continuer", "payload": "/deny"}, *YES_NO])
    assert "Non, continuer" in grammar.spoken and "Plus lentement" in grammar.spoken
    assert grammar.spoken["Pas du tout"] == "/deny"
    assert written(" oui. ") == "Oui"


# --- the real engine --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "payload"),
    [("Oui.", "/affirm"), ("Non merci.", "/deny"), ("Mes courriers.", "/received_mail")],
)
def test_a_pico_answer_is_scored_to_its_button(whisper, said: str, payload: str) -> None:
    grammar = Grammar.from_buttons(TOPICS if payload.startswith("/rec") else YES_NO)
    audio = silence(300, 22_050) + pico(said) + silence(300, 22_050)
    heard = transcribe(whisper, audio, grammar)
    assert grammar.payload_for(heard.text) == payload


def test_noise_scores_to_no_answer(whisper) -> None:
    """Pure noise given straight to the scorer (no VAD before it) maps to no button."""
    grammar = Grammar.from_buttons(YES_NO)
    rng = np.random.default_rng(5)
    for level in (800, 4000):
        noise = Audio(rng.normal(0, level, 2 * SAMPLE_RATE).astype(np.int16), SAMPLE_RATE)
        heard = whisper.transcript(samples_of(noise), grammar)
        assert grammar.payload_for(heard.text) is None


def test_scores_rank_the_answer_said_first(whisper) -> None:
    heard = whisper.listen(samples_of(pico("Oui.")), prompt_for(Grammar.from_buttons(YES_NO)))
    yes, no, command = whisper.score(heard, ["Oui", "Non", "Plus fort"])
    assert yes.total > no.total + CLOSED_MARGIN and yes.total > command.total + CLOSED_MARGIN
    assert yes.mean >= CLOSED_FLOOR and yes.tokens == 1


# --- numbers ------------------------------------------------------------------------------


def test_a_number_grammar_leaves_vosk_free() -> None:
    grammar = Grammar.for_number("hours")
    assert grammar.phrases == [] and grammar.expects == "hours"
    prompt = prompt_for(grammar)
    assert "heures" in prompt and not any(c.isdigit() for c in prompt)  # no value to copy
    with pytest.raises(ValueError):
        Grammar.for_number("dates")


def test_a_number_grammar_keeps_the_question_buttons_for_whisper_only() -> None:
    grammar = Grammar.for_number("amount", ESTIMATE)
    assert grammar.expects == "amount"
    assert grammar.phrases == []  # Vosk listens freely: a figure is no phrase
    assert grammar.scored == ["Estimer"]  # Whisper scores the button's title
    assert grammar.payload_for("estimer") == "estimer"
    assert grammar.payload_for("1500 euros brut") is None  # a figure is no button


def decoded(text: str, total: float, tokens: int) -> Decoded:
    return Decoded(text, total / (tokens + 1), 0.0, 0.0, total, tokens)


def test_a_figure_every_hypothesis_agrees_on_is_sure() -> None:
    # Measured on Pico's "Mille cinq cents euros brut.": four writings of one value.
    hypotheses = [
        decoded("1500 euros brut.", -3.46, 5),
        decoded("1500 euros brut", -3.69, 4),
        decoded("1 500 euros brut", -3.98, 4),
        decoded("1500 brut.", -3.36, 3),
    ]
    assert hypotheses[0].avg_logprob < -0.55  # one writing alone looks unsure
    assert number_confidence(hypotheses, hypotheses[0], "amount") >= 0.9


def test_a_figure_another_likely_hypothesis_disputes_is_unsure() -> None:
    hypotheses = [
        decoded("environ 90 heures.", -1.9, 4),
        decoded("environ 80 heures.", -2.6, 4),
        decoded("environ 90 heures", -2.4, 3),
    ]
    assert number_confidence(hypotheses, hypotheses[0], "hours") < 0.9


def test_hypotheses_agreeing_on_a_figure_but_not_on_the_words_leave_it_unsure() -> None:
    # Measured on Pico's "dix-sept heures et quart": every hypothesis reads 10, wrongly.
    hypotheses = [
        decoded("Dix c'est peu récord.", -6.0, 9),
        decoded("Dix c'est pas récord.", -6.4, 9),
        decoded("Dix c'est pas récord !", -7.0, 9),
        decoded("Dix c'est peu récar.", -7.1, 9),
    ]
    assert number_confidence(hypotheses, hypotheses[0], "hours") < 0.9


def test_a_spoken_figure_beside_a_button_reaches_the_form(whisper) -> None:
    grammar = Grammar.for_number("amount", ESTIMATE)
    heard = transcribe(whisper, pico("Mille cinq cents euros brut."), grammar)
    assert grammar.payload_for(heard.text) is None
    assert parse_amount(to_message(heard.text)) == 1500.0, heard.text
    assert heard.confidence >= 0.9, heard  # no read-back of a value Whisper is sure of


def test_a_spoken_button_title_at_a_figure_question_chooses_the_button(whisper) -> None:
    grammar = Grammar.for_number("amount", ESTIMATE)
    heard = transcribe(whisper, pico("Estimer."), grammar)
    assert grammar.payload_for(heard.text) == "estimer", heard.text


@pytest.mark.parametrize(
    ("said", "kind", "value"),
    [
        ("vingt heures", "hours", 20.0),
        ("cent cinquante et une heures et demie", "hours", 151.5),
        ("mille deux cents euros", "amount", 1200.0),
    ],
)
def test_spoken_numbers_are_read_with_the_number_prompt(
    whisper, said: str, kind: str, value: float
) -> None:
    heard = transcribe(whisper, pico(said), Grammar.for_number(kind))
    parse = parse_hours if kind == "hours" else parse_amount
    assert parse(to_message(heard.text)) == value


def test_stretched_audio_is_longer_and_keeps_its_level() -> None:
    samples = np.sin(np.linspace(0, 200, 16_000)).astype(np.float32)
    slower = stretched(samples, 1.15)
    assert len(slower) == 18_400 and slower.dtype == np.float32
    assert abs(float(np.abs(slower).max()) - float(np.abs(samples).max())) < 0.01


@pytest.mark.parametrize("speed", ["calme", "rapide"])
def test_a_figure_heard_only_slower_is_read_back(whisper, speed: str) -> None:
    # Whisper base writes the spoken set's Pico "mille euros" "milieux" or "Miro" at once;
    # slower, "mille euros".
    audio = spoken_set.clean("mille euros", "pico", speed)
    heard = whisper.transcript(samples_of(audio), Grammar.for_number("amount"))
    assert parse_amount(to_message(heard.text)) == 1000.0, heard.text
    assert heard.confidence < 0.9  # the kiosk asks "C'est bien ça ?"


@pytest.mark.parametrize("said", ["Je ne sais pas.", "Je veux parler à quelqu'un."])
def test_words_at_a_figure_question_are_no_figure(whisper, said: str) -> None:
    heard = transcribe(whisper, pico(said), Grammar.for_number("hours"))
    assert heard.text and parse_hours(to_message(heard.text)) is None, heard.text


def test_the_first_hypothesis_holding_a_number_is_kept(whisper) -> None:
    heard = whisper.listen(samples_of(pico("vingt heures")), prompt_for(None), 3)
    assert len(heard.hypotheses) == 3
    chosen = number_hypothesis(heard.hypotheses, "hours")
    assert parse_hours(to_message(chosen.text)) is not None


# --- early decoding -----------------------------------------------------------------------


def test_early_decoding_gives_the_turn_transcript(whisper) -> None:
    grammar = Grammar.from_buttons(YES_NO)
    pcm = (silence(200, SAMPLE_RATE) + pico("Oui.").resampled(SAMPLE_RATE)).pcm()
    stream = whisper.stream(grammar)
    stream.accept(pcm)
    stream.early()  # the person paused...
    stream.accept(silence(300, SAMPLE_RATE).pcm())  # ...and said nothing more
    assert grammar.payload_for(stream.final().text) == "/affirm"
    stream = whisper.stream(grammar)
    stream.accept(silence(500, SAMPLE_RATE).pcm())
    stream.early()
    stream.forget_early()  # they spoke again: the early result is dropped
    stream.accept(pcm)
    assert grammar.payload_for(stream.final().text) == "/affirm"


def heard_in_turn(audio: Audio, grammar: Grammar, whisper) -> str:
    """What the kiosk takes from `audio` as one turn: VAD, early decoding, then the grammar,
    with silence before and after the words as `kiosk.listen.WavEars` puts it."""
    config = VoiceConfig.from_settings()
    turn = (
        silence(LEAD_MS, SAMPLE_RATE)
        + audio.resampled(SAMPLE_RATE)
        + silence(config.end_silence_ms + 200, SAMPLE_RATE)
    )
    heard = hear(frames(turn.pcm()), whisper, grammar, config, timeout=1e9)
    return heard.text or ""


@pytest.mark.parametrize(
    ("said", "speed"),
    [
        ("non non", "rapide"),  # written "Non. Non. Non...." (a loop, once silence)
        ("répète", "calme"),
        ("plus fort", "calme"),
        ("Retraite", "calme"),
        ("Mes courriers", "rapide"),
        ("Travail", "rapide"),
    ],
)
def test_a_short_answer_decoded_just_after_the_words_is_not_asked_again(
    whisper, said: str, speed: str
) -> None:
    """Decoded early, the turn ends 150 to 300 ms after the words; without silence after
    them, Whisper wrote these right but scored them unlikely, and the kiosk asked again."""
    kinds = ("yes_no", "button", "command")
    item = next(u for u in spoken_set.of_kind(*kinds) if u.text == said)
    grammar = Grammar.from_buttons(item.button_dicts())
    text = heard_in_turn(spoken_set.audio_for(item, "pico", speed), grammar, whisper)
    assert grammar.payload_for(text) == item.expected, text


def trimmed(audio: Audio) -> Audio:
    """Pico's words without the silence it puts around them (0.7 s after): the pauses of a
    test are then the ones it says."""
    loud = np.flatnonzero(np.abs(audio.samples) > 300)
    return Audio(audio.samples[loud[0] : loud[-1] + 1], audio.rate)


def test_a_pause_inside_a_button_answer_does_not_end_the_turn(whisper) -> None:
    # "Mes" alone is decoded early, then dropped when "rendez-vous" comes.
    grammar = Grammar.from_buttons(
        [
            {"title": "Mes courriers", "payload": "/received_mail"},
            {"title": "Mes rendez-vous", "payload": "/appointments"},
        ]
    )
    audio = trimmed(pico("Mes")) + silence(350, SAMPLE_RATE) + trimmed(pico("rendez-vous."))
    assert grammar.payload_for(heard_in_turn(audio, grammar, whisper)) == "/appointments"


def test_a_pause_inside_a_figure_does_not_end_the_turn(whisper) -> None:
    # Whisper starts on "mille deux cents" after 300 ms, and drops it when "cinquante" comes.
    said = (
        trimmed(pico("mille deux cents")) + silence(350, SAMPLE_RATE) + trimmed(pico("cinquante"))
    )
    text = heard_in_turn(said + pico("euros."), Grammar.for_number("amount"), whisper)
    assert parse_amount(to_message(text)) == 1250.0, text
