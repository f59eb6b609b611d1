"""A kind defined here, in the test, goes through the whole pipeline against the simulator.

``Note`` keeps one TXT record per resource. Everything it needs is what the issue promised a
new kind needs: an api model (with its ``KindInfo``), a planner and a driver, then a line in
the operator's kinds. Registration, lookup, the applier, status, drift repair, ownership
markers and deletion are the pipeline's: nothing of it is written here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import Field

from ddisync.api.conditions import Condition
from ddisync.api.crd import KindInfo, build_crd
from ddisync.api.grid import grid_field
from ddisync.api.meta import DeletionPolicy, ExtensibleAttributes, Model
from ddisync.api.record import RecordType
from ddisync.config import Settings
from ddisync.reconcile.changes import FieldChanges, change_existing
from ddisync.reconcile.ownership import Owner, ea_values, ea_wire
from ddisync.reconcile.plan import Action, Create, FieldChange
from ddisync.runtime import running_operator
from ddisync.sync.driver import Driver, Identity, Intent, Part, Resolver, Target
from ddisync.sync.kinds import DRIVERS
from ddisync.tenancy import Reach
from ddisync.wapi.client import WapiObject
from ddisync_emulator.cluster import Cluster
from tests.e2e.helpers import condition_of, eventually, extattrs, wapi_request

# Resources in fixed namespaces (and cluster-scoped kinds): a cluster of its own, and an
# operator watching every namespace (tests/e2e/conftest.py).
pytestmark = pytest.mark.whole_cluster


# -- the api model -------------------------------------------------------------------------


class NoteSpec(Model):
    grid: str = grid_field("Note")  # every kind's spec has grid and adopt (sync.driver)
    name: str
    text: str
    adopt: bool = False
    deletion_policy: DeletionPolicy = DeletionPolicy.DELETE
    extensible_attributes: ExtensibleAttributes = Field(default_factory=dict)


class NoteStatus(Model):
    ref: str | None = None
    text: str | None = None
    conditions: list[Condition] = Field(default_factory=list)
    observed_generation: int | None = None
    last_sync_time: str | None = None


NOTE = KindInfo("Note", "notes", ("ddinote",), NoteSpec, NoteStatus, spec_rules=[])

# -- the planner (pure) ----------------------------------------------------------------------

FIELDS = ("name", "text", "view", "extattrs")


@dataclass(frozen=True)
class DesiredNote:
    name: str
    text: str
    extattrs: dict[str, str]


def plan_note(
    desired: DesiredNote,
    found: WapiObject | None,
    owner: Owner,
    *,
    adopt: bool,
    forget: Collection[str],
) -> Action:
    if found is None:
        data = {"name": desired.name, "text": desired.text, "view": "default"}
        return Create(
            "record:txt", {**data, "extattrs": ea_wire({**desired.extattrs, **owner.markers()})}
        )

    def fields() -> FieldChanges:
        if found.get("text") == desired.text:
            return {}, []
        return {"text": desired.text}, [FieldChange("text", found.get("text"), desired.text)]

    return change_existing(
        str(found["_ref"]),
        what=f"TXT record {desired.name}",
        immutable_violation=None,
        field_changes=fields,
        wanted_attributes=desired.extattrs,
        actual_attributes=ea_values(found.get("extattrs")),
        owner=owner,
        adopt=adopt,
        forget=forget,
    )


# -- the driver --------------------------------------------------------------------------------


class NoteDriver(Driver[NoteSpec, DesiredNote]):
    info = NOTE
    spec_model = NoteSpec
    objtypes = ("record:txt",)

    def return_fields(self, objtype: str) -> Sequence[str]:
        return FIELDS

    def desired(
        self, spec: NoteSpec, namespace: str, resolver: Resolver, status: Mapping[str, Any]
    ) -> DesiredNote:
        return DesiredNote(spec.name.lower(), spec.text, dict(spec.extensible_attributes))

    def reach(self, spec: NoteSpec, desired: DesiredNote, namespace: str) -> Reach:
        return Reach(
            grid="default", namespace=namespace, kind="Note", record_type=RecordType.TXT,
            view="default", names=(desired.name,), adopt=spec.adopt,
        )  # fmt: skip

    def primary(self, desired: DesiredNote, intent: Intent) -> Part:
        return Part(
            objtype="record:txt",
            status_key="ref",
            noun="note",
            plan=lambda found: plan_note(
                desired, found, intent.owner, adopt=intent.adopt, forget=intent.forget
            ),
            return_fields=FIELDS,
            identity=Identity(
                {"name": desired.name, "view": "default"},
                lambda obj: obj.get("text") == desired.text,
            ),
        )

    def describe(self, obj: WapiObject) -> str:
        return f"note {obj.get('name')}"

    def status_fields(self, applied: Mapping[str, WapiObject | None]) -> dict[str, Any]:
        obj = applied["ref"] or {}
        return {"ref": obj.get("_ref"), "text": obj.get("text")}

    def synced_message(self, spec: NoteSpec, primary: WapiObject) -> str:
        return f"note {primary.get('name')} is in sync with Infoblox"

    def deletion_targets(self, spec: Mapping[str, Any], status: Mapping[str, Any]) -> list[Target]:
        return [Target("record:txt", status.get("ref"))]


# -- the test ----------------------------------------------------------------------------------


def note(resource: str, /, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "ddisync.io/v1alpha1",
        "kind": "Note",
        "metadata": {"name": resource, "namespace": "default"},
        "spec": spec,
    }


def txt_records(simulator: Any, name: str) -> list[dict[str, Any]]:
    return [o for o in simulator.grid.objects("record:txt") if o["name"] == name]


@pytest.fixture()
async def note_operator(cluster: Cluster, settings: Settings) -> AsyncIterator[object]:
    await cluster.apply(build_crd(NOTE))
    fast = settings.model_copy(update={"resync_interval": 1.0})
    kinds = (*DRIVERS, NoteDriver())
    async with running_operator(fast, connection=cluster.connection, kinds=kinds) as op:
        yield op


async def test_a_kind_defined_in_a_test_is_created_updated_repaired_and_deleted(
    cluster: Cluster, simulator: Any, note_operator: object
) -> None:
    await cluster.apply(note("hello", name="hello.example.com", text="v1"))
    condition = await condition_of(cluster, "notes", "hello")
    assert condition["message"] == "note hello.example.com is in sync with Infoblox"
    (obj,) = txt_records(simulator, "hello.example.com")
    assert obj["text"] == "v1"
    uid = (await cluster.get("notes", "default", "hello"))["metadata"]["uid"]  # type: ignore[index]
    assert (
        extattrs(obj)["ddisync-uid"] == uid
        and extattrs(obj)["ddisync-owner"] == "default/Note/hello"
    )

    # A spec edit updates the same object.
    await cluster.patch("notes", "default", "hello", {"spec": {"text": "v2"}})
    await eventually(
        lambda: [o["text"] for o in txt_records(simulator, "hello.example.com")] == ["v2"]
    )

    # An edit in Infoblox is repaired by the drift sweep.
    (obj,) = txt_records(simulator, "hello.example.com")  # a TXT's ref names its text
    await wapi_request(simulator, "PUT", obj["_ref"], {"text": "edited by hand"})
    await eventually(
        lambda: [o["text"] for o in txt_records(simulator, "hello.example.com")] == ["v2"]
    )

    # Deleting the resource deletes the object, and the resource goes.
    await cluster.delete("notes", "default", "hello")
    await eventually(lambda: txt_records(simulator, "hello.example.com") == [])
    assert await _gone(cluster, "hello")


async def _gone(cluster: Cluster, name: str) -> bool:
    async def check() -> bool:
        return await cluster.get("notes", "default", name) is None

    return bool(await eventually(check))


async def test_a_kind_defined_in_a_test_refuses_an_object_it_does_not_own(
    cluster: Cluster, simulator: Any, note_operator: object
) -> None:
    await wapi_request(
        simulator, "POST", "record:txt", {"name": "taken.example.com", "text": "theirs"}
    )
    await cluster.apply(note("taken", name="taken.example.com", text="theirs"))
    condition = await condition_of(cluster, "notes", "taken", status="False")
    assert condition["reason"] == "NotOwned"
    (obj,) = txt_records(simulator, "taken.example.com")
    assert "ddisync-uid" not in extattrs(obj)
