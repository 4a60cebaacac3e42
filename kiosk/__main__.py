"""Command line of the voice kiosk: `python -m kiosk` (microphone and speakers).

Without hardware: `--typed` reads typed lines instead of the microphone, `--wav-in DIR`
takes each WAV file of DIR as one turn of the person, `--wav-out DIR` writes what the kiosk
says as WAV files instead of playing it.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from kiosk.assistant import Assistant
from kiosk.kiosk import Kiosk
from kiosk.listen import Ears, MicEars, TypedEars, WavEars
from kiosk.logs import configure_logging
from kiosk.printer import Printer
from kiosk.speak import Mouth, SpeakerMouth, TextMouth, WavMouth
from passerelle.config import settings
from passerelle.files import private_umask
from voice.config import VoiceConfig
from voice.mic import DeviceError, has_output_device
from voice.models import ModelError
from voice.tts import SpeechUnavailableError, default_voice

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_SETUP = 2  # no model, no microphone, no speech engine


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m kiosk", description="Borne vocale de Passerelle (micro et haut-parleurs)."
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--typed", action="store_true", help="écrire au clavier au lieu de parler")
    source.add_argument("--wav-in", type=Path, metavar="DOSSIER", help="un fichier WAV par tour")
    parser.add_argument("--wav-out", type=Path, metavar="DOSSIER", help="écrire la voix en WAV")
    parser.add_argument("--model", type=Path, help="dossier du modèle Vosk")
    parser.add_argument(
        "--asr", choices=("auto", "vosk", "whisper"), help="moteur de reconnaissance vocale"
    )
    parser.add_argument("--rasa-url", help="adresse de l'assistant (http://127.0.0.1:5005)")
    parser.add_argument("--rate", type=int, help="vitesse de la voix (mots par minute)")
    parser.add_argument(
        "--verbose", action="store_true", help="affiche le détail du fonctionnement"
    )
    return parser.parse_args(argv)


def build_config(args: argparse.Namespace) -> VoiceConfig:
    config = VoiceConfig.from_settings()
    changes: dict[str, object] = {}
    if args.model:
        changes["model_path"] = args.model
    if args.asr:
        changes["asr_engine"] = args.asr
    if args.rasa_url:
        changes["rasa_url"] = args.rasa_url
    if args.rate:
        changes["tts_rate"] = args.rate
    return config.with_changes(**changes) if changes else config


def _mouth(args: argparse.Namespace) -> Mouth:
    if args.wav_out:
        return WavMouth(args.wav_out, echo=sys.stdout if args.typed else None)
    if args.typed and not has_output_device():
        print("Pas de haut-parleur : la borne affiche ses réponses.", file=sys.stderr)
        return TextMouth()
    return SpeakerMouth()


def _printer() -> Printer | None:
    """The CUPS printer of `KIOSK_PRINTER`, or None (no printer, or one that cannot work)."""
    config = settings()
    if not config.voice.printer:
        return None
    printer = Printer(config.voice.printer, config.widget.public_url)
    problem = printer.check()
    if problem:
        print(f"{problem} La borne ne pourra pas imprimer.", file=sys.stderr)
        return None
    logger.info("Kiosk prints on %s", printer.queue)
    return printer


def _tell(mouth: Mouth | None, config: VoiceConfig, message: str) -> None:
    """Says a setup problem aloud when possible, and always prints it."""
    print(message, file=sys.stderr)
    if mouth is None:
        return
    try:
        mouth.say(message, config.tts_rate, 1.0)
    except (DeviceError, SpeechUnavailableError) as error:
        logger.debug("Could not speak the setup message: %s", error)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    configure_logging(args.verbose)  # every line masked (kiosk/logs.py)
    private_umask()  # what it writes (--wav-out turns, transcripts) is 0600
    # The engines and models in use are said at start, even without --verbose.
    logging.getLogger("voice.start").setLevel(logging.INFO)
    config = build_config(args)
    mouth: Mouth | None = None
    try:
        default_voice(config)  # chosen, and said in the log, at start
        mouth = _mouth(args)
        model = None
        ears: Ears
        if args.typed:
            ears = TypedEars()
        else:
            from voice.asr import load_engine

            model = load_engine(config)
            ears = WavEars(args.wav_in, model, config) if args.wav_in else MicEars(model, config)
        kiosk = Kiosk(
            config,
            ears,
            mouth,
            Assistant(config.rasa_url, config.request_timeout, config.kiosk_token),
            model,
            printer=_printer(),
        )
        return kiosk.run()
    except (ModelError, DeviceError, SpeechUnavailableError) as error:
        _tell(mouth if not isinstance(error, SpeechUnavailableError) else None, config, str(error))
        return EXIT_SETUP
    except KeyboardInterrupt:
        print("\nLa borne s'arrête. Au revoir.", file=sys.stderr)
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
