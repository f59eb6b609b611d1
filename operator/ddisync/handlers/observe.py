"""Wrap each reconcile in what observability needs: a correlation id, metrics, readiness."""

from __future__ import annotations

import collections
import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

import kopf

from ddisync.correlation import reconcile_context


@contextlib.contextmanager
def observed(memo: kopf.Memo, kind: str, body: Mapping[str, Any]) -> Iterator[None]:
    """Correlation id + resource for every log line, reconcile metrics, the resources gauge."""
    meta = body["metadata"]
    readiness: dict[str, str] = memo.readiness[kind]  # shared by all resources (runtime.py)
    ready = "False"
    with (
        reconcile_context(kind, meta["namespace"], meta["name"]),
        memo.metrics.reconciling(kind, on_synced=memo.health.sync_succeeded),
    ):
        try:
            yield
            ready = "True"
        finally:
            readiness[meta["uid"]] = ready
            memo.metrics.set_resources(kind, collections.Counter(readiness.values()))


def forget_resource(memo: kopf.Memo, kind: str, body: Mapping[str, Any]) -> None:
    """The resource is gone: it no longer counts in the resources gauge."""
    readiness: dict[str, str] = memo.readiness[kind]
    readiness.pop(body["metadata"]["uid"], None)
    memo.metrics.set_resources(kind, collections.Counter(readiness.values()))
