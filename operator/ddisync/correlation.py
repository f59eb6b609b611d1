"""A correlation id per reconcile, carried into every log line made while it runs.

``reconcile_context(kind, namespace, name)`` sets two context variables for the duration of one
reconcile: a fresh correlation id and the resource.  Context variables follow the reconcile
into everything it awaits and into tasks it creates, so the WAPI client's log lines (logger
``ddisync.wapi``, which knows nothing of kopf or resources) carry the same id and resource as
the handler's.  :class:`CorrelationFilter`, installed on the log handler by
``ddisync.logging.configure_logging``, stamps both onto every ``LogRecord``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Final, TypedDict

__all__ = [
    "CorrelationFilter",
    "ResourceRef",
    "current_correlation_id",
    "current_resource",
    "new_correlation_id",
    "reconcile_context",
]

NO_ID: Final = "-"
"""What text logs show outside any reconcile."""


class ResourceRef(TypedDict):
    kind: str
    namespace: str
    name: str


_correlation_id: ContextVar[str | None] = ContextVar("ddisync_correlation_id", default=None)
_resource: ContextVar[ResourceRef | None] = ContextVar("ddisync_resource", default=None)


def new_correlation_id() -> str:
    """12 hex digits: short enough to read and grep, 48 random bits are plenty per cluster."""
    return uuid.uuid4().hex[:12]


def current_correlation_id() -> str | None:
    return _correlation_id.get()


def current_resource() -> ResourceRef | None:
    return _resource.get()


@contextmanager
def reconcile_context(
    kind: str, namespace: str, name: str, *, correlation_id: str | None = None
) -> Iterator[str]:
    """Run the block as one reconcile of ``kind`` ``namespace/name``; yields its correlation id.

    The previous values are restored on exit, so nested or sequential reconciles in one task
    never leak ids into each other.
    """
    cid = correlation_id or new_correlation_id()
    id_token = _correlation_id.set(cid)
    resource_token = _resource.set(ResourceRef(kind=kind, namespace=namespace, name=name))
    try:
        yield cid
    finally:
        _resource.reset(resource_token)
        _correlation_id.reset(id_token)


class CorrelationFilter(logging.Filter):
    """Stamps ``correlation_id`` (or ``"-"``) and ``resource`` (or ``None``) on every record.

    Install it on a *handler*: a filter on a logger only sees records logged through that
    logger, not those propagated from its children.  Stamping happens in the logging call,
    inside the reconcile's context, so it holds even if formatting happens elsewhere.
    An id or resource already set on the record (``extra=``) is kept.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "correlation_id", None) is None:
            record.correlation_id = _correlation_id.get() or NO_ID
        if getattr(record, "resource", None) is None:
            resource = _resource.get()
            record.resource = dict(resource) if resource is not None else None
        return True
