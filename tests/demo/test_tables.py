"""Printer-column rendering: the JSONPath subset, cell types, ages, Accept negotiation."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from ddisync_emulator.tables import build_table, find, human_duration, table_version

BODY: dict[str, Any] = {
    "metadata": {"name": "n1", "creationTimestamp": "2026-01-01T00:00:00Z"},
    "spec": {"cidr": "10.1.0.0/24", "tags": ["a", "b"], "size": 3, "on": True},
    "status": {
        "conditions": [
            {"type": "Synced", "status": "False"},
            {"type": "Ready", "status": "True", "reason": "Synced"},
        ]
    },
}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (".spec.cidr", ["10.1.0.0/24"]),
        ("{.spec.cidr}", ["10.1.0.0/24"]),
        (".spec.missing", []),
        (".spec.tags[1]", ["b"]),
        (".spec.tags[*]", ["a", "b"]),
        (".spec['cidr']", ["10.1.0.0/24"]),
        ('.status.conditions[?(@.type=="Ready")].status', ["True"]),
        (".status.conditions[?(@.type=='Ready')].reason", ["Synced"]),
        ('.status.conditions[?(@.type!="Ready")].type', ["Synced"]),
        ('.status.conditions[?(@.type=="Gone")].status', []),
    ],
)
def test_printer_column_paths_select_like_client_go(path: str, expected: list[Any]) -> None:
    assert find(BODY, path) == expected


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(-5, "<invalid>"), (0, "0s"), (119, "119s"), (125, "2m5s"), (600, "10m"),
     (3 * 3600 + 60, "3h1m"), (30 * 3600, "30h"), (3 * 86400 + 3600, "3d1h"),
     (400 * 86400, "400d"), (3 * 365 * 86400, "3y")],
)  # fmt: skip
def test_ages_read_as_kubectl_shows_them(seconds: int, shown: str) -> None:
    assert human_duration(datetime.timedelta(seconds=seconds)) == shown


def test_cells_take_the_column_type() -> None:
    columns = [
        {"name": "Size", "type": "integer", "jsonPath": ".spec.size"},
        {"name": "On", "type": "boolean", "jsonPath": ".spec.on"},
        {"name": "Tags", "type": "string", "jsonPath": ".spec.tags"},
        {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
        {"name": "Bad", "type": "date", "jsonPath": ".spec.cidr"},
    ]
    now = datetime.datetime(2026, 1, 1, 0, 5, tzinfo=datetime.UTC)
    table = build_table([BODY], columns, version="v1", resource_version="7", now=now)
    assert table["rows"][0]["cells"] == ["n1", 3, True, '["a","b"]', "5m", "<invalid>"]
    assert table["metadata"] == {"resourceVersion": "7"}


@pytest.mark.parametrize(
    ("accept", "version"),
    [
        ("application/json;as=Table;v=v1;g=meta.k8s.io,application/json", "v1"),
        ("application/json;as=Table;v=v1beta1;g=meta.k8s.io", "v1beta1"),
        ("application/json", None),
        ("application/json, application/json;as=Table;v=v1;g=meta.k8s.io", None),
        ("application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/json", None),
        ("application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io", None),
        (None, None),
    ],
)
def test_the_accept_header_decides_whether_a_table_comes_back(
    accept: str | None, version: str | None
) -> None:
    assert table_version(accept) == version
