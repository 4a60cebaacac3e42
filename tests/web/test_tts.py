"""The spoken-message cache of the widget, with the real French voice (espeak-ng)."""

from __future__ import annotations

import os
from pathlib import Path

from web.tts import SpeechCache


async def test_same_text_is_synthesised_once_and_read_back(tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path)
    first = await cache.wav("Bonjour. Je suis Passerelle.")
    assert first[:4] == b"RIFF"
    path = cache.path_for("Bonjour. Je suis Passerelle.")
    assert path.read_bytes() == first
    assert await cache.wav("Bonjour. Je suis Passerelle.") == first
    assert cache.path_for("Bonjour.") != path


async def test_cache_keeps_only_the_most_recent_files(tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path, max_files=2)
    texts = ["Premier message.", "Deuxième message.", "Troisième message."]
    for age, text in enumerate(texts):
        await cache.wav(text)
        stamp = 1_000_000 + age * 10
        os.utime(cache.path_for(text), (stamp, stamp))
    await cache.wav("Quatrième message.")
    kept = sorted(path.name for path in tmp_path.glob("*.wav"))
    expected = sorted(cache.path_for(t).name for t in ["Troisième message.", "Quatrième message."])
    assert kept == expected


async def test_cache_stays_under_its_byte_budget(tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path, max_bytes=1)  # smaller than any sound: only the newest stays
    await cache.wav("Un.")
    await cache.wav("Deux.")
    assert [path.name for path in tmp_path.glob("*.wav")] == [cache.path_for("Deux.").name]
    assert not list(tmp_path.glob("*.part"))
