"""``ddisync check --grid NAME -f FILES``: an InfobloxGrid and its Secret, read from files."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml

from ddisync_simulator import Simulator, SimulatorOptions, running_simulator
from tests.tools.conftest import PASSWORD, Run, cli
from tests.tools.documents import SECRET_NAMESPACE, credentials, infoblox_grid, secret, write
from tests.tools.test_check import CHECKS

WRONG = "not-the-Password-7"


def _lines(run: Run) -> dict[str, str]:
    lines = {}
    for line in run.out.splitlines():
        status, rest = line.split(maxsplit=1)
        name = next(n for n in CHECKS if rest.startswith(n))
        lines[name] = f"{status} {rest[len(name) :].strip()}"
    return lines


def _one_line(run: Run) -> str:
    assert run.code == 2 and run.out == "", run
    assert run.err.count("\n") == 1 and run.err.startswith("ddisync check: "), run.err
    assert PASSWORD not in run.err and WRONG not in run.err
    return run.err.removeprefix("ddisync check: ").rstrip("\n")


@pytest.fixture()
async def tls_sim() -> AsyncIterator[Simulator]:
    async with running_simulator(SimulatorOptions(password=PASSWORD, tls=True)) as sim:
        yield sim


@pytest.mark.parametrize("encoded", [False, True], ids=["stringData", "data"])
async def test_a_grid_from_the_files_passes_the_same_checks_as_the_default_connection(
    demo_sim: Simulator, tmp_path: Path, encoded: bool
) -> None:
    path = write(tmp_path / "grid.yaml", infoblox_grid("lab", demo_sim.url),
                 secret("lab-credentials", encoded=encoded, username="admin",
                        password=PASSWORD))  # fmt: skip
    done = await cli("check", "--grid", "lab", "-f", str(path))
    lines = _lines(done)
    assert list(lines) == list(CHECKS)
    assert done.code == 0, done.out
    assert lines["tls"].startswith("WARN plain HTTP")
    assert all(lines[n].startswith("OK") for n in CHECKS if n != "tls"), done.out
    assert demo_sim.counters.total(method="GET") > 0


async def test_a_wrong_password_in_the_secret_names_the_secret_not_the_options(
    demo_sim: Simulator, tmp_path: Path
) -> None:
    path = write(tmp_path / "grid.yaml", infoblox_grid("lab", demo_sim.url),
                 credentials("lab", password=WRONG))  # fmt: skip
    done = await cli("check", "--grid", "lab", "-f", str(path))
    lines = _lines(done)
    assert done.code == 1
    assert lines["credentials"].startswith("FAIL the grid refused user 'admin'")
    assert f"Secret {SECRET_NAMESPACE}/lab-credentials" in lines["credentials"]
    assert "--password-file" not in lines["credentials"]
    assert WRONG not in done.out + done.err and PASSWORD not in done.out + done.err


async def test_the_grids_ca_bundle_secret_makes_its_certificate_trusted(
    tls_sim: Simulator, tmp_path: Path
) -> None:
    assert tls_sim.ca_file is not None
    ca_ref = {"namespace": SECRET_NAMESPACE, "name": "lab-ca", "key": "ca.crt"}
    path = write(
        tmp_path / "grid.yaml",
        infoblox_grid("lab", tls_sim.url, caBundleSecretRef=ca_ref),
        credentials("lab"),
        secret("lab-ca", **{"ca.crt": tls_sim.ca_file.read_text()}),
    )
    done = await cli("check", "--grid", "lab", "-f", str(path))
    assert done.code == 0, done.out
    lines = _lines(done)
    trusted = f"Secret {SECRET_NAMESPACE}/lab-ca key ca.crt"
    assert lines["tls"] == f"OK certificate verified (CA bundle {trusted})"

    untrusted = write(tmp_path / "bare.yaml", infoblox_grid("lab", tls_sim.url), credentials("lab"))
    done = await cli("check", "--grid", "lab", "-f", str(untrusted))
    assert done.code == 1
    assert "set spec.caBundleSecretRef of InfobloxGrid lab to the CA" in _lines(done)["tls"]


async def test_a_version_the_grid_does_not_serve_names_the_grids_field(
    demo_sim: Simulator, tmp_path: Path
) -> None:
    grid = infoblox_grid("lab", demo_sim.url, wapiVersion="2.99")
    path = write(tmp_path / "grid.yaml", grid, credentials("lab"))
    done = await cli("check", "--grid", "lab", "-f", str(path))
    assert done.code == 1
    assert _lines(done)["wapi version"].endswith('use wapiVersion: "2.13" in InfobloxGrid lab')


async def test_the_secret_may_come_on_stdin(
    demo_sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "grid.yaml", infoblox_grid("lab", demo_sim.url))
    monkeypatch.setattr("sys.stdin", io.StringIO(yaml.safe_dump(credentials("lab"))))
    done = await cli("check", "--grid", "lab", "-f", str(path), "-f", "-")
    assert done.code == 0, done.out + done.err


async def test_a_grid_not_in_the_files_is_one_line_exit_2(tmp_path: Path) -> None:
    path = write(tmp_path / "grid.yaml", infoblox_grid("prod", "https://gm.example.com"))
    done = await cli("check", "--grid", "lab", "-f", str(path))
    assert _one_line(done) == (
        "InfobloxGrid lab is not in the files given with -f (they hold InfobloxGrid prod)"
    )


@pytest.mark.parametrize(
    ("documents", "expected"),
    [
        pytest.param(
            [], f"Secret {SECRET_NAMESPACE}/lab-credentials (credentialsSecretRef of "
            "InfobloxGrid lab) is not in the files given with -f", id="no Secret",
        ),
        pytest.param(
            [secret("lab-credentials", username="admin")],
            f"Secret {SECRET_NAMESPACE}/lab-credentials has no key 'password' (InfobloxGrid lab)",
            id="no password key",
        ),
        pytest.param(
            [{**secret("lab-credentials"), "data": {"username": "YWRtaW4=",
                                                   "password": f"{WRONG}!"}}],
            f"Secret {SECRET_NAMESPACE}/lab-credentials: key 'password' is not base64-encoded "
            "UTF-8 text (InfobloxGrid lab)",
            id="not base64",
        ),
        pytest.param(
            [secret("lab-credentials", username="admin", password=1234)],
            f"Secret {SECRET_NAMESPACE}/lab-credentials: stringData.password is not a string "
            "(quote it)",
            id="a number",
        ),
    ],
)  # fmt: skip
async def test_a_secret_missing_or_unusable_is_one_line_exit_2_without_its_values(
    tmp_path: Path, documents: list[dict[str, object]], expected: str
) -> None:
    path = write(tmp_path / "grid.yaml", infoblox_grid("lab", "https://gm.example.com"),
                 *documents)  # fmt: skip
    done = await cli("check", "--grid", "lab", "-f", str(path))
    assert _one_line(done) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--grid", "lab"], "--grid lab needs -f with the InfobloxGrid lab and its Secret"),
        (["--grid", "lab", "--url", "https://x.example.com", "-f", "grid.yaml"],
         "--url cannot be combined with --grid lab: the InfobloxGrid and its Secret give the "
         "connection"),
        (["-f", "grid.yaml"], "-f is read only with --grid NAME (an InfobloxGrid and its Secret)"),
        (["--grid", "default", "-f", "grid.yaml"],
         "-f is read only with --grid NAME (an InfobloxGrid and its Secret)"),
    ],
)  # fmt: skip
async def test_options_that_do_not_fit_with_grid_are_one_line_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], expected: str
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "grid.yaml", infoblox_grid("lab", "https://gm.example.com"),
          credentials("lab"))  # fmt: skip
    assert _one_line(await cli("check", *args)) == expected


async def test_credentials_in_the_grids_url_are_refused_without_echoing_them(
    tmp_path: Path,
) -> None:
    path = write(tmp_path / "grid.yaml",
                 infoblox_grid("lab", f"https://admin:{WRONG}@gm.example.com"),
                 credentials("lab"))  # fmt: skip
    done = await cli("check", "--grid", "lab", "-f", str(path))
    assert "spec.url must not carry credentials" in _one_line(done)


async def test_a_yaml_error_in_a_secret_does_not_quote_the_line(tmp_path: Path) -> None:
    path = tmp_path / "grid.yaml"
    path.write_text(f"kind: Secret\nstringData:\n  password: {WRONG}: oops\n")
    done = await cli("check", "--grid", "lab", "-f", str(path))
    assert _one_line(done).startswith(f"{path}: not valid YAML (")
