"""Resources the server stores once and serves in more than one API version.

``events.k8s.io/v1`` events are core ``v1`` events under other field names (``events``): one
storage, so an Event posted through either version is listed, watched, changed and deleted
through both. The emulator keeps such objects in the storage resource's index and converts at
the edge: a write's body into the stored form before the rules of ``writes`` run on it, every
object it answers (fetch, list, watch, write outcome) into the form of the version asked.

A PATCH through the other version is applied to the object as that version shows it, then
converted back: the result is what the server stores, a whole object, so it goes on as a PUT.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import kmock

from ddisync_emulator import events
from ddisync_emulator.objects import Body, patched


@dataclass(frozen=True)
class OtherVersion:
    """How one served resource maps onto the storage of another."""

    storage: kmock.resource
    to_storage: Callable[[Body], Body]
    from_storage: Callable[[Body], Body]


SERVED_FROM: Mapping[kmock.resource, OtherVersion] = {
    events.EVENTS_V1: OtherVersion(events.CORE_EVENTS, events.to_core, events.to_events_v1),
}


def stored_request(
    request: kmock.Request, version: OtherVersion, current: Body | None
) -> kmock.Request:
    """The write in ``request`` as made on the storage resource (``current``: the stored
    object it changes, None if there is none)."""
    data, method = request.data, request.method
    is_patch = request.action == kmock.action.UPDATE and request.method == kmock.method.PATCH
    if is_patch and current is not None:
        content_type = str(request.headers.get("Content-Type", "application/json"))
        data = patched(version.from_storage(current), request.data, content_type)
        method = kmock.method.PUT
    if request.action != kmock.action.DELETE and isinstance(data, dict):
        data = version.to_storage(data)
    return kmock.Request(
        id=request.id,
        method=method,
        url=request.url,
        params=request.params,
        headers=request.headers,
        cookies=request.cookies,
        body=request.body,
        text=request.text,
        data=data,
        action=request.action,
        resource=version.storage,
        namespace=request.namespace,
        name=request.name,
        subresource=request.subresource,
    )
