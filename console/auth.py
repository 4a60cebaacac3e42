"""Counsellor accounts, sessions, CSRF tokens and login throttling.

A name typed in the login form may be anything, a password typed in the wrong field
included. It is never stored as typed: the throttling rows hold `failure_key(name)`, a
keyed digest (`passerelle/signing.py`), and the audit log holds `audit_name(name)`, the
account's name when it exists, else "nom inconnu" and a short digest (so repeated
attempts with one unknown name can still be told apart).
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import logging
import re
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Optional, Sequence

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from console.data import record
from console.tables import audit, counsellors, login_failures, sessions
from passerelle.config import settings
from passerelle.signing import name_digest

logger = logging.getLogger(__name__)

NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{1,39}")  # used with fullmatch
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
# Login throttling: failures per name and address, per account whatever the address,
# and attempts for the whole console. The address is the client's own unless it came
# through a proxy listed in TRUSTED_PROXIES (console/__main__.py).
MAX_FAILURES = 5
MAX_ACCOUNT_FAILURES = 10
FAILURE_WINDOW_SECONDS = 15 * 60
MAX_GLOBAL_ATTEMPTS = 60
GLOBAL_WINDOW_SECONDS = 60
# Password checks running at once (argon2: 64 MiB and most of a core each); an attempt
# that cannot start one within CHECK_WAIT_SECONDS gets "réessayez dans un instant".
MAX_CONCURRENT_CHECKS = 2
CHECK_WAIT_SECONDS = 1.0
# What the audit log says for a name that is no account (with its digest's first digits).
UNKNOWN_NAME = "nom inconnu"
AUDIT_DIGEST_CHARS = 8
FAILED_LOGIN_ACTION = "connexion refusée"
SESSION_IDLE_SECONDS = 60 * 60
SESSION_MAX_SECONDS = 10 * 60 * 60

_hasher = PasswordHasher()
# Verified when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
_checks = threading.BoundedSemaphore(MAX_CONCURRENT_CHECKS)
# The few writes of the limits, one thread at a time in this process: SQLite (the default
# store) copes badly with dozens of threads writing at once. Never held during argon2.
_bookkeeping = threading.Lock()


class AccountError(ValueError):
    """A French message explaining why an account cannot be created."""


def check_name(name: str) -> str:
    """The account name, normalised, or AccountError."""
    name = name.strip().lower()
    if not NAME_PATTERN.fullmatch(name):
        raise AccountError(
            "Le nom doit avoir 2 à 40 caractères : lettres sans accent, chiffres, point, tiret."
        )
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Le mot de passe doit avoir au moins {MIN_PASSWORD_LENGTH} caractères.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError("Le mot de passe est trop long.")
    return password


def set_counsellor(engine: sa.engine.Engine, name: str, password: str) -> bool:
    """Creates the account or changes its password. True when it was created."""
    name, password = check_name(name), check_password(password)
    hashed = _hasher.hash(password)
    with engine.begin() as conn:
        exists = conn.execute(
            sa.select(counsellors.c.name).where(counsellors.c.name == name)
        ).first()
        if exists:
            conn.execute(
                counsellors.update().where(counsellors.c.name == name).values(password_hash=hashed)
            )
            conn.execute(sessions.delete().where(sessions.c.counsellor == name))
            return False
        conn.execute(
            counsellors.insert().values(name=name, password_hash=hashed, created_at=time.time())
        )
        return True


def remove_counsellor(engine: sa.engine.Engine, name: str) -> bool:
    """Deletes the account and its sessions. False if it did not exist."""
    with engine.begin() as conn:
        conn.execute(sessions.delete().where(sessions.c.counsellor == name))
        return conn.execute(counsellors.delete().where(counsellors.c.name == name)).rowcount > 0


def list_counsellors(engine: sa.engine.Engine) -> list[str]:
    with engine.connect() as conn:
        query = sa.select(counsellors.c.name).order_by(counsellors.c.name)
        return [row.name for row in conn.execute(query)]


def failure_key(name: str) -> str:
    """What a login-failure row holds for a typed name: its keyed digest, never the name."""
    return name_digest(settings().secret_key, name.strip().lower()[:80])


def _is_account(engine: sa.engine.Engine, name: str) -> bool:
    with engine.connect() as conn:
        query = sa.select(counsellors.c.name).where(counsellors.c.name == name)
        return conn.execute(query).first() is not None


def audit_name(engine: sa.engine.Engine, name: str) -> str:
    """What the audit log names for a login attempt: the account, or "nom inconnu (…)"."""
    name = name.strip().lower()[:80]
    if NAME_PATTERN.fullmatch(name) and _is_account(engine, name):
        return name
    return f"{UNKNOWN_NAME} ({failure_key(name)[:AUDIT_DIGEST_CHARS]})"


def forget_typed_names(engine: sa.engine.Engine) -> int:
    """Replaces names kept as typed by an older version; how many rows were changed.

    Throttling rows that are not digests are deleted (they only count for 15 minutes);
    refused logins in the audit log under a name that is no account get `audit_name`.
    """
    digest_length = len(failure_key(""))
    changed = 0
    with engine.begin() as conn:
        changed += conn.execute(
            login_failures.delete().where(
                sa.func.length(login_failures.c.username) != digest_length
            )
        ).rowcount
        accounts = sa.select(counsellors.c.name)
        typed = conn.execute(
            sa.select(audit.c.id, audit.c.counsellor).where(
                audit.c.action == FAILED_LOGIN_ACTION,
                audit.c.counsellor.not_in(accounts),
                audit.c.counsellor.not_like(f"{UNKNOWN_NAME} (%"),
            )
        ).all()
        for row in typed:
            masked = f"{UNKNOWN_NAME} ({failure_key(row.counsellor)[:AUDIT_DIGEST_CHARS]})"
            conn.execute(audit.update().where(audit.c.id == row.id).values(counsellor=masked))
        changed += len(typed)
    if changed:
        logger.info("Login names kept as typed by an older version: %s row(s) replaced", changed)
    return changed


class LoginResult(enum.Enum):
    """How one login attempt ended."""

    OK = "ok"
    WRONG = "wrong"  # wrong name or password: recorded as a failure
    THROTTLED = "throttled"  # too many failures: the password was not even checked
    BUSY = "busy"  # too many checks running at once: try again in a moment


@dataclass(frozen=True)
class LoginOutcome:
    result: LoginResult
    wait_minutes: int = 0  # for THROTTLED: minutes before trying again


def _wait_minutes(stamps: Sequence[float], limit: int, window: float, now: float) -> int:
    """Minutes until fewer than `limit` of `stamps` (newest first) are in the window."""
    free_at = stamps[limit - 1] + window if len(stamps) >= limit else now
    return max(1, int(-(-(free_at - now) // 60)))


def _throttled(conn: sa.engine.Connection, key: str, ip: str, own: int, now: float) -> int:
    """Minutes to wait when an attempt over a limit; 0 when allowed. `own`: its own row.

    `key` is the name's `failure_key`.

    Limits, each counting the rows already recorded (failures and attempts under way):
    per name and address, per account across addresses, and for the whole console.
    """
    table = login_failures
    others = table.c.id != own
    since = now - FAILURE_WINDOW_SECONDS
    for condition, limit in (
        (sa.and_(table.c.username == key, table.c.ip == ip), MAX_FAILURES),
        (table.c.username == key, MAX_ACCOUNT_FAILURES),
    ):
        stamps = [
            row.at
            for row in conn.execute(
                sa.select(table.c.at)
                .where(condition, others, table.c.at > since)
                .order_by(table.c.at.desc())
                .limit(limit)
            )
        ]
        if len(stamps) >= limit:
            return _wait_minutes(stamps, limit, FAILURE_WINDOW_SECONDS, now)
    recent = conn.execute(
        sa.select(sa.func.count())
        .select_from(table)
        .where(others, table.c.at > now - GLOBAL_WINDOW_SECONDS)
    ).scalar_one()
    return 1 if recent >= MAX_GLOBAL_ATTEMPTS else 0


def attempt_login(
    engine: sa.engine.Engine, name: str, password: str, ip: str, now: Optional[float] = None
) -> LoginOutcome:
    """Checks one login attempt against the limits, then the password.

    Check and record are atomic, across threads and processes alike: the attempt is first
    recorded (committed) as a failure, then the limits count the rows recorded before it.
    Of two attempts racing, the one that counts last sees the other's row, so no limit is
    ever passed. A throttled or refused-for-load attempt removes its row; a good password
    removes the failures of its name and address.
    """
    name = name.strip().lower()[:80]
    key = failure_key(name)
    now = time.time() if now is None else now
    with _bookkeeping:
        with engine.begin() as conn:
            own = conn.execute(
                login_failures.insert().values(username=key, ip=ip, at=now)
            ).inserted_primary_key[0]
        with engine.connect() as conn:
            wait = _throttled(conn, key, ip, own, now)
        if wait:
            _forget_attempt(engine, own)
    if wait:
        logger.warning("Console login throttled (%s minute(s))", wait)
        return LoginOutcome(LoginResult.THROTTLED, wait)
    ok = _check_password(engine, name, password)
    with _bookkeeping:
        if ok is None:
            _forget_attempt(engine, own)
            return LoginOutcome(LoginResult.BUSY)
        with engine.begin() as conn:
            if ok:
                conn.execute(
                    login_failures.delete().where(
                        login_failures.c.username == key, login_failures.c.ip == ip
                    )
                )
            conn.execute(
                login_failures.delete().where(login_failures.c.at < now - FAILURE_WINDOW_SECONDS)
            )
    who = name if ok else audit_name(engine, name)
    record(engine, who, "connexion" if ok else FAILED_LOGIN_ACTION, None, ip)
    return LoginOutcome(LoginResult.OK if ok else LoginResult.WRONG)


def _forget_attempt(engine: sa.engine.Engine, row_id: int) -> None:
    with engine.begin() as conn:
        conn.execute(login_failures.delete().where(login_failures.c.id == row_id))


def _check_password(engine: sa.engine.Engine, name: str, password: str) -> Optional[bool]:
    """Whether the password is right; None when `MAX_CONCURRENT_CHECKS` are already running.

    Each check runs argon2 with 64 MiB of memory: the semaphore bounds the memory and the
    cores that anonymous requests can take.
    """
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(counsellors.c.password_hash).where(counsellors.c.name == name)
        ).first()
    if not _checks.acquire(timeout=CHECK_WAIT_SECONDS):
        logger.warning("Console login refused: %s password checks running", MAX_CONCURRENT_CHECKS)
        return None
    try:
        return _hasher.verify(row.password_hash if row else _DUMMY_HASH, password) and (
            row is not None
        )
    except (VerificationError, InvalidHashError):
        return False
    finally:
        _checks.release()


@dataclass(frozen=True)
class Session:
    counsellor: str
    csrf_token: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(engine: sa.engine.Engine, name: str) -> str:
    """Starts a session; returns the cookie value (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    now = time.time()
    with engine.begin() as conn:
        conn.execute(sessions.delete().where(sessions.c.last_seen < now - SESSION_IDLE_SECONDS))
        conn.execute(
            sessions.insert().values(
                token_hash=_digest(token),
                counsellor=name.strip().lower(),
                csrf_token=secrets.token_urlsafe(32),
                created_at=now,
                last_seen=now,
            )
        )
    return token


def find_session(engine: sa.engine.Engine, token: Optional[str]) -> Optional[Session]:
    """The live session for this cookie value, None if missing or expired."""
    if not token or len(token) > 100:
        return None
    now = time.time()
    with engine.begin() as conn:
        row = conn.execute(
            sa.select(sessions).where(sessions.c.token_hash == _digest(token))
        ).first()
        if row is None:
            return None
        if now - row.last_seen > SESSION_IDLE_SECONDS or now - row.created_at > SESSION_MAX_SECONDS:
            conn.execute(sessions.delete().where(sessions.c.token_hash == row.token_hash))
            return None
        if now - row.last_seen > 60:
            conn.execute(
                sessions.update()
                .where(sessions.c.token_hash == row.token_hash)
                .values(last_seen=now)
            )
    return Session(row.counsellor, row.csrf_token)


def close_session(engine: sa.engine.Engine, token: Optional[str]) -> None:
    if token:
        with engine.begin() as conn:
            conn.execute(sessions.delete().where(sessions.c.token_hash == _digest(token)))


def same_token(expected: str, given: Optional[str]) -> bool:
    """Constant-time comparison of CSRF tokens."""
    return bool(given) and hmac.compare_digest(expected.encode(), str(given).encode())


def login_csrf(secret_key: str, nonce: str) -> str:
    """CSRF token of the login form, bound to the pre-login cookie `nonce`."""
    return hmac.new(secret_key.encode(), b"login:" + nonce.encode(), hashlib.sha256).hexdigest()
