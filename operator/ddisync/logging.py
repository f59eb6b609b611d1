"""Log setup: JSON lines (the default, for log pipelines) or plain text (for people).

Every record carries the resource it is about when kopf knows it (kopf's per-object logger
adds ``k8s_obj``), so a line can be traced to ``kind/namespace/name``.
"""

from __future__ import annotations

import datetime
import json
import logging
from typing import Any

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: timestamp, level, logger, message, and any extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        k8s = getattr(record, "k8s_obj", None)
        if isinstance(k8s, dict):
            entry["resource"] = {
                key: k8s.get(key) for key in ("kind", "namespace", "name") if k8s.get(key)
            }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in entry and key not in ("k8s_obj", "settings"):
                entry[key] = value if isinstance(value, str | int | float | bool) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(log_format: str = "json", level: str = "INFO") -> None:
    """Send logs to stderr in ``log_format``; replaces any handlers already installed."""
    handler = logging.StreamHandler()
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # aiohttp's access log is one line per request: noise at INFO.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
