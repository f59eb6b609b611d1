"""When the demo calls a resource settled, and what it prints."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ddisync_emulator import report
from ddisync_emulator.manifests import (
    PACKAGED_EXAMPLES,
    Manifest,
    ManifestError,
    default_paths,
    in_apply_order,
    load,
)

REPO = Path(__file__).resolve().parents[2]


def body(generation: int, **ready: Any) -> dict[str, Any]:
    condition = {"type": "Ready", "observedGeneration": 1, **ready}
    return {
        "kind": "Network",
        "metadata": {"name": "n", "namespace": "ns", "generation": generation},
        "status": {"conditions": [condition], "cidr": "10.0.0.0/24"},
    }


def test_ready_true_at_the_current_generation_is_ready() -> None:
    outcome = report.judge(body(1, status="True", reason="Synced"))
    assert outcome.ready and outcome.settled


def test_ready_of_an_older_generation_keeps_waiting() -> None:
    outcome = report.judge(body(2, status="True", reason="Synced"))
    assert not outcome.ready and not outcome.settled


@pytest.mark.parametrize("reason", sorted(report.TERMINAL))
def test_terminal_reasons_settle_as_failed(reason: str) -> None:
    outcome = report.judge(body(1, status="False", reason=reason))
    assert not outcome.ready and outcome.settled


@pytest.mark.parametrize("reason", ["InfobloxUnavailable", "Progressing", "NetworkNotReady"])
def test_transient_reasons_keep_waiting(reason: str) -> None:
    outcome = report.judge(body(1, status="False", reason=reason))
    assert not outcome.ready and not outcome.settled


def test_no_condition_yet_keeps_waiting() -> None:
    outcome = report.judge({"kind": "Network", "metadata": {"name": "n", "generation": 1}})
    assert (outcome.ready, outcome.settled, outcome.reason) == (False, False, "Progressing")


def test_json_has_exactly_the_contract_keys() -> None:
    outcome = report.judge(body(1, status="True", reason="Synced"))
    document = json.loads(report.render_json([outcome], {"network": 1}))
    assert set(document) == {"resources", "infoblox"}
    assert set(document["resources"][0]) == {
        "kind", "namespace", "name", "ready", "reason", "message", "status",
    }  # fmt: skip


def test_the_table_shows_key_status_fields() -> None:
    refused = report.rejected({"kind": "Network", "metadata": {"name": "bad"}}, "no way")
    table = report.render_table([report.judge(body(1, status="True")), refused], {"network": 1})
    assert "10.0.0.0/24" in table and "Rejected" in table and "1/2 resources Ready" in table


def test_every_line_of_the_table_fits_120_columns_and_cut_messages_follow_whole() -> None:
    forbidden = (
        "record name www.example.com is outside the DNS zones namespace team-a may use on grid "
        "default (DDIGrant team-a: team-a.example.com)"
    )
    status = {
        "fqdn": "a-rather-long-name.of-a-service.team-a.example.com",
        "address": "2001:db8:a:1:ffff:ffff:ffff:fffe",
        "ref": "record:aaaa/" + "Z" * 120 + ":a-rather-long-name.team-a.example.com/default",
    }
    outcomes = [
        report.Outcome("Record", "team-a", "web", True, "Synced", "in sync", status, True),
        report.Outcome("Record", "team-a", "www", False, "Forbidden", forbidden, {}, True),
        report.Outcome("Namespace", None, "x" * 63, True, "Applied", "", {}, True),
        report.rejected({"kind": "K" * 63, "metadata": {"name": "n"}}, "no matches for kind"),
    ]
    counts = {f"record:type{i}": i for i in range(1, 30)}
    table = report.render_table(outcomes, counts)
    lines = table.splitlines()
    assert max(len(line) for line in lines) <= 120, table
    assert lines[0].split() == list(report.HEADER)
    assert "record:aaaa/" not in table  # refs are for --output json
    assert "in sync" not in table  # a Ready resource's message repeats its details
    assert "2/4 resources Ready." in lines
    assert all(f"record:type{i}: {i}" in table for i in counts.values())  # never split
    whole = " ".join(line.strip() for line in lines[lines.index("Messages in full:") + 1 :])
    assert f"Record team-a/www: {forbidden}" in whole


def test_nothing_is_cut_when_the_rows_fit() -> None:
    status = {"fqdn": "web.team-a.example.com", "address": "2001:db8:a:1::200"}
    outcome = report.Outcome("Record", "team-a", "web-v6", True, "Synced", "ok", status, True)
    table = report.render_table([outcome], {"record:aaaa": 1})
    assert "web.team-a.example.com 2001:db8:a:1::200" in table
    assert "..." not in table and "Messages in full" not in table


def manifest(kind: str, name: str) -> Manifest:
    return Manifest({"kind": kind, "metadata": {"name": name}}, f"{name}.yaml#1")


def test_namespaces_credentials_grids_and_grants_are_applied_before_what_they_hold() -> None:
    given = [
        manifest("Record", "r1"),
        manifest("Bogus", "b"),
        manifest("Network", "n"),
        manifest("DDIGrant", "g"),
        manifest("Record", "r2"),
        manifest("InfobloxGrid", "lab"),
        manifest("Secret", "lab-wapi"),
        manifest("Namespace", "team-a"),
    ]
    assert [m.body["metadata"]["name"] for m in in_apply_order(given)] == [
        "team-a", "lab-wapi", "lab", "g", "n", "r1", "b", "r2",
    ]  # fmt: skip


def test_folders_load_every_yaml_document(tmp_path: Path) -> None:
    (tmp_path / "b.yaml").write_text("kind: B\n---\n---\nkind: C\n")
    (tmp_path / "a.yml").write_text("kind: A\n")
    (tmp_path / "notes.txt").write_text("not a manifest")
    assert [m.body["kind"] for m in load([tmp_path])] == ["A", "B", "C"]


def test_a_missing_path_is_a_manifest_error(tmp_path: Path) -> None:
    with pytest.raises(ManifestError):
        load([tmp_path / "nope.yaml"])


def test_the_default_is_the_local_examples_folder_else_the_packaged_copy(tmp_path: Path) -> None:
    assert default_paths(REPO) == [REPO / "examples"]
    assert default_paths(tmp_path) == [PACKAGED_EXAMPLES]


def test_the_packaged_examples_are_the_repository_s_one_copy() -> None:
    assert PACKAGED_EXAMPLES.is_symlink()
    assert PACKAGED_EXAMPLES.resolve() == (REPO / "examples").resolve()
