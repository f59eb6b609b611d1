"""Paging: every search is paged, so no listing is ever truncated or refused.

NIOS refuses an unpaged search matching more than 1000 objects ("Result set too large (>
1000)"), and a positive ``_max_results`` silently truncates.  ddisync therefore never sends a
search without paging:

* first page: the filters plus ``_paging=1&_return_as_object=1&_max_results=<page_size>``;
* the answer is ``{"result": [...], "next_page_id": "..."}``; ``next_page_id`` is absent (or
  empty) on the last page;
* next pages: the same arguments plus ``_page_id=<id>`` — what external-dns sends, and accepted
  whether or not the grid encodes the query in the page id.

Each page is one retried read; a failure in the middle raises, so a caller never mistakes a
partial listing for a complete one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

from .errors import WapiError

__all__ = ["check_object", "iter_pages", "paging_pairs"]

Fetch = Callable[[list[tuple[str, str]]], Awaitable[Any]]


def check_object(item: Any, what: str) -> dict[str, Any]:
    """``item`` if it is a WAPI object (a JSON object with a string ``_ref``), else a
    :class:`WapiError`: callers index ``obj["_ref"]``, and a grid (or a proxy in front of it)
    that answers something else must fail as the grid's fault, not as a ``KeyError`` deep
    in a reconcile."""
    if not isinstance(item, dict):
        raise WapiError(f"unexpected item in the answer to {what}: {type(item).__name__}")
    ref = item.get("_ref")
    if not isinstance(ref, str) or not ref:
        raise WapiError(f"an object in the answer to {what} has no _ref string")
    return item


def paging_pairs(page_size: int) -> list[tuple[str, str]]:
    return [("_paging", "1"), ("_return_as_object", "1"), ("_max_results", str(page_size))]


async def iter_pages(
    fetch: Fetch, pairs: Sequence[tuple[str, str]], page_size: int
) -> AsyncIterator[list[dict[str, Any]]]:
    """Yield each non-empty page of a search; ``fetch`` sends one GET with the given pairs."""
    base = [*pairs, *paging_pairs(page_size)]
    page_id: str | None = None
    seen: set[str] = set()
    while True:
        query = base if page_id is None else [*base, ("_page_id", page_id)]
        answer = await fetch(query)
        if not isinstance(answer, dict) or not isinstance(answer.get("result"), list):
            raise WapiError(f"unexpected answer to a paged search: {type(answer).__name__}")
        page: list[dict[str, Any]] = answer["result"]
        for item in page:
            check_object(item, "a paged search")
        next_id = answer.get("next_page_id")
        if next_id is not None and not isinstance(next_id, str):
            raise WapiError(f"the grid sent a next_page_id of type {type(next_id).__name__}")
        if page:
            yield page
        if not next_id:
            return
        if next_id in seen:  # a grid bug must not become an endless loop
            raise WapiError("the grid repeated a page id; stopping the listing")
        seen.add(next_id)
        page_id = next_id
