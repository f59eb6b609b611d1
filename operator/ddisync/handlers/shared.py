"""Objects every resource's handlers share (snapshots), made on first use.

kopf hands each resource a *shallow copy* of the operator's memo: an attribute a handler sets
on its ``memo`` stays with that one resource. What all resources must share lives in the
``memo.shared`` dict made once by ``ddisync.runtime`` (the copies hold the same dict).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import kopf

T = TypeVar("T")


def shared(memo: kopf.Memo, key: str, make: Callable[[], T]) -> T:
    """The operator-wide object under ``key``; ``make()`` builds it the first time."""
    store: dict[str, Any] = memo.shared
    if key not in store:
        store[key] = make()
    value: T = store[key]
    return value
