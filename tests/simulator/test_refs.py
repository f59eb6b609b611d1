"""Refs: shape, decoding, and the one-time percent-decoding of paths (spec §1)."""

from __future__ import annotations

import re

import pytest

from ddisync_simulator.refs import decode_key, make_ref, split_ref

from .conftest import Wapi

REF = re.compile(r"^[a-z:_0-9]+/\w+:.+$")


@pytest.mark.parametrize(
    "key",
    [
        'dns.bind_txt$._default.com.example.t."why? ~ > ok"',
        "dns.bind_a$._default.com.example,ünïcode,10.0.0.1",
        "dns.network$10.0.0.0/8/0",
    ],
)
def test_refdata_is_always_word_characters(key: str) -> None:
    ref = make_ref("record:txt", key, "t.example.com", "default")
    assert REF.match(ref), ref
    assert decode_key(ref) is not None


def test_known_real_refs_are_reproduced() -> None:
    assert (
        make_ref("networkview", "dns.network_view$0", "default", "true")
        == "networkview/ZG5zLm5ldHdvcmtfdmlldyQw:default/true"
    )
    assert make_ref(
        "record:a",
        "dns.bind_a$._default.loc.test,testdup,10.10.10.2",
        "testdup.test.loc",
        "default",
    ) == (
        "record:a/ZG5zLmJpbmRfYSQuX2RlZmF1bHQubG9jLnRlc3QsdGVzdGR1cCwxMC4xMC4xMC4y:"
        "testdup.test.loc/default"
    )


def test_readable_parts_quote_colons() -> None:
    ref = make_ref("ipv6network", "k", "2001:db8::/32", "default")
    assert ref.endswith(":2001%3Adb8%3A%3A/32/default")
    assert split_ref(ref) == (
        "ipv6network",
        ref.split("/")[1].split(":")[0],
        "2001%3Adb8%3A%3A/32/default",
    )


async def test_refs_work_quoted_once_and_twice(wapi: Wapi) -> None:
    ref = await wapi.create("ipv6network", {"network": "2001:db8:5::/64"})
    assert "%3A" in ref
    once = ref.replace(":", "%3A", 1)  # the Python client quotes ':' (urllib.quote)
    twice = ref.replace("%", "%25")  # the Go client escapes '%'
    for path in (ref, once, twice):
        answer = await wapi.get("", raw_url=wapi.base + path)
        assert answer.status == 200 and answer.json["_ref"] == ref


async def test_refs_of_every_type_match_the_go_client_pattern(wapi: Wapi) -> None:
    await wapi.create("network", {"network": "10.1.0.0/24"})
    await wapi.create("fixedaddress", {"ipv4addr": "10.1.0.9", "mac": "00:00:00:00:00:09"})
    network = (await wapi.get("network")).json[0]["_ref"]
    fixed = (await wapi.get("fixedaddress")).json[0]["_ref"]
    assert re.match(r"network/\w+:(\d+\.\d+\.\d+\.\d+/\d+)/(.+)", network)
    assert re.match(r"fixedaddress/\w+:(\d+\.\d+\.\d+\.\d+)/.+", fixed)
