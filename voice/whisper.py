"""Speech to text with Whisper base through faster-whisper (CTranslate2, int8, CPU).

Whisper is not a streaming recogniser: the turn's audio is kept while the person speaks
and decoded once the VAD says they stopped. Settings chosen for a kiosk on 2 cores: int8,
2 threads, greedy search (beam 1, `VOICE_WHISPER_BEAM` up to 2), French only, no
timestamps, a short maximum length, no temperature fallback. The model is loaded once per
process and warmed up at once, so the first person does not wait for it.

Whisper cannot take a grammar; it is given the domain's words as its initial prompt, and
its text is snapped to the buttons afterwards (`Grammar.snap`). On silence or noise it is
known to invent lines ("Sous-titres réalisés par la communauté d'Amara.org", "Merci
d'avoir regardé"): the VAD decides whether anyone spoke, and an empty or invented result
counts as silence (`Transcript.silent`).
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from passerelle.text import words
from voice.asr import Transcript
from voice.audio import Audio
from voice.config import SAMPLE_RATE, VoiceConfig
from voice.grammar import Grammar, similarity
from voice.models import WHISPER_NAME, require_whisper_model
from voice.vad import find_speech

logger = logging.getLogger(__name__)

LANGUAGE = "fr"
COMPUTE_TYPE = "int8"
MAX_NEW_TOKENS = 80  # about 60 French words: more than any kiosk answer (a turn is <= 20 s)
WARM_UP_SECONDS = 1.0
# The domain's words, as sentences: a bare list of words makes Whisper stop after the first
# sentence it hears, a natural prompt does not (seen on the spoken test set).
INITIAL_PROMPT = (
    "Bonjour. J'ai oublié mon identifiant et mon mot de passe France Travail, ex Pôle emploi. "
    "Je veux faire mon actualisation avec FranceConnect. Où est mon attestation ? "
    "J'ai travaillé 35 heures, pour un salaire brut de 1 200 euros."
)
# The kiosk's commands given in Whisper's prompt when buttons are shown. Not "stop" nor
# "recommence": put there, they pull other short words to them ("Stage" heard as "Stop."),
# and hearing them wrongly would end or restart the person's conversation.
COMMAND_PROMPT = ("Répète", "Plus lentement", "Plus fort")
# Lines Whisper writes on silence, noise or music (folded words). Its training subtitles.
HALLUCINATIONS = (
    "sous titres realises par la communaute d'amara org",
    "sous titres realises para la communaute d'amara org",
    "sous titrage st' 501",
    "sous titrage societe radio canada",
    "sous titrage fr",
    "merci d'avoir regarde cette video",
    "merci d'avoir regarde",
    "merci de votre attention",
    "n'oubliez pas de vous abonner",
    "abonnez vous",
    "a bientot pour une nouvelle video",
    "merci a tous",
    "musique",
    "applaudissements",
    "rires",
    "je vous invite a vous en faire une partie",  # seen here on white noise
)
HALLUCINATION_MARKERS = ("amara", "sous titr", "d'avoir regarde", "abonnez", "abonner")
HALLUCINATION_SIMILARITY = 0.85
# Annotations, not speech: "[Musique]", "(toux)", "*tousse*", "♪".
ANNOTATION_RE = re.compile(r"\[[^\]]*\]|\([^)]*\)|\*[^*]*\*|[♪♫]")
NO_SPEECH_PROB = 0.6  # Whisper's own "nobody spoke" probability, above which...
NO_SPEECH_LOGPROB = -1.0  # ...with a mean log-probability under this, it is silence.
COMPRESSION_MAX = 2.4  # gzip ratio of a text looping on itself ("oui oui oui oui...")
# Mean token log-probability at and above which the transcript is taken as sure; below,
# `Transcript.conf` drops under the kiosk's read-back threshold (0.9 at about -0.55).
SURE_LOGPROB = -0.45

_engines: dict[tuple[str, int, int], WhisperEngine] = {}
_engines_lock = threading.Lock()


@dataclass(frozen=True)
class Decoded:
    """Whisper's raw result for one turn."""

    text: str
    avg_logprob: float
    no_speech_prob: float
    seconds: float


def is_hallucination(text: str) -> bool:
    """True when `text` is one of Whisper's known inventions on silence or noise."""
    said = words(ANNOTATION_RE.sub(" ", text))
    if not said:
        return True
    if any(marker in said for marker in HALLUCINATION_MARKERS):
        return True
    if any(similarity(said, line) >= HALLUCINATION_SIMILARITY for line in HALLUCINATIONS):
        return True
    # The whole prompt read back (parts of it are what people say: not those).
    return similarity(said, words(INITIAL_PROMPT)) >= HALLUCINATION_SIMILARITY


def compression_ratio(text: str) -> float:
    data = text.encode("utf-8")
    return len(data) / max(1, len(zlib.compress(data)))


def confidence(avg_logprob: float) -> float:
    """A 0-1 confidence from Whisper's mean token log-probability (1.0 when sure)."""
    return math.exp(min(0.0, avg_logprob - SURE_LOGPROB))


def prompt_for(grammar: Grammar | None) -> str:
    """The initial prompt: the domain's words, or the answers expected when there are some.

    With buttons, the prompt is the answers alone (the titles and the kiosk's commands): a
    domain sentence there gets copied instead of a short answer ("Comment me connecter"
    heard as "Je me connecte avec FranceConnect").
    """
    if grammar is None:
        return INITIAL_PROMPT
    answers = [*grammar.titles, *COMMAND_PROMPT]
    return " ".join(f"{answer[:1].upper()}{answer[1:]}." for answer in dict.fromkeys(answers))


class WhisperEngine:
    """Whisper base, loaded and warmed up once per process (`load`)."""

    name = "whisper"

    def __init__(self, model: object, path: Path, beam: int = 1) -> None:
        self.model = model
        self.path = path
        self.beam = beam
        self.model_name = f"{WHISPER_NAME} ({path})"
        self._lock = threading.Lock()  # one decoding at a time: the machine has 2 cores

    @classmethod
    def load(cls, config: VoiceConfig) -> WhisperEngine:
        """Checks the model (size and SHA-256; assembled from the wheels if absent), loads it.

        Raises `voice.models.ModelError` with a French message naming the fix.
        """
        path = Path(config.whisper_model_path).resolve()
        key = (str(path), config.whisper_threads, config.whisper_beam)
        with _engines_lock:
            engine = _engines.get(key)
            if engine is None:
                require_whisper_model(path)
                from faster_whisper import WhisperModel

                started = time.perf_counter()
                model = WhisperModel(
                    str(path),
                    device="cpu",
                    compute_type=COMPUTE_TYPE,
                    cpu_threads=config.whisper_threads,
                    num_workers=1,
                    local_files_only=True,
                )
                loaded = time.perf_counter() - started
                engine = cls(model, path, config.whisper_beam)
                engine.decode(np.zeros(int(SAMPLE_RATE * WARM_UP_SECONDS), dtype=np.float32))
                logger.info(
                    "Whisper loaded in %.2f s, warmed up in %.2f s",
                    loaded,
                    time.perf_counter() - started - loaded,
                )
                _engines[key] = engine
        return engine

    def stream(self, grammar: Grammar | None = None) -> WhisperStream:
        return WhisperStream(self, grammar)

    def decode(self, samples: np.ndarray, prompt: str = INITIAL_PROMPT) -> Decoded:
        """Whisper's text for float32 16 kHz samples (-1..1), with its scores."""
        started = time.perf_counter()
        with self._lock:
            segments, _ = self.model.transcribe(  # type: ignore[attr-defined]
                samples,
                language=LANGUAGE,
                task="transcribe",
                beam_size=self.beam,
                best_of=1,
                temperature=0.0,
                without_timestamps=True,
                condition_on_previous_text=False,
                initial_prompt=prompt,
                max_new_tokens=MAX_NEW_TOKENS,
                no_speech_threshold=NO_SPEECH_PROB,
                log_prob_threshold=NO_SPEECH_LOGPROB,
                vad_filter=False,  # our own VAD already cut the turn
            )
            segments = list(segments)
        text = " ".join(segment.text.strip() for segment in segments).strip()
        avg = min((segment.avg_logprob for segment in segments), default=0.0)
        no_speech = max((segment.no_speech_prob for segment in segments), default=1.0)
        return Decoded(text, avg, no_speech, time.perf_counter() - started)

    def transcript(self, samples: np.ndarray, grammar: Grammar | None = None) -> Transcript:
        """The turn's transcript: silence when Whisper invented it, snapped to the grammar."""
        decoded = self.decode(samples, prompt_for(grammar))
        logger.debug(
            "Whisper: %r (logprob %.2f, no speech %.2f, %.2f s)",
            decoded.text,
            decoded.avg_logprob,
            decoded.no_speech_prob,
            decoded.seconds,
        )
        if is_hallucination(decoded.text) or compression_ratio(decoded.text) > COMPRESSION_MAX:
            if decoded.text:
                logger.info("Whisper output taken as silence: %r", decoded.text)
            return Transcript("", silent=True)
        text = grammar.snap(decoded.text) if grammar is not None else decoded.text
        return Transcript(text, conf=confidence(decoded.avg_logprob))


class WhisperStream:
    """One turn: the audio is kept as it comes, decoded at `final()` (end of speech)."""

    def __init__(self, engine: WhisperEngine, grammar: Grammar | None) -> None:
        self.engine = engine
        self.grammar = grammar
        self._chunks: list[bytes] = []

    def accept(self, pcm: bytes, partial: bool = False) -> str:
        """Keeps 16-bit mono PCM; Whisper gives no partial text."""
        self._chunks.append(pcm)
        return ""

    def final(self) -> Transcript:
        pcm = b"".join(self._chunks)
        self._chunks = []
        audio = Audio(np.frombuffer(pcm, dtype="<i2"), SAMPLE_RATE)
        if len(audio.samples) == 0 or find_speech(audio) is None:
            return Transcript("", silent=True)  # the VAD decides whether anyone spoke
        return self.engine.transcript(audio.samples.astype(np.float32) / 32768.0, self.grammar)


__all__ = [
    "HALLUCINATIONS",
    "INITIAL_PROMPT",
    "Decoded",
    "WhisperEngine",
    "WhisperStream",
    "confidence",
    "is_hallucination",
]
