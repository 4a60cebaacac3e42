"""Vosk model management: download, check and install a model where the config points.

`python -m voice.models` (used by `make voice-model`) fetches vosk-model-small-fr-0.22 on a
connected machine. The archive is checked (SHA-256 when one is configured, and always the
model's files) and extracted next to its destination, then moved into place in one rename.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
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
    """The Vosk model is missing, incomplete or could not be installed (French message)."""


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
    """CLI: `python -m voice.models [--url URL] [--dest PATH] [--sha256 HEX] [--check]`."""
    config = VoiceConfig.from_settings()
    parser = argparse.ArgumentParser(description="Télécharge et vérifie le modèle Vosk français.")
    parser.add_argument("--url", default=config.model_url, help="adresse de l'archive zip")
    parser.add_argument("--dest", type=Path, default=config.model_path, help="dossier du modèle")
    parser.add_argument("--sha256", default=config.model_sha256, help="empreinte attendue")
    parser.add_argument("--check", action="store_true", help="vérifie seulement le modèle")
    parser.add_argument("--force", action="store_true", help="retélécharge même s'il est là")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
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


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["ModelError", "check_model", "install_model", "main", "require_model"]
