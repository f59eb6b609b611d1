"""``ddisync demo --kubeconfig PATH``: a kubeconfig for kubectl, the commands to try, and
manifests recorded as kubectl records them."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest
import yaml

from ddisync_emulator import kubeconfig
from ddisync_emulator.objects import LAST_APPLIED, with_last_applied
from ddisync_emulator.runner import DemoOptions, run_demo

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_the_kubeconfig_points_kubectl_at_the_emulated_api(tmp_path: Path) -> None:
    path = kubeconfig.write(tmp_path / "sub" / "kubeconfig", "http://127.0.0.1:4321", "tok")
    config = yaml.safe_load(path.read_text())
    assert config["current-context"] == "ddisync-demo"
    assert config["clusters"][0]["cluster"]["server"] == "http://127.0.0.1:4321"
    assert config["users"][0]["user"]["token"] == "tok"
    assert config["contexts"][0]["context"]["namespace"] == "default"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


async def test_the_lingering_demo_writes_it_and_prints_the_kubectl_session(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "kubeconfig"
    options = DemoOptions(
        paths=(EXAMPLES,), timeout=30, linger=0.1, kubeconfig=path,
        settings={"metrics_port": 0, "health_port": 0},
    )  # fmt: skip
    result = io.StringIO()
    assert await run_demo(options, out=result) == 0
    config = yaml.safe_load(path.read_text())
    server = config["clusters"][0]["cluster"]["server"]
    # kubectl's namespace is that of the Network the hints name: they need no -n.
    assert config["contexts"][0]["context"]["namespace"] == "team-a"
    out, err = result.getvalue(), capsys.readouterr().err
    assert f"Kubernetes API (emulated): {server}" in err
    assert f"export KUBECONFIG={path}" in err
    assert "kubectl get networks,records -A" in err
    assert "kubectl patch network web-frontend --type merge" in err
    # The result table, on stdout, fits 120 columns.
    assert "25/25 resources Ready." in out
    assert max(len(line) for line in out.splitlines()) <= 120, out


def test_the_demo_records_manifests_as_kubectl_apply_does() -> None:
    # What kubectl v1.35.2 itself wrote on `kubectl apply -f examples/` (captured with -v=8):
    # the same text makes a person's later `kubectl apply -f examples/` say "unchanged".
    manifest = {
        "apiVersion": "ddisync.io/v1alpha1",
        "kind": "Network",
        "metadata": {"name": "web-frontend", "namespace": "default"},
        "spec": {
            "cidr": "10.20.1.0/24",
            "comment": "Web frontends (managed by ddisync)",
            "extensibleAttributes": {"Site": "ams1"},
        },
    }
    written_by_kubectl = (
        '{"apiVersion":"ddisync.io/v1alpha1","kind":"Network","metadata":{"annotations":{},'
        '"name":"web-frontend","namespace":"default"},"spec":{"cidr":"10.20.1.0/24",'
        '"comment":"Web frontends (managed by ddisync)","extensibleAttributes":{"Site":"ams1"}}}\n'
    )
    applied = with_last_applied(manifest, "default")
    assert applied["metadata"]["annotations"] == {LAST_APPLIED: written_by_kubectl}
    assert "annotations" not in manifest["metadata"]  # the caller's manifest is left alone
    escaped = with_last_applied({"kind": "X", "metadata": {"name": "a"}, "spec": "<&>"}, None)
    assert r'"spec":"\u003c\u0026\u003e"' in escaped["metadata"]["annotations"][LAST_APPLIED]
    # A whole float as Go prints it (the InfobloxGrid CRD's rateLimit default, 20.0).
    numbers = with_last_applied({"kind": "X", "metadata": {"name": "a"}, "spec": [20.0, 0.5]}, None)
    assert '"spec":[20,0.5]' in numbers["metadata"]["annotations"][LAST_APPLIED]
