"""Text to speech: one `Voice` interface, three French engines, to audio samples or WAV.

- **Pico** (`PicoVoice`, SVOX Pico's `pico2wave -l fr-FR`, Debian `libttspico-utils`): the
  default, by far the easiest to understand (word error rate of Whisper on its speech:
  about 11 %, against 77 % for espeak-ng).
- **espeak-ng** through pyttsx3 (`EspeakVoice`): the fallback when Pico is not installed,
  with a logged warning.
- **MBROLA** (`MbrolaVoice`, voices fr1 and fr4 through espeak-ng, Debian `mbrola-fr1`,
  `mbrola-fr4`): an option (`VOICE_TTS=mbrola`); its licence forbids selling the voices.

Every engine takes a rate in words per minute (140 is each one's calm pace) and a volume
from 0 to 1, so "plus lentement" and "plus fort" work with all of them: the rate through
each engine's own setting (Pico's `<speed>` markup, espeak-ng's `-s`), the volume and the
kiosk's extra gain on the samples (numpy).

`synthesize_wav(text)` is the entry point the web widget's "Écouter" button uses: the same
default voice as the kiosk. The text is normalised for speech first.

pyttsx3's espeak driver is not re-entrant and returns from `runAndWait` before espeak-ng
has finished in its own thread; a reused engine also applies a new rate to the wrong
utterance now and then. So every espeak call holds one process-wide lock, builds a fresh
engine, waits for the "finished-utterance" notification and for espeak-ng to be idle.
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Protocol

from voice.audio import Audio, AudioError, read_wav, silence
from voice.config import TTS_VOICE, VoiceConfig
from voice.normalize import normalize_for_speech

logger = logging.getLogger(__name__)
# Which voice speaks: logged once at start, shown even when the kiosk is quiet.
startup_logger = logging.getLogger("voice.start")

ATTEMPTS = 3  # pyttsx3 runs tried before giving up on a sentence
EMPTY_MS = 200  # length of the silent WAV returned when there is nothing to say
NORMAL_RATE = 140  # words per minute: each engine's calm, natural pace
PICO_COMMAND = "pico2wave"
PICO_LANGUAGE = "fr-FR"
PICO_SPEED_RANGE = (40, 200)  # percent of Pico's own pace
ESPEAK_COMMAND = "espeak-ng"
MBROLA_COMMAND = "mbrola"
MBROLA_VOICES_DIR = Path("/usr/share/mbrola")
SYNTH_TIMEOUT = 30.0  # seconds for an engine to finish one utterance
IDLE_POLL = 0.002

TTS_MISSING = (
    "La synthèse vocale n'est pas installée. Installez le paquet espeak-ng avec : make system-deps"
)
PICO_FIX = "Pour l'installer : make system-deps (paquet libttspico-utils)."
PICO_MISSING = (
    "La voix Pico n'est pas installée : la borne parle avec espeak-ng, moins facile à "
    f"comprendre. {PICO_FIX}"
)
MBROLA_MISSING = (
    "La voix MBROLA {voice} n'est pas installée. Pour l'installer : "
    "scripts/system-deps.sh test (paquets mbrola et mbrola-{short})."
)

_lock = threading.Lock()


class SpeechUnavailableError(RuntimeError):
    """No engine can speak on this machine (French message)."""


class Voice(Protocol):
    """A French voice. `synthesize` takes text already normalised for speech."""

    name: str

    def synthesize(self, text: str, rate: int, volume: float) -> Audio: ...


def _markup_free(text: str) -> str:
    """Text that cannot be taken for an engine's markup (Pico and espeak-ng read tags)."""
    return re.sub(r"[<>]", " ", text)


def _run_to_wav(command: list[str], path: Path) -> Audio:
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=SYNTH_TIMEOUT)
    except FileNotFoundError as error:
        raise SpeechUnavailableError(TTS_MISSING) from error
    except subprocess.TimeoutExpired as error:
        raise SpeechUnavailableError("La synthèse vocale ne répond pas. Réessayez.") from error
    except subprocess.CalledProcessError as error:
        logger.error("%s failed: %s", command[0], error.stderr.decode(errors="replace")[-500:])
        raise SpeechUnavailableError(
            "La synthèse vocale a échoué. Vérifiez son installation : make system-deps"
        ) from error
    return read_wav(path)


class PicoVoice:
    """SVOX Pico, French (fr-FR), 16 kHz. The rate is Pico's `<speed>` markup."""

    name = "pico"

    def __init__(self, command: str = PICO_COMMAND) -> None:
        self.command = command

    @staticmethod
    def available(command: str = PICO_COMMAND) -> bool:
        return shutil.which(command) is not None

    def synthesize(self, text: str, rate: int, volume: float) -> Audio:
        low, high = PICO_SPEED_RANGE
        speed = max(low, min(high, round(100 * rate / NORMAL_RATE)))
        markup = f"<speed level='{speed}'>{_markup_free(text)}</speed>"
        with tempfile.TemporaryDirectory(prefix="passerelle-pico-") as work:
            path = Path(work) / "speech.wav"  # pico2wave wants a name ending in .wav
            audio = _run_to_wav([self.command, "-l", PICO_LANGUAGE, "-w", str(path), markup], path)
        return audio.scaled(volume)


class MbrolaVoice:
    """An MBROLA French voice (mb-fr1, mb-fr4) driven by espeak-ng's command line."""

    def __init__(self, voice: str = "mb-fr4") -> None:
        self.voice = voice
        self.name = f"mbrola-{voice.removeprefix('mb-')}"

    @staticmethod
    def available(voice: str = "mb-fr4") -> bool:
        data = MBROLA_VOICES_DIR / voice.removeprefix("mb-")
        return bool(shutil.which(ESPEAK_COMMAND) and shutil.which(MBROLA_COMMAND) and data.exists())

    def synthesize(self, text: str, rate: int, volume: float) -> Audio:
        with tempfile.TemporaryDirectory(prefix="passerelle-mbrola-") as work:
            path = Path(work) / "speech.wav"
            command = [ESPEAK_COMMAND, "-v", self.voice, "-s", str(rate), "-w", str(path)]
            audio = _run_to_wav([*command, "--", _markup_free(text)], path)
        return audio.scaled(volume)


class EspeakVoice:
    """espeak-ng through pyttsx3 (22,050 Hz); `voice` is pyttsx3's name ("roa/fr", "ko")."""

    name = "espeak"

    def __init__(self, voice: str = TTS_VOICE) -> None:
        self.voice = voice
        if voice != TTS_VOICE:
            self.name = f"espeak-{voice.rsplit('/', 1)[-1]}"

    def synthesize(self, text: str, rate: int, volume: float) -> Audio:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return _espeak_to_audio(text, self.voice, rate, volume)
            except AudioError as error:
                # pyttsx3's espeak driver now and then ends an utterance before any sample.
                logger.warning("TTS gave no audio (attempt %s/%s): %s", attempt, ATTEMPTS, error)
        raise SpeechUnavailableError(
            "La synthèse vocale n'a produit aucun son. Vérifiez le paquet espeak-ng."
        )


def _new_engine() -> tuple[Any, Any]:
    """A fresh pyttsx3 engine on espeak-ng, and pyttsx3's ctypes binding of espeak-ng."""
    try:
        from pyttsx3.drivers import _espeak
        from pyttsx3.engine import Engine

        return Engine("espeak"), _espeak
    except Exception as error:  # pyttsx3 raises OSError, RuntimeError or KeyError here
        logger.error("pyttsx3/espeak-ng unavailable: %s", error)
        raise SpeechUnavailableError(TTS_MISSING) from error


def _espeak_to_audio(spoken: str, voice: str, rate: int, volume: float) -> Audio:
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


def choose_voice(engine: str = "auto", mbrola_voice: str = "mb-fr4") -> Voice:
    """The voice `VOICE_TTS` asks for; "auto" is Pico, else espeak-ng with a warning.

    Raises `SpeechUnavailableError` (French, naming the fix) when the voice asked for by
    name is not installed.
    """
    if engine in ("auto", "pico"):
        if PicoVoice.available():
            return PicoVoice()
        if engine == "pico":
            raise SpeechUnavailableError(f"La voix Pico n'est pas installée. {PICO_FIX}")
        startup_logger.warning(
            "SVOX Pico (%s) not found: speaking with espeak-ng instead, much harder to "
            "understand. %s",
            PICO_COMMAND,
            PICO_MISSING,
        )
        return EspeakVoice()
    if engine == "mbrola":
        if not MbrolaVoice.available(mbrola_voice):
            short = mbrola_voice.removeprefix("mb-")
            raise SpeechUnavailableError(MBROLA_MISSING.format(voice=short, short=short))
        return MbrolaVoice(mbrola_voice)
    return EspeakVoice()


@functools.lru_cache(maxsize=4)
def _default_voice(engine: str, mbrola_voice: str) -> Voice:
    voice = choose_voice(engine, mbrola_voice)
    startup_logger.info("Speech synthesis: %s (VOICE_TTS=%s)", voice.name, engine)
    return voice


def default_voice(config: VoiceConfig | None = None) -> Voice:
    """The voice of the kiosk and of the widget's "Écouter", chosen once per process."""
    config = config or VoiceConfig.from_settings()
    return _default_voice(config.tts_engine, config.mbrola_voice)


def synthesize(
    text: str,
    rate: int | None = None,
    volume: float | None = None,
    voice: str | None = None,
    normalize: bool = True,
    engine: Voice | None = None,
) -> Audio:
    """Speaks `text` and returns the audio (mono, at the engine's rate).

    `engine` is the voice (default: `default_voice()`); `voice` names an espeak-ng voice
    instead ("ko" drives the Korean test model). `rate` is in words per minute and
    `volume` from 0 to 1; both default to the settings. Text with nothing to say (emoji
    only, empty) gives a short silence.
    """
    config = VoiceConfig.from_settings()
    spoken = normalize_for_speech(text) if normalize else text.strip()
    if not spoken:
        return silence(EMPTY_MS, 22_050)
    if engine is None:
        engine = EspeakVoice(voice) if voice else default_voice(config)
    started = time.perf_counter()
    audio = engine.synthesize(
        spoken,
        rate or config.tts_rate,
        config.tts_volume if volume is None else min(1.0, max(0.0, volume)),
    )
    logger.debug(
        "%s spoke %s characters in %.3f s (%.2f s of audio)",
        engine.name,
        len(spoken),
        time.perf_counter() - started,
        audio.duration,
    )
    return audio


def synthesize_wav(text: str) -> bytes:
    """Normalises `text` for speech and returns it spoken by the default voice as WAV bytes.

    Thread-safe. Raises `SpeechUnavailableError` (French message) when no engine can speak.
    """
    return synthesize(text).to_wav()


SpeechUnavailable = SpeechUnavailableError  # short name kept for callers

__all__ = [
    "NORMAL_RATE",
    "PICO_MISSING",
    "EspeakVoice",
    "MbrolaVoice",
    "PicoVoice",
    "SpeechUnavailable",
    "SpeechUnavailableError",
    "Voice",
    "choose_voice",
    "default_voice",
    "synthesize",
    "synthesize_wav",
]
