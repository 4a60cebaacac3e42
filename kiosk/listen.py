"""Turn taking: one person's turn from the microphone, a WAV file, or a typed line.

Every source answers `listen(grammar, timeout)` with a `Heard`: the text, or nothing
(silence), or a French message about a recording that cannot be used, or the end of input.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TextIO

from voice.asr import Grammar, Stream, Transcript, as_engine
from voice.audio import AudioError, read_wav, silence
from voice.config import FRAME_MS, MAX_TURN_SECONDS, SAMPLE_RATE, VoiceConfig
from voice.mic import Microphone
from voice.vad import EndOfSpeech, NoiseFloor, frames

logger = logging.getLogger(__name__)

TAIL_MS = 200  # silence added after a WAV turn beyond the end-of-speech wait
# Silence put before a WAV turn: the detector learns the background from its first frames
# (`voice.vad.NoiseFloor`), and a microphone never starts on speech (the kiosk's tone, then
# the person's breath). A recording cut right at its first word would have its words taken
# for the background.
LEAD_MS = 300
# A pause this long starts Whisper early (the turn ends after `end_silence_ms`): the rest of
# the wait hides part of its decoding time. If the person speaks again, that decoding is
# dropped and the turn goes on: a pause never ends a turn before `end_silence_ms`.
EARLY_DECODE_MS = 300
# When buttons are shown, the answer is short and Whisper starts after this pause: its
# decoding (about 0.6 s on 2 cores) outlasts the end-of-speech wait, so every millisecond
# it starts sooner is one the person does not wait. Not at a figure question: pauses come
# inside figures ("deux mille... cinq cents euros"), and each dropped decoding holds the
# engine for its whole length.
EARLY_DECODE_BUTTONS_MS = 150


@dataclass
class Heard:
    """The outcome of one turn."""

    text: str | None = None  # None: nobody spoke
    transcript: Transcript | None = None  # set when the text comes from speech
    error: str | None = None  # French message about unusable audio
    finished: bool = False  # no more input: the kiosk stops
    timings: dict[str, float] = field(default_factory=dict)  # seconds, per stage


class Ears(Protocol):
    """A source of turns."""

    def listen(self, grammar: Grammar | None, timeout: float) -> Heard: ...

    def pause(self) -> None: ...

    def resume(self) -> None: ...

    @property
    def wants_tone(self) -> bool: ...


def hear(
    audio_frames: Iterable[bytes],
    model: object,
    grammar: Grammar | None,
    config: VoiceConfig,
    timeout: float,
    noise: NoiseFloor | None = None,
) -> Heard:
    """Runs end-of-speech detection and recognition over `audio_frames`.

    `model` is a recognition engine (`voice.asr.load_engine`) or a bare Vosk model. Vosk
    recognises while the person speaks; Whisper decodes once the VAD says they stopped.
    Returns as soon as the person has stopped speaking for `config.end_silence_ms`, or
    with no text when nobody started speaking within `timeout` seconds. What the engine
    takes for silence (Whisper's inventions on noise) is silence here too. `noise` is the
    room's background level as heard so far (`voice.vad.NoiseFloor`), kept from turn to
    turn by a microphone; a new one is learnt from the first frames otherwise.
    """
    detector = EndOfSpeech(
        SAMPLE_RATE,
        config.end_silence_ms,
        config.vad_aggressiveness,
        frame_ms=FRAME_MS,
        noise=noise,
    )
    recognizer = as_engine(model).stream(grammar)
    early_ms = EARLY_DECODE_MS
    if grammar is not None and grammar.titles and not grammar.expects:
        early_ms = EARLY_DECODE_BUTTONS_MS
    waited = 0.0
    spoken = 0.0
    frame_s = FRAME_MS / 1000
    for frame in audio_frames:
        event = detector.feed(frame)
        if detector.started_at is None:
            waited += frame_s
            if waited >= timeout:
                return Heard()
            continue
        if event is not None and event.kind == "start":
            for early in detector.pre_roll():
                recognizer.accept(early)
            continue
        recognizer.accept(frame)
        spoken += frame_s
        _decode_early(recognizer, detector, early_ms)
        if (event is not None and event.kind == "end") or spoken >= MAX_TURN_SECONDS:
            return _finish(recognizer, detector)
    if detector.started_at is not None:
        return _finish(recognizer, detector)
    return Heard()


def _decode_early(recognizer: Stream, detector: EndOfSpeech, after_ms: int) -> None:
    """Lets Whisper start on a pause of `after_ms`, before the end of speech is certain."""
    early = getattr(recognizer, "early", None)
    if early is None:
        return  # Vosk recognises as the person speaks
    if detector.pause_ms >= after_ms:
        early()
    elif detector.pause_ms == 0:
        recognizer.forget_early()  # type: ignore[attr-defined]


def _finish(recognizer: Stream, detector: EndOfSpeech) -> Heard:
    started = time.perf_counter()
    transcript = recognizer.final()
    timings = {
        "end_of_speech_wait": (detector._end_frames * detector.frame_ms) / 1000,
        "asr_final": time.perf_counter() - started,
    }
    if transcript.silent:
        return Heard(timings=timings)
    if transcript.empty:
        return Heard(text="", transcript=transcript, timings=timings)
    return Heard(text=transcript.text, transcript=transcript, timings=timings)


class WavEars:
    """Each WAV file of a folder (in name order) is one turn of the person."""

    wants_tone = False

    def __init__(self, folder: Path, model: object, config: VoiceConfig) -> None:
        self.files = sorted(Path(folder).glob("*.wav"))
        self.model = model
        self.config = config
        self._next = 0
        if not self.files:
            logger.warning("No WAV file in %s", folder)

    def listen(self, grammar: Grammar | None, timeout: float) -> Heard:
        if self._next >= len(self.files):
            return Heard(finished=True)
        path = self.files[self._next]
        self._next += 1
        logger.info("Turn from %s", path.name)
        try:
            audio = read_wav(path).resampled(SAMPLE_RATE)
        except AudioError as error:
            logger.warning("Unusable recording %s: %s", path.name, error)
            return Heard(error=str(error))
        lead = silence(LEAD_MS, SAMPLE_RATE)
        audio = lead + audio + silence(self.config.end_silence_ms + TAIL_MS, SAMPLE_RATE)
        # A recording is the whole turn: silence in it counts, however short the file.
        return hear(frames(audio.pcm()), self.model, grammar, self.config, timeout=1e9)

    def pause(self) -> None:
        return None

    def resume(self) -> None:
        return None


class MicEars:
    """The live microphone; closed while the kiosk speaks."""

    wants_tone = True

    def __init__(self, model: object, config: VoiceConfig, device: int | str | None = None):
        self.model = model
        self.config = config
        self.microphone = Microphone(SAMPLE_RATE, FRAME_MS, device).open()
        self.microphone.pause()
        # The room's noise outlives a turn: its level is followed from one turn to the next.
        self.noise = NoiseFloor(FRAME_MS)

    def listen(self, grammar: Grammar | None, timeout: float) -> Heard:
        self.microphone.resume()
        try:
            return hear(
                self.microphone.frames(), self.model, grammar, self.config, timeout, self.noise
            )
        finally:
            self.microphone.pause()

    def pause(self) -> None:
        self.microphone.pause()

    def resume(self) -> None:
        self.microphone.resume()

    def close(self) -> None:
        self.microphone.close()


class TypedEars:
    """Typed lines instead of speech (an empty line counts as silence)."""

    wants_tone = False

    def __init__(self, lines: Iterable[str] | None = None, stream: TextIO | None = None) -> None:
        self._lines: Iterator[str] | None = iter(lines) if lines is not None else None
        self._stream = stream if stream is not None else sys.stdin

    def listen(self, grammar: Grammar | None, timeout: float) -> Heard:
        if self._lines is not None:
            line = next(self._lines, None)
        else:
            if self._stream.isatty():
                print("Vous : ", end="", flush=True)
            line = self._stream.readline() or None
        if line is None:
            return Heard(finished=True)
        line = line.strip()
        return Heard(text=line or None)

    def pause(self) -> None:
        return None

    def resume(self) -> None:
        return None


__all__ = ["Ears", "Heard", "MicEars", "TypedEars", "WavEars", "hear"]
