"""Every Record type, end to end: Kubernetes emulator → real operator → simulated Infoblox."""

from __future__ import annotations

from typing import Any

import pytest

from ddisync.reconcile.record_txt import decode_txt
from tests.e2e.helpers import condition_of, eventually, extattrs, record_manifest, wapi_request

# A TXT text that needs everything: quotes, a backslash, spaces, and more than one
# 255-character DNS string.
DKIM = 'v=DKIM1; k=rsa; n="quoted notes"; path=C:\\keys; p=' + "MIIBIjANBgkqhkiG9w0B" * 20

CASES: list[tuple[str, dict[str, Any], str, dict[str, Any], str]] = [
    # (resource, spec, WAPI object type, fields expected in Infoblox, status.value)
    (
        "web-a",
        {"type": "A", "name": "Web.Example.com", "address": "10.1.2.3", "ttl": 300},
        "record:a",
        {"name": "web.example.com", "ipv4addr": "10.1.2.3", "ttl": 300, "use_ttl": True},
        "10.1.2.3",
    ),
    (
        "web-aaaa",
        {"type": "AAAA", "name": "web.example.com", "address": "2001:DB8:0:0::0001"},
        "record:aaaa",
        {"name": "web.example.com", "ipv6addr": "2001:db8::1"},
        "2001:db8::1",
    ),
    (
        "alias",
        {"type": "CNAME", "name": "www.example.com", "canonical": "web.example.org"},
        "record:cname",
        {"name": "www.example.com", "canonical": "web.example.org"},
        "web.example.org",
    ),
    (
        "reverse",
        {"type": "PTR", "address": "10.9.8.7", "ptrdname": "printer.example.com"},
        "record:ptr",
        {
            "name": "7.8.9.10.in-addr.arpa",
            "ipv4addr": "10.9.8.7",
            "ptrdname": "printer.example.com",
        },
        "printer.example.com",
    ),
    (
        "dkim",
        {"type": "TXT", "name": "sel._domainkey.example.com", "text": DKIM},
        "record:txt",
        {"name": "sel._domainkey.example.com"},
        DKIM[:61] + "...",
    ),
    (
        "mail",
        {"type": "MX", "name": "example.com", "mailExchanger": "mx1.example.com", "preference": 10},
        "record:mx",
        {"name": "example.com", "mail_exchanger": "mx1.example.com", "preference": 10},
        "10 mx1.example.com",
    ),
    (
        "sip",
        {
            "type": "SRV",
            "name": "_sip._tcp.example.com",
            "target": "sip.example.com",
            "port": 5060,
            "priority": 10,
            "weight": 20,
        },
        "record:srv",
        {"name": "_sip._tcp.example.com", "target": "sip.example.com", "port": 5060},
        "10 20 5060 sip.example.com",
    ),
    (
        "db",
        {"type": "Host", "name": "db.example.com", "address": "10.1.3.4", "comment": "primary"},
        "record:host",
        {"name": "db.example.com", "comment": "primary", "configure_for_dns": True},
        "10.1.3.4",
    ),
    (
        "ca",
        {"type": "CAA", "name": "example.com", "flags": 0, "tag": "Issue", "value": "pki.goog"},
        "record:caa",
        {"name": "example.com", "ca_flag": 0, "ca_tag": "issue", "ca_value": "pki.goog"},
        '0 issue "pki.goog"',
    ),
]


def _owned(simulator: Any, objtype: str, uid: str) -> list[dict[str, Any]]:
    return [o for o in simulator.grid.objects(objtype) if extattrs(o).get("ddisync-uid") == uid]


async def test_each_record_type_becomes_ready_and_matches_infoblox(
    cluster, simulator, operator, namespace, subtests: pytest.Subtests
) -> None:
    """Every type at once through one operator; each checked (and reported) on its own."""
    for resource, spec, *_ in CASES:
        await cluster.apply(record_manifest(resource, namespace, **spec))
    for resource, _spec, objtype, expected, value in CASES:
        with subtests.test(resource):
            condition = await condition_of(cluster, "records", resource, namespace=namespace)
            assert condition["reason"] == "Synced"
            body = await cluster.get("records", namespace, resource)
            status = body["status"]
            [obj] = _owned(simulator, objtype, body["metadata"]["uid"])
            for key, wanted in expected.items():
                assert obj[key] == wanted, key
            assert extattrs(obj)["ddisync-owner"] == f"{namespace}/Record/{resource}"
            assert status["ref"] == obj["_ref"]
            assert status["fqdn"] == obj["name"]
            assert status["view"] == "default"
            assert status["value"] == value


async def test_a_txt_text_with_quotes_and_long_strings_round_trips(
    cluster, simulator, operator, namespace
) -> None:
    await cluster.apply(
        record_manifest("dkim", namespace, type="TXT", name="k._domainkey.example.com", text=DKIM)
    )
    await condition_of(cluster, "records", "dkim", namespace=namespace)
    [txt] = simulator.grid.objects("record:txt")
    assert decode_txt(txt["text"]) == DKIM  # what a resolver joins is exactly the spec's text
    ref = txt["_ref"]
    # A later reconcile (here: a comment change) finds the text equal and leaves it alone.
    await cluster.patch("records", namespace, "dkim", {"spec": {"comment": "rotated 2026"}})
    await eventually(
        lambda: simulator.grid.objects("record:txt")[0].get("comment") == "rotated 2026"
    )
    [again] = simulator.grid.objects("record:txt")
    assert again["text"] == txt["text"]
    assert again["_ref"] == ref


async def test_a_changed_ttl_and_comment_update_the_record_in_place(
    cluster, simulator, operator, namespace
) -> None:
    await cluster.apply(
        record_manifest("web", namespace, type="A", name="web.example.com", address="10.1.2.3")
    )
    await condition_of(cluster, "records", "web", namespace=namespace)
    ref = (await cluster.get("records", namespace, "web"))["status"]["ref"]
    await cluster.patch("records", namespace, "web", {"spec": {"ttl": 60, "comment": "canary"}})

    def updated() -> bool:
        [a] = simulator.grid.objects("record:a")
        return a.get("ttl") == 60 and a.get("use_ttl") is True and a.get("comment") == "canary"

    await eventually(updated)
    assert (await cluster.get("records", namespace, "web"))["status"]["ref"] == ref
    # Removing the TTL from the spec means "inherit the zone's" again.
    await cluster.patch("records", namespace, "web", {"spec": {"ttl": None}})
    await eventually(lambda: simulator.grid.objects("record:a")[0].get("use_ttl") is False)


async def test_changing_the_name_renames_the_record(
    cluster, simulator, operator, namespace
) -> None:
    await cluster.apply(
        record_manifest(
            "web", namespace, type="CNAME", name="old.example.com", canonical="x.example.org"
        )
    )
    await condition_of(cluster, "records", "web", namespace=namespace)
    await cluster.patch("records", namespace, "web", {"spec": {"name": "new.example.com"}})
    await eventually(
        lambda: [c["name"] for c in simulator.grid.objects("record:cname")] == ["new.example.com"]
    )
    await condition_of(cluster, "records", "web", namespace=namespace)
    status = (await cluster.get("records", namespace, "web"))["status"]
    assert status["fqdn"] == "new.example.com"
    assert status["ref"] == simulator.grid.objects("record:cname")[0]["_ref"]  # the new ref


async def test_deleting_records_deletes_them_and_retain_keeps_them(
    cluster, simulator, operator, namespace
) -> None:
    await cluster.apply(
        record_manifest("db", namespace, type="Host", name="db.example.com", address="10.1.3.4")
    )
    await cluster.apply(
        record_manifest(
            "spf",
            namespace,
            type="TXT",
            name="example.com",
            text="v=spf1 -all",
            deletionPolicy="Retain",
        )
    )
    await condition_of(cluster, "records", "db", namespace=namespace)
    await condition_of(cluster, "records", "spf", namespace=namespace)
    await cluster.delete("records", namespace, "db")
    await cluster.delete("records", namespace, "spf")

    async def both_gone() -> bool:
        return all([await cluster.get("records", namespace, n) is None for n in ("db", "spf")])

    await eventually(both_gone)
    assert simulator.grid.objects("record:host") == []
    [kept] = simulator.grid.objects("record:txt")
    assert not any(name.startswith("ddisync-") for name in extattrs(kept))


async def test_an_out_of_band_read_sees_the_owner(cluster, simulator, operator, namespace) -> None:
    """What an administrator sees in Infoblox: who owns the record (no guessing)."""
    await cluster.apply(
        record_manifest(
            "mx",
            namespace,
            type="MX",
            name="example.org",
            mailExchanger="mx.example.org",
            preference=5,
        )
    )
    await condition_of(cluster, "records", "mx", namespace=namespace)
    found = await wapi_request(
        simulator, "GET", "record:mx?name=example.org&_return_fields%2B=extattrs"
    )
    assert found[0]["extattrs"]["ddisync-owner"]["value"] == f"{namespace}/Record/mx"
