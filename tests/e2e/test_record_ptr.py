"""``createPTR``: the reverse record of an A/AAAA Record, kept in step by the operator."""

from __future__ import annotations

from typing import Any

from tests.e2e.helpers import condition_of, eventually, record_manifest, wapi_request


def _ptrs(simulator: Any) -> list[tuple[str, str]]:
    return sorted((p["name"], p["ptrdname"]) for p in simulator.grid.objects("record:ptr"))


async def test_create_ptr_makes_the_reverse_record(cluster, simulator, operator, namespace) -> None:
    await cluster.apply(
        record_manifest(
            "web", namespace, type="A", name="web.example.com", address="10.60.0.1", createPTR=True
        )
    )
    await condition_of(cluster, "records", "web", namespace=namespace)
    assert _ptrs(simulator) == [("1.0.60.10.in-addr.arpa", "web.example.com")]
    status = (await cluster.get("records", namespace, "web"))["status"]
    assert status["ptrRef"] == simulator.grid.objects("record:ptr")[0]["_ref"]


async def test_an_ipv6_record_gets_its_ip6_arpa_ptr(
    cluster, simulator, operator, namespace
) -> None:
    await cluster.apply(
        record_manifest(
            "v6",
            namespace,
            type="AAAA",
            name="v6.example.com",
            address="2001:db8::60",
            createPTR=True,
        )
    )
    await condition_of(cluster, "records", "v6", namespace=namespace)
    [(name, target)] = _ptrs(simulator)
    assert name.startswith("0.6.0.0.") and name.endswith(".8.b.d.0.1.0.0.2.ip6.arpa")
    assert target == "v6.example.com"


async def test_the_ptr_follows_the_address_and_the_name(
    cluster, simulator, operator, namespace
) -> None:
    await cluster.apply(
        record_manifest(
            "web", namespace, type="A", name="web.example.com", address="10.60.0.1", createPTR=True
        )
    )
    await condition_of(cluster, "records", "web", namespace=namespace)
    await cluster.patch("records", namespace, "web", {"spec": {"address": "10.60.0.2"}})
    await eventually(lambda: _ptrs(simulator) == [("2.0.60.10.in-addr.arpa", "web.example.com")])
    assert simulator.grid.objects("record:ptr")[0]["ipv4addr"] == "10.60.0.2"
    await cluster.patch("records", namespace, "web", {"spec": {"name": "www.example.com"}})
    await eventually(lambda: _ptrs(simulator) == [("2.0.60.10.in-addr.arpa", "www.example.com")])
    await condition_of(cluster, "records", "web", namespace=namespace)


async def test_turning_create_ptr_off_deletes_only_the_ptr(
    cluster, simulator, operator, namespace
) -> None:
    await cluster.apply(
        record_manifest(
            "web", namespace, type="A", name="web.example.com", address="10.60.0.3", createPTR=True
        )
    )
    await condition_of(cluster, "records", "web", namespace=namespace)
    await cluster.patch("records", namespace, "web", {"spec": {"createPTR": False}})
    await eventually(lambda: _ptrs(simulator) == [])
    await condition_of(cluster, "records", "web", namespace=namespace)
    assert len(simulator.grid.objects("record:a")) == 1
    assert not (await cluster.get("records", namespace, "web"))["status"].get("ptrRef")


async def test_deleting_the_resource_deletes_record_and_ptr(
    cluster, simulator, operator, namespace
) -> None:
    await cluster.apply(
        record_manifest(
            "web", namespace, type="A", name="web.example.com", address="10.60.0.4", createPTR=True
        )
    )
    await condition_of(cluster, "records", "web", namespace=namespace)
    await cluster.delete("records", namespace, "web")
    await eventually(lambda: not simulator.grid.objects("record:a") and not _ptrs(simulator))


async def test_a_ptr_deleted_out_of_band_is_repaired(
    cluster, simulator, fast_operator, namespace
) -> None:
    await cluster.apply(
        record_manifest(
            "web", namespace, type="A", name="web.example.com", address="10.60.0.5", createPTR=True
        )
    )
    await condition_of(cluster, "records", "web", namespace=namespace)
    [ptr] = simulator.grid.objects("record:ptr")
    await wapi_request(simulator, "DELETE", ptr["_ref"])
    await eventually(lambda: _ptrs(simulator) == [("5.0.60.10.in-addr.arpa", "web.example.com")])
    await condition_of(cluster, "records", "web", namespace=namespace)


async def test_a_missing_reverse_zone_names_the_zone_to_create(
    cluster, simulator, operator, namespace
) -> None:
    await cluster.apply(
        record_manifest(
            "lan",
            namespace,
            type="A",
            name="lan.example.com",
            address="192.168.7.5",
            createPTR=True,
        )
    )
    condition = await condition_of(cluster, "records", "lan", status="False", namespace=namespace)
    assert condition["reason"] == "ParentNotFound"
    assert "5.7.168.192.in-addr.arpa" in condition["message"]
    assert "7.168.192.in-addr.arpa (192.168.7.0/24)" in condition["message"]
    assert "A parent was not found" in condition["message"]  # the grid's own words
    # The forward record exists all the same, and the status says where.
    [record] = simulator.grid.objects("record:a")
    assert (await cluster.get("records", namespace, "lan"))["status"]["ref"] == record["_ref"]
