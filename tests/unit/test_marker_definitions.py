"""The marker extensible-attribute definitions: checked once, created when allowed."""

from __future__ import annotations

from typing import Any

import pytest

from ddisync.api.conditions import Reason
from ddisync.sync.eadefs import MarkerDefinitions
from ddisync.sync.errors import SyncRefused
from ddisync.wapi.errors import InvalidFieldError, WapiResponseError


class FakeGrid:
    """Just enough of ``WapiClient`` for the definitions: get by name and create."""

    def __init__(self, defined: dict[str, str], *, may_create: bool = True) -> None:
        self.defined = dict(defined)
        self.may_create = may_create
        self.gets = 0

    async def get(self, objtype: str, params: dict[str, str], **_: Any) -> list[dict[str, Any]]:
        self.gets += 1
        name = params["name"]
        return [{"name": name, "type": self.defined[name]}] if name in self.defined else []

    async def create(self, objtype: str, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if not self.may_create:
            raise WapiResponseError("Write permission denied", status=400, code="Client.Ibap.Data")
        self.defined[data["name"]] = data["type"]
        return data


async def test_missing_definitions_are_created_as_strings() -> None:
    grid = FakeGrid({"ddisync-uid": "STRING"})
    await MarkerDefinitions().ensure(grid)  # type: ignore[arg-type]
    assert grid.defined == {
        n: "STRING" for n in ("ddisync-cluster", "ddisync-owner", "ddisync-uid")
    }


async def test_definitions_are_checked_once() -> None:
    grid = FakeGrid({})
    markers = MarkerDefinitions()
    await markers.ensure(grid)  # type: ignore[arg-type]
    await markers.ensure(grid)  # type: ignore[arg-type]
    assert grid.gets == 3


async def test_a_refused_create_names_what_an_administrator_must_create() -> None:
    markers = MarkerDefinitions()
    with pytest.raises(SyncRefused) as refused:
        await markers.ensure(FakeGrid({}, may_create=False))  # type: ignore[arg-type]
    assert refused.value.reason is Reason.INFOBLOX_ERROR
    for name in ("ddisync-cluster", "ddisync-owner", "ddisync-uid"):
        assert name in refused.value.message
    assert "administrator must create" in refused.value.message
    assert "Write permission denied" in refused.value.message
    assert not markers.ready  # checked again before the next write


async def test_a_definition_of_the_wrong_type_is_not_redefined() -> None:
    grid = FakeGrid(
        {"ddisync-cluster": "INTEGER", "ddisync-owner": "STRING", "ddisync-uid": "STRING"}
    )
    with pytest.raises(SyncRefused) as refused:
        await MarkerDefinitions().ensure(grid)  # type: ignore[arg-type]
    assert "ddisync-cluster exists with type INTEGER" in refused.value.message
    assert grid.defined["ddisync-cluster"] == "INTEGER"


async def test_an_unknown_marker_on_a_write_makes_it_check_again() -> None:
    markers = MarkerDefinitions()
    await markers.ensure(FakeGrid({}))  # type: ignore[arg-type]
    markers.forget_if_unknown(
        InvalidFieldError("Unknown extensible attribute: ddisync-uid", status=400)
    )
    assert not markers.ready
