"""Serves the chat widget's web app: `python -m web` (started by `make run`)."""

from __future__ import annotations

import logging

import uvicorn

from passerelle.config import settings
from passerelle.files import private_umask
from web.app import create_app

logger = logging.getLogger(__name__)


def main() -> None:
    """Runs the web app on the configured host and port until stopped."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    private_umask()  # the speech cache's files are 0600 whatever creates them
    config = settings()
    logger.info(
        "Widget web app on %s (public URL %s)", config.widget.bind_url, config.widget.public_url
    )
    uvicorn.run(
        create_app(config.require_secret_key()),
        host=config.widget.host,
        port=config.widget.port,
        log_level="warning",
        server_header=False,
        # X-Forwarded-For is believed only from TRUSTED_PROXIES: "Écouter" is throttled per
        # client address, and a client must not choose its own.
        proxy_headers=bool(config.trusted_proxies),
        forwarded_allow_ips=list(config.trusted_proxies) or None,
        ws="none",  # no websocket here; the installed websockets is too old for uvicorn
    )


if __name__ == "__main__":
    main()
