"""The kiosk loop: greets, listens, talks to the assistant, and forgets each person after.

Local commands ("répète", "plus lentement", "plus fort", "recommence", "stop") never reach
the assistant. Silence gets the question repeated once, then an offer to stop. After a
goodbye, "stop", or `idle_reset_seconds` without anyone, the conversation is dropped: the
next person gets a new conversation id and default voice settings.

A long answer is spoken in steps of at most about 12 seconds (`kiosk/steps.py`): after
each step but the last the kiosk asks "Voulez-vous la suite ?". "Oui" (or "la suite") says
the next step, "non" goes straight to the turn's question, anything else is a new message
for the assistant. "Répète" says the last step again, not the whole answer. Links are
never read: the recap link is printed when a printer is set (`kiosk/printer.py`).
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from kiosk.assistant import Assistant, AssistantUnavailableError, Reply, new_sender_id
from kiosk.listen import Ears, Heard
from kiosk.logs import masked_for_log
from kiosk.printer import Printer, PrintError
from kiosk.speak import Mouth, sentences
from kiosk.steps import Step, paragraphs_of, plan_steps, speakable
from passerelle.calendar import today_in_paris
from passerelle.names import SUMMARY_LINK_KEY
from passerelle.numbers import format_euros, format_hours, parse_amount, parse_hours
from passerelle.text import words, yes_or_no
from voice.asr import COMMAND_FORMS, Grammar, to_message
from voice.config import GAIN_MAX, GAIN_STEP, TTS_RATE_MIN, TTS_RATE_STEP, VoiceConfig
from voice.normalize import choices_prompt, normalize_for_speech

logger = logging.getLogger(__name__)

MESSAGES_PATH = Path(__file__).with_name("messages.yml")
GOODBYE_PAYLOADS = {"/goodbye", "/au_revoir"}
# Patterns of the person's folded words (`passerelle.text.words`: no accents, no hyphens).
GOODBYE_RE = re.compile(r"\b(?:au revoir|a bientot|bonne journee|bonne soiree)\b")
HELLO_ONLY_RE = re.compile(r"^(?:bonjour|bonsoir|salut|allo|hello|coucou)(?: madame| monsieur)?$")
POLITE_RE = re.compile(
    r"\b(?:s'il vous plait|s'il te plait|svp|merci|pouvez vous|"
    r"vous pouvez|tu peux|peux tu|parlez|parle|je veux|on|"
    r"encore une fois|encore|moi|ca|la question|la derniere phrase)\b"
)
# The local commands by their folded words ("repete" -> "répète").
COMMANDS = {words(form): command for form, command in COMMAND_FORMS.items()}
HOURS_QUESTION_RE = re.compile(r"\bheures?\b", re.IGNORECASE)
AMOUNT_QUESTION_RE = re.compile(r"\b(?:salaire|montant|euros?|brut)\b", re.IGNORECASE)
# The form's questions that ask for a number ("Combien d'heures avez-vous travaillé... ?").
HOURS_ASKED_RE = re.compile(r"\bcombien d'heures\b[^?]*\?", re.IGNORECASE)
AMOUNT_ASKED_RE = re.compile(r"\bquel est votre salaire\b[^?]*\?", re.IGNORECASE)
YES_NO_BUTTONS = [{"title": "Oui", "payload": "oui"}, {"title": "Non", "payload": "non"}]
# What the person may answer to "Voulez-vous la suite ?" besides yes and no (folded words).
MORE_FORMS = {"la suite", "suite", "continue", "continuez", "encore", "et apres", "apres"}
MORE_BUTTONS = [*YES_NO_BUTTONS, {"title": "La suite", "payload": "oui"}]

RESET = "reset"  # the person is gone: wait quietly for the next one
RESTART = "restart"  # start again now, greeting included
FINISHED = "finished"  # no more input: the program ends


def load_messages(path: Path = MESSAGES_PATH) -> dict[str, str]:
    """The kiosk's own sentences (kiosk/messages.yml)."""
    with open(path, encoding="utf-8") as source:
        return {key: str(value).strip() for key, value in yaml.safe_load(source).items()}


@dataclass
class Session:
    """What the kiosk knows about the current person; dropped entirely at reset."""

    sender: str
    last_spoken: str = ""  # the last step, said again by "répète"
    question: str = ""  # what the last step asked, said again after a silence
    last_bot_text: str = ""
    buttons: list[dict] = field(default_factory=list)  # the answers expected now
    steps: list[Step] = field(default_factory=list)  # what is left of the answer
    final_buttons: list[dict] = field(default_factory=list)  # the answers after the last step
    silences: int = 0
    idle: float = 0.0
    awaiting: str | None = None  # "stop" or "number"
    pending: str = ""


@dataclass(frozen=True)
class SpokenTurn:
    """A bot turn ready to speak: its paragraphs, and how it ends."""

    paragraphs: list[str]
    closing: str  # the print notice, the question and the answer choices
    buttons: list[dict]
    bot_text: str


class Kiosk:
    """Runs conversations one person after another until the input ends."""

    def __init__(
        self,
        config: VoiceConfig,
        ears: Ears,
        mouth: Mouth,
        assistant: Assistant,
        model: object | None = None,
        messages: dict[str, str] | None = None,
        printer: Printer | None = None,
    ) -> None:
        self.config = config
        self.ears = ears
        self.mouth = mouth
        self.assistant = assistant
        self.model = model
        self.messages = messages or load_messages()
        self.printer = printer
        self.rate = config.tts_rate
        self.gain = 1.0
        self.session = Session(new_sender_id())
        self.senders: list[str] = []
        self.turn_timings: list[dict[str, float]] = []

    # --- the loop -------------------------------------------------------------------------

    def run(self) -> int:
        """Serves people until the input ends; returns the exit status (0)."""
        greet_now = True
        while True:
            outcome = self._run_session(greet_now)
            if outcome == FINISHED:
                logger.info("Input finished, kiosk stops")
                return 0
            greet_now = outcome == RESTART

    def _new_session(self) -> None:
        self.session = Session(new_sender_id())
        self.rate = self.config.tts_rate
        self.gain = 1.0
        self.senders.append(self.session.sender)
        logger.info("New kiosk conversation %s", self.session.sender)

    def _run_session(self, greet_now: bool) -> str:
        first: Heard | None = None
        if not greet_now:
            self.session = Session(sender="")  # the previous person is forgotten right away
            self.rate, self.gain = self.config.tts_rate, 1.0
            first = self._wait_for_someone()
            if first is None:
                return FINISHED
        self._new_session()
        self.say(self.messages["greeting"], remember=True)
        self.session.question = self.messages["greeting_question"]
        if first is not None and not (first.text and HELLO_ONLY_RE.match(words(first.text))):
            outcome = self._handle(first)
            if outcome:
                return outcome
        while True:
            outcome = self._handle(self._listen(self.config.silence_timeout))
            if outcome:
                return outcome

    def _wait_for_someone(self) -> Heard | None:
        """Listens quietly until someone speaks; None when the input ends."""
        while True:
            heard = self.ears.listen(None, self.config.idle_reset_seconds)
            if heard.finished:
                return None
            if heard.text is not None or heard.error:
                return heard

    def _listen(self, timeout: float) -> Heard:
        if self.ears.wants_tone:
            self.mouth.beep()
        return self.ears.listen(self._grammar(), timeout)

    def _grammar(self) -> Grammar | None:
        if self.session.awaiting in ("stop", "number"):
            return Grammar.from_buttons(YES_NO_BUTTONS, self.model)
        if self.session.steps:
            return Grammar.from_buttons(MORE_BUTTONS, self.model)
        # The form asks for hours or euros: the recogniser is told a figure comes, and
        # the question's buttons ("Estimer") stay answers: a figure said reaches the form,
        # a button's title said chooses the button.
        for kind, asked in (("hours", HOURS_ASKED_RE), ("amount", AMOUNT_ASKED_RE)):
            if asked.search(self.session.last_bot_text):
                return Grammar.for_number(kind, self.session.buttons, self.model)
        if self.session.buttons:
            return Grammar.from_buttons(self.session.buttons, self.model)
        return None

    def say(self, text: str, remember: bool = False) -> float:
        """Speaks `text` (already plain French) with the microphone closed.

        The microphone opens again only when the kiosk listens (after the tone), so it
        never hears the kiosk's own voice or tone.
        """
        if not text:
            return 0.0
        if remember:
            self.session.last_spoken = text
        logger.info("Kiosk says: %s", text)
        self.ears.pause()
        return self.mouth.say(text, self.rate, self.gain)

    # --- one turn -------------------------------------------------------------------------

    def _handle(self, heard: Heard) -> str | None:
        session = self.session
        if heard.finished:
            return FINISHED
        if heard.error:
            session.idle = 0.0
            self.say(f"{heard.error} {self.messages['bad_recording']}")
            return None
        if heard.text is None:
            return self._on_silence()
        session.silences = 0
        session.idle = 0.0
        if not heard.text:
            self.say(self.messages["not_understood"])
            return None
        text = heard.text
        logger.info("Person said: %s", masked_for_log(text))
        answer = _yes_no(text)
        if session.awaiting == "stop":
            session.awaiting = None
            if answer == "oui":
                self.say(self.messages["goodbye"])
                return RESET
            if answer == "non":  # the question again, not the whole step
                question = session.question or last_question(session.last_spoken)
                self.say(f"{self.messages['keep_going']} {question}")
                return None
        if session.awaiting == "number":
            session.awaiting = None
            if answer == "oui":
                return self._send(session.pending, heard)
            if answer == "non":
                # "Non, mille six cents": the right figure came with the no ("1600 euros").
                figure_at = re.search(r"\d.*", to_message(text))
                corrected = figure_at.group(0) if figure_at else ""
                if self._figure_for_question(corrected) is None:
                    self.say(self.messages["number_again"])
                    return None
                return self._confirm_or_send(corrected, heard)
        command = _command(text)
        if command:
            return self._run_command(command)
        if session.steps:  # the kiosk asked "Voulez-vous la suite ?"
            if answer == "oui" or words(text) in MORE_FORMS:
                self._next_step()
                return None
            if answer == "non":
                self._skip_to_closing()
                return None
            session.steps = []  # something else: a new message for the assistant
            session.buttons = session.final_buttons
        grammar = Grammar.from_buttons(session.buttons, None) if session.buttons else None
        payload = grammar.payload_for(text) if grammar else None
        message = payload if payload and payload not in COMMAND_FORMS.values() else to_message(text)
        return self._confirm_or_send(message, heard)

    def _confirm_or_send(self, message: str, heard: Heard) -> str | None:
        """Sends `message`, or first reads its figure back when recognition was unsure."""
        spoken_value = self._number_to_confirm(message, heard)
        if not spoken_value:
            return self._send(message, heard)
        self.session.awaiting = "number"
        self.session.pending = message
        question = self.messages["confirm_number"].format(value=spoken_value)
        self.say(question + " " + choices_prompt(b["title"] for b in YES_NO_BUTTONS))
        return None

    def _on_silence(self) -> str | None:
        session = self.session
        session.silences += 1
        session.idle += self.config.silence_timeout
        if session.idle >= self.config.idle_reset_seconds:
            logger.info("Nobody for %.0f s: the kiosk forgets the conversation", session.idle)
            return RESET
        if session.silences == 1:
            question = session.question or last_question(session.last_spoken)
            self.say(f"{self.messages['nothing_heard']} {question}".strip())
        elif session.silences == 2:
            session.awaiting = "stop"
            self.say(self.messages["offer_stop"])
        return None

    def _run_command(self, command: str) -> str | None:
        session = self.session
        logger.info("Local command: %s", command)
        if command == "répète":
            self.say(session.last_spoken or self.messages["nothing_to_repeat"])
        elif command == "plus lentement":
            if self.rate - TTS_RATE_STEP < TTS_RATE_MIN:
                self.say(self.messages["slowest"])
            else:
                self.rate -= TTS_RATE_STEP
                self.say(self.messages["slower"])
                self.say(session.last_spoken)
        elif command == "plus fort":
            if self.gain * GAIN_STEP > GAIN_MAX:
                self.say(self.messages["loudest"])
            else:
                self.gain *= GAIN_STEP
                self.say(self.messages["louder"])
                self.say(session.last_spoken)
        elif command == "recommence":
            self.say(self.messages["restart"])
            return RESTART
        elif command == "stop":
            self.say(self.messages["goodbye"])
            return RESET
        return None

    def _number_to_confirm(self, message: str, heard: Heard) -> str | None:
        """The number to read back ("trente-cinq heures"), when recognition was unsure."""
        if heard.transcript is None or heard.transcript.confidence >= self.config.confirm_below:
            return None
        figure = self._figure_for_question(message)
        return _words(figure) if figure is not None else None

    def _figure_for_question(self, message: str) -> str | None:
        """The figure in `message` written as the question asks it ("35,5 heures",
        "1 600 €"), when the assistant's question is about hours or an amount."""
        question = self.session.last_bot_text
        if HOURS_QUESTION_RE.search(question):
            hours = parse_hours(message)
            return format_hours(hours) if hours is not None else None
        if AMOUNT_QUESTION_RE.search(question):
            amount = parse_amount(message)
            return format_euros(amount) if amount is not None else None
        return None

    def _send(self, message: str, heard: Heard) -> str | None:
        session = self.session
        started = time.perf_counter()
        try:
            replies = self.assistant.send(session.sender, message)
        except AssistantUnavailableError:
            self.say(self.messages["assistant_down"])
            return None
        rest_seconds = time.perf_counter() - started
        turn = self._turn_of(replies)
        if turn.paragraphs or turn.closing:
            first_sample = self._start_turn(turn)
        else:
            first_sample = self.say(self.messages["not_understood"])
        timings = dict(heard.timings)
        timings.update({"rest_turn": rest_seconds, "tts_first_chunk": first_sample})
        self.turn_timings.append(timings)
        said = words(heard.text or "")
        bot_said = words(session.last_bot_text)
        if (
            message in GOODBYE_PAYLOADS
            or GOODBYE_RE.search(said)
            or bot_said.startswith("au revoir")
        ):
            return RESET
        return None

    # --- a turn in steps -----------------------------------------------------------------

    def _turn_of(self, replies: list[Reply], today: date | None = None) -> SpokenTurn:
        """The assistant's replies as paragraphs to speak and a closing question.

        A reply carrying the summary's link (never spoken) has it printed now, and the
        closing says where the paper is.
        """
        today = today or today_in_paris()
        paragraphs: list[str] = []
        texts: list[str] = []
        buttons: list[dict] = []
        notice = ""
        for index, reply in enumerate(replies):
            if index and reply == replies[index - 1]:
                continue  # the same message twice in a row is said once
            link = reply.custom.get(SUMMARY_LINK_KEY)
            if isinstance(link, str) and link:
                notice = self._print(link)
            if reply.text:
                texts.append(reply.text)
                for paragraph in paragraphs_of(reply.text):
                    spoken = speakable(paragraph, today)
                    if spoken:
                        paragraphs.append(spoken)
            if reply.buttons:
                buttons = reply.buttons
        question = ""
        if paragraphs and texts and "?" in texts[-1]:
            # The question of the last message, and what follows it ("Par exemple : ..."),
            # close the turn: said together, and said again after a silence.
            said = sentences(paragraphs[-1])
            asks = [index for index, sentence in enumerate(said) if "?" in sentence]
            if asks:
                question = " ".join(said[asks[-1] :])
                if asks[-1]:
                    paragraphs[-1] = " ".join(said[: asks[-1]])
                else:
                    paragraphs.pop()
        choices = "" if _yes_or_no_buttons(buttons) else _choices(buttons)
        bot_text = " ".join(texts)
        follow_up = ""
        if not (question or choices or words(bot_text).startswith("au revoir")):
            follow_up = self.messages["what_else"]  # every turn ends with a question
        closing = " ".join(part for part in (notice, question, choices, follow_up) if part)
        return SpokenTurn(paragraphs, closing, buttons, bot_text)

    def _print(self, link: str) -> str:
        """Prints the summary at `link` if a printer is set; what to say about the paper."""
        if self.printer is None:
            return self.messages["paper_at_desk"]
        try:
            self.printer.print_summary(link)
        except PrintError as error:
            logger.warning("Summary not printed on %s: %s", self.printer.queue, error)
            return self.messages["print_failed"]
        return self.messages["printed"]

    def _start_turn(self, turn: SpokenTurn) -> float:
        session = self.session
        session.last_bot_text = turn.bot_text
        session.final_buttons = turn.buttons
        session.steps = plan_steps(
            turn.paragraphs,
            turn.closing,
            lambda text: self.mouth.seconds(text, self.rate),
            self.messages["more"],
        )
        return self._next_step()

    def _next_step(self) -> float:
        """Says the next step of the answer; the answers expected come with the last one."""
        session = self.session
        step = session.steps.pop(0)
        session.buttons = session.final_buttons if step.last else []
        session.question = step.ending
        return self.say(step.text, remember=True)

    def _skip_to_closing(self) -> None:
        """ "Non" to "Voulez-vous la suite ?": straight to the question of the answer."""
        session = self.session
        ending = session.steps[-1].ending
        session.steps = []
        session.buttons = session.final_buttons
        if "?" not in ending:  # only answer choices, or nothing: ask what the person wants
            ending = f"{self.messages['what_else']} {ending}".strip()
        session.question = ending
        self.say(f"{self.messages['skip']} {ending}", remember=True)


def last_question(spoken: str) -> str:
    """The question to repeat after a silence: from the last sentence asking something on."""
    parts = sentences(spoken)
    for index in range(len(parts) - 1, -1, -1):
        if parts[index].endswith("?"):
            return " ".join(parts[index:])
    return spoken


def _choices(buttons: list[dict]) -> str:
    return choices_prompt(str(b.get("title", "")) for b in buttons) if buttons else ""


def _yes_or_no_buttons(buttons: list[dict]) -> bool:
    """Just "Oui" and "Non": the question says it all, no "Dites oui ou non" after it."""
    titles = [str(b.get("title", "")) for b in buttons]
    bare = all(len(words(title).split()) == 1 for title in titles)
    return bare and sorted(yes_or_no(title) for title in titles) == [False, True]


def _words(value: str) -> str:
    """A formatted value ("35 heures", "1 200 €") in words, without a final full stop."""
    return normalize_for_speech(value).rstrip(".")


def _command(text: str) -> str | None:
    """The local command `text` is, if it is only that (politeness words aside)."""
    bare = re.sub(r"\s+", " ", POLITE_RE.sub(" ", words(text))).strip()
    return COMMANDS.get(bare)


def _yes_no(text: str) -> str | None:
    """ "oui" or "non" when the person said so, else None."""
    answer = yes_or_no(text)
    return None if answer is None else ("oui" if answer else "non")


__all__ = [
    "FINISHED",
    "RESET",
    "RESTART",
    "Kiosk",
    "Session",
    "SpokenTurn",
    "last_question",
    "load_messages",
]
