"""Every setting of Passerelle, read from the environment in this one module.

Each value has a default that works on a single machine with nothing to start.
`.env.example` documents them. Other modules import `settings()` and never read
`os.environ` themselves.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Optional

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = ROOT / "var"
TIMEZONE = "Europe/Paris"


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise ValueError(f"{name} doit être un nombre entier (reçu : {raw!r}).") from error


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw.replace(",", "."))
    except ValueError as error:
        raise ValueError(f"{name} doit être un nombre (reçu : {raw!r}).") from error


def _secret_file(path: Path) -> str:
    """Returns the secret kept in `path`, creating it (mode 600) on first use."""
    if path.exists():
        value = path.read_text(encoding="utf-8").strip()
        if value:
            return value
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(32)
    path.write_text(value + "\n", encoding="utf-8")
    path.chmod(0o600)
    return value


@dataclass(frozen=True)
class Settings:
    """The whole configuration. Built by `load_settings`."""

    # Conversations (Rasa SQL tracker store): SQLAlchemy URL.
    # sqlite:///var/passerelle.db by default; postgresql://user:pass@host:5432/db for an agency.
    db_url: str
    # Rasa server (REST + socket.io + HTTP API protected by rasa_token).
    rasa_host: str
    rasa_port: int
    rasa_token: str
    action_port: int
    # Origins allowed to call Rasa from a browser (the widget), comma separated.
    cors_origins: str
    # Web widget and counsellor console.
    web_host: str
    web_port: int
    console_host: str
    console_port: int
    # Secret used to sign links and cookies (generated into var/secret_key if unset).
    secret_key: str
    # Widget: minutes of inactivity before the conversation is cleared.
    widget_idle_minutes: int
    # Widget: Rasa's address as the browser sees it (e.g. https://aide.example.org behind a
    # proxy). Empty: the page's own host name with rasa_port.
    widget_rasa_url: str
    # Console: conversations older than this many days are purged.
    retention_days: int
    # Console: session cookie marked Secure even over plain http (behind an https proxy).
    console_cookie_secure: bool
    # Voice kiosk (voice/): Vosk model folder, its download URL and optional SHA-256,
    # speech rate (words per minute), volume 0-1, seconds waiting for someone to speak,
    # silence (ms) that ends a turn, seconds without anyone before the kiosk resets.
    voice_model_path: str
    voice_model_url: str
    voice_model_sha256: str
    voice_tts_rate: int
    voice_tts_volume: float
    voice_silence_timeout: float
    voice_end_silence_ms: int
    voice_idle_reset_seconds: int

    @property
    def rasa_url(self) -> str:
        return f"http://{self.rasa_host}:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://127.0.0.1:{self.action_port}/webhook"

    @property
    def web_url(self) -> str:
        return f"http://{self.web_host}:{self.web_port}"

    @property
    def console_url(self) -> str:
        return f"http://{self.console_host}:{self.console_port}"


def load_settings(env: Optional[Mapping[str, str]] = None) -> Settings:
    """Reads the settings from `env` (the process environment by default)."""
    env = os.environ if env is None else env
    token = env.get("RASA_TOKEN", "").strip() or _secret_file(ROOT / ".rasa_token")
    secret_key = env.get("PASSERELLE_SECRET_KEY", "").strip() or _secret_file(
        VAR_DIR / "secret_key"
    )
    return Settings(
        db_url=env.get("PASSERELLE_DB_URL", "").strip() or f"sqlite:///{VAR_DIR / 'passerelle.db'}",
        rasa_host=env.get("RASA_HOST", "127.0.0.1"),
        rasa_port=_int(env, "RASA_PORT", 5005),
        rasa_token=token,
        action_port=_int(env, "ACTION_PORT", 5055),
        cors_origins=env.get("PASSERELLE_CORS_ORIGINS", "*"),
        web_host=env.get("WEB_HOST", "127.0.0.1"),
        web_port=_int(env, "WEB_PORT", 8000),
        console_host=env.get("CONSOLE_HOST", "127.0.0.1"),
        console_port=_int(env, "CONSOLE_PORT", 8001),
        secret_key=secret_key,
        widget_idle_minutes=_int(env, "WIDGET_IDLE_MINUTES", 10),
        widget_rasa_url=env.get("WIDGET_RASA_URL", "").strip().rstrip("/"),
        retention_days=_int(env, "RETENTION_DAYS", 90),
        console_cookie_secure=env.get("CONSOLE_COOKIE_SECURE", "").strip().lower()
        in ("1", "true", "oui", "yes"),
        voice_model_path=env.get("VOICE_MODEL_PATH", "").strip()
        or str(ROOT / "voice_models" / "vosk-model-small-fr-0.22"),
        voice_model_url=env.get("VOICE_MODEL_URL", "").strip()
        or "https://alphacephei.com/vosk/models/vosk-model-small-fr-0.22.zip",
        voice_model_sha256=env.get("VOICE_MODEL_SHA256", "").strip().lower(),
        voice_tts_rate=_int(env, "VOICE_TTS_RATE", 140),
        voice_tts_volume=_float(env, "VOICE_TTS_VOLUME", 1.0),
        voice_silence_timeout=_float(env, "VOICE_SILENCE_TIMEOUT", 8.0),
        voice_end_silence_ms=_int(env, "VOICE_END_SILENCE_MS", 450),
        voice_idle_reset_seconds=_int(env, "VOICE_IDLE_RESET_SECONDS", 60),
    )


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The settings of this process, read once."""
    return load_settings()


__all__ = ["Settings", "load_settings", "settings", "ROOT", "VAR_DIR", "TIMEZONE", "_float"]
