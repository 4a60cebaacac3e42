"""Counsellor accounts, sessions, CSRF tokens and login throttling."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import time
from dataclasses import dataclass
from typing import Optional

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from console.data import record
from console.tables import counsellors, login_failures, sessions

logger = logging.getLogger(__name__)

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
MAX_FAILURES = 5
FAILURE_WINDOW_SECONDS = 15 * 60
SESSION_IDLE_SECONDS = 60 * 60
SESSION_MAX_SECONDS = 10 * 60 * 60

_hasher = PasswordHasher()
# Verified when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """A French message explaining why an account cannot be created."""


def check_name(name: str) -> str:
    """The account name, normalised, or AccountError."""
    name = name.strip().lower()
    if not NAME_PATTERN.match(name):
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


def throttled_minutes(engine: sa.engine.Engine, name: str, ip: str, now: float) -> int:
    """Minutes to wait before trying again; 0 when a try is allowed."""
    since = now - FAILURE_WINDOW_SECONDS
    with engine.connect() as conn:
        stamps = [
            row.at
            for row in conn.execute(
                sa.select(login_failures.c.at)
                .where(
                    login_failures.c.username == name,
                    login_failures.c.ip == ip,
                    login_failures.c.at > since,
                )
                .order_by(login_failures.c.at.desc())
                .limit(MAX_FAILURES)
            )
        ]
    if len(stamps) < MAX_FAILURES:
        return 0
    free_at = stamps[-1] + FAILURE_WINDOW_SECONDS
    return max(1, int(-(-(free_at - now) // 60)))


def verify_login(engine: sa.engine.Engine, name: str, password: str, ip: str) -> bool:
    """Checks the password; records the failure (throttling and audit) when wrong."""
    name = name.strip().lower()[:80]
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(counsellors.c.password_hash).where(counsellors.c.name == name)
        ).first()
    try:
        ok = _hasher.verify(row.password_hash if row else _DUMMY_HASH, password) and row is not None
    except (VerificationError, InvalidHashError):
        ok = False
    now = time.time()
    with engine.begin() as conn:
        if ok:
            conn.execute(
                login_failures.delete().where(
                    login_failures.c.username == name, login_failures.c.ip == ip
                )
            )
        else:
            conn.execute(login_failures.insert().values(username=name, ip=ip, at=now))
            conn.execute(
                login_failures.delete().where(login_failures.c.at < now - FAILURE_WINDOW_SECONDS)
            )
    record(engine, name, "connexion" if ok else "connexion refusée", None, ip)
    return ok


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
