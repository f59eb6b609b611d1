"""The default grid's credential files are followed: a changed file gives new client settings
once, an unchanged one nothing, an unreadable one keeps the connection."""

from __future__ import annotations

from pathlib import Path

from ddisync.config import Settings
from ddisync.grids.files import CredentialFiles


def _settings(tmp_path: Path, password: str) -> Settings:
    (tmp_path / "password").write_text(password)
    return Settings(
        wapi_url="https://gm.example.com",
        wapi_username="svc",
        wapi_password_file=str(tmp_path / "password"),
    )


def test_a_rotated_password_gives_new_settings_once(tmp_path: Path) -> None:
    files = CredentialFiles(_settings(tmp_path, "first"))
    assert files.watched
    assert files.changed() is None
    (tmp_path / "password").write_text("second\n")
    changed = files.changed()
    assert changed is not None and changed.password == "second"
    assert changed.username == "svc" and changed.url == "https://gm.example.com"
    assert files.changed() is None


def test_a_file_gone_missing_keeps_the_connection(tmp_path: Path) -> None:
    files = CredentialFiles(_settings(tmp_path, "first"))
    (tmp_path / "password").unlink()
    assert files.changed() is None
    (tmp_path / "password").write_text("first")
    assert files.changed() is None  # back as it was: nothing to replace


def test_without_files_nothing_is_followed() -> None:
    settings = Settings(wapi_url="https://gm.example.com", wapi_username="u", wapi_password="p")
    assert not CredentialFiles(settings).watched
