"""Structured logs: one logfmt line per event, `ts=… level=… logger=… event=… key=value …`.

Call `log_event(logger, "event_name", key=value, ...)`. Values are quoted when needed. Never pass
secrets: `Secret` values render masked, and the HTTP layers never log query strings or bodies.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

_NEEDS_QUOTE = set(' "=\\\n\t')


def _fmt(value: Any) -> str:
    text = str(value)
    if text == "" or any(c in _NEEDS_QUOTE for c in text):
        text = '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    return text


class LogfmtFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z"
        parts = [f"ts={ts}", f"level={record.levelname.lower()}", f"logger={record.name}"]
        fields = getattr(record, "fields", None)
        if fields is not None:
            parts.append(f"event={_fmt(record.getMessage())}")
            parts.extend(f"{k}={_fmt(v)}" for k, v in fields.items())
        else:
            parts.append(f"msg={_fmt(record.getMessage())}")
        if record.exc_info:
            parts.append(f"exc={_fmt(self.formatException(record.exc_info))}")
        return " ".join(parts)


def log_event(logger: logging.Logger, event: str, level: int = logging.INFO, **fields: Any) -> None:
    if logger.isEnabledFor(level):
        logger.log(level, event, extra={"fields": fields})


def setup_logging(level: str = "info") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(LogfmtFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("uvicorn.access",):
        logging.getLogger(noisy).disabled = True
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
