"""What the person may answer when the bot shows buttons, and the payload each answer means.

A `Grammar` holds the button titles, their usual spoken forms (yes/no from
`passerelle.text`) and the kiosk's own commands. Vosk takes it as a grammar and can only
output those phrases. Whisper cannot take a grammar: it writes whatever it heard, so
`snap()` brings its text back to the nearest phrase, on folded words first, then by a
fuzzy match with a threshold. Between "surely this phrase" and "surely something else"
lies a band where the kiosk asks again rather than guess.
"""

from __future__ import annotations

import json
import logging
import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from passerelle.text import SPOKEN_NO, SPOKEN_YES, words, yes_or_no
from voice.normalize import normalize_for_speech

logger = logging.getLogger(__name__)

UNKNOWN = "[unk]"
# Phrases the kiosk handles itself; they stay recognisable whatever the buttons are.
COMMAND_FORMS = {
    "répète": "répète",
    "répétez": "répète",
    "répéter": "répète",
    "plus lentement": "plus lentement",
    "moins vite": "plus lentement",
    "plus fort": "plus fort",
    "recommence": "recommence",
    "recommencer": "recommence",
    "recommencez": "recommence",
    "stop": "stop",
    "arrête": "stop",
    "arrêter": "stop",
    "arrêtez": "stop",
}
# The commands Whisper may score against the audio (`Grammar.scored`): taken wrongly, they
# only say something again, louder or slower. "stop" and "recommence" must be written.
SCORED_COMMANDS = ("répète", "plus lentement", "plus fort")
# "stop" and "recommence" are scored only to check them when Whisper writes them
# (`Grammar.verified`): never chosen by their score, and no rival of the other answers.
UNSCORED_COMMANDS = ("stop", "recommence")
# Fuzzy match of a whole answer against a phrase (difflib ratio on folded words, 0-1).
# Chosen on the spoken test set (bench/voice.py): at or above SURE the answer is that
# phrase ("mais courrier" -> "mes courriers", 0.89); from UNSURE up, it looks like a
# phrase without being surely one ("bon" vs "non", 0.67): the kiosk asks again.
SURE = 0.8
UNSURE = 0.6
# Two phrases of different payloads closer than this to the answer: ambiguous, ask again.
MARGIN = 0.08
NUMBER_KINDS = ("hours", "amount")
# Closed-set scoring (Whisper's log-probability of each expected answer, `choose`), chosen
# on the spoken test set (Pico, clean and 10 dB white noise): how far below Whisper's own
# transcript an answer may be, how far ahead of an answer meaning something else, and the
# least likely its tokens may be. Clean: 64/66 right, none wrong (the two others asked again).
CLOSED_SLACK = 4.0
CLOSED_MARGIN = 2.0
CLOSED_FLOOR = -3.0  # mean log-probability a token
# The same floor for an answer Whisper wrote itself (prompted with the answers), scored
# without the prompt: "Oui." written on pure noise scores far below (tests/voice).
WRITTEN_FLOOR = -5.0
# With the answers' scores on silence (`choose(priors=...)`), each answer is judged by its
# lift: its log-probability on the turn minus its log-probability on silence, how much
# more the audio makes it likely than no speech at all would. Short, common answers
# ("Oui", "Non", "Je ne sais pas") score well on anything, noise included: their lift does
# not. Chosen on MBROLA fr4's short answers (clean at both speeds, and in continuous 10 dB
# noise), reported on Pico (bench/voice.py): the best answer by lift is taken when it
# stands `LIFT_MARGIN` ahead of any answer meaning something else, and within
# `LIFT_SLACK` of Whisper's own transcript (a free question scores far above any title).
LIFT_MARGIN = 4.0
LIFT_SLACK = 8.0
# Whatever the kiosk takes as an answer, written by Whisper, found inside its text or
# matched fuzzily, the audio must bear it out: a lift of at least this, and no answer
# meaning something else `CLOSED_MARGIN` ahead of it. In chatter, Whisper writes the
# background's words ("Ah, ouais.", "Arrêtez."), answers among them.
LIFT_FLOOR = 2.0
# Whisper's filler words, dropped before matching ("euh oui" -> "oui").
FILLERS = re.compile(r"\b(?:euh+|heu+|hum+|ben|bah|alors|eh bien)\b")

Vocabulary = Callable[[str], bool]


def _phrase(text: str) -> str:
    """A grammar phrase: lowercase words, apostrophes and hyphens kept for the vocabulary."""
    text = unicodedata.normalize("NFC", text).lower().replace("\u2019", "'")
    text = re.sub(r"[^\w\s'-]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def vocabulary_of(model: object | None) -> Vocabulary | None:
    """How to tell whether `model` knows a word: a Vosk model or an engine; None for Whisper."""
    if model is None:
        return None
    knows = getattr(model, "knows_word", None)
    if knows is not None:
        return knows
    if hasattr(model, "vosk_model_find_word"):
        return lambda word: model.vosk_model_find_word(word) != -1  # type: ignore[attr-defined]
    return None


def similarity(said: str, phrase: str) -> float:
    """How close two folded texts are, 0 to 1 (difflib's ratio)."""
    return SequenceMatcher(None, said, phrase, autojunk=False).ratio()


@dataclass(frozen=True)
class Match:
    """The phrase nearest to what was heard, its payload and how near (0-1)."""

    phrase: str
    payload: str
    score: float
    sure: bool


@dataclass
class Grammar:
    """Phrases the recogniser may hear, and the payload each one stands for."""

    payloads: dict[str, str] = field(default_factory=dict)
    # The buttons' titles as written (for Whisper's prompt), commands excluded.
    titles: list[str] = field(default_factory=list)
    # What may be said, as Whisper writes it ("Non, continuer", "Oui oui", "Plus fort"),
    # and its payload: the candidates Whisper scores against the audio (`choose`).
    spoken: dict[str, str] = field(default_factory=dict)
    # "hours" or "amount" when the question asks for a number: Whisper is then prompted for
    # numbers and reads its best hypotheses for one (`voice.whisper`). The question's
    # buttons ("Estimer") stay answers Whisper scores against the audio; but such a grammar
    # gives Vosk no phrases (`phrases`): it listens freely, a figure being no phrase.
    expects: str | None = None
    # The payloads of the buttons that say yes or no ("Oui", "Non, continuer"), if any.
    yes_payload: str | None = None
    no_payload: str | None = None

    @property
    def phrases(self) -> list[str]:
        """What Vosk may hear: nothing when a number is expected (it then listens freely)."""
        return [] if self.expects else list(self.payloads)

    @classmethod
    def from_buttons(cls, buttons: Sequence[dict], model: object | None = None) -> Grammar:
        """Button titles and their usual spoken forms, plus the kiosk's own commands.

        With a Vosk `model` (or engine), each phrase is checked against its vocabulary; a
        phrase whose words it does not know is written another way (apostrophes, hyphens)
        or dropped. Whisper has no closed vocabulary: every phrase is kept.
        """
        vocabulary = vocabulary_of(model)
        grammar = cls()
        for button in buttons:
            title = _phrase(normalize_for_speech(str(button.get("title", ""))))
            payload = str(button.get("payload") or button.get("title") or "")
            if not title or not payload:
                continue
            written = normalize_for_speech(str(button["title"])).rstrip(".!?")
            grammar.titles.append(written)
            grammar._say(written, payload)
            forms = [title]
            answer = yes_or_no(title.split(" ")[0])  # "Oui", "D'accord", "Non, merci"
            if answer is not None:
                forms += SPOKEN_YES if answer else SPOKEN_NO
                for form in SPOKEN_YES if answer else SPOKEN_NO:
                    grammar._say(form, payload)
                if answer and grammar.yes_payload is None:
                    grammar.yes_payload = payload
                elif not answer and grammar.no_payload is None:
                    grammar.no_payload = payload
            for form in forms:
                grammar._add(form, payload, vocabulary)
        for form, command in COMMAND_FORMS.items():
            grammar._add(form, command, vocabulary)
            grammar._say(form, command)
        if vocabulary is not None and vocabulary(UNKNOWN):
            grammar.payloads.setdefault(UNKNOWN, "")
        return grammar

    @classmethod
    def for_number(
        cls, kind: str, buttons: Sequence[dict] = (), model: object | None = None
    ) -> Grammar:
        """The answer to a question about hours ("hours") or euros ("amount").

        The question may also show buttons (the salary's "Estimer"): a figure said is the
        figure, a button's title said is that button (`voice.whisper` scores them).
        """
        if kind not in NUMBER_KINDS:
            raise ValueError(f"unknown number kind {kind!r}")
        grammar = cls.from_buttons(buttons, model) if buttons else cls()
        grammar.expects = kind
        return grammar

    def _add(self, phrase: str, payload: str, vocabulary: Vocabulary | None) -> None:
        spelled = _spelling_in_vocabulary(phrase, vocabulary) if vocabulary else phrase
        if spelled is None:
            logger.info("Grammar: %r is not in the model's vocabulary, left out", phrase)
            return
        self.payloads.setdefault(spelled, payload)

    def _say(self, form: str, payload: str) -> None:
        form = form.strip()
        self.spoken.setdefault(form[:1].upper() + form[1:], payload)

    def to_json(self) -> str:
        """The grammar as Vosk takes it (UTF-8 text, not \\u escapes)."""
        return json.dumps(self.phrases, ensure_ascii=False)

    def is_phrase(self, text: str) -> bool:
        """True when `text` is, in folded words, one of the phrases ("Oui." is "oui")."""
        return words(text) in self._simple()

    def _simple(self) -> dict[str, str]:
        return {words(phrase): payload for phrase, payload in self.payloads.items() if payload}

    def payload_for(self, text: str) -> str | None:
        """The payload of the phrase recognised, or None when `text` is none of them.

        Exact folded words first, then a phrase said inside a longer answer ("euh oui"),
        then a sure fuzzy match of the whole answer. Never a guess: None when unsure.
        """
        said = words(text)
        simple = self._simple()
        if said in simple:
            return simple[said]
        answer = yes_or_no(text)  # every yes/no form ("bien sûr", "pas vraiment")
        if answer is not None and (self.yes_payload if answer else self.no_payload):
            return self.yes_payload if answer else self.no_payload
        for phrase, payload in simple.items():
            if re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", said):
                return payload
        match = self.nearest(text)
        return match.payload if match is not None and match.sure else None

    def nearest(self, text: str) -> Match | None:
        """The phrase nearest to `text` as a whole (fillers dropped), or None without any."""
        said = re.sub(r"\s+", " ", FILLERS.sub(" ", words(text))).strip()
        if not said:
            return None
        scored = sorted(
            (
                (similarity(said, phrase), phrase, payload)
                for phrase, payload in self._simple().items()
            ),
            reverse=True,
        )
        if not scored:
            return None
        score, phrase, payload = scored[0]
        rival = next((other for other in scored[1:] if other[2] != payload), None)
        clear = rival is None or score - rival[0] >= MARGIN
        return Match(phrase, payload, score, sure=score >= SURE and clear)

    def snap(self, text: str) -> str:
        """What the kiosk should take as said, from a free transcript (Whisper's).

        - the transcript already is, or holds, a phrase: unchanged;
        - it is surely one phrase misheard ("mais courrier"): that phrase;
        - it looks like a phrase without being surely one: "" (the kiosk asks again);
        - it is something else (a free question, a number): unchanged.
        """
        said = words(text)
        if not said:
            return ""
        simple = self._simple()
        if said in simple or any(
            re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", said) for phrase in simple
        ):
            return text
        if yes_or_no(text) is not None:
            return text
        match = self.nearest(text)
        if match is None or match.score < UNSURE:
            return text
        if match.sure:
            logger.info("Heard %r, taken as %r (%.2f)", said, match.phrase, match.score)
            return match.phrase
        logger.info("Heard %r, too far from %r (%.2f): ask again", said, match.phrase, match.score)
        return ""

    @property
    def scored(self) -> list[str]:
        """The forms Whisper scores against the audio: titles, yes/no forms, and the commands
        that change nothing ("répète", "plus fort", "plus lentement", "moins vite").

        Not "stop" nor "recommence": they end or restart the person's conversation, and a
        short word scores well on noise ("Stage" heard as "Stop"). They are taken only
        when Whisper writes them itself (`snap`). Nor any command at a question asking for
        a figure: there, a figure is the answer, and the buttons are the only rivals.
        """
        unscored = set(COMMAND_FORMS.values())
        if not self.expects:
            unscored -= set(SCORED_COMMANDS)
        return [form for form, payload in self.spoken.items() if payload not in unscored]

    def choose(
        self,
        text: str,
        scores: dict[str, Scored],
        free: Scored,
        written: bool = True,
        priors: dict[str, Scored] | None = None,
    ) -> str:
        """What the kiosk takes as said, from Whisper's scores of the expected answers.

        `text` is Whisper's free transcript, `free` its own score, and `scores` holds the
        score of each form of `scored` as what was said. When `text` is an answer, it is
        taken as is if the audio alone bears it out (`_written_answer_holds`). Else the
        best-scored answer is taken when:

        - its words are likely at all (`CLOSED_FLOOR` a token): noise makes all unlikely;
        - it is clearly ahead of every answer meaning something else (`CLOSED_MARGIN`);
        - it is nearly as likely as the free transcript (`CLOSED_SLACK`): a free question
          scores far above any button title.

        Otherwise the free transcript goes through `snap`: a free question stays itself,
        what only looks like an answer makes the kiosk ask again. Never a guess.

        With `written` False, Whisper's text is not to be trusted (it looped): only an
        answer the audio bears out is taken, else "" (the kiosk asks again).

        With `priors` (each form's score on silence), answers are judged by their lift
        instead (`_choose_by_lift`), and whatever is taken must be borne out by the audio.
        """
        if priors is not None:
            return self._choose_by_lift(text, scores, free, written, priors)
        if written and self.is_phrase(text):
            return text if self._written_answer_holds(text, scores, free) else ""
        best_by_payload: dict[str, tuple[float, str]] = {}
        for form, score in scores.items():
            payload = self.spoken.get(form)
            if payload is not None and score.total > best_by_payload.get(payload, (-math.inf,))[0]:
                best_by_payload[payload] = (score.total, form)
        ranked = sorted(best_by_payload.values(), reverse=True)
        if ranked:
            total, form = ranked[0]
            rival = ranked[1][0] if len(ranked) > 1 else -math.inf
            logger.debug(
                "Scored: %r %.2f, rival %.2f, free %r %.2f", form, total, rival, text, free.total
            )
            if (
                scores[form].mean >= CLOSED_FLOOR
                and total - rival >= CLOSED_MARGIN
                and total - free.total >= -CLOSED_SLACK
            ):
                logger.info("Heard %r, scored as %r (%.2f vs %.2f)", text, form, total, rival)
                return form
        return self.snap(text) if written else ""

    def _choose_by_lift(
        self,
        text: str,
        scores: dict[str, Scored],
        free: Scored,
        written: bool,
        priors: dict[str, Scored],
    ) -> str:
        """`choose` on lifts: a form's score on the turn minus its score on silence.

        1. Whisper wrote an answer: taken if the audio alone bears it out, as in `choose`;
        2. else the best answer by lift (never "stop" nor "recommence"), if `LIFT_MARGIN`
           ahead of every answer meaning something else, and within `LIFT_SLACK` of
           Whisper's own transcript;
        3. else the free transcript through `snap` (when Whisper looped: `choose` on the
           scores alone).

        Whatever 1 or 3 gives as an answer must then be borne out by its lift (`_borne_out`).
        """
        lifts: dict[str, tuple[float, str]] = {}
        for form, score in scores.items():
            payload = self.spoken.get(form)
            if payload is None or form not in priors:
                continue
            lift = score.total - priors[form].total
            if lift > lifts.get(payload, (-math.inf, ""))[0]:
                lifts[payload] = (lift, form)
        if written and self.is_phrase(text):
            taken = text if self._written_answer_holds(text, scores, free) else ""
            return self._borne_out(taken, lifts)
        ranked = sorted(
            (best for payload, best in lifts.items() if payload not in UNSCORED_COMMANDS),
            reverse=True,
        )
        if ranked:
            lift, form = ranked[0]
            rival = ranked[1][0] if len(ranked) > 1 else -math.inf
            logger.debug("Lift: %r %.2f, rival %.2f, free %r", form, lift, rival, text)
            if (
                lift - rival >= LIFT_MARGIN
                and lift >= 0.0
                and scores[form].total - free.total >= -LIFT_SLACK
            ):
                logger.info("Heard %r, taken as %r (lift %.2f vs %.2f)", text, form, lift, rival)
                return form
        if not written:
            # Whisper looped: no text to fall back on but the scores themselves ("Plus
            # fort" said by Pico, looped as "Plus lentement." then scored second by lift).
            return self._borne_out(self.choose(text, scores, free, written=False), lifts)
        return self._borne_out(self.snap(text), lifts)

    def _borne_out(self, taken: str, lifts: dict[str, tuple[float, str]]) -> str:
        """`taken`, or "" when it is an answer the audio does not bear out (`LIFT_FLOOR`).

        A free question, a figure, or an answer whose forms were not scored is left as is.
        """
        payload = self.payload_for(taken) if taken else None
        if payload is None or payload not in lifts:
            return taken
        own = lifts[payload][0]
        rivals = [
            lift
            for other, (lift, _) in lifts.items()
            if other not in (payload, *SCORED_COMMANDS, *UNSCORED_COMMANDS)
        ]
        if own < LIFT_FLOOR or (rivals and max(rivals) - own >= CLOSED_MARGIN):
            logger.info("Heard %r, not borne out by the audio (lift %.2f): ask again", taken, own)
            return ""
        return taken

    @property
    def verified(self) -> list[str]:
        """The forms of "stop" and "recommence": never chosen by their score (`scored`), but
        scored with the others, so that when Whisper writes one ("Arrêtez." heard in the
        chatter) it is borne out by the audio like any answer (`_borne_out`)."""
        if self.expects:
            return []
        return [form for form, payload in self.spoken.items() if payload in UNSCORED_COMMANDS]

    def _written_answer_holds(self, text: str, scores: dict[str, Scored], free: Scored) -> bool:
        """Whether an answer Whisper wrote itself is what was said, from the audio alone.

        Whisper copies its prompt (the answers) on noise, and sometimes on a word it
        hears badly (MBROLA's "Invalidité" written "Travail."). What it wrote must be
        likely from the audio alone (`WRITTEN_FLOOR`), and no answer meaning something
        else may score clearly ahead of it (`CLOSED_MARGIN`). The commands that change
        nothing are no such rival: Whisper base scores "Plus fort" said by Pico below
        "C'est ça", and they are no harm if taken wrongly.
        """
        if free.mean < WRITTEN_FLOOR:
            return False
        mine = self.payload_for(text)
        if mine in SCORED_COMMANDS:
            return True
        own = max(
            [free.total] + [s.total for form, s in scores.items() if self.spoken.get(form) == mine]
        )
        rivals = [
            s.total
            for form, s in scores.items()
            if self.spoken.get(form) not in (None, mine, *SCORED_COMMANDS, *UNSCORED_COMMANDS)
        ]
        return not rivals or max(rivals) - own < CLOSED_MARGIN


@dataclass(frozen=True)
class Scored:
    """A text's log-probability as what was said (Whisper's forced decoding), and its length."""

    total: float
    tokens: int

    @property
    def mean(self) -> float:
        return self.total / max(1, self.tokens)


def _spelling_in_vocabulary(phrase: str, vocabulary: Vocabulary) -> str | None:
    """`phrase` as the model spells it ("d'accord", "d' accord", "d accord"), or None."""
    variants = [
        phrase,
        phrase.replace("'", "' "),
        phrase.replace("'", " "),
        phrase.replace("-", " "),
    ]
    for variant in dict.fromkeys(variants):
        if all(vocabulary(word) for word in variant.split()):
            return variant
    return None


__all__ = [
    "COMMAND_FORMS",
    "LIFT_FLOOR",
    "LIFT_MARGIN",
    "NUMBER_KINDS",
    "Scored",
    "SURE",
    "UNKNOWN",
    "UNSURE",
    "Grammar",
    "Match",
    "vocabulary_of",
]
