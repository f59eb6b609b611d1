"""Protobuf request bodies (kubectl create namespace/secret/configmap) reach the emulator as
the JSON objects they encode. The bodies here are what kubectl 1.35 sent (``-v=9``)."""

from __future__ import annotations

import pytest

from ddisync_emulator import protobuf
from ddisync_emulator.cluster import Cluster
from ddisync_emulator.objects import ApiError

# kubectl create namespace team-a
NAMESPACE = bytes.fromhex(
    "6b 38 73 00 0a 0f 0a 02 76 31 12 09 4e 61 6d 65 73 70 61 63 65 12 1e 0a 16 0a 06 74 65"
    "61 6d 2d 61 12 00 1a 00 22 00 2a 00 32 00 38 00 42 00 12 00 1a 02 0a 00 1a 00 22 00"
)
# kubectl create secret generic creds2 --from-literal=username=admin
SECRET = bytes.fromhex(
    "6b 38 73 00 0a 0c 0a 02 76 31 12 06 53 65 63 72 65 74 12 2d 0a 16 0a 06 63 72 65 64 73"
    "32 12 00 1a 00 22 00 2a 00 32 00 38 00 42 00 12 11 0a 08 75 73 65 72 6e 61 6d 65 12 05"
    "61 64 6d 69 6e 1a 00 1a 00 22 00"
)


def test_kubectls_namespace_decodes_to_its_json() -> None:
    assert protobuf.decode(NAMESPACE) == {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": "team-a"},
    }


def test_kubectls_secret_decodes_with_its_data_in_base64() -> None:
    assert protobuf.decode(SECRET) == {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "creds2"},
        "data": {"username": "YWRtaW4="},
    }


def test_a_kind_it_cannot_read_is_unsupported_media_and_says_what_to_do() -> None:
    deployment = NAMESPACE.replace(b"\x0a\x0f\x0a\x02v1\x12\x09Namespace",
                                   b"\x0a\x0f\x0a\x02v1\x12\x09Deploymnt")  # fmt: skip
    with pytest.raises(ApiError) as refused:
        protobuf.decode(deployment)
    assert refused.value.status == 415
    assert "kubectl apply -f" in refused.value.message


@pytest.mark.parametrize("body", [b"{}", NAMESPACE[:-9], b"k8s\x00\x0a\xff"])
def test_a_body_that_is_no_protobuf_is_a_bad_request(body: bytes) -> None:
    with pytest.raises(ApiError) as refused:
        protobuf.decode(body)
    assert refused.value.status == 400


async def test_a_protobuf_namespace_is_created(cluster: Cluster) -> None:
    async with cluster.session.post(
        cluster.url + "/api/v1/namespaces",
        data=NAMESPACE,
        headers={"Content-Type": protobuf.CONTENT_TYPE},
    ) as response:
        assert response.status == 201
        created = await response.json()
    assert created["metadata"]["name"] == "team-a"
    assert created["status"] == {"phase": "Active"}
