"""Settings are read and validated in one place, with defaults and clear French errors."""

import os

import pytest

import passerelle.config as config
from passerelle.config import ROOT, ConfigError, load_settings

SECRETS = {"RASA_TOKEN": "t", "PASSERELLE_SECRET_KEY": "k"}


def test_defaults_work_on_one_machine() -> None:
    settings = load_settings(SECRETS)
    assert settings.store.db_url == f"sqlite:///{ROOT / 'var' / 'passerelle.db'}"
    assert settings.rasa.url == "http://127.0.0.1:5005"
    assert settings.actions.url == "http://127.0.0.1:5055/webhook"
    assert settings.widget.bind_url == "http://127.0.0.1:8000"
    assert settings.widget.public_url == "http://127.0.0.1:8000"
    assert settings.console.bind_url == "http://127.0.0.1:8001"
    assert settings.widget.idle_minutes == 10
    assert settings.store.retention_days == 90
    assert settings.widget.summary_hours == 48
    assert settings.widget.tts_cache_minutes == 60


def test_summary_link_and_speech_cache_durations_can_be_shorter() -> None:
    settings = load_settings({**SECRETS, "SUMMARY_LINK_HOURS": "24", "TTS_CACHE_MINUTES": "15"})
    assert settings.widget.summary_hours == 24
    assert settings.widget.tts_cache_minutes == 15


def test_environment_overrides() -> None:
    settings = load_settings(
        {
            **SECRETS,
            "PASSERELLE_DB_URL": "postgresql://postgres@127.0.0.1:5432/passerelle",
            "RASA_PORT": "6005",
            "RETENTION_DAYS": "30",
        }
    )
    assert settings.store.db_url.startswith("postgresql://")
    assert settings.rasa.port == 6005
    assert settings.store.retention_days == 30


def test_public_url_is_distinct_from_the_bind_address() -> None:
    settings = load_settings({**SECRETS, "PUBLIC_URL": "https://exemple.fr/", "WEB_PORT": "9000"})
    assert settings.widget.public_url == "https://exemple.fr"
    assert settings.widget.public_origin == "https://exemple.fr"
    assert settings.widget.bind_url == "http://127.0.0.1:9000"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"RASA_PORT": "cinq"}, "RASA_PORT doit être un nombre entier"),
        ({"VOICE_TTS_VOLUME": "fort"}, "VOICE_TTS_VOLUME doit être un nombre"),
        ({"PUBLIC_URL": "exemple.fr"}, "PUBLIC_URL doit être une adresse http"),
        ({"SUMMARY_LINK_HOURS": "49"}, "SUMMARY_LINK_HOURS doit être entre 1 et 48"),
        ({"SUMMARY_LINK_HOURS": "168"}, "SUMMARY_LINK_HOURS doit être entre 1 et 48"),
        ({"SUMMARY_LINK_HOURS": "0"}, "SUMMARY_LINK_HOURS doit être entre 1 et 48"),
        ({"TTS_CACHE_MINUTES": "0"}, "TTS_CACHE_MINUTES doit être entre 1 et 1440"),
    ],
)
def test_bad_value_is_a_french_error(env: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings({**SECRETS, **env})


def test_reading_settings_creates_no_file(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(config, "RASA_TOKEN_FILE", tmp_path / ".rasa_token")
    monkeypatch.setattr(config, "SECRET_KEY_FILE", tmp_path / "var" / "secret_key")
    monkeypatch.setattr(config, "KIOSK_TOKEN_FILE", tmp_path / "var" / "kiosk_token")
    settings = load_settings({})
    assert settings.rasa.token == "" and settings.secret_key == ""
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ConfigError, match="make run"):
        settings.require_secrets()


def test_init_creates_private_secrets_once(tmp_path, monkeypatch) -> None:
    files = {
        "RASA_TOKEN_FILE": tmp_path / ".rasa_token",
        "SECRET_KEY_FILE": tmp_path / "var" / "secret_key",
        "KIOSK_TOKEN_FILE": tmp_path / "var" / "kiosk_token",
    }
    for name, path in files.items():
        monkeypatch.setattr(config, name, path)
    monkeypatch.setattr(config, "VAR_DIR", tmp_path / "var")
    assert sorted(config.init_secrets({})) == sorted(files.values())
    first = load_settings({}).require_secrets()
    assert config.init_secrets({}) == []
    second = load_settings({})
    assert first.rasa.token == second.rasa.token and len(first.rasa.token) >= 32
    assert len({first.secret_key, first.rasa.token, first.kiosk_token}) == 3
    assert first.secret_key == second.secret_key and first.kiosk_token == second.kiosk_token
    for path in files.values():
        assert path.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "var").stat().st_mode & 0o777 == 0o700


def test_secret_files_are_private_from_their_creation(tmp_path, monkeypatch) -> None:
    """Even under a umask of 0 (files 0666), no secret file is ever readable by others.

    An empty secret file left world-readable by an older install is replaced by a new
    private file (a new inode, never the old readable one written to).
    """
    key_file = tmp_path / "var" / "secret_key"
    key_file.parent.mkdir(mode=0o755)
    key_file.write_text("")
    key_file.chmod(0o644)
    old_inode = key_file.stat().st_ino
    monkeypatch.setattr(config, "RASA_TOKEN_FILE", tmp_path / ".rasa_token")
    monkeypatch.setattr(config, "SECRET_KEY_FILE", key_file)
    monkeypatch.setattr(config, "KIOSK_TOKEN_FILE", tmp_path / "var" / "kiosk_token")
    monkeypatch.setattr(config, "VAR_DIR", tmp_path / "var")
    old_umask = os.umask(0)
    try:
        created = config.init_secrets({})
    finally:
        os.umask(old_umask)
    assert key_file in created and key_file.stat().st_ino != old_inode
    for path in (tmp_path / ".rasa_token", key_file, tmp_path / "var" / "kiosk_token"):
        assert path.stat().st_mode & 0o777 == 0o600, path
    assert key_file.parent.stat().st_mode & 0o777 == 0o700
    assert sorted(p.name for p in key_file.parent.iterdir()) == ["kiosk_token", "secret_key"]


def test_a_set_variable_needs_no_file(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(config, "RASA_TOKEN_FILE", tmp_path / ".rasa_token")
    monkeypatch.setattr(config, "SECRET_KEY_FILE", tmp_path / "secret_key")
    monkeypatch.setattr(config, "KIOSK_TOKEN_FILE", tmp_path / "kiosk_token")
    monkeypatch.setattr(config, "VAR_DIR", tmp_path / "var")
    assert config.init_secrets({**SECRETS, "KIOSK_TOKEN": "b"}) == []
    assert list(tmp_path.iterdir()) == []


def test_browser_origins_come_from_the_public_url_and_the_listed_embedders() -> None:
    local = load_settings(SECRETS)
    assert local.widget.allowed_origins == (
        "http://127.0.0.1:8000",
        "http://localhost:8000",
    )
    public = load_settings(
        {
            **SECRETS,
            "PUBLIC_URL": "https://aide.exemple.fr/chat",
            "WIDGET_EMBED_ORIGINS": "https://Association.exemple.org/, http://mairie.example:8080",
        }
    )
    assert public.widget.allowed_origins == (
        "https://aide.exemple.fr",
        "https://association.exemple.org",
        "http://mairie.example:8080",
    )


@pytest.mark.parametrize(
    "value", ["*", "https://*.exemple.fr", "exemple.fr", "https://exemple.fr/page", "null"]
)
def test_an_embedding_origin_is_exact_and_never_a_wildcard(value: str) -> None:
    with pytest.raises(ConfigError, match="WIDGET_EMBED_ORIGINS liste des origines exactes"):
        load_settings({**SECRETS, "WIDGET_EMBED_ORIGINS": value})


def test_the_old_cors_variable_says_what_replaced_it() -> None:
    with pytest.raises(ConfigError, match="WIDGET_EMBED_ORIGINS"):
        load_settings({**SECRETS, "PASSERELLE_CORS_ORIGINS": "*"})


def test_trusted_proxies_are_none_by_default_and_checked() -> None:
    assert load_settings(SECRETS).trusted_proxies == ()
    proxies = load_settings({**SECRETS, "TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/24"})
    assert proxies.trusted_proxies == ("127.0.0.1/32", "10.0.0.0/24")
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES liste des adresses IP"):
        load_settings({**SECRETS, "TRUSTED_PROXIES": "proxy.local"})


def test_web_apps_need_only_the_signing_key(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(config, "RASA_TOKEN_FILE", tmp_path / ".rasa_token")
    only_key = load_settings({"PASSERELLE_SECRET_KEY": "k"})
    assert only_key.rasa.token == ""
    assert only_key.require_secret_key().secret_key == "k"
    with pytest.raises(ConfigError, match="RASA_TOKEN"):
        only_key.require_secrets()
