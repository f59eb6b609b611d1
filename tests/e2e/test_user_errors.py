"""Every mistake a user can make is named and final: what Infoblox refuses for a reason only a
spec change (or the grid) can fix gets a condition that says what to fix, not a retry loop."""

from __future__ import annotations

from typing import Any

import pytest

from ddisync.api.conditions import Reason
from ddisync.handlers.outcome import failure_from
from ddisync.wapi.errors import CircuitOpenError, ConflictError, InvalidFieldError
from ddisync_emulator.cluster import Cluster
from tests.e2e.helpers import condition_of, network_manifest, record_manifest

# Resources in fixed namespaces (and cluster-scoped kinds): a cluster of its own, and an
# operator watching every namespace (tests/e2e/conftest.py).
pytestmark = pytest.mark.whole_cluster


CASES = {
    "apex-cname": (
        record_manifest("apex-cname", type="CNAME", name="example.com", canonical="w.example.org"),
        "InvalidSpec",
        "a CNAME cannot be at the apex of its zone",
    ),
    "no-zone": (
        record_manifest("no-zone", type="A", name="web.nozone.test", address="10.5.0.1"),
        "ParentNotFound",
        "no DNS zone in view 'default' holds web.nozone.test: create its zone in Infoblox "
        "(for instance nozone.test)",
    ),
    "no-container": (
        network_manifest(
            "no-container", allocate={"fromContainer": "172.31.0.0/16", "prefixLength": 24}
        ),
        "ParentNotFound",
        "no network container 172.31.0.0/16 in network view 'default'",
    ),
    "no-netview": (
        network_manifest("no-netview", cidr="10.5.1.0/24", networkView="lab"),
        "InvalidSpec",
        "network view 'lab' does not exist in Infoblox",
    ),
    "unknown-ea": (
        network_manifest("unknown-ea", cidr="10.5.2.0/24", extensibleAttributes={"Nope": "x"}),
        "InvalidSpec",
        "extensible attribute 'Nope' is not defined in Infoblox",
    ),
}  # fmt: skip


async def test_each_spec_error_is_named_with_what_to_fix(
    cluster: Cluster, simulator: Any, operator: object
) -> None:
    for manifest, _, _ in CASES.values():
        await cluster.apply(manifest)
    for name, (manifest, reason, message) in CASES.items():
        plural = "networks" if manifest["kind"] == "Network" else "records"
        condition = await condition_of(cluster, plural, name, status="False")
        assert condition["reason"] == reason, (name, condition)
        assert message in condition["message"], (name, condition["message"])


async def test_a_long_txt_record_such_as_a_dkim_key_syncs(
    cluster: Cluster, simulator: Any, operator: object
) -> None:
    key = "v=DKIM1; k=rsa; p=" + "A" * 4070
    await cluster.apply(
        record_manifest("dkim", type="TXT", name="sel._domainkey.example.com", text=key)
    )
    await condition_of(cluster, "records", "dkim")
    (stored,) = [o for o in simulator.grid.objects("record:txt") if o["name"].startswith("sel.")]
    chunks = stored["text"].split('" "')
    assert len(chunks) == 17 and all(len(c.strip('"')) <= 255 for c in chunks)


APEX = ConflictError("Zone 'example.com' cannot have an empty CNAME.", status=400)
NO_EA = InvalidFieldError("Unknown extensible attribute: Nope", status=400)
BAD_TTL = InvalidFieldError("Invalid value for ttl: -1: Must be unsigned", status=400)


@pytest.mark.parametrize(
    ("error", "reason"),
    [(APEX, Reason.INVALID_SPEC), (NO_EA, Reason.INVALID_SPEC), (BAD_TTL, Reason.INVALID_SPEC)],
)
def test_the_outcome_table_makes_spec_errors_final(error: Exception, reason: Reason) -> None:
    failure = failure_from(error)
    assert failure is not None and failure.reason is reason
    # Final: retried when the spec changes (kopf runs the handler on every spec edit).
    assert failure.retry_after is None


def test_an_unavailable_grid_is_said_once() -> None:
    error = CircuitOpenError("Infoblox unavailable: circuit open, next probe in 3.0s")
    failure = failure_from(error)
    assert failure is not None
    assert failure.message == "Infoblox is unavailable: circuit open, next probe in 3.0s"
