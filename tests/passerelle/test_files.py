"""Private files: created with their final mode, never readable by others for an instant.

Every check runs under a umask of 0 (a new file would be 0666, a folder 0777), so the
modes seen come from the code, not from the machine's default umask.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Iterator

import pytest

from passerelle.files import (
    empty_folder,
    prepare_sqlite,
    private_dir,
    private_file,
    private_umask,
    remove_expired,
    write_private,
)


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@pytest.fixture
def open_umask() -> Iterator[None]:
    old = os.umask(0)
    yield
    os.umask(old)


def test_private_umask_makes_every_new_file_private(tmp_path: Path) -> None:
    old = private_umask()
    try:
        (tmp_path / "any.log").write_text("x")
        (tmp_path / "sub").mkdir()
    finally:
        os.umask(old)
    assert mode(tmp_path / "any.log") == 0o600 and mode(tmp_path / "sub") == 0o700


def test_folders_are_0700_parents_included(tmp_path: Path, open_umask: None) -> None:
    folder = private_dir(tmp_path / "var" / "tts-cache")
    assert mode(folder) == 0o700 and mode(tmp_path / "var") == 0o700
    loose = tmp_path / "loose"
    loose.mkdir(mode=0o755)
    assert mode(private_dir(loose)) == 0o700  # an older install's folder is tightened


def test_files_are_0600_from_their_creation(tmp_path: Path, open_umask: None) -> None:
    assert mode(private_file(tmp_path / "new.db")) == 0o600
    old = tmp_path / "old.db"
    old.write_text("kept")
    old.chmod(0o644)
    assert mode(private_file(old)) == 0o600 and old.read_text() == "kept"


def test_a_write_replaces_the_file_at_once_and_privately(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "secret"
    path.write_text("old")
    path.chmod(0o644)
    inode = path.stat().st_ino
    write_private(path, b"new")
    assert path.read_bytes() == b"new" and mode(path) == 0o600
    assert path.stat().st_ino != inode  # a new file, never the readable one rewritten
    assert [p.name for p in tmp_path.iterdir()] == ["secret"]  # no temporary file left


def test_the_sqlite_store_and_its_journal_are_0600(tmp_path: Path, open_umask: None) -> None:
    url = f"sqlite:///{tmp_path / 'store' / 'passerelle.db'}"
    path = prepare_sqlite(url)
    assert path == (tmp_path / "store" / "passerelle.db").resolve()
    assert mode(path) == 0o600 and mode(path.parent) == 0o700
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("CREATE TABLE events (data TEXT)")
        conn.execute("BEGIN")
        conn.execute("INSERT INTO events VALUES ('mille deux cents euros')")
        journal = path.with_name(path.name + "-journal")
        assert journal.exists() and mode(journal) == 0o600  # during the write, too
        conn.execute("COMMIT")
    finally:
        conn.close()
    assert mode(path) == 0o600


@pytest.mark.parametrize("url", ["postgresql://u@127.0.0.1/db", "sqlite://", "sqlite:///:memory:"])
def test_other_stores_are_left_alone(url: str) -> None:
    assert prepare_sqlite(url) is None


def test_expired_files_go_and_empty_folder_takes_all(tmp_path: Path) -> None:
    now = time.time()
    old, fresh = tmp_path / "old.wav", tmp_path / "fresh.wav"
    for path in (old, fresh):
        path.write_bytes(b"RIFF")
    os.utime(old, (now, now - 3601))
    assert remove_expired(tmp_path, 3600) == 1
    assert not old.exists() and fresh.exists()
    assert remove_expired(tmp_path / "missing", 3600) == 0
    assert empty_folder(tmp_path) == 1 and list(tmp_path.iterdir()) == []
