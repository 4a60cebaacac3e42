"""Vosk model download and install, on local file:// archives built here."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from voice.models import ModelError, check_model, install_model, main, require_model

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
