"""The French spoken test set: utterances, voices, speeds and noise, made here, reproducibly.

Every utterance of `spoken_set.yml` (yes/no forms, the kiosk's commands, hours and amounts,
free questions) and every button title of `domain.yml` is synthesised by each voice (Pico,
MBROLA fr4 and fr1, espeak-ng) at two speeds, then mixed with noise at 10 or 20 dB SNR:
babble (agency chatter, made of other synthesised sentences) or white noise. Clean audio
is cached under `var/spoken-set/` (git-ignored; file names carry a hash of what made them);
noise is mixed on the fly with a fixed seed per utterance, so every run hears the same.

The same set drives the voice tests and `bench/voice.py`. Run as a script to fill the cache:
`PYTHONPATH=. .venv/bin/python -m tests.support.spoken_set`.
"""

from __future__ import annotations

import hashlib
import logging
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml

from passerelle.config import ROOT
from voice.audio import Audio, read_wav, silence
from voice.config import SAMPLE_RATE
from voice.tts import EspeakVoice, MbrolaVoice, PicoVoice, Voice, synthesize

logger = logging.getLogger(__name__)

SET_PATH = Path(__file__).with_name("spoken_set.yml")
DOMAIN_PATH = ROOT / "domain.yml"
CACHE_DIR = ROOT / "var" / "spoken-set"
CACHE_VERSION = "1"
# Two speeds: a calm pace (the kiosk's own) and a quick one, as people speak.
SPEEDS = {"calme": 140, "rapide": 180}
NOISES = ("babble", "blanc")
SNRS = (10, 20)
PAD_MS = 300  # silence around each utterance, where the noise is heard alone
BABBLE_VOICES = 4  # talkers mixed into the babble
BABBLE_SECONDS = 30


def voices() -> dict[str, Voice]:
    """The voices of the set, by name (Pico, MBROLA fr4 and fr1, espeak-ng)."""
    return {
        "pico": PicoVoice(),
        "mbrola-fr4": MbrolaVoice("mb-fr4"),
        "mbrola-fr1": MbrolaVoice("mb-fr1"),
        "espeak": EspeakVoice(),
    }


@dataclass(frozen=True)
class Utterance:
    """One thing a person says, and what the kiosk must make of it.

    `kind` is "yes_no", "button", "command", "hours", "amount" or "question". `expected`
    is the payload (yes/no, button), the command, the value (hours, amount) or the intent.
    `buttons` are the buttons shown when it is said (the grammar of yes/no and buttons).
    """

    id: str
    kind: str
    text: str
    expected: str | float
    buttons: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def button_dicts(self) -> list[dict]:
        return [{"title": title, "payload": payload} for title, payload in self.buttons]


def _load_yaml(path: Path) -> dict:
    with open(path, encoding="utf-8") as source:
        return yaml.safe_load(source)


def domain_button_sets() -> list[tuple[tuple[str, str], ...]]:
    """The buttons of every response of domain.yml that has some, in file order."""
    sets = []
    for variants in (_load_yaml(DOMAIN_PATH).get("responses") or {}).values():
        for variant in variants:
            buttons = tuple(
                (str(button["title"]), str(button.get("payload") or button["title"]))
                for button in variant.get("buttons") or []
            )
            if buttons and buttons not in sets:
                sets.append(buttons)
    return sets


def _yes_no_buttons() -> tuple[tuple[str, str], ...]:
    for buttons in domain_button_sets():
        if [title for title, _ in buttons] == ["Oui", "Non"]:
            return buttons
    return (("Oui", "/affirm"), ("Non", "/deny"))


def _slug(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


@lru_cache(maxsize=1)
def utterances() -> tuple[Utterance, ...]:
    """The whole set, in a stable order."""
    data = _load_yaml(SET_PATH)
    items: list[Utterance] = []
    yes_no = _yes_no_buttons()
    yes_payload, no_payload = yes_no[0][1], yes_no[1][1]
    for text in data["oui"]:
        items.append(Utterance(f"oui-{_slug(text)}", "yes_no", text, yes_payload, yes_no))
    for text in data["non"]:
        items.append(Utterance(f"non-{_slug(text)}", "yes_no", text, no_payload, yes_no))
    seen: set[str] = set()
    for buttons in domain_button_sets():
        for title, payload in buttons:
            if title in seen:
                continue
            seen.add(title)
            items.append(Utterance(f"bouton-{_slug(title)}", "button", title, payload, buttons))
    for text, command in data["commands"].items():
        items.append(Utterance(f"commande-{_slug(text)}", "command", text, command, yes_no))
    for text, value in data["hours"].items():
        items.append(Utterance(f"heures-{_slug(text)}", "hours", text, float(value)))
    for text, value in data["amounts"].items():
        items.append(Utterance(f"euros-{_slug(text)}", "amount", text, float(value)))
    for intent, texts in data["questions"].items():
        for text in texts:
            items.append(Utterance(f"question-{_slug(text)}", "question", text, intent))
    return tuple(items)


def of_kind(*kinds: str) -> list[Utterance]:
    return [utterance for utterance in utterances() if utterance.kind in kinds]


def clean(utterance: Utterance | str, voice: str, speed: str = "calme") -> Audio:
    """The utterance spoken by `voice` at `speed`, 16 kHz, with `PAD_MS` of silence around.

    Cached as WAV under var/spoken-set/<voice>/<speed>/.
    """
    text = utterance.text if isinstance(utterance, Utterance) else utterance
    key = _slug(f"{CACHE_VERSION}|{voice}|{speed}|{text}")
    path = CACHE_DIR / voice / speed / f"{key}.wav"
    if path.exists():
        return read_wav(path)
    engine = voices()[voice]
    speech = synthesize(text, rate=SPEEDS[speed], engine=engine).resampled(SAMPLE_RATE)
    audio = silence(PAD_MS, SAMPLE_RATE) + speech + silence(PAD_MS, SAMPLE_RATE)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_bytes(audio.to_wav())
    partial.replace(path)
    return audio


@lru_cache(maxsize=1)
def babble_track() -> np.ndarray:
    """Agency chatter: the babble sentences by several voices at once, float32, 16 kHz."""
    sentences = _load_yaml(SET_PATH)["babble"]
    names = list(voices())
    length = BABBLE_SECONDS * SAMPLE_RATE
    track = np.zeros(length, dtype=np.float32)
    rng = np.random.default_rng(7)
    for talker in range(BABBLE_VOICES):
        voice = names[talker % len(names)]
        stream = np.concatenate(
            [
                clean(sentences[(talker + index) % len(sentences)], voice).samples
                for index in range(len(sentences))
            ]
        ).astype(np.float32)
        stream = np.roll(np.resize(stream, length), int(rng.integers(0, length)))
        track += stream / max(1.0, float(np.sqrt(np.mean(stream**2))))
    return track


def _speech_rms(samples: np.ndarray) -> float:
    """RMS of the speech itself (the padding's silence left out)."""
    loud = samples[np.abs(samples) > 0.02 * max(1.0, float(np.abs(samples).max()))]
    return float(np.sqrt(np.mean(loud.astype(np.float64) ** 2))) if len(loud) else 0.0


def noisy(audio: Audio, noise: str, snr_db: float, seed: str) -> Audio:
    """`audio` with babble or white ("blanc") noise at `snr_db`, over its whole length."""
    rng = np.random.default_rng(int(hashlib.sha1(seed.encode()).hexdigest()[:8], 16))
    count = len(audio.samples)
    if noise == "babble":
        track = babble_track()
        start = int(rng.integers(0, len(track) - count)) if len(track) > count else 0
        sound = np.resize(track[start : start + count], count).astype(np.float64)
    elif noise == "blanc":
        sound = rng.normal(0.0, 1.0, count)
    else:
        raise ValueError(f"unknown noise {noise!r}")
    speech = audio.samples.astype(np.float64)
    target = _speech_rms(audio.samples) / (10 ** (snr_db / 20))
    sound *= target / max(1e-9, float(np.sqrt(np.mean(sound**2))))
    mixed = np.clip(np.round(speech + sound), -32768, 32767).astype(np.int16)
    return Audio(mixed, audio.rate)


def conditions(noise: bool = True) -> Iterator[tuple[str, float | None]]:
    """("propre", None), then each (noise, SNR)."""
    yield "propre", None
    if noise:
        for kind in NOISES:
            for snr in SNRS:
                yield kind, snr


def audio_for(
    utterance: Utterance, voice: str, speed: str, noise: str = "propre", snr: float | None = None
) -> Audio:
    speech = clean(utterance, voice, speed)
    if noise == "propre" or snr is None:
        return speech
    return noisy(speech, noise, snr, f"{utterance.id}|{voice}|{speed}|{noise}|{snr}")


# A turn in continuous noise (`in_noise`): the person starts this long after the noise is
# heard (the kiosk's beep, then a breath), and the noise goes on this long after them.
LEAD_MS = 500
TRAIL_MS = 2500


def in_noise(
    utterance: Utterance,
    voice: str,
    speed: str,
    noise: str,
    snr: float,
    lead_ms: int = LEAD_MS,
    trail_ms: int = TRAIL_MS,
) -> Audio:
    """The utterance in noise that does not stop with it, as an agency's chatter does not.

    `lead_ms` of noise before `PAD_MS` and the speech, and `trail_ms` after its `PAD_MS`:
    the end of the turn must be found in the noise, not where the noise stops.
    """
    speech = clean(utterance, voice, speed)
    padded = silence(lead_ms, SAMPLE_RATE) + speech + silence(trail_ms, SAMPLE_RATE)
    return noisy(padded, noise, snr, f"{utterance.id}|{voice}|{speed}|{noise}|{snr}|continu")


def main() -> int:
    """Fills the cache: every utterance, every voice, both speeds."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    count = 0
    for voice in voices():
        for speed in SPEEDS:
            for utterance in utterances():
                clean(utterance, voice, speed)
                count += 1
    babble_track()
    print(f"{len(utterances())} énoncés, {count} enregistrements propres dans {CACHE_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
