"""Spoken versions of the bot's messages for the widget's "Écouter" button, cached on disk.

The sound comes from the voice layer (`voice.tts.synthesize_wav`), so the widget speaks with the
same default French voice (SVOX Pico, else espeak-ng; `VOICE_TTS`) and the same speech normaliser
as the kiosk. A WAV is kept under
`var/tts-cache/`, named by the hash of its text; the cache keeps at most `MAX_CACHE_FILES` files
and `MAX_CACHE_BYTES` bytes, dropping the least recently used first.

Syntheses run one at a time; at most `MAX_WAITING` more may wait their turn. Beyond that,
`wav()` raises `SpeechBusyError` at once (the app answers a French 503) rather than letting
a queue grow without end. A cached sound never waits.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
from pathlib import Path
from typing import Callable, Optional

from starlette.concurrency import run_in_threadpool

logger = logging.getLogger(__name__)

MAX_TTS_CHARS = 2000
MAX_CACHE_FILES = 500
MAX_CACHE_BYTES = 200 * 1024 * 1024
CACHE_VERSION = "2"  # 2: the default voice became Pico; espeak-ng's old files are not served
# Syntheses allowed to wait while one runs (a 2,000-character text takes about a second).
MAX_WAITING = 4

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
    ) -> None:
        self.directory = directory
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
        cached = await run_in_threadpool(_read, path)
        if cached is not None:
            return cached
        if self._queued > self.max_waiting:
            raise SpeechBusyError(f"{self._queued} syntheses queued")
        self._queued += 1
        try:
            async with self._lock:
                cached = await run_in_threadpool(_read, path)
                if cached is not None:
                    return cached
                if self._synthesize is None:
                    self._synthesize = _voice_synthesizer()
                data = await run_in_threadpool(self._synthesize, text)
                await run_in_threadpool(self._store, path, data)
        finally:
            self._queued -= 1
        return data

    def _store(self, path: Path, data: bytes) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(data)
        partial.replace(path)
        self._evict()

    def _evict(self) -> None:
        entries = []
        for path in self.directory.glob("*.wav"):
            try:
                info = path.stat()
            except FileNotFoundError:
                continue
            entries.append((info.st_mtime_ns, info.st_size, path))
        entries.sort(reverse=True)  # newest first
        kept_bytes = 0
        for index, (_, size, path) in enumerate(entries):
            kept_bytes += size
            if index >= self.max_files or (index > 0 and kept_bytes > self.max_bytes):
                path.unlink(missing_ok=True)
                logger.debug("Evicted from the speech cache: %s", path.name)


def _read(path: Path) -> Optional[bytes]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    path.touch()  # most recently used files stay in the cache
    return data
