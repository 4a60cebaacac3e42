"""End of speech: webrtcvad finds the speech span in espeak-ng audio with silence around."""

from __future__ import annotations

import numpy as np

from voice.audio import Audio, silence
from voice.tts import synthesize
from voice.vad import EndOfSpeech, find_speech, frames

RATE = 16_000
BEFORE_S = 1.0
AFTER_S = 1.5


def speech_with_silence() -> tuple[Audio, float, float]:
    """Speech padded with silence and light noise; returns it and the true span."""
    speech = synthesize("Je n'arrive pas à me connecter.", normalize=False).resampled(RATE)
    loud = np.flatnonzero(np.abs(speech.samples) > 300)
    true_start = BEFORE_S + loud[0] / RATE
    true_end = BEFORE_S + loud[-1] / RATE
    audio = silence(int(BEFORE_S * 1000), RATE) + speech + silence(int(AFTER_S * 1000), RATE)
    noise = np.random.default_rng(4).normal(0, 40, len(audio.samples))
    noisy = np.clip(audio.samples + noise, -32768, 32767).astype(np.int16)
    return Audio(noisy, RATE), true_start, true_end


def test_find_speech_span() -> None:
    audio, true_start, true_end = speech_with_silence()
    span = find_speech(audio)
    assert span is not None
    start, end = span
    assert abs(start - true_start) < 0.15, (start, true_start)
    assert abs(end - true_end) < 0.3, (end, true_end)


def test_end_event_comes_after_the_silence_wait() -> None:
    audio, _true_start, true_end = speech_with_silence()
    detector = EndOfSpeech(RATE, end_silence_ms=450)
    events = []
    for index, frame in enumerate(frames(audio.pcm(), RATE)):
        event = detector.feed(frame)
        if event is not None:
            events.append((event.kind, event.at, (index + 1) * 0.03))
    assert [kind for kind, _, _ in events] == ["start", "end"]
    _, end_at, decided_at = events[1]
    assert abs(end_at - true_end) < 0.3
    # The decision is taken 450 ms (15 frames) after the last voiced frame.
    assert abs(decided_at - end_at - 0.45) < 0.031
    assert len(detector.pre_roll()) == 10  # 300 ms kept before the start


def test_silence_only_has_no_speech() -> None:
    quiet = silence(2000, RATE)
    noise = np.random.default_rng(1).normal(0, 30, len(quiet.samples)).astype(np.int16)
    assert find_speech(Audio(noise, RATE)) is None


def test_rates_webrtcvad_cannot_take_are_resampled() -> None:
    audio, true_start, _ = speech_with_silence()
    at_22k = audio.resampled(22_050)
    span = find_speech(at_22k)
    assert span is not None
    assert abs(span[0] - true_start) < 0.15
