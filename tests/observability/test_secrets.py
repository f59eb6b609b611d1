"""The WAPI password never appears in a log line, whatever is logged."""

from __future__ import annotations

import base64
import io
import logging

import pytest
from pydantic import SecretStr

from ddisync.config import Settings
from ddisync.correlation import reconcile_context
from ddisync.logging import configure_logging, secrets_of
from ddisync.wapi import WapiClient

pytestmark = pytest.mark.usefixtures("restore_logging")

PASSWORD = 'Zq7-"unmistakable"\\pass-W0rd'
BASIC = base64.b64encode(f"svc-ddisync:{PASSWORD}".encode()).decode()


@pytest.fixture
def settings() -> Settings:
    return Settings(
        wapi_url="https://gm.example.com",
        wapi_username="svc-ddisync",
        wapi_password=PASSWORD,
        log_format="json",
    )


def log_everything(settings: Settings) -> None:
    logger = logging.getLogger("ddisync.handlers")
    wapi_settings = settings.wapi_settings()
    with reconcile_context("Network", "ns", "net-a"):
        logger.info("settings: %s", settings)
        logger.info("settings repr: %r", settings)
        logger.info("dump: %s", settings.model_dump())
        logger.info("wapi settings: %r / %s", wapi_settings, wapi_settings)
        logger.info("client: %r", WapiClient(wapi_settings))
        logger.info("with extras", extra={"config": settings, "wapi": wapi_settings})
        try:
            raise RuntimeError(f"failed with {wapi_settings!r}")
        except RuntimeError:
            logger.exception("boom")


@pytest.mark.parametrize("log_format", ["json", "text"])
async def test_logging_the_settings_never_shows_the_password(
    settings: Settings, log_format: str
) -> None:
    stream = io.StringIO()
    configure_logging(log_format, "DEBUG", stream=stream)
    log_everything(settings)
    output = stream.getvalue()
    assert "net-a" in output or log_format == "text"
    assert "unmistakable" not in output
    assert BASIC not in output


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_a_secret_logged_by_mistake_is_redacted(settings: Settings, log_format: str) -> None:
    stream = io.StringIO()
    configure_logging(log_format, "DEBUG", secrets=secrets_of(settings), stream=stream)
    logger = logging.getLogger("ddisync.wapi")
    logger.debug("password is %s", settings.wapi_password.get_secret_value())
    logger.debug("Authorization: Basic %s", BASIC)
    logger.info("extra", extra={"leak": PASSWORD})
    output = stream.getvalue()
    assert "unmistakable" not in output
    assert BASIC not in output
    assert output.count("***") == (3 if log_format == "json" else 2)  # text omits extras


def test_no_secret_no_redaction(settings: Settings) -> None:
    # Settings refuse an empty password; a copy is not validated.
    no_password = settings.model_copy(update={"wapi_password": SecretStr("")})
    assert secrets_of(no_password) == ()
