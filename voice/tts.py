"""Text to speech: French espeak-ng voice through pyttsx3, to WAV bytes or audio samples.

`synthesize_wav(text)` is the entry point the web widget's "Écouter" button uses. The text
is normalised for speech first.

pyttsx3's espeak driver is not re-entrant and returns from `runAndWait` before espeak-ng
has finished in its own thread; a reused engine also applies a new rate to the wrong
utterance now and then. So every call holds one process-wide lock, builds a fresh engine,
waits for the "finished-utterance" notification and for espeak-ng to be idle.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import tempfile
import threading
import time
from typing import Any

from voice.audio import Audio, AudioError, read_wav, silence
from voice.config import VoiceConfig
from voice.normalize import normalize_for_speech

logger = logging.getLogger(__name__)

ATTEMPTS = 3  # pyttsx3 runs tried before giving up on a sentence
EMPTY_MS = 200  # length of the silent WAV returned when there is nothing to say
TTS_MISSING = (
    "La synthèse vocale n'est pas installée. Installez le paquet espeak-ng avec : make system-deps"
)

SYNTH_TIMEOUT = 30.0  # seconds for espeak-ng to finish one utterance
IDLE_POLL = 0.002

_lock = threading.Lock()


class SpeechUnavailableError(RuntimeError):
    """espeak-ng or pyttsx3 cannot speak on this machine (French message)."""


def _new_engine() -> tuple[Any, Any]:
    """A fresh pyttsx3 engine on espeak-ng, and pyttsx3's ctypes binding of espeak-ng."""
    try:
        from pyttsx3.drivers import _espeak
        from pyttsx3.engine import Engine

        return Engine("espeak"), _espeak
    except Exception as error:  # pyttsx3 raises OSError, RuntimeError or KeyError here
        logger.error("pyttsx3/espeak-ng unavailable: %s", error)
        raise SpeechUnavailableError(TTS_MISSING) from error


def synthesize(
    text: str,
    rate: int | None = None,
    volume: float | None = None,
    voice: str | None = None,
    normalize: bool = True,
) -> Audio:
    """Speaks `text` with the French voice and returns the audio (22,050 Hz mono).

    `rate` is in words per minute and `volume` from 0 to 1; both default to the settings.
    Text with nothing to say (emoji only, empty) gives a short silence.
    """
    config = VoiceConfig.from_settings()
    spoken = normalize_for_speech(text) if normalize else text.strip()
    if not spoken:
        return silence(EMPTY_MS, 22_050)
    started = time.perf_counter()
    for attempt in range(1, ATTEMPTS + 1):
        try:
            audio = _speak_to_audio(
                spoken,
                voice or config.tts_voice,
                rate or config.tts_rate,
                config.tts_volume if volume is None else volume,
            )
            break
        except AudioError as error:
            # pyttsx3's espeak driver now and then ends an utterance before any sample.
            logger.warning("TTS gave no audio (attempt %s/%s): %s", attempt, ATTEMPTS, error)
    else:
        raise SpeechUnavailableError(
            "La synthèse vocale n'a produit aucun son. Vérifiez le paquet espeak-ng."
        )
    logger.debug(
        "Spoke %s characters in %.3f s (%.2f s of audio)",
        len(spoken),
        time.perf_counter() - started,
        audio.duration,
    )
    return audio


def _speak_to_audio(spoken: str, voice: str, rate: int, volume: float) -> Audio:
    """One pyttsx3 run writing `spoken` to a temporary WAV, read back as audio."""
    descriptor, path = tempfile.mkstemp(prefix="passerelle-tts-", suffix=".wav")
    os.close(descriptor)
    try:
        with _lock:
            engine, espeak = _new_engine()
            finished = threading.Event()
            engine.connect("finished-utterance", lambda name, completed: finished.set())
            engine.setProperty("voice", voice)
            # Set twice: once in a while espeak-ng keeps an older rate after a single set.
            engine.setProperty("rate", rate)
            engine.setProperty("rate", rate)
            engine.setProperty("volume", volume)
            # The espeak driver prints "Audio saved to ..." on stdout: keep stdout clean.
            with contextlib.redirect_stdout(io.StringIO()):
                engine.save_to_file(spoken, path)
                engine.runAndWait()
                done = finished.wait(SYNTH_TIMEOUT)
            deadline = time.monotonic() + SYNTH_TIMEOUT
            while espeak.IsPlaying() and time.monotonic() < deadline:
                time.sleep(IDLE_POLL)
        if not done:
            raise SpeechUnavailableError("La synthèse vocale ne répond pas. Réessayez.")
        return read_wav(path)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)


def synthesize_wav(text: str) -> bytes:
    """Normalises `text` for speech and returns it spoken by the French voice as WAV bytes.

    Thread-safe. Raises `SpeechUnavailableError` (French message) when espeak-ng is missing.
    """
    return synthesize(text).to_wav()


SpeechUnavailable = SpeechUnavailableError  # short name kept for callers

__all__ = ["SpeechUnavailable", "SpeechUnavailableError", "synthesize", "synthesize_wav"]
