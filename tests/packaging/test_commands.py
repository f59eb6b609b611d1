"""``ddisync``'s commands: its own, plus those installed distributions add through the
entry-point group ``ddisync.commands`` (the simulator's and the emulator's)."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest

from ddisync import cli

OWN = {"run", "crds", "export", "plan", "check"}


def _commands() -> set[str]:
    parser = cli.build_parser()
    (subparsers,) = [a for a in parser._actions if a.dest == "command"]
    assert subparsers.choices is not None
    return set(subparsers.choices)


def _installed(monkeypatch: pytest.MonkeyPatch, *entries: EntryPoint) -> None:
    def entry_points(*, group: str) -> list[EntryPoint]:
        return [e for e in entries if e.group == group]

    monkeypatch.setattr(cli, "entry_points", entry_points)


def test_without_the_tools_there_is_no_simulator_or_demo_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _installed(monkeypatch)  # as in the operator's image
    assert _commands() == OWN
    with pytest.raises(SystemExit) as exc:
        cli.main(["demo"])
    assert exc.value.code == 2
    error = capsys.readouterr().err
    assert "invalid choice" in error and "demo" in error


def test_the_installed_tools_add_simulator_and_demo() -> None:
    assert _commands() == OWN | {"simulator", "demo"}


def test_a_command_that_cannot_be_loaded_says_so_when_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = EntryPoint("broken", "no_such_module.command:register", cli.COMMAND_GROUP)
    _installed(monkeypatch, broken)
    assert cli.main(["broken"]) == 2
    assert "cannot load no_such_module.command:register" in capsys.readouterr().err


def test_an_entry_point_cannot_replace_a_builtin_command(monkeypatch: pytest.MonkeyPatch) -> None:
    impostor = EntryPoint("run", "no_such_module:register", cli.COMMAND_GROUP)
    _installed(monkeypatch, impostor)
    parser = cli.build_parser()
    assert parser.parse_args(["run"]).func is cli._run
