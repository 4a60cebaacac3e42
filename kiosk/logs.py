"""The kiosk's log: what the person said is masked before a line is written.

With `--verbose` the kiosk and the speech stages log what was heard ("Person said",
"Heard ... taken as ...", Whisper's discarded output). A person may say a password, an
identifier or a card number aloud, and as words ("un deux trois quatre..."): the masker
(`passerelle/privacy.py`, the same function as the conversation store's) only knows
digits. So what a line carries is masked in the form the assistant receives, numbers as
digits (`voice.asr.to_message`, "un deux trois" -> "1 2 3"); text with nothing to mask is
written as it was. `configure_logging` puts this on every handler of the kiosk's log, so
it covers the lines of every module, present and future.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, TextIO

from passerelle.privacy import mask_text
from voice.asr import to_message

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def masked_for_log(text: str) -> str:
    """`text` with every secret masked, spoken numbers included (then written as digits)."""
    as_sent = to_message(text)
    masked = mask_text(as_sent)
    if masked != as_sent:
        return masked
    return mask_text(text)


class MaskingFilter(logging.Filter):
    """Masks what a record carries before a handler writes it.

    The arguments (`logger.info("Heard %r", said)`) are masked one by one: the format
    string is the code's own text. A record without arguments is masked whole.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_masked(arg) for arg in record.args)
        elif isinstance(record.args, Mapping):
            record.args = {key: _masked(value) for key, value in record.args.items()}
        elif isinstance(record.msg, str):
            record.msg = masked_for_log(record.msg)
        return True


def _masked(value: Any) -> Any:
    """A masked copy of a log argument that is text; other values (numbers) as they are."""
    if isinstance(value, str):
        return masked_for_log(value)
    if isinstance(value, (int, float)) or value is None:
        return value
    text = str(value)  # an exception, a path: masked in its written form
    masked = masked_for_log(text)
    return value if masked == text else masked


def configure_logging(verbose: bool, stream: TextIO | None = None) -> None:
    """The kiosk's log on stderr (or `stream`): INFO with `--verbose`, else errors; masked."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.ERROR, format=LOG_FORMAT, stream=stream
    )
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, MaskingFilter) for f in handler.filters):
            handler.addFilter(MaskingFilter())


__all__ = ["MaskingFilter", "configure_logging", "masked_for_log"]
