"""The contract of ``ddisync_emulator.kmock_internals``: what it relies on in kmock still holds.

First, what the emulator does through kmock's insides, seen from outside: kmock's DSL still
works on the emulator (a test's reaction answers instead of it), kmock's histories stay short
(the speed of the emulator depends on it), objects written straight into ``emu.objects`` are
served, and a reaction's failure is answered and kept for kmock's strict mode, in a stream too.

Then each assumption of ``kmock_internals`` on its own, so that a kmock upgrade that moves or
changes one fails here, by name, instead of as a hung watch or a 500 in a kubectl test; and a
scan that keeps every other module of the package off kmock's insides.
"""

from __future__ import annotations

import ast
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

import aiohttp.web
import attrs
import kmock
import pytest
import yarl

import ddisync_emulator
from ddisync_emulator import kmock_internals, namespaces
from ddisync_emulator.cluster import Cluster, running_cluster
from ddisync_emulator.emulator import ApiServerEmulator


@pytest.fixture()
async def cluster() -> AsyncIterator[Cluster]:
    async with running_cluster() as running:  # no CRDs: only built-in resources are used here
        yield running


async def test_a_reaction_a_test_adds_answers_instead_of_the_emulator(cluster: Cluster) -> None:
    emu = cluster.emulator
    reaction = emu["get /api/v1/namespaces/default"] << 503
    async with cluster.session.get(cluster.url + "/api/v1/namespaces/default") as response:
        assert response.status == 503
    assert len(reaction) == 1  # the reaction saw it, for the test's assertions
    assert (await cluster.get("namespaces", None, "kube-system")) is not None  # others: served


async def test_a_write_answered_by_a_reaction_is_still_applied(cluster: Cluster) -> None:
    cluster.emulator["post /api/v1/namespaces"] << 500
    async with cluster.session.post(
        cluster.url + "/api/v1/namespaces", json=namespaces.manifest("made")
    ) as response:
        assert response.status == 500
    assert (await cluster.get("namespaces", None, "made")) is not None


async def test_kmocks_histories_keep_only_requests_in_flight_and_the_last_few(
    cluster: Cluster,
) -> None:
    emu = cluster.emulator
    reaction = emu["get /version"] << {"major": "1"}
    for _ in range(20):
        await cluster.request("GET", "/version")
    assert len(emu) == 0  # no request in flight
    assert len(reaction) == 16


async def test_object_versions_kept_for_assertions_are_capped(cluster: Cluster) -> None:
    for n in range(5):
        await cluster.patch("namespaces", None, "default", {"metadata": {"labels": {"n": str(n)}}})
    stored = cluster.emulator.objects[cluster.resolve("namespaces"), None, "default"]
    assert len(stored.history) == ApiServerEmulator.history_limit
    assert stored["metadata"]["labels"]["n"] == "4"


async def test_an_object_written_into_kmocks_storage_is_served(cluster: Cluster) -> None:
    configmaps = cluster.resolve("configmaps")
    body = {"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "1"},
            "metadata": {"name": "direct", "namespace": "default"}}  # fmt: skip
    cluster.emulator.objects[configmaps, "default", "direct"] = body
    fetched = await cluster.get("configmaps", "default", "direct")
    assert fetched is not None and fetched["data"] == {"a": "1"}
    assert [cm["metadata"]["name"] for cm in await cluster.list("configmaps")] == ["direct"]


async def test_a_failing_reaction_is_answered_and_kept_for_strict_mode(cluster: Cluster) -> None:
    emu = cluster.emulator
    emu["get /boom"] << ZeroDivisionError
    for _ in range(20):
        async with cluster.session.get(cluster.url + "/boom") as response:
            assert response.status == 500
            assert (await response.json())["reason"] == "InternalError"
    assert len(emu.errors) == 16
    assert all(isinstance(error, ZeroDivisionError) for error in emu.errors)
    emu.errors.clear()  # kmock would re-raise them at exit in strict mode


async def test_a_stream_failing_after_its_headers_ends_with_an_error_event(
    cluster: Cluster,
) -> None:
    emu = cluster.emulator
    emu["get /stream"] << (b'{"type": "ADDED"}\n', ZeroDivisionError)
    async with cluster.session.get(cluster.url + "/stream") as response:
        assert response.status == 200  # too late for another status
        lines = (await response.read()).splitlines()
    assert lines[0] == b'{"type": "ADDED"}'
    assert b'"type": "ERROR"' in lines[1] and b"ZeroDivisionError" in lines[1]
    assert [type(error) for error in emu.errors] == [ZeroDivisionError]
    emu.errors.clear()


# --- each assumption of kmock_internals -----------------------------------------------------


def request(method: str, path: str, **fields: Any) -> kmock.Request:
    return kmock.Request(method=kmock.method(method), url=yarl.URL(path), **fields)


def builtin_payloads(emu: ApiServerEmulator) -> list[object]:
    """What the built-in reactions answer with (kmock's set-up gives each hook a reaction)."""
    return [reaction.response.payload for reaction in kmock_internals.reactions(emu)]


def test_kmocks_set_up_runs_from_attrs_and_the_subclass_chains_it() -> None:
    assert attrs.has(kmock.KubernetesEmulator), "kmock's emulator is no longer an attrs class"
    assert "__attrs_post_init__" in vars(kmock.KubernetesEmulator), "kmock's set-up moved"
    emu = ApiServerEmulator()
    assert emu.resource_version == 0  # attrs' __init__ ran the emulator's __attrs_post_init__
    assert emu._serve_list in builtin_payloads(emu)  # which ran kmock's set-up


@pytest.mark.parametrize("hook", sorted(kmock_internals.HOOKS))
def test_each_hook_the_emulator_overrides_is_still_kmocks(hook: str) -> None:
    assert callable(getattr(kmock.KubernetesEmulator, hook, None)), f"kmock has no {hook} now"
    assert hook in vars(ApiServerEmulator)


@pytest.mark.parametrize("hook", sorted(h for h in kmock_internals.HOOKS if "_serve_" in h))
def test_kmocks_set_up_serves_through_each_serve_hook(hook: str) -> None:
    emu = ApiServerEmulator()
    assert getattr(emu, hook) in builtin_payloads(emu), f"kmock no longer registers {hook}"


async def test_kmocks_discovery_asks_the_get_resources_hook() -> None:
    emu = ApiServerEmulator()
    widgets = kmock.resource("example.com", "v1", "widgets")
    emu._get_resources = lambda: [widgets]  # type: ignore[method-assign]
    groups = await kmock.KubernetesScaffold._serve_apis(emu, request("GET", "/apis"))
    assert isinstance(groups, dict)
    assert [group["name"] for group in groups["groups"]] == ["example.com"]


def test_the_emulators_methods_shadow_no_name_of_kmocks_but_the_hooks() -> None:
    own = {name for name in vars(ApiServerEmulator) if not name.endswith("__")}
    own.discard("_abc_impl")  # abc's, set on every subclass of an ABC (kmock's views are)
    shared = own & set(dir(kmock.KubernetesEmulator))
    assert shared == kmock_internals.HOOKS, "overrides beyond (or short of) the listed hooks"


def test_the_emulators_state_shadows_nothing_of_kmocks() -> None:
    assert set(vars(ApiServerEmulator())) & set(dir(kmock.KubernetesEmulator)) == set()


async def test_a_request_is_matched_only_while_in_kmocks_history() -> None:
    emu = ApiServerEmulator()
    emu["get /x"] << {"a": 1}
    wanted = request("GET", "/x")
    with pytest.raises(NotImplementedError):  # kmock's "no reaction matches": it cannot see it
        await kmock_internals.match_reactions(emu, wanted)
    kmock_internals.add_request(emu, wanted)
    assert list(emu) == [wanted]
    answer = await kmock_internals.match_reactions(emu, wanted)
    assert cast(aiohttp.web.Response, answer).body == b'{"a": 1}'
    kmock_internals.remove_request(emu, wanted)
    assert len(emu) == 0


async def test_matching_reactions_does_not_store_writes_as_kmock_would() -> None:
    emu = ApiServerEmulator()
    emu["post /api/v1/namespaces"] << {"ok": True}
    namespaces_v1 = kmock.resource("", "v1", "namespaces")
    write = request("POST", "/api/v1/namespaces", action=kmock.action.CREATE,
                    resource=namespaces_v1, data={"metadata": {"name": "x"}})  # fmt: skip
    kmock_internals.add_request(emu, write)
    answer = await kmock_internals.match_reactions(emu, write)
    assert cast(aiohttp.web.Response, answer).body == b'{"ok": true}'
    assert len(emu.objects) == 0  # KubernetesEmulator._handle would have stored it


def test_reactions_are_the_live_list_the_dsl_adds_to() -> None:
    emu = ApiServerEmulator()
    builtin = tuple(kmock_internals.reactions(emu))
    assert builtin and all(isinstance(reaction, kmock.Reaction) for reaction in builtin)
    added = emu["get /x"] << b"x"
    assert tuple(kmock_internals.reactions(emu)) == (*builtin, added)


async def test_trimming_keeps_the_last_requests_each_reaction_served() -> None:
    emu = ApiServerEmulator()
    reaction = cast(kmock.Reaction, emu["get /x"] << b"x")
    served = [request("GET", "/x") for _ in range(20)]
    for each in served:
        await reaction(each)
    assert list(reaction) == served  # what a reaction served is what it shows
    kmock_internals.trim_histories(emu, keep=16)
    assert list(reaction) == served[-16:]


async def test_errors_are_the_live_list_strict_mode_reraises() -> None:
    emu = ApiServerEmulator(strict=True)
    kmock_internals.record_error(emu, ZeroDivisionError())  # not entered: nothing to keep
    failure = ZeroDivisionError("kept")
    with pytest.raises(ZeroDivisionError) as raised:
        async with emu:
            for _ in range(3):
                kmock_internals.record_error(emu, ValueError())
            kmock_internals.record_error(emu, failure)
            kmock_internals.trim_histories(emu, keep=1)
            assert emu.errors == [failure]
    assert raised.value is failure


def test_a_stream_failure_is_kmocks_streaming_error_with_the_response_and_its_cause() -> None:
    # That kmock raises it for a real stream: test_a_stream_failing_after_its_headers_ends_...
    assert issubclass(kmock_internals.StreamingError, Exception)
    response = aiohttp.web.StreamResponse()
    failure = ZeroDivisionError()
    wrapped = kmock_internals.StreamingError(response)
    wrapped.__cause__ = failure  # as kmock raises it: `raise StreamingError(response) from e`
    assert kmock_internals.failed_stream(wrapped) == (response, failure)


async def test_a_started_stream_ends_with_kmocks_error_event() -> None:
    written: list[bytes] = []

    class Stream:
        async def write(self, data: bytes) -> None:
            written.append(data)

    stream = cast(aiohttp.web.StreamResponse, Stream())
    await kmock_internals.write_stream_error(ApiServerEmulator(), ZeroDivisionError(), stream)
    event = json.loads(b"".join(written))
    assert event["type"] == "ERROR" and event["object"]["kind"] == "Status"
    assert event["object"]["reason"] == "ZeroDivisionError"


def test_declared_resources_skip_kmocks_scan_of_stored_objects() -> None:
    emu = ApiServerEmulator()
    emu.resources.load_bundled()
    widgets = kmock.resource("example.com", "v1", "widgets")
    emu.objects[widgets, None, "w"] = {"metadata": {"name": "w"}}
    declared = kmock_internals.declared_resources(emu)
    assert kmock.resource("", "v1", "namespaces") in declared
    assert widgets not in declared
    assert widgets in kmock.KubernetesEmulator._get_resources(emu)  # what the scan would add


async def test_resource_list_is_kmocks_api_resource_list() -> None:
    emu = ApiServerEmulator()
    emu.resources.load_bundled()
    core = kmock.Request(resource=kmock.resource(group="", version="v1"))
    answer = await kmock_internals.resource_list(emu, core)
    assert answer["kind"] == "APIResourceList"
    assert "namespaces" in [resource["name"] for resource in answer["resources"]]


# --- the seam is the only way in ------------------------------------------------------------


def kmocks_private_names() -> set[str]:
    """The private attributes of kmock's public classes, and the attrs hook they rely on."""
    names = {"__attrs_post_init__"}
    for name in [*kmock.__all__, "Response"]:
        value = getattr(kmock, name)
        if isinstance(value, type):
            names |= {n for n in dir(value) if n.startswith("_") and not n.endswith("__")}
    return names


def imported_modules(node: ast.AST) -> list[str]:
    if isinstance(node, ast.ImportFrom):
        return [node.module or ""]
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    return []


def is_kmocks_private(node: ast.Attribute, private: set[str]) -> bool:
    """``x._requests``, ``kmock._internal``...; not ``self._serve_fetch``: calls of the
    emulator's own overrides are its own code."""
    owner = node.value.id if isinstance(node.value, ast.Name) else None
    if owner == "self" and node.attr in kmock_internals.HOOKS:
        return False
    return node.attr in private or (owner == "kmock" and node.attr.startswith("_"))


def uses_of_kmocks_insides(path: Path, private: set[str]) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        modules = [m for m in imported_modules(node) if m.startswith("kmock._")]
        found += [f"{path.name}:{getattr(node, 'lineno', 0)}: import {m}" for m in modules]
        if isinstance(node, ast.Attribute) and is_kmocks_private(node, private):
            found.append(f"{path.name}:{node.lineno}: .{node.attr}")
    return found


def test_no_other_module_of_the_package_uses_kmocks_insides() -> None:
    private = kmocks_private_names()
    assert {"_requests", "_payloads", "_objects", "_handle", "_stream_error"} <= private
    package = Path(ddisync_emulator.__file__).parent
    offenders = [
        use
        for path in sorted(package.rglob("*.py"))
        if path.name != "kmock_internals.py"
        for use in uses_of_kmocks_insides(path, private)
    ]
    assert offenders == []
    seam = uses_of_kmocks_insides(package / "kmock_internals.py", private)
    assert len(seam) >= 10  # the scan does see them, where they belong
