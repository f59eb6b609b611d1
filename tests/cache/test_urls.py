from __future__ import annotations

import pytest

from ddisync.cache import SentinelTarget, parse_sentinel_url, redacted


def test_a_sentinel_url_names_the_sentinels_the_service_and_the_db() -> None:
    target = parse_sentinel_url("redis+sentinel://:pw@s1:26380,s2,[::1]:5000/mymaster/2")
    assert target == SentinelTarget(
        sentinels=(("s1", 26380), ("s2", 26379), ("::1", 5000)),
        service="mymaster",
        db=2,
        password="pw",
    )


def test_the_short_scheme_and_a_sentinel_password_are_accepted() -> None:
    target = parse_sentinel_url("sentinel://u:p@s1:26379/cache?sentinel_password=sp")
    assert (target.username, target.password, target.sentinel_password) == ("u", "p", "sp")
    assert target.db == 0


def test_a_sentinel_url_without_a_service_is_refused() -> None:
    with pytest.raises(ValueError, match="service"):
        parse_sentinel_url("redis+sentinel://s1:26379")


def test_passwords_never_reach_the_logs() -> None:
    assert redacted("redis://:hunter2@h:6379/0") == "redis://***@h:6379/0"
    assert redacted("redis+sentinel://u:hunter2@a,b/m") == "redis+sentinel://u:***@a,b/m"
    assert redacted("redis://h:6379") == "redis://h:6379"
