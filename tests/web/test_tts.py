"""The spoken-message cache of the widget, with the real French voice (Pico or espeak-ng)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from starlette.testclient import TestClient

from passerelle.config import load_settings
from web.app import create_app
from web.tts import SpeechCache

HOUR = 3600


async def test_same_text_is_synthesised_once_and_read_back(tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path)
    first = await cache.wav("Bonjour. Je suis Passerelle.")
    assert first[:4] == b"RIFF"
    path = cache.path_for("Bonjour. Je suis Passerelle.")
    assert path.read_bytes() == first
    assert await cache.wav("Bonjour. Je suis Passerelle.") == first
    assert cache.path_for("Bonjour.") != path


async def test_cache_keeps_only_the_most_recently_used_files(tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path, max_files=2)
    texts = ["Premier message.", "Deuxième message.", "Troisième message."]
    now = time.time()
    for age, text in enumerate(texts):
        await cache.wav(text)
        path = cache.path_for(text)
        # Last used long ago, the third one last; all made a moment ago (not expired).
        os.utime(path, (now - 1000 + age * 10, path.stat().st_mtime))
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


async def test_cache_folder_and_files_are_private_from_their_creation(tmp_path: Path) -> None:
    """Under a umask of 0, the folder is still 0700 and each sound 0600."""
    folder = tmp_path / "var" / "tts-cache"
    old_umask = os.umask(0)
    try:
        cache = SpeechCache(folder)
        await cache.wav("Vous avez gagné mille deux cents euros brut.")
    finally:
        os.umask(old_umask)
    assert folder.stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "var").stat().st_mode & 0o777 == 0o700
    [sound] = list(folder.iterdir())
    assert sound.stat().st_mode & 0o777 == 0o600


async def test_a_sound_expires_an_hour_after_it_was_made(tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path)  # one hour by default
    text = "Trente-cinq heures pour mille deux cents euros brut."
    first = await cache.wav(text)
    path = cache.path_for(text)
    made = path.stat().st_mtime
    assert await cache.wav(text) == first
    assert path.stat().st_mtime == made  # a use does not make it younger
    # Almost an hour old: still served from the cache.
    os.utime(path, (time.time(), time.time() - HOUR + 60))
    assert cache.remove_expired() == 0 and path.exists()
    # More than an hour old: deleted by the sweep.
    os.utime(path, (time.time(), time.time() - HOUR - 1))
    assert cache.remove_expired() == 1
    assert not path.exists()


async def test_an_expired_sound_is_never_served_but_made_again(tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path, max_age_seconds=60)
    text = "Bonjour."
    await cache.wav(text)
    path = cache.path_for(text)
    os.utime(path, (time.time(), time.time() - 120))
    other = cache.path_for("Au revoir.")
    await cache.wav("Au revoir.")  # storing a sound deletes the expired ones
    assert not path.exists() and other.exists()
    os.utime(other, (time.time(), time.time() - 120))
    again = await cache.wav("Au revoir.")
    assert again[:4] == b"RIFF"
    assert time.time() - other.stat().st_mtime < 60  # a new file


def test_the_web_app_sweeps_expired_sounds_while_it_runs(tmp_path: Path) -> None:
    config = load_settings(
        {"PASSERELLE_SECRET_KEY": "k", "RASA_TOKEN": "t", "TTS_CACHE_MINUTES": "1"}
    )
    folder = tmp_path / "tts"
    folder.mkdir(mode=0o700)
    old, fresh = folder / "old.wav", folder / "fresh.wav"
    for path in (old, fresh):
        path.write_bytes(b"RIFF")
    os.utime(old, (time.time(), time.time() - 61))
    cache = SpeechCache(folder, max_age_seconds=config.widget.tts_cache_minutes * 60)
    with TestClient(create_app(config, cache)) as client:
        assert client.get("/health").status_code == 200
        deadline = time.monotonic() + 30
        while old.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not old.exists()
        assert fresh.exists()
