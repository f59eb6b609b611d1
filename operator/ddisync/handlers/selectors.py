"""Turn a Kubernetes label selector string into kopf's ``labels=`` filter (for sharding).

Supported: equality-based selectors, the form shards use: ``a=b``, ``a==b``, ``a!=b``, ``a``
(present) and ``!a`` (absent), comma-separated (all must hold). Set-based selectors
(``a in (x,y)``) are refused with a clear error rather than half-understood.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import kopf

from ddisync.kopf_internals import labels_match

_KEY = r"[A-Za-z0-9]([A-Za-z0-9._/-]*[A-Za-z0-9])?"
_TERM = re.compile(rf"^(?P<neg>!)?(?P<key>{_KEY})(?:(?P<op>==|=|!=)(?P<value>[A-Za-z0-9._-]*))?$")


def _not_equal(value: str) -> Any:
    return lambda actual, **_: actual != value


def label_filter(selector: str | None) -> dict[str, Any]:
    """``"shard=a,!legacy"`` → ``{"shard": "a", "legacy": kopf.ABSENT}``."""
    filters: dict[str, Any] = {}
    for term in (part.strip() for part in (selector or "").split(",")):
        if not term:
            continue
        match = _TERM.match(term)
        if match is None or (match["neg"] and match["op"]):
            raise ValueError(
                f"label selector term {term!r} is not supported; use key=value, key!=value, "
                "key or !key"
            )
        key, op, value = match["key"], match["op"], match["value"]
        if match["neg"]:
            filters[key] = kopf.ABSENT
        elif op is None:
            filters[key] = kopf.PRESENT
        elif op == "!=":
            filters[key] = _not_equal(value)
        else:
            filters[key] = value
    return filters


def selects(filters: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """Whether an object with ``labels`` passes ``filters`` (from ``label_filter``), as kopf
    decides it for handlers: the drift sweep checks only what this shard reconciles."""
    return labels_match(filters, labels)
