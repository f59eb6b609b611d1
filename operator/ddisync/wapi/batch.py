"""Operations for the multi-object ``POST /wapi/vX/request`` endpoint.

One ``request`` call carries a list of operations; the grid runs them in order and answers with
one entry per operation, in the same order — which is how results are mapped back to callers:
``client.batch(ops)[i]`` is the result of ``ops[i]`` (a list of objects for a GET, a ref or an
object for a write).  Large lists are split into calls of ``batch_size`` operations; each call
is atomic on the grid (the first failing operation aborts it), the whole list is not.

Retry safety: a batch made only of GETs is retried freely.  A batch with writes is retried only
when it certainly did not reach the grid (429, 403 connection limit, connect errors); when it
may have, the client raises :class:`~ddisync.wapi.errors.OutcomeUnknownError` rather than
risk applying the writes twice — the caller re-reads and re-plans.

GETs inside a batch are not paged (the endpoint has no paging): use them for lookups by key,
and :meth:`WapiClient.iter_pages` for listings.  A GET matching more than 1000 objects fails
loudly with the grid's "Result set too large"; it is never truncated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from .query import QueryParams, param_pairs

__all__ = ["BatchMethod", "BatchOp", "batch_body", "chunks"]

BatchMethod = Literal["GET", "POST", "PUT", "DELETE"]


@dataclass(frozen=True)
class BatchOp:
    """One operation of a multi-object request.  Build with the class methods."""

    method: BatchMethod
    object: str  # an object type (GET, POST) or a ref (PUT, DELETE)
    data: Mapping[str, Any] = field(default_factory=dict)
    return_fields: Sequence[str] | None = None

    @classmethod
    def get(
        cls,
        objtype: str,
        params: QueryParams | None = None,
        *,
        return_fields: Sequence[str] | None = None,
    ) -> BatchOp:
        data: dict[str, Any] = {}
        for key, value in param_pairs(params):
            if key in data:  # repeated key: NIOS takes a list in the body
                previous = data[key]
                data[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
            else:
                data[key] = value
        return cls("GET", objtype, data, return_fields)

    @classmethod
    def create(
        cls, objtype: str, data: Mapping[str, Any], *, return_fields: Sequence[str] | None = None
    ) -> BatchOp:
        return cls("POST", objtype, dict(data), return_fields)

    @classmethod
    def update(
        cls, ref: str, data: Mapping[str, Any], *, return_fields: Sequence[str] | None = None
    ) -> BatchOp:
        return cls("PUT", ref, dict(data), return_fields)

    @classmethod
    def delete(cls, ref: str) -> BatchOp:
        return cls("DELETE", ref)

    @property
    def is_read(self) -> bool:
        return self.method == "GET"

    def to_wire(self) -> dict[str, Any]:
        item: dict[str, Any] = {"method": self.method, "object": self.object}
        if self.data:
            item["data"] = dict(self.data)
        if self.return_fields is not None:
            item["args"] = {"_return_fields+": ",".join(self.return_fields)}
        return item


def batch_body(ops: Sequence[BatchOp]) -> list[dict[str, Any]]:
    return [op.to_wire() for op in ops]


def chunks(ops: Sequence[BatchOp], size: int) -> list[Sequence[BatchOp]]:
    return [ops[i : i + size] for i in range(0, len(ops), size)]
