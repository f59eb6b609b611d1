"""The ``ddisync`` process when it cannot start as told: one line on stderr naming the problem,
never a value, exit code 2, no traceback; and ``run --help`` generated from the settings.

Each test runs the installed ``ddisync`` entry point in a process of its own, with a clean
environment: no ``DDISYNC_*`` variables, no ``KUBECONFIG`` and a home without a kubeconfig.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ddisync.config_doc import variables
from tests.cli.process import SECRET, clean_env, ddisync

CONNECTION = {
    "DDISYNC_WAPI_URL": "http://127.0.0.1:9",
    "DDISYNC_WAPI_USERNAME": "svc-ddisync",
    "DDISYNC_WAPI_PASSWORD": SECRET,
    "DDISYNC_METRICS_PORT": "0",
    "DDISYNC_HEALTH_PORT": "0",
}


def assert_one_line(stderr: str, expected: str) -> None:
    assert stderr.splitlines() == [expected]
    assert SECRET not in stderr


async def test_run_without_url_and_password_names_both(tmp_path: Path) -> None:
    env = clean_env(tmp_path, DDISYNC_WAPI_USERNAME="svc-ddisync")
    done = await ddisync("run", env=env)
    assert done.code == 2
    assert_one_line(done.err, "ddisync: missing settings: DDISYNC_WAPI_URL, DDISYNC_WAPI_PASSWORD")


async def test_run_with_bad_values_names_each_variable_and_no_value(tmp_path: Path) -> None:
    bad = {
        "DDISYNC_WAPI_URL": f"https://admin:{SECRET}@gm.example.com",
        "DDISYNC_RESYNC_INTERVAL": "0",
        "DDISYNC_WAPI_RATE_LIMIT": SECRET,
    }
    env = clean_env(tmp_path, **{**CONNECTION, **bad})
    done = await ddisync("run", env=env)
    assert done.code == 2
    assert_one_line(
        done.err,
        "ddisync: invalid settings: DDISYNC_WAPI_URL should not carry credentials (use "
        "DDISYNC_WAPI_USERNAME and DDISYNC_WAPI_PASSWORD); DDISYNC_WAPI_RATE_LIMIT should be a "
        "valid number, unable to parse string as a number; DDISYNC_RESYNC_INTERVAL should be "
        "greater than 0",
    )


SERVICE_ACCOUNT_TOKEN = Path("/var/run/secrets/kubernetes.io/serviceaccount/token")


async def test_run_without_kubernetes_credentials_says_where_it_looked(tmp_path: Path) -> None:
    assert not SERVICE_ACCOUNT_TOKEN.exists()  # noqa: ASYNC240  (not in a pod)
    done = await ddisync("run", env=clean_env(tmp_path, **CONNECTION))
    assert done.code == 2
    assert_one_line(
        done.err,
        "ddisync: no Kubernetes credentials: no service account (not running in a pod) and no "
        "kubeconfig (KUBECONFIG or ~/.kube/config)",
    )


async def test_run_with_an_unparsable_kubeconfig_does_not_quote_it(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(f"users: [{{name: me, user: {{token: {SECRET}}}\n")  # unclosed
    env = clean_env(tmp_path, **CONNECTION, KUBECONFIG=str(kubeconfig))
    done = await ddisync("run", env=env)
    assert done.code == 2
    assert_one_line(
        done.err,
        "ddisync: cannot read the kubeconfig (KUBECONFIG or ~/.kube/config): not a valid "
        "kubeconfig",
    )


async def test_run_with_an_unsupported_label_selector_names_it(tmp_path: Path) -> None:
    env = clean_env(tmp_path, **CONNECTION, DDISYNC_LABEL_SELECTOR="shard in (a,b)")
    done = await ddisync("run", env=env)
    assert done.code == 2
    assert done.err.startswith("ddisync: invalid settings: DDISYNC_LABEL_SELECTOR: ")
    assert len(done.err.splitlines()) == 1


async def test_run_help_lists_every_variable_with_its_default(tmp_path: Path) -> None:
    done = await ddisync("run", "--help", env=clean_env(tmp_path))
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
async def test_a_tool_with_a_missing_password_file_says_so(
    tmp_path: Path, command: list[str]
) -> None:
    missing = tmp_path / "no-such-file"
    connection = ["--url", "http://127.0.0.1:9", "--username", "u", "--password-file", str(missing)]
    done = await ddisync(*command, *connection, env=clean_env(tmp_path))
    assert done.code == 2
    assert_one_line(
        done.err, f"ddisync {command[0]}: --password-file {missing}: No such file or directory"
    )
    assert done.out == ""


async def test_a_tool_without_connection_settings_names_options_and_variables(
    tmp_path: Path,
) -> None:
    done = await ddisync("check", env=clean_env(tmp_path))
    assert done.code == 2
    assert_one_line(
        done.err,
        "ddisync check: missing settings: --url or DDISYNC_WAPI_URL, --username or "
        "DDISYNC_WAPI_USERNAME, --password-file or DDISYNC_WAPI_PASSWORD",
    )


async def test_a_tool_with_a_bad_variable_names_it(tmp_path: Path) -> None:
    env = clean_env(tmp_path, **CONNECTION, DDISYNC_WAPI_TIMEOUT="-1")
    done = await ddisync("plan", "-f", ".", env=env)
    assert done.code == 2
    assert_one_line(
        done.err,
        "ddisync plan: invalid settings: --timeout or DDISYNC_WAPI_TIMEOUT should be greater "
        "than 0",
    )
