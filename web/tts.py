"""Spoken versions of the bot's messages for the widget's "Écouter" button, cached on disk.

The sound comes from the voice layer (`voice.tts.synthesize_wav`), so the widget speaks with the
same default French voice (SVOX Pico, else espeak-ng; `VOICE_TTS`) and the same speech normaliser
as the kiosk. A WAV is kept under
`var/tts-cache/`, named by the hash of its text; the cache keeps at most `MAX_CACHE_FILES` files
and `MAX_CACHE_BYTES` bytes, dropping the least recently used first.

A sound may speak a person's recap, amounts included, so the cache is private and short:
the folder is 0700 and each file 0600 from its creation (`passerelle/files.py`), and an
entry expires `TTS_CACHE_MINUTES` after it was made (60 by default). An expired entry is
never served: it is deleted when asked for, when a new sound is stored, and by the web
app's sweep (`remove_expired`, every few minutes). `make purge` empties the folder. A
file's modification time is when it was made; its access time, set on each use, orders
the least recently used.

Syntheses run one at a time; at most `MAX_WAITING` more may wait their turn. Beyond that,
`wav()` raises `SpeechBusyError` at once (the app answers a French 503) rather than letting
a queue grow without end. A cached sound never waits.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import time
from pathlib import Path
from typing import Callable, Optional

from starlette.concurrency import run_in_threadpool

from passerelle.files import private_dir, remove_expired, write_private

logger = logging.getLogger(__name__)

MAX_TTS_CHARS = 2000
MAX_CACHE_FILES = 500
MAX_CACHE_BYTES = 200 * 1024 * 1024
CACHE_VERSION = "2"  # 2: the default voice became Pico; espeak-ng's old files are not served
# Syntheses allowed to wait while one runs (a 2,000-character text takes about a second).
MAX_WAITING = 4
# How long a sound is kept by default (`TTS_CACHE_MINUTES`, passerelle/config.py).
DEFAULT_MAX_AGE_SECONDS = 3600

Synthesizer = Callable[[str], bytes]


class SpeechBusyError(RuntimeError):
    """Too many syntheses are already waiting; try again in a moment."""


def _voice_synthesizer() -> Synthesizer:
    """Returns the voice layer's text-to-speech (imported late: it loads espeak-ng)."""
    from voice.tts import synthesize_wav

    return synthesize_wav


class SpeechCache:
    """Turns text into WAV bytes once, then serves them from files."""

    def __init__(
        self,
        directory: Path,
        synthesize: Optional[Synthesizer] = None,
        max_files: int = MAX_CACHE_FILES,
        max_bytes: int = MAX_CACHE_BYTES,
        max_waiting: int = MAX_WAITING,
        max_age_seconds: float = DEFAULT_MAX_AGE_SECONDS,
    ) -> None:
        self.directory = directory
        self.max_age_seconds = max_age_seconds
        self.max_files = max_files
        self.max_bytes = max_bytes
        self.max_waiting = max_waiting
        self._synthesize = synthesize
        # One synthesis at a time: espeak-ng drivers are not thread-safe and the machine is small.
        self._lock = asyncio.Lock()
        self._queued = 0  # syntheses running or waiting for the lock

    def path_for(self, text: str) -> Path:
        """The cache file of `text`."""
        digest = hashlib.sha256(f"{CACHE_VERSION}\n{text}".encode()).hexdigest()
        return self.directory / f"{digest}.wav"

    async def wav(self, text: str) -> bytes:
        """Returns the WAV of `text`, synthesising it if it is not cached yet."""
        path = self.path_for(text)
        cached = await run_in_threadpool(self._read, path)
        if cached is not None:
            return cached
        if self._queued > self.max_waiting:
            raise SpeechBusyError(f"{self._queued} syntheses queued")
        self._queued += 1
        try:
            async with self._lock:
                cached = await run_in_threadpool(self._read, path)
                if cached is not None:
                    return cached
                if self._synthesize is None:
                    self._synthesize = _voice_synthesizer()
                data = await run_in_threadpool(self._synthesize, text)
                await run_in_threadpool(self._store, path, data)
        finally:
            self._queued -= 1
        return data

    def remove_expired(self) -> int:
        """Deletes the sounds older than `max_age_seconds`; how many."""
        removed = remove_expired(self.directory, self.max_age_seconds)
        if removed:
            logger.info("Speech cache: %s expired sound(s) deleted", removed)
        return removed

    def _read(self, path: Path) -> Optional[bytes]:
        """The cached sound, or None when missing or expired (an expired file is deleted)."""
        try:
            info = path.stat()
            if time.time() - info.st_mtime > self.max_age_seconds:
                path.unlink()
                return None
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        # Last use in the access time (LRU); the modification time stays the creation's.
        os.utime(path, ns=(time.time_ns(), info.st_mtime_ns))
        return data

    def _store(self, path: Path, data: bytes) -> None:
        private_dir(self.directory)
        write_private(path, data)
        self._evict()

    def _evict(self) -> None:
        self.remove_expired()
        entries = []
        for path in self.directory.glob("*.wav"):
            try:
                info = path.stat()
            except FileNotFoundError:
                continue
            entries.append((info.st_atime_ns, info.st_size, path))
        entries.sort(reverse=True)  # most recently used first
        kept_bytes = 0
        for index, (_, size, path) in enumerate(entries):
            kept_bytes += size
            if index >= self.max_files or (index > 0 and kept_bytes > self.max_bytes):
                path.unlink(missing_ok=True)
                logger.debug("Evicted from the speech cache: %s", path.name)
