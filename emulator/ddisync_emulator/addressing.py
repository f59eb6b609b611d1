"""Where an object lives in the emulated API server, and how its answers name it.

The emulator indexes objects per resource by (namespace, name); a cluster-scoped object has no
namespace whatever the URL says. Messages and list kinds name things as a real server does:
``networks.ddi.example.com "n1" not found``, ``apiVersion: ddi.example.com/v1``.
"""

from __future__ import annotations

from collections.abc import Iterable

import kmock

from ddisync_emulator.objects import ApiError

Key = tuple[str | None, str]  # (namespace, name) inside one resource


def object_key(request: kmock.Request, info: kmock.ResourceInfo) -> Key:
    """The index key of the object a request names (the URL's namespace, if namespaced)."""
    return (request.namespace if info.namespaced else None, str(request.name))


def index_of(
    objects: Iterable[tuple[tuple[kmock.resource, str | None, str], kmock.Object]],
) -> dict[kmock.resource, dict[Key, kmock.Object]]:
    """The per-resource index of kmock's stored objects (``emu.objects.items()``) not deleted."""
    index: dict[kmock.resource, dict[Key, kmock.Object]] = {}
    for (resource, namespace, name), obj in objects:
        if not obj.deleted:
            index.setdefault(resource, {})[(namespace, name)] = obj
    return index


def group_version(resource: kmock.resource) -> str:
    """The ``apiVersion`` of a resource's objects: ``group/version``, or ``v1`` for the core."""
    return f"{resource.group}/{resource.version}" if resource.group else str(resource.version)


def kind_of(resource: kmock.resource, info: kmock.ResourceInfo) -> str:
    """The kind of a resource's objects; discovery data without one gets it from the plural."""
    return info.kind or str(resource.plural).capitalize()


def describe(resource: kmock.resource, name: str | None) -> str:
    """How a real server names an object in messages: ``plural.group "name"``."""
    group = f".{resource.group}" if resource.group else ""
    return f'{resource.plural}{group} "{name}"'


def not_found(resource: kmock.resource, name: str | None) -> ApiError:
    return ApiError(404, "NotFound", f"{describe(resource, name)} not found")


def unknown_resource() -> ApiError:
    """A resource (or subresource) the server does not serve, in its words."""
    return ApiError(404, "NotFound", "the server could not find the requested resource")
