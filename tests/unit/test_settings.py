"""Settings: no default grid or credentials, ranges checked, errors that name variables only,
WAPI defaults taken from the client's, and the README's table generated from the model."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ddisync.config import Settings, SettingsError, env_name, load_settings
from ddisync.config_doc import markdown_table, variables
from ddisync.wapi.settings import WapiSettings

README = Path(__file__).resolve().parents[2] / "README.md"
SECRET = "Zq4-settings-SECRET-0451"
CONNECTION = {
    "DDISYNC_WAPI_URL": "https://gm.example.com",
    "DDISYNC_WAPI_USERNAME": "svc-ddisync",
    "DDISYNC_WAPI_PASSWORD": SECRET,
}


@pytest.fixture(autouse=True)
def _no_ddisync_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(env_name(name), raising=False)


def _error(monkeypatch: pytest.MonkeyPatch, **env: str) -> str:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    return str(caught.value)


def test_there_is_no_default_grid_url_or_credentials() -> None:
    required = [name for name, info in Settings.model_fields.items() if info.is_required()]
    assert required == ["wapi_url", "wapi_username", "wapi_password"]


def test_missing_settings_are_named_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    message = _error(monkeypatch, DDISYNC_WAPI_USERNAME="svc-ddisync")
    assert message == "missing settings: DDISYNC_WAPI_URL, DDISYNC_WAPI_PASSWORD"


def test_an_empty_variable_counts_as_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    message = _error(monkeypatch, **{**CONNECTION, "DDISYNC_WAPI_PASSWORD": ""})
    assert message == "missing settings: DDISYNC_WAPI_PASSWORD"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DDISYNC_WAPI_URL", "gm.example.com"),
        ("DDISYNC_WAPI_URL", "ftp://gm.example.com"),
        ("DDISYNC_WAPI_URL", "https://gm.example.com/wapi/v2.12"),
        ("DDISYNC_WAPI_URL", "https://gm.example.com:99999"),
        ("DDISYNC_WAPI_USERNAME", "  "),
        ("DDISYNC_WAPI_VERSION", "v2"),
        ("DDISYNC_WAPI_RATE_LIMIT", "0"),
        ("DDISYNC_WAPI_RATE_LIMIT", "-5"),
        ("DDISYNC_WAPI_BURST", "0"),
        ("DDISYNC_GRID_CHECK_INTERVAL", "0"),
        ("DDISYNC_TENANCY", "maybe"),
        ("DDISYNC_WAPI_MAX_IN_FLIGHT", "0"),
        ("DDISYNC_WAPI_TIMEOUT", "0"),
        ("DDISYNC_WAPI_MAX_ATTEMPTS", "0"),
        ("DDISYNC_WAPI_CIRCUIT_RESET_TIMEOUT", "0"),
        ("DDISYNC_WAPI_INSECURE", "maybe"),
        ("DDISYNC_RETRY_DELAY_UNAVAILABLE", "0"),
        ("DDISYNC_RETRY_DELAY_SLOW", "-1"),
        ("DDISYNC_RETRY_DELAY_AUTH", "0"),
        ("DDISYNC_CLUSTER_ID", "two words"),
        ("DDISYNC_MAX_CONCURRENT_RESOURCES", "-1"),
        ("DDISYNC_RESYNC_INTERVAL", "0"),
        ("DDISYNC_CACHE_REDIS_TIMEOUT", "0"),
        ("DDISYNC_METRICS_PORT", "65536"),
        ("DDISYNC_HEALTH_PORT", "-1"),
        ("DDISYNC_LOG_FORMAT", "xml"),
        ("DDISYNC_LOG_LEVEL", "loud"),
    ],
)
def test_an_invalid_value_is_refused_naming_its_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    message = _error(monkeypatch, **{**CONNECTION, variable: value})
    assert message.startswith(f"invalid settings: {variable} ")
    assert "\n" not in message


def test_the_two_ports_must_differ_unless_picked_freely(monkeypatch: pytest.MonkeyPatch) -> None:
    message = _error(
        monkeypatch, **CONNECTION, DDISYNC_METRICS_PORT="8000", DDISYNC_HEALTH_PORT="8000"
    )
    assert message == (
        "invalid settings: DDISYNC_METRICS_PORT and DDISYNC_HEALTH_PORT should differ"
    )
    monkeypatch.setenv("DDISYNC_METRICS_PORT", "0")
    monkeypatch.setenv("DDISYNC_HEALTH_PORT", "0")
    assert load_settings().metrics_port == 0


def test_several_problems_are_reported_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    message = _error(monkeypatch, DDISYNC_WAPI_URL="https://gm.example.com", DDISYNC_WAPI_BURST="0")
    assert message == (
        "missing settings: DDISYNC_WAPI_USERNAME, DDISYNC_WAPI_PASSWORD; "
        "invalid settings: DDISYNC_WAPI_BURST should be greater than or equal to 1"
    )


def test_no_value_ever_appears_in_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every variable holds the secret (invalid for most), the URL carries it as a password.
    for name in Settings.model_fields:
        monkeypatch.setenv(env_name(name), f"{SECRET}")
    monkeypatch.setenv("DDISYNC_WAPI_URL", f"https://admin:{SECRET}@gm.example.com")
    message = _error(monkeypatch)
    assert "DDISYNC_WAPI_URL should not carry credentials" in message
    assert SECRET not in message


def test_an_option_is_named_as_the_caller_says(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({"wapi_url": "nope"}, name_of=lambda field: f"--{field}")
    assert str(caught.value) == (
        "missing settings: --wapi_username, --wapi_password; "
        "invalid settings: --wapi_url should be an http(s) URL such as https://gm.example.com"
    )


def test_the_log_level_may_be_lower_case(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in CONNECTION.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DDISYNC_LOG_LEVEL", "debug")
    assert load_settings().log_level == "DEBUG"


def test_the_wapi_defaults_are_the_clients() -> None:
    settings = Settings(wapi_url="https://gm", wapi_username="u", wapi_password="p")
    assert settings.wapi_settings() == WapiSettings(url="https://gm", username="u", password="p")


def test_the_readme_table_is_generated_from_the_model() -> None:
    text = README.read_text(encoding="utf-8")
    found = re.search(
        r"<!-- settings table:.*?-->\n(.*?)\n<!-- end of settings table -->", text, re.S
    )
    assert found, "README.md has no settings table markers"
    assert found[1] == markdown_table(), (
        "README.md's settings table is out of date: paste the output of "
        "`.venv/bin/python -m ddisync.config_doc` between its markers"
    )


def test_every_setting_is_documented_with_its_default() -> None:
    documented = {variable.name: variable for variable in variables()}
    assert set(documented) == {env_name(name) for name in Settings.model_fields}
    assert all(variable.description for variable in documented.values())
    assert documented["DDISYNC_WAPI_URL"].required
    assert documented["DDISYNC_WAPI_RATE_LIMIT"].default == "20"
    assert documented["DDISYNC_WAPI_CA_BUNDLE"].shown_default == "unset"
    assert documented["DDISYNC_WAPI_INSECURE"].default == "false"
    assert documented["DDISYNC_TENANCY"].default == "on"


def test_credentials_may_come_from_files_whose_line_end_is_dropped(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "username").write_text("svc-ddisync")
    (tmp_path / "password").write_text(SECRET + "\n")  # as `echo ... > file` writes it
    monkeypatch.setenv("DDISYNC_WAPI_URL", "https://gm.example.com")
    monkeypatch.setenv("DDISYNC_WAPI_USERNAME_FILE", str(tmp_path / "username"))
    monkeypatch.setenv("DDISYNC_WAPI_PASSWORD_FILE", str(tmp_path / "password"))
    monkeypatch.setenv("DDISYNC_WAPI_PASSWORD", "stale")  # the file wins
    settings = load_settings()
    assert settings.wapi_username == "svc-ddisync"
    assert settings.wapi_password.get_secret_value() == SECRET


def test_an_unreadable_credential_file_is_named_without_its_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / SECRET  # a path could say too much
    message = _error(
        monkeypatch,
        DDISYNC_WAPI_URL="https://gm.example.com",
        DDISYNC_WAPI_USERNAME="svc",
        DDISYNC_WAPI_PASSWORD_FILE=str(path),
    )
    assert "DDISYNC_WAPI_PASSWORD_FILE the file cannot be read (No such file" in message
    assert SECRET not in message


def test_lease_timings_must_leave_the_fencing_margin(monkeypatch: pytest.MonkeyPatch) -> None:
    message = _error(monkeypatch, **CONNECTION, DDISYNC_LEASE_RENEW_DEADLINE="11")
    assert message == (
        "invalid settings: DDISYNC_LEASE_RETRY_PERIOD < DDISYNC_LEASE_RENEW_DEADLINE < "
        "DDISYNC_LEASE_DURATION should hold"
    )
