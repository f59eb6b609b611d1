"""The write path of each grid: a ``WapiClient`` that tells its snapshot store of every write.

Every write the operator makes goes through its grid's client: the applier of plan actions
(``ddisync.sync.apply``), the deletion of confirmed orphans, and whatever writes later. So
recording writes here, explicitly and in the call itself (not in an observer whose errors are
swallowed), means no writer can forget to. It applies ``store.py``'s table: an answer →
``written``/``deleted``; a refusal by the grid → nothing; anything else (a timeout, a 5xx after
the retries, a cancelled call, a batch, a non-idempotent function) → ``invalidate``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ddisync.wapi.batch import BatchOp
from ddisync.wapi.client import WapiClient, WapiObject
from ddisync.wapi.errors import AuthenticationError, NotFoundError, WapiResponseError
from ddisync.wapi.query import QueryParams, objtype_of
from ddisync.wapi.settings import WapiSettings

from .store import SnapshotStore

__all__ = ["TrackingClient"]

_REFUSED = (WapiResponseError, AuthenticationError)  # the grid applied nothing


class TrackingClient(WapiClient):
    """A ``WapiClient`` whose writes are recorded in ``snapshots``."""

    def __init__(self, settings: WapiSettings, snapshots: SnapshotStore, **options: Any) -> None:
        super().__init__(settings, **options)
        self.snapshots = snapshots

    async def create(
        self,
        objtype: str,
        data: Mapping[str, Any],
        *,
        return_fields: Sequence[str] | None = None,
        find_existing: QueryParams | None = None,
    ) -> WapiObject:
        try:
            obj = await super().create(
                objtype, data, return_fields=return_fields, find_existing=find_existing
            )
        except _REFUSED:
            raise
        except BaseException:
            await self.snapshots.invalidate(objtype)
            raise
        await self.snapshots.written(objtype, obj)
        return obj

    async def update(
        self, ref: str, data: Mapping[str, Any], *, return_fields: Sequence[str] | None = None
    ) -> WapiObject:
        try:
            obj = await super().update(ref, data, return_fields=return_fields)
        except _REFUSED:
            raise
        except BaseException:
            await self.snapshots.invalidate(objtype_of(ref))
            raise
        await self.snapshots.written(objtype_of(ref), obj)
        return obj

    async def delete(self, ref: str) -> str:
        try:
            answer = await super().delete(ref)
        except NotFoundError:
            await self.snapshots.deleted(objtype_of(ref), ref)
            raise
        except _REFUSED:
            raise
        except BaseException:
            await self.snapshots.invalidate(objtype_of(ref))
            raise
        await self.snapshots.deleted(objtype_of(ref), ref)
        return answer

    async def call_function(
        self,
        ref: str,
        name: str,
        args: Mapping[str, Any] | None = None,
        *,
        idempotent: bool = False,
    ) -> dict[str, Any]:
        try:
            return await super().call_function(ref, name, args, idempotent=idempotent)
        finally:
            if not idempotent:  # a function may change objects of its type
                await self.snapshots.invalidate(objtype_of(ref))

    async def batch(self, ops: Sequence[BatchOp]) -> list[Any]:
        try:
            return await super().batch(ops)
        finally:
            for objtype in sorted({objtype_of(op.object) for op in ops if not op.is_read}):
                await self.snapshots.invalidate(objtype)
