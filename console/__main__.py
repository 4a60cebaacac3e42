"""Serves the counsellor console (`python -m console`) on CONSOLE_HOST:CONSOLE_PORT.

While it runs, it purges old conversations and expired sounds every day
(`console/retention.py`): `make run` keeps the privacy notice's promise by itself.
"""

from __future__ import annotations

import logging

import uvicorn

from console.app import create_app
from console.retention import PURGE_INTERVAL_SECONDS
from passerelle.config import settings
from passerelle.files import private_umask


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    private_umask()  # what it writes (the SQLite file, if it creates it) is 0600
    cfg = settings()
    uvicorn.run(
        # Conversations older than RETENTION_DAYS go at start, then every day.
        create_app(cfg.require_secret_key(), purge_every=PURGE_INTERVAL_SECONDS),
        host=cfg.console.host,
        port=cfg.console.port,
        # X-Forwarded-For is believed only from TRUSTED_PROXIES (none by default): login
        # throttling counts per client address, and a client must not choose its own.
        proxy_headers=bool(cfg.trusted_proxies),
        forwarded_allow_ips=list(cfg.trusted_proxies) or None,
        server_header=False,
        # No websockets here; Rasa pins a websockets release uvicorn's auto mode rejects.
        ws="none",
        log_level="info",
        # Addresses carry searches and conversation ids: the audit log records what matters.
        access_log=False,
    )


if __name__ == "__main__":
    main()
