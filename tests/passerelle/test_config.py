"""Settings are read in one place, with defaults and clear French errors."""

import pytest

from passerelle.config import ROOT, load_settings


def test_defaults_work_on_one_machine() -> None:
    settings = load_settings({"RASA_TOKEN": "t", "PASSERELLE_SECRET_KEY": "k"})
    assert settings.db_url == f"sqlite:///{ROOT / 'var' / 'passerelle.db'}"
    assert settings.rasa_url == "http://127.0.0.1:5005"
    assert settings.action_url == "http://127.0.0.1:5055/webhook"
    assert settings.web_url == "http://127.0.0.1:8000"
    assert settings.console_url == "http://127.0.0.1:8001"
    assert settings.widget_idle_minutes == 10
    assert settings.retention_days == 90


def test_environment_overrides() -> None:
    settings = load_settings(
        {
            "RASA_TOKEN": "t",
            "PASSERELLE_SECRET_KEY": "k",
            "PASSERELLE_DB_URL": "postgresql://postgres@127.0.0.1:5432/passerelle",
            "RASA_PORT": "6005",
            "RETENTION_DAYS": "30",
        }
    )
    assert settings.db_url.startswith("postgresql://")
    assert settings.rasa_port == 6005
    assert settings.retention_days == 30


def test_bad_number_is_a_french_error() -> None:
    with pytest.raises(ValueError, match="RASA_PORT doit être un nombre entier"):
        load_settings({"RASA_TOKEN": "t", "PASSERELLE_SECRET_KEY": "k", "RASA_PORT": "cinq"})


def test_token_is_generated_once_and_kept(tmp_path, monkeypatch) -> None:
    import passerelle.config as config

    monkeypatch.setattr(config, "ROOT", tmp_path)
    monkeypatch.setattr(config, "VAR_DIR", tmp_path / "var")
    first = config.load_settings({})
    second = config.load_settings({})
    assert first.rasa_token == second.rasa_token
    assert len(first.rasa_token) >= 32
    assert (tmp_path / ".rasa_token").stat().st_mode & 0o777 == 0o600
    assert first.secret_key == second.secret_key != first.rasa_token
