"""Log setup: JSON lines (the default, for log pipelines) or plain text (for people).

A JSON line always has ``timestamp``, ``level``, ``logger``, ``message`` and ``correlation_id``
(``"-"`` outside a reconcile), plus ``resource`` (``kind``/``namespace``/``name``) when the line
is about one: from kopf's per-object logger (``k8s_obj``) or, for lines from code that knows
nothing of resources such as ``ddisync.wapi``, from :func:`ddisync.correlation.reconcile_context`.

Secrets: settings objects hide them in ``repr`` (``SecretStr``, ``field(repr=False)``), and as a
last line of defence every formatted line has the known secret values (``secrets=``, see
:func:`secrets_of`) replaced by ``***`` before it is written.
"""

from __future__ import annotations

import base64
import datetime
import json
import logging
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING, Any, Final

from ddisync.correlation import NO_ID, CorrelationFilter, current_correlation_id, current_resource
from ddisync.kopf_internals import HANDLER_RETRY_MARKERS, handler_success_prefix

if TYPE_CHECKING:
    from ddisync.config import Settings

__all__ = ["JsonFormatter", "TextFormatter", "configure_logging", "secrets_of"]

REDACTED: Final = "***"
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}
# Keys handled explicitly, or never written (kopf passes its settings along with some records).
_NOT_EXTRAS: Final = frozenset({"k8s_obj", "settings", "resource", "correlation_id"})
_TEXT_FORMAT: Final = "%(asctime)s %(levelname)-7s %(name)s [%(correlation_id)s] %(message)s"


class _Redactor:
    """Replaces known secret values, raw and as they appear inside a JSON string."""

    def __init__(self, secrets: Iterable[str]) -> None:
        variants = {v for s in secrets if s for v in (s, json.dumps(s, ensure_ascii=False)[1:-1])}
        # Longest first, so a secret containing another is replaced whole.
        self._secrets = sorted(variants, key=len, reverse=True)

    def __call__(self, line: str) -> str:
        for secret in self._secrets:
            if secret in line:
                line = line.replace(secret, REDACTED)
        return line


def _resource_of(record: logging.LogRecord) -> dict[str, str] | None:
    k8s = getattr(record, "k8s_obj", None)
    if isinstance(k8s, dict):
        found = {key: str(k8s[key]) for key in ("kind", "namespace", "name") if k8s.get(key)}
        if found:
            return found
    stamped = getattr(record, "resource", None)
    if isinstance(stamped, dict):
        return {str(k): str(v) for k, v in stamped.items() if v}
    current = current_resource()
    if current is None:
        return None
    return {"kind": current["kind"], "namespace": current["namespace"], "name": current["name"]}


def _correlation_id_of(record: logging.LogRecord) -> str:
    stamped = getattr(record, "correlation_id", None)
    if isinstance(stamped, str) and stamped != NO_ID:
        return stamped
    return current_correlation_id() or NO_ID


class JsonFormatter(logging.Formatter):
    """One JSON object per line: timestamp, level, logger, message, correlation id, resource,
    and any extras (scalars as themselves, anything else as ``str()``)."""

    def __init__(self, *, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._redact = _Redactor(secrets)

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "correlation_id": _correlation_id_of(record),
        }
        resource = _resource_of(record)
        if resource:
            entry["resource"] = resource
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in entry and key not in _NOT_EXTRAS:
                entry[key] = value if isinstance(value, str | int | float | bool) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return self._redact(json.dumps(entry, ensure_ascii=False))


class TextFormatter(logging.Formatter):
    """``time level logger [correlation id] Kind namespace/name: message``, with secrets
    redacted; the resource only on lines about one."""

    def __init__(self, *, secrets: Iterable[str] = ()) -> None:
        super().__init__(_TEXT_FORMAT)
        self._redact = _Redactor(secrets)

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "correlation_id"):  # no CorrelationFilter on this handler
            record.correlation_id = current_correlation_id() or NO_ID
        line = super().format(record)
        resource = _resource_of(record)
        if resource and resource.get("name"):
            kind, namespace = resource.get("kind", ""), resource.get("namespace")
            named = (
                f"{kind} {namespace}/{resource['name']}"
                if namespace
                else f"{kind} {resource['name']}"
            )
            head, sep, rest = line.partition("] ")
            line = f"{head}{sep}{named}: {rest}" if sep else f"{named}: {line}"
        return self._redact(line)


def secrets_of(settings: Settings) -> tuple[str, ...]:
    """The secret values in ``settings`` as they could appear in a log line: the WAPI password
    and the Basic ``Authorization`` token made from it."""
    password = settings.wapi_password.get_secret_value()
    if not password:
        return ()
    token = base64.b64encode(f"{settings.wapi_username}:{password}".encode()).decode()
    return (password, token)


# kopf logs "Handler '<id>' succeeded." at INFO for each handler run. The catalog's handlers
# (handlers/index.py) run on every watch event of every resource: four lines per Record
# created, none of them news. Their failures are still logged (at ERROR).
CATALOG_HANDLERS = handler_success_prefix("catalog.")


def _not_catalog_success(record: logging.LogRecord) -> bool:
    message = record.msg
    return not (
        record.levelno == logging.INFO
        and isinstance(message, str)
        and message.startswith(CATALOG_HANDLERS)
        and message.endswith(" succeeded.")
    )


def _not_a_reported_retry(record: logging.LogRecord) -> bool:
    """kopf's ERROR line for a ``TemporaryError``/``PermanentError`` ddisync raised on purpose:
    an expected wait or a user error, already in the condition and, once per transition, in
    ddisync's own log line (``handlers.failure``). Repeating it at ERROR on every retry, with
    kopf's handler names, only buries real errors."""
    message = record.msg
    return not (
        isinstance(message, str)
        and message.startswith("Handler '")
        and any(marker in message for marker in HANDLER_RETRY_MARKERS)
    )


def configure_logging(
    log_format: str = "json",
    level: str = "INFO",
    *,
    secrets: Iterable[str] = (),
    stream: IO[str] | None = None,
) -> logging.Handler:
    """Send logs to ``stream`` (stderr) in ``log_format``; replaces any handlers installed on
    the root logger.  ``secrets`` are redacted from every line.  Returns the handler."""
    handler = logging.StreamHandler(stream)
    secrets = tuple(secrets)
    formatter: logging.Formatter = (
        JsonFormatter(secrets=secrets) if log_format == "json" else TextFormatter(secrets=secrets)
    )
    handler.setFormatter(formatter)
    handler.addFilter(CorrelationFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # aiohttp's access log is one line per request (every probe and scrape): noise at INFO.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    kopf_objects = logging.getLogger("kopf.objects")
    for quieter in (_not_catalog_success, _not_a_reported_retry):
        if quieter not in kopf_objects.filters:
            kopf_objects.addFilter(quieter)
    return handler
