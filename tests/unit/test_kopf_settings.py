"""The worker cap reaches kopf: 300 by default, none with 0."""

from __future__ import annotations

from ddisync.config import Settings
from ddisync.runtime import kopf_settings


def test_the_default_cap_reaches_kopf_with_a_short_idle_timeout() -> None:
    settings = kopf_settings(max_workers=Settings.model_fields["max_concurrent_resources"].default)
    assert settings.queueing.worker_limit == 300
    assert settings.queueing.idle_timeout == 0.5  # a worker frees its slot soon after its work


def test_zero_means_no_cap() -> None:
    settings = kopf_settings(max_workers=0)
    assert settings.queueing.worker_limit is None
    assert settings.queueing.idle_timeout == kopf_settings().queueing.idle_timeout  # kopf's own
