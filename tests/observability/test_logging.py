"""Log lines parse as JSON and carry the reconcile's correlation id and resource."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from typing import Any

import pytest

from ddisync.correlation import current_correlation_id, reconcile_context
from ddisync.logging import configure_logging

pytestmark = pytest.mark.usefixtures("restore_logging")


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def json_logs(level: str = "DEBUG") -> io.StringIO:
    stream = io.StringIO()
    configure_logging("json", level, stream=stream)
    return stream


def test_every_line_is_json_with_the_required_fields() -> None:
    stream = json_logs()
    logging.getLogger("ddisync.handlers").info("hello %s", "world", extra={"attempt": 2})
    (entry,) = lines(stream)
    assert entry["message"] == "hello world"
    assert entry["level"] == "INFO"
    assert entry["logger"] == "ddisync.handlers"
    assert entry["timestamp"].endswith("+00:00")
    assert entry["correlation_id"] == "-"
    assert entry["attempt"] == 2
    assert "resource" not in entry


def test_wapi_lines_inside_a_reconcile_carry_its_id_and_resource() -> None:
    stream = json_logs()
    with reconcile_context("Record", "team-a", "www") as cid:
        logging.getLogger("ddisync.handlers").info("reconciling")
        logging.getLogger("ddisync.wapi").debug("GET record:a 200 0.010s attempt 1/5")
    logging.getLogger("ddisync.wapi").debug("after")
    inside, wapi, after = lines(stream)
    assert len(cid) == 12
    assert int(cid, 16) >= 0
    for entry in (inside, wapi):
        assert entry["correlation_id"] == cid
        assert entry["resource"] == {"kind": "Record", "namespace": "team-a", "name": "www"}
    assert wapi["logger"] == "ddisync.wapi"
    assert after["correlation_id"] == "-"
    assert "resource" not in after


def test_each_reconcile_gets_its_own_id_and_nesting_restores_the_outer_one() -> None:
    with reconcile_context("Network", "ns", "a") as first:
        with reconcile_context("Network", "ns", "b") as second:
            assert current_correlation_id() == second
        assert current_correlation_id() == first
    assert first != second
    assert current_correlation_id() is None


async def test_the_id_follows_the_reconcile_into_tasks_it_starts() -> None:
    stream = json_logs()

    async def wapi_call() -> None:
        await asyncio.sleep(0)
        logging.getLogger("ddisync.wapi").info("in a task")

    async def reconcile(name: str) -> str:
        with reconcile_context("Record", "ns", name) as cid:
            await asyncio.create_task(wapi_call())
            return cid

    ids = await asyncio.gather(reconcile("a"), reconcile("b"))
    by_name = {e["resource"]["name"]: e["correlation_id"] for e in lines(stream)}
    assert by_name == {"a": ids[0], "b": ids[1]}


def test_kopfs_own_object_wins_over_the_context() -> None:
    stream = json_logs()
    k8s_obj = {"kind": "Network", "namespace": "ns", "name": "from-kopf", "uid": "u"}
    with reconcile_context("Network", "ns", "from-context"):
        logging.getLogger("kopf.objects").info("Handler succeeded.", extra={"k8s_obj": k8s_obj})
    (entry,) = lines(stream)
    assert entry["resource"] == {"kind": "Network", "namespace": "ns", "name": "from-kopf"}
    assert "k8s_obj" not in entry


def test_an_exception_stays_on_one_json_line() -> None:
    stream = json_logs()
    try:
        raise ValueError("bad\nvalue")
    except ValueError:
        logging.getLogger("ddisync").exception("it broke")
    (entry,) = lines(stream)
    assert "ValueError: bad" in entry["exception"]


def test_text_format_shows_the_correlation_id() -> None:
    stream = io.StringIO()
    configure_logging("text", "INFO", stream=stream)
    with reconcile_context("Record", "ns", "www") as cid:
        logging.getLogger("ddisync.wapi").info("GET record:a")
    logging.getLogger("ddisync").info("outside")
    inside, outside = stream.getvalue().splitlines()
    assert f"ddisync.wapi [{cid}] Record ns/www: GET record:a" in inside  # names the resource
    assert "ddisync [-] outside" in outside


def test_the_level_filters_lines() -> None:
    stream = json_logs("WARNING")
    logging.getLogger("ddisync").info("quiet")
    logging.getLogger("ddisync").warning("loud")
    assert [e["message"] for e in lines(stream)] == ["loud"]


def test_the_catalogs_every_event_success_is_not_logged_but_its_failure_is() -> None:
    stream = json_logs("INFO")
    objects = logging.getLogger("kopf.objects")
    objects.info("Handler 'catalog.records' succeeded.")  # kopf's words, on every watch event
    objects.info("Handler 'register_record.<locals>.record_created' succeeded.")
    objects.error("Handler 'catalog.records' failed with an exception. Will ignore.")
    assert [e["message"] for e in lines(stream)] == [
        "Handler 'register_record.<locals>.record_created' succeeded.",
        "Handler 'catalog.records' failed with an exception. Will ignore.",
    ]


def test_kopfs_error_line_for_an_outcome_ddisync_reports_is_dropped_but_a_bug_is_kept() -> None:
    stream = json_logs("INFO")
    objects = logging.getLogger("kopf.objects")
    objects.error("Handler 'record_created' failed temporarily: waiting for Network 'web'")
    objects.error("Handler 'record_created' failed permanently: spec.name: bad")
    objects.error("Handler 'record_created' failed with an exception. Will retry.")
    assert [e["message"] for e in lines(stream)] == [
        "Handler 'record_created' failed with an exception. Will retry."
    ]


def _failing(body: dict[str, Any], error: Exception) -> None:
    import kopf

    from ddisync.handlers.failure import raise_for
    from ddisync.handlers.outcome import DEFAULT_DELAYS

    with pytest.raises((kopf.TemporaryError, kopf.PermanentError)):
        raise_for(error, kopf.Patch(), body, delays=DEFAULT_DELAYS)


def test_a_failure_is_logged_once_when_its_reason_changes_not_on_every_retry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import ddisync.handlers.status
    from ddisync.api.conditions import Reason
    from ddisync.sync.errors import SyncRefused

    # Events need kopf's posting machinery, which runs only inside the operator.
    monkeypatch.setattr(ddisync.handlers.status, "announce", lambda *_, **__: None)

    stream = json_logs("INFO")
    waiting = SyncRefused(Reason.NETWORK_NOT_READY, "waiting for Network 'web'")
    refused = SyncRefused(Reason.CONFLICT, "network 10.0.0.0/24 is managed by someone else")
    fresh: dict[str, Any] = {"metadata": {"generation": 1}}
    same = {"metadata": {"generation": 1}, "status": {"conditions": [
        {"type": "Ready", "status": "False", "reason": "NetworkNotReady"}
    ]}}  # fmt: skip
    with reconcile_context("Record", "team-a", "app"):
        _failing(fresh, waiting)  # a transition: said at INFO (a wait is no problem)
        _failing(same, waiting)  # the same again: not said
        _failing(same, refused)  # a new reason: said at WARNING
    said = [(e["level"], e["message"], e["resource"]["name"]) for e in lines(stream)]
    assert said == [
        ("INFO", "NetworkNotReady: waiting for Network 'web'", "app"),
        ("WARNING", "Conflict: network 10.0.0.0/24 is managed by someone else", "app"),
    ]
