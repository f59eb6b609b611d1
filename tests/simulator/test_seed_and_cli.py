"""Seeding, saving, the demo seed and the simulator's command (``ddisync-simulator``)."""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import json
import os
import signal
import sys
from pathlib import Path

import pytest
import yaml

from ddisync_simulator import SimulatorOptions, running_simulator
from ddisync_simulator.command import main, options_from_args, register
from ddisync_simulator.seed import SeedError, load_seed


def test_the_demo_seed_is_what_a_real_grid_would_hold() -> None:
    grid = load_seed(None)
    zones = {z["fqdn"]: z for z in grid.objects("zone_auth")}
    assert set(zones) == {"example.com", "example.org", "10.0.0.0/8", "2001:db8::/32"}
    assert zones["10.0.0.0/8"]["zone_format"] == "IPV4"
    assert zones["2001:db8::/32"]["dns_fqdn"] == "8.b.d.0.1.0.0.2.ip6.arpa"
    # The private space, and inside it the containers the examples' DDIGrants give each team.
    assert [n["network"] for n in grid.objects("networkcontainer")] == [
        "10.0.0.0/8", "10.64.0.0/12", "10.80.0.0/12", "10.96.0.0/12",
    ]  # fmt: skip
    assert [n["network"] for n in grid.objects("ipv6networkcontainer")] == [
        "2001:db8::/32", "2001:db8:a::/48",
    ]  # fmt: skip
    eas = {e["name"]: e["type"] for e in grid.objects("extensibleattributedef")}
    assert {"ddisync-cluster", "ddisync-owner", "ddisync-uid", "Site", "Tenant"} <= set(eas)
    assert set(eas.values()) == {"STRING"}
    assert grid.count("networkview") == 1 and grid.count("view") == 1


def test_an_empty_seed_has_only_the_defaults() -> None:
    grid = load_seed({})
    assert grid.count("networkview") == 1 and grid.count("view") == 1
    assert grid.count("zone_auth") == 0 and grid.count("grid") == 1


def test_a_bad_seed_names_the_object_at_fault() -> None:
    with pytest.raises(SeedError, match=r"record:a\[0\].*A parent was not found"):
        load_seed({"record:a": [{"name": "x.nowhere.test", "ipv4addr": "10.0.0.1"}]})
    with pytest.raises(SeedError, match="cannot be seeded: bogus"):
        load_seed({"bogus": []})


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        ("missing.yaml", None, "No such file or directory"),
        ("broken.yaml", "zone_auth: [unclosed\n", "expected ',' or ']'"),
        ("broken.json", "{", "Expecting property name"),
        ("list.yaml", "- {fqdn: example.com}\n", "a seed is a mapping"),
    ],
)
def test_a_seed_file_that_cannot_be_read_is_a_seed_error_naming_it(
    tmp_path: Path, name: str, text: str | None, problem: str
) -> None:
    path = tmp_path / name
    if text is not None:
        path.write_text(text)
    with pytest.raises(SeedError) as raised:
        load_seed(path)
    assert str(raised.value).startswith(f"{path}: ") and problem in str(raised.value)


async def test_state_is_saved_on_exit_and_loads_back(tmp_path: Path) -> None:
    saved = tmp_path / "grid.yaml"
    seed = {
        "extensibleattributedef": [{"name": "Site", "type": "STRING"}],
        "networkview": [{"name": "lab"}],
        "zone_auth": [{"fqdn": "example.com"}],
        "network": [{"network": "10.1.0.0/24", "extattrs": {"Site": {"value": "x"}}}],
        "record:host": [{"name": "h.example.com", "ipv4addrs": [{"ipv4addr": "10.1.0.2"}]}],
    }
    async with running_simulator(SimulatorOptions(seed=seed, save=saved)) as sim:
        from ddisync_simulator.writes import create

        create(sim.grid, "record:a", {"name": "a.example.com", "ipv4addr": "10.1.0.3"})
    data = yaml.safe_load(saved.read_text())
    assert data["record:a"] == [
        {"name": "a.example.com", "ipv4addr": "10.1.0.3", "view": "default", "creator": "STATIC"}
    ]
    assert "view" not in data  # default.lab comes back with the network view
    again = load_seed(saved)
    assert again.count("record:a") == 1 and again.count("record:host") == 1
    json_path = tmp_path / "grid.json"
    json_path.write_text(json.dumps(data))
    assert load_seed(json_path).count("network") == 1


def test_the_command_parses_every_option() -> None:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(
        [
            "simulator",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--tls",
            "--username",
            "u",
            "--password",
            "p",
            "--latency-ms",
            "5",
            "--fail-rate",
            "0.1",
            "--seed",
            "x.yaml",
            "--save",
            "y.yaml",
        ]
    )
    options = options_from_args(args)
    assert (options.tls, options.port, options.username, options.password) == (True, 0, "u", "p")
    assert options.latency_ms == 5 and options.fail_rate == 0.1
    assert options.seed == Path("x.yaml") and options.save == Path("y.yaml")
    assert callable(args.func)


async def test_the_command_prints_its_url_and_stops_on_sigterm(tmp_path: Path) -> None:
    saved = tmp_path / "out.yaml"
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ddisync_simulator",
        "--port",
        "0",
        "--save",
        str(saved),
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    line = (await asyncio.wait_for(proc.stdout.readline(), 20)).decode().strip()
    assert line.startswith("http://127.0.0.1:")
    proc.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(proc.wait(), 20) == 0
    assert "zone_auth" in yaml.safe_load(saved.read_text())


def test_the_console_script_takes_the_same_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = tmp_path / "bad.yaml"
    seed.write_text("bogus: []\n")
    assert main(["--port", "0", "--seed", str(seed)]) == 2
    assert capsys.readouterr().err.startswith("ddisync-simulator: ")
    # A seed that is not there is the seed's fault, not a port's ("cannot listen").
    assert main(["--port", "0", "--seed", str(tmp_path / "nope.yaml")]) == 2
    assert "nope.yaml: No such file or directory" in capsys.readouterr().err


def test_the_distribution_declares_its_script_and_its_ddisync_command() -> None:
    declared = {
        (e.group, e.name, e.value)
        for e in importlib.metadata.distribution("ddisync-simulator").entry_points
    }
    assert declared == {
        ("console_scripts", "ddisync-simulator", "ddisync_simulator.command:main"),
        ("ddisync.commands", "simulator", "ddisync_simulator.command:register"),
    }
