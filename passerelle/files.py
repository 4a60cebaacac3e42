"""Private files on disk: `var/`, the SQLite store, the secrets and the speech cache.

What Passerelle writes under `var/` may hold a person's answers (the conversation store,
spoken recaps with their amounts) or a secret. Nobody but the account running Passerelle
may read it, at any moment: a file is created with its final mode (`os.open` with 0600,
under a 077 umask), never created readable and tightened afterwards.

- `private_umask()`: every process of Passerelle calls it first (the supervisor, whose
  children inherit it, and each process started on its own), so any file a library
  creates (SQLite's journal, a log) is private too.
- `private_dir(path)`: a folder with mode 0700.
- `private_file(path)` / `write_private(path, data)`: a 0600 file, created empty or
  written whole (a temporary 0600 file renamed over the old one).
- `prepare_sqlite(url)`: the SQLite store's file created 0600 before SQLite opens it.
- `remove_expired(folder, seconds)` and `empty_folder(folder)`: the two ways the speech
  cache's entries go (`SPEECH_CACHE_DIR` in `passerelle/config.py`), used by the widget's
  app and by `make purge`.

`passerelle/config.py` names the files; this module only knows how to keep them private.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
import time
from pathlib import Path
from typing import Callable, Optional

logger = logging.getLogger(__name__)

PRIVATE_UMASK = 0o077
DIR_MODE = 0o700
FILE_MODE = 0o600
# SQLite's companions of a database file, private like it.
SQLITE_COMPANIONS = ("-journal", "-wal", "-shm")


def private_umask() -> int:
    """Sets this process's umask to 077 (files 0600, folders 0700); returns the old one."""
    return os.umask(PRIVATE_UMASK)


def _tighten(path: Path, mode: int) -> None:
    """Removes group and other bits from an existing `path` (an older install's 0644)."""
    current = stat.S_IMODE(path.stat().st_mode)
    if current & ~mode:
        os.chmod(path, current & mode)
        logger.info("Permissions tightened to %o: %s", current & mode, path)


def private_dir(path: Path) -> Path:
    """`path` as a folder only its owner can enter (0700); parents are created 0700 too."""
    missing = []
    folder = Path(path)
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, DIR_MODE)  # the umask can only remove bits, never add
        except FileExistsError:
            pass
    _tighten(Path(path), DIR_MODE)
    return Path(path)


def private_file(path: Path) -> Path:
    """`path` as a file only its owner can read (0600), created empty if missing."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        _tighten(Path(path), FILE_MODE)
    else:
        os.close(descriptor)
    return Path(path)


def write_private(path: Path, data: bytes) -> Path:
    """Writes `data` to `path` (0600) at once: a reader sees the old file or the new one.

    The bytes go to a temporary 0600 file in the same folder, renamed over `path`.
    """
    path = Path(path)
    partial = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return path


def sqlite_file(url: str) -> Optional[Path]:
    """The database file of a `sqlite:///...` URL; None for another database or memory."""
    prefix, _, rest = url.partition(":///")
    if not prefix.startswith("sqlite") or not rest or rest.startswith(":memory:"):
        return None
    return Path(rest.split("?", 1)[0])


def prepare_sqlite(url: str) -> Optional[Path]:
    """Creates the SQLite file of `url` with mode 0600 before SQLite opens it.

    Its folder is created 0700 when missing (an existing folder is left as it is: `var/`
    is made private by `private_dir` at start). The journal files SQLite makes beside it
    take the database's mode (and the 077 umask).
    """
    path = sqlite_file(url)
    if path is None:
        return None
    path = path.resolve()
    if not path.parent.exists():
        private_dir(path.parent)
    private_file(path)
    for suffix in SQLITE_COMPANIONS:
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            _tighten(companion, FILE_MODE)
    return path


def _remove_files(folder: Path, doomed: Callable[[os.stat_result], bool]) -> int:
    removed = 0
    try:
        entries = list(Path(folder).iterdir())
    except FileNotFoundError:
        return 0
    for path in entries:
        try:
            info = path.stat()
            if stat.S_ISREG(info.st_mode) and doomed(info):
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue  # removed meanwhile by another process
    return removed


def remove_expired(folder: Path, max_age_seconds: float, now: Optional[float] = None) -> int:
    """Deletes the files of `folder` written more than `max_age_seconds` ago; how many."""
    now = time.time() if now is None else now
    return _remove_files(folder, lambda info: now - info.st_mtime > max_age_seconds)


def empty_folder(folder: Path) -> int:
    """Deletes every file of `folder` (not the folder itself); how many."""
    return _remove_files(folder, lambda info: True)


__all__ = [
    "FILE_MODE",
    "DIR_MODE",
    "empty_folder",
    "prepare_sqlite",
    "private_dir",
    "private_file",
    "private_umask",
    "remove_expired",
    "write_private",
]
