"""CAA records (RFC 8659): several per name, one per issuer; updated in place, repaired, adopted,
retained and refused like every other type."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.helpers import (
    condition_of,
    eventually,
    extattrs,
    record_manifest,
    refused_by_the_operator,
    wapi_create,
    wapi_request,
)


def caa(simulator: Any) -> dict[str, tuple[int, str, str]]:
    """CAA records of example.org by value: (flags, tag, owner)."""
    return {
        o["ca_value"]: (o["ca_flag"], o["ca_tag"], extattrs(o).get("ddisync-owner", ""))
        for o in simulator.grid.objects("record:caa")
        if o["name"] == "example.org"
    }


def issuer(resource: str, namespace: str, ca: str, /, **spec: Any) -> dict[str, Any]:
    fields = {"type": "CAA", "name": "example.org", "flags": 0, "tag": "issue", "value": ca}
    return record_manifest(resource, namespace, **{**fields, **spec})


async def test_two_issuers_share_a_name_and_each_is_updated_and_repaired(
    cluster, simulator, fast_operator, namespace
) -> None:
    await cluster.apply(issuer("le", namespace, "letsencrypt.org"))
    await cluster.apply(issuer("goog", namespace, "pki.goog", flags=128))
    await condition_of(cluster, "records", "le", namespace=namespace)
    condition = await condition_of(cluster, "records", "goog", namespace=namespace)
    assert condition["message"] == (
        'CAA record example.org (128 issue "pki.goog") is in sync with Infoblox'
    )
    owner = f"{namespace}/Record/"
    assert caa(simulator) == {
        "letsencrypt.org": (0, "issue", owner + "le"),
        "pki.goog": (128, "issue", owner + "goog"),
    }

    # A spec edit changes that record only.
    await cluster.patch("records", namespace, "le", {"spec": {"tag": "issuewild"}})
    await eventually(lambda: caa(simulator)["letsencrypt.org"][:2] == (0, "issuewild"))
    assert caa(simulator)["pki.goog"] == (128, "issue", owner + "goog")

    # An edit in Infoblox is repaired by the drift sweep.
    (ref,) = [o["_ref"] for o in simulator.grid.objects("record:caa") if o["ca_flag"] == 128]
    await wapi_request(simulator, "PUT", ref, {"ca_flag": 0})
    await eventually(lambda: caa(simulator)["pki.goog"][0] == 128)

    await cluster.delete("records", namespace, "le")
    await eventually(lambda: list(caa(simulator)) == ["pki.goog"])


async def test_an_existing_caa_is_refused_then_adopted_and_retained(
    cluster, simulator, operator, namespace
) -> None:
    await wapi_create(
        simulator,
        "record:caa",
        {
            "name": "example.org",
            "ca_flag": 0,
            "ca_tag": "iodef",
            "ca_value": "mailto:ca@example.org",
        },
    )
    manifest = issuer("report", namespace, "mailto:ca@example.org", tag="iodef")
    await cluster.apply(manifest)
    refused = await condition_of(cluster, "records", "report", "False", namespace=namespace)
    assert refused["reason"] == "NotOwned"
    assert "CAA record example.org in view default already exists" in refused["message"]

    patch = {"spec": {"adopt": True, "deletionPolicy": "Retain"}}
    await cluster.patch("records", namespace, "report", patch)
    await condition_of(cluster, "records", "report", namespace=namespace)
    owner = f"{namespace}/Record/report"
    assert caa(simulator) == {"mailto:ca@example.org": (0, "iodef", owner)}

    await cluster.delete("records", namespace, "report")
    await eventually(lambda: caa(simulator) == {"mailto:ca@example.org": (0, "iodef", "")})


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"flags": 256}, "spec.flags: Input should be less than or equal to 255"),
        ({"tag": "is-sue"}, "spec.tag: 'is-sue' must be letters and digits (issue, "),
        ({"flags": None}, "spec: a CAA record needs spec.flags"),
        ({"value": "caf\u00e9"}, "spec.value: must be printable ASCII"),
    ],
)  # fmt: skip
async def test_an_invalid_caa_spec_says_which_field(
    lenient_cluster, simulator, settings, quick_stop, namespace, spec: dict[str, Any], message: str
) -> None:
    manifest = issuer("bad", namespace, "x.example", **spec)
    condition = await refused_by_the_operator(lenient_cluster, settings, manifest)
    assert condition["reason"] == "InvalidSpec"
    assert condition["message"].startswith(message)
    assert simulator.grid.objects("record:caa") == []
