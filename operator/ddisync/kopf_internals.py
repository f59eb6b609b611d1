"""Every use of a kopf internal, in one place (kopf is pinned in pyproject.toml).

kopf has no public call for five things ddisync needs. Each is wrapped here, and
``tests/unit/test_kopf_internals.py`` fails when a kopf upgrade changes what is relied on:

==================================  ============================================================
need                                kopf internal
==================================  ============================================================
write a status outside a handler    ``kopf._cogs.clients.patching.patch_obj``: the call kopf
(the drift sweep's repairs)         makes after a handler, with its API credentials and retries
post Events from a background task  ``kopf._core.engines.posting``'s two context variables: kopf
(the drift sweep's DriftRepaired)   sets them only in a resource's task; a catalog handler hands
                                    them over (``hand_over``), the sweep takes them up
judge labels as kopf's handlers do  ``kopf._core.intents.registries._matches_metadata``: the
(the sweep checks only its shard)   ``labels=`` filter semantics (values, ABSENT, PRESENT,
                                    callables)
quiet kopf's per-event success log  kopf logs ``f"{handler} succeeded."``, where a resource
of the catalog handlers, and its    handler reads ``Handler '<id>'``, and ``f"{handler} failed
ERROR line on every retry of an     temporarily: ..."`` / ``failed permanently: ...`` at ERROR
outcome ddisync reports itself      for ``kopf.TemporaryError`` / ``kopf.PermanentError``
read objects kopf does not watch    ``kopf._cogs.clients.api.get``: kopf's authenticated client
(grants and namespaces at start-up, (its credentials, retries, re-login); used only in kopf's
the Secrets an InfobloxGrid names)  tasks (handlers and the tasks they start)
==================================  ============================================================

Where kopf has a public way (``kopf.event``, ``kopf.Patch``, registries, settings), ddisync
uses it; nothing else in the package imports ``kopf._*``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, cast

import kopf
from kopf._cogs.clients import api, errors, patching
from kopf._core.engines import posting
from kopf._core.intents import registries

__all__ = [
    "HANDLER_RETRY_MARKERS",
    "NotFound",
    "get_json",
    "hand_over_event_queue",
    "handler_success_prefix",
    "labels_match",
    "patch_resource",
    "take_up_event_queue",
]

_EVENT_QUEUE = "kopf_event_queue"

NotFound = errors.APINotFoundError
"""What ``get_json`` raises for a 404 (a Secret or an object that does not exist)."""


async def get_json(memo: kopf.Memo, path: str, logger: logging.Logger) -> Any:
    """GET ``path`` (from the API root, e.g. ``/api/v1/namespaces``) with kopf's credentials."""
    return await api.get(path, settings=memo.operator_settings, logger=logger)


async def patch_resource(
    memo: kopf.Memo,
    resource: kopf.Resource,
    namespace: str | None,
    name: str,
    patch: kopf.Patch,
    logger: logging.Logger,
) -> None:
    """Apply ``patch`` (status included) as kopf does after a handler."""
    await patching.patch_obj(
        settings=memo.operator_settings,
        resource=resource,
        namespace=cast(Any, namespace),  # kopf's NamespaceName: a str
        name=name,
        patch=patch,
        logger=logger,
    )


def hand_over_event_queue(memo: kopf.Memo) -> None:
    """In a resource's task: remember kopf's Event queue for the background tasks."""
    if _EVENT_QUEUE not in memo.shared:
        queue = (posting.event_queue_loop_var.get(), posting.event_queue_var.get())
        memo.shared[_EVENT_QUEUE] = queue


def take_up_event_queue(memo: kopf.Memo) -> bool:
    """In a background task: use the queue handed over; False if none was yet (no resource
    has been seen, so ``kopf.event`` would have nowhere to post)."""
    handed = memo.shared.get(_EVENT_QUEUE)
    if handed is None:
        return False
    loop, queue = handed
    posting.event_queue_loop_var.set(loop)
    posting.event_queue_var.set(queue)
    return True


def labels_match(filters: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """Whether an object with ``labels`` passes a kopf ``labels=`` filter, decided by kopf's
    own matcher. A callable filter gets the label's value (and keyword arguments it ignores)."""
    return bool(
        registries._matches_metadata(
            # With kwargs given, kopf never reads the cause (it only feeds callables' kwargs).
            pattern=filters,
            content=labels,
            kwargs={"labels": labels},
            cause=cast(Any, None),
        )
    )


#: What kopf writes after ``Handler '<id>'`` for the errors ddisync raises on purpose (the
#: condition and ddisync's own log line already said it; bugs log "failed with an exception").
HANDLER_RETRY_MARKERS: tuple[str, ...] = (" failed temporarily", " failed permanently: ")


def handler_success_prefix(handler_id_prefix: str) -> str:
    """The start of kopf's "succeeded" log line for resource handlers whose ids start with
    ``handler_id_prefix``."""
    return f"Handler {handler_id_prefix!r}".removesuffix("'")
