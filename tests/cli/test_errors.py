"""The ``ddisync`` process when it cannot start as told: one line on stderr naming the problem,
never a value, exit code 2, no traceback; and ``run --help`` generated from the settings.

Each test runs in a clean environment: no ``DDISYNC_*`` variables, no ``KUBECONFIG`` and a home
without a kubeconfig. The first runs the installed ``ddisync`` entry point in a process of its
own, as users do; the others call its ``main`` in this process (``InProcess``: the same code,
without a Python start-up each).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ddisync.config_doc import variables
from tests.cli.process import SECRET, InProcess, clean_env, ddisync

CONNECTION = {
    "DDISYNC_WAPI_URL": "http://127.0.0.1:9",
    "DDISYNC_WAPI_USERNAME": "svc-ddisync",
    "DDISYNC_WAPI_PASSWORD": SECRET,
    "DDISYNC_METRICS_PORT": "0",
    "DDISYNC_HEALTH_PORT": "0",
}


@pytest.fixture
def cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> InProcess:
    return InProcess(monkeypatch, capsys, tmp_path)


def assert_one_line(stderr: str, expected: str) -> None:
    assert stderr.splitlines() == [expected]
    assert SECRET not in stderr


async def test_run_without_url_and_password_names_both(tmp_path: Path) -> None:
    env = clean_env(tmp_path, DDISYNC_WAPI_USERNAME="svc-ddisync")
    done = await ddisync("run", env=env)
    assert done.code == 2
    assert_one_line(done.err, "ddisync: missing settings: DDISYNC_WAPI_URL, DDISYNC_WAPI_PASSWORD")


def test_run_with_bad_values_names_each_variable_and_no_value(cli: InProcess) -> None:
    bad = {
        "DDISYNC_WAPI_URL": f"https://admin:{SECRET}@gm.example.com",
        "DDISYNC_RESYNC_INTERVAL": "0",
        "DDISYNC_WAPI_RATE_LIMIT": SECRET,
    }
    done = cli("run", **{**CONNECTION, **bad})
    assert done.code == 2
    assert_one_line(
        done.err,
        "ddisync: invalid settings: DDISYNC_WAPI_URL should not carry credentials (use "
        "DDISYNC_WAPI_USERNAME and DDISYNC_WAPI_PASSWORD); DDISYNC_WAPI_RATE_LIMIT should be a "
        "valid number, unable to parse string as a number; DDISYNC_RESYNC_INTERVAL should be "
        "greater than 0",
    )


SERVICE_ACCOUNT_TOKEN = Path("/var/run/secrets/kubernetes.io/serviceaccount/token")


def test_run_without_kubernetes_credentials_says_where_it_looked(cli: InProcess) -> None:
    assert not SERVICE_ACCOUNT_TOKEN.exists()  # not in a pod
    done = cli("run", **CONNECTION)
    assert done.code == 2
    assert_one_line(
        done.err,
        "ddisync: no Kubernetes credentials: no service account (not running in a pod) and no "
        "kubeconfig (KUBECONFIG or ~/.kube/config)",
    )


def test_run_with_an_unparsable_kubeconfig_does_not_quote_it(
    cli: InProcess, tmp_path: Path
) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(f"users: [{{name: me, user: {{token: {SECRET}}}\n")  # unclosed
    done = cli("run", **CONNECTION, KUBECONFIG=str(kubeconfig))
    assert done.code == 2
    assert_one_line(
        done.err,
        "ddisync: cannot read the kubeconfig (KUBECONFIG or ~/.kube/config): not a valid "
        "kubeconfig",
    )


def test_run_with_an_unsupported_label_selector_names_it(cli: InProcess) -> None:
    done = cli("run", **CONNECTION, DDISYNC_LABEL_SELECTOR="shard in (a,b)")
    assert done.code == 2
    assert done.err.startswith("ddisync: invalid settings: DDISYNC_LABEL_SELECTOR: ")
    assert len(done.err.splitlines()) == 1


def test_run_help_lists_every_variable_with_its_default(cli: InProcess) -> None:
    done = cli("run", "--help")
    assert done.code == 0
    listed = [line.strip() for line in done.out.splitlines() if line.startswith("  DDISYNC_")]
    expected = [
        f"{v.name} ({'required' if v.required else f'default: {v.shown_default}'})"
        for v in variables()
    ]
    assert listed == expected
    assert "Seconds between drift checks" in done.out  # and each one's description


@pytest.mark.parametrize(
    "command", [["export", "--output-dir", "out"], ["plan", "-f", "."], ["check"]]
)
def test_a_tool_with_a_missing_password_file_says_so(
    cli: InProcess, tmp_path: Path, command: list[str]
) -> None:
    missing = tmp_path / "no-such-file"
    connection = ["--url", "http://127.0.0.1:9", "--username", "u", "--password-file", str(missing)]
    done = cli(*command, *connection)
    assert done.code == 2
    assert_one_line(
        done.err, f"ddisync {command[0]}: --password-file {missing}: No such file or directory"
    )
    assert done.out == ""


def test_a_tool_without_connection_settings_names_options_and_variables(cli: InProcess) -> None:
    done = cli("check")
    assert done.code == 2
    assert_one_line(
        done.err,
        "ddisync check: missing settings: --url or DDISYNC_WAPI_URL, --username or "
        "DDISYNC_WAPI_USERNAME, --password-file or DDISYNC_WAPI_PASSWORD",
    )


def test_a_tool_with_a_bad_variable_names_it(cli: InProcess) -> None:
    done = cli("plan", "-f", ".", **CONNECTION, DDISYNC_WAPI_TIMEOUT="-1")
    assert done.code == 2
    assert_one_line(
        done.err,
        "ddisync plan: invalid settings: --timeout or DDISYNC_WAPI_TIMEOUT should be greater "
        "than 0",
    )
