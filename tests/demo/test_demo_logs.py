"""The demo's logs: as the operator writes them (DDISYNC_LOG_FORMAT honoured), and a clean run
says nothing at ERROR (an expected wait, such as a Record for a Network not Ready yet, is INFO)."""

from __future__ import annotations

import json

import pytest

from tests.demo_runs import CALM, calm_demo


@pytest.mark.timeout(120)
@CALM
def test_a_clean_demo_run_logs_json_lines_and_no_error() -> None:
    done = calm_demo()  # with DDISYNC_LOG_FORMAT=json
    assert done.code == 0, done.stderr[-3000:]
    entries = [json.loads(line) for line in done.stderr.splitlines() if line.strip()]
    assert entries, "the demo logged nothing"
    assert [e for e in entries if e["level"] in ("ERROR", "CRITICAL")] == []
    about_resources = [e for e in entries if e.get("resource")]
    assert about_resources, "no line names a resource"
    assert all({"kind", "name"} <= set(e["resource"]) for e in about_resources)
