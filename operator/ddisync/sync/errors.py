"""Why a sync stopped without reaching the spec, when WAPI itself did not fail."""

from __future__ import annotations

from ddisync.api.conditions import Reason


class SyncRefused(Exception):
    """The plan refused to proceed (not owned, immutable field changed, ...)."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
