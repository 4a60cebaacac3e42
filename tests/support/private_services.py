"""Private PostgreSQL and Redis servers for the fault tests, on free ports.

Each test that stops or restarts a database starts its own server here, never the
machine's (127.0.0.1:5432 and :6379 serve other work). PostgreSQL refuses to run as root:
as root, its commands run as the `postgres` user (`runuser`), in a folder that user owns.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import List, Optional

# Binaries of Debian's postgresql-15 (also linked into /usr/local/bin on these machines).
POSTGRES_BIN_DIRS = ("/usr/lib/postgresql/15/bin", "/usr/local/bin", "/usr/bin")
START_TIMEOUT_S = 60


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_tool(name: str) -> Optional[str]:
    for folder in POSTGRES_BIN_DIRS:
        path = Path(folder) / name
        if path.exists():
            return str(path)
    return shutil.which(name)


def missing_binaries() -> List[str]:
    """The programs the fault tests need and this machine lacks."""
    found = [name for name in ("initdb", "pg_ctl") if not postgres_tool(name)]
    found += [name for name in ("redis-server", "nginx") if not shutil.which(name)]
    return found


def wait_for_port(port: int, timeout: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")


class PrivatePostgres:
    """A throw-away PostgreSQL cluster (trust authentication) on a free port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="passerelle-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "postgres.log"
        self.as_postgres: List[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.folder, user.pw_uid, user.pw_gid)
            self.as_postgres = ["runuser", "-u", "postgres", "--"]

    @property
    def url(self) -> str:
        """The SQLAlchemy URL Passerelle uses (Rasa creates the database)."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/passerelle?login_db=postgres"

    def _run(self, *argv: str) -> None:
        subprocess.run([*self.as_postgres, *argv], check=True, capture_output=True, cwd=self.folder)

    def init(self) -> None:
        self._run(
            postgres_tool("initdb") or "initdb",
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
        )

    def _pg_ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            postgres_tool("pg_ctl") or "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
            "-w",
            "-t",
            str(START_TIMEOUT_S),
            *args,
        )

    def start(self) -> None:
        self._pg_ctl("start")
        wait_for_port(self.port)

    def create_database(self, name: str = "passerelle") -> None:
        """The database, created ahead (the console reads it before Rasa could create it)."""
        import psycopg2

        connection = psycopg2.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres"
        )
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"')
        finally:
            connection.close()

    def restart(self) -> None:
        """Stops the server (fast: open connections are cut) and starts it again."""
        self._pg_ctl("-m", "fast", "restart")
        wait_for_port(self.port)

    def stop(self) -> None:
        try:
            self._pg_ctl("-m", "immediate", "stop")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.folder, ignore_errors=True)


class PrivateRedis:
    """A redis-server without persistence on a free port; `kill` and `start` at will."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/1"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
