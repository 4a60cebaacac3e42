"""Serves the counsellor console (`python -m console`) on CONSOLE_HOST:CONSOLE_PORT."""

from __future__ import annotations

import logging

import uvicorn

from console.app import create_app
from passerelle.config import settings


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    cfg = settings()
    uvicorn.run(
        create_app(cfg.require_secret_key()),
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
