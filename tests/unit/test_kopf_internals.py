"""The contract of ``ddisync.kopf_internals``: what it relies on in kopf still holds.

A kopf upgrade that moves or changes one of these fails here, by name, instead of in an e2e
test that times out waiting for an Event or a status.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import logging
from pathlib import Path

import kopf
from kopf._core.actions import execution
from kopf._core.intents import handlers

import ddisync
from ddisync.kopf_internals import (
    hand_over_event_queue,
    handler_success_prefix,
    labels_match,
    patch_resource,
    take_up_event_queue,
)
from ddisync.logging import CATALOG_HANDLERS, configure_logging


def test_patch_obj_takes_what_the_sweep_passes() -> None:
    from kopf._cogs.clients import patching

    parameters = inspect.signature(patching.patch_obj).parameters
    assert {"settings", "resource", "namespace", "name", "patch", "logger"} <= set(parameters)
    assert inspect.iscoroutinefunction(patching.patch_obj)
    assert inspect.iscoroutinefunction(patch_resource)


def test_the_event_queue_is_two_context_variables_handed_over_and_taken_up() -> None:
    from kopf._core.engines import posting

    assert isinstance(posting.event_queue_var, contextvars.ContextVar)
    assert isinstance(posting.event_queue_loop_var, contextvars.ContextVar)
    memo = kopf.Memo(shared={})
    assert take_up_event_queue(memo) is False  # nothing handed over yet
    loop, queue = asyncio.new_event_loop(), asyncio.Queue[object]()
    try:

        def in_a_resource_task() -> None:
            posting.event_queue_loop_var.set(loop)
            posting.event_queue_var.set(queue)  # type: ignore[arg-type]
            hand_over_event_queue(memo)

        contextvars.copy_context().run(in_a_resource_task)

        def in_a_background_task() -> tuple[object, object]:
            assert take_up_event_queue(memo) is True
            return posting.event_queue_loop_var.get(), posting.event_queue_var.get()

        assert contextvars.copy_context().run(in_a_background_task) == (loop, queue)
    finally:
        loop.close()


def test_labels_are_judged_by_kopfs_own_matcher() -> None:
    def not_b(value: str | None, **_: object) -> bool:
        return value != "b"

    assert labels_match({"shard": "a"}, {"shard": "a"})
    assert not labels_match({"shard": "a"}, {"shard": "b"})
    assert not labels_match({"shard": "a"}, {})
    assert labels_match({"legacy": kopf.ABSENT}, {"shard": "a"})
    assert not labels_match({"legacy": kopf.ABSENT}, {"legacy": ""})
    assert labels_match({"managed": kopf.PRESENT}, {"managed": ""})
    assert labels_match({"shard": not_b}, {"shard": "a"}) and labels_match({"shard": not_b}, {})
    assert not labels_match({"shard": not_b}, {"shard": "b"})
    assert labels_match({}, {"anything": "x"})


def test_kopfs_success_line_for_a_catalog_handler_is_the_one_filtered() -> None:
    source = inspect.getsource(execution)
    assert 'logger.info(f"{handler} succeeded.")' in source
    handler = handlers.ChangingHandler(
        fn=lambda **_: None,
        id="catalog.records",  # type: ignore[arg-type]
        param=None,
        errors=None,
        timeout=None,
        retries=None,
        backoff=None,
        selector=None,
        labels=None,
        annotations=None,
        when=None,
        initial=None,
        deleted=None,
        requires_finalizer=None,
        reason=None,
        field=None,
        value=None,
        old=None,
        new=None,
        field_needs_change=None,
    )
    assert f"{handler} succeeded.".startswith(CATALOG_HANDLERS)
    assert CATALOG_HANDLERS == handler_success_prefix("catalog.") == "Handler 'catalog."
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging("text", "INFO")
        line = f"{handler} succeeded."
        record = logging.LogRecord("kopf.objects", logging.INFO, "", 0, line, (), None)
        assert not logging.getLogger("kopf.objects").filter(record)
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)


def test_no_other_module_of_the_package_imports_kopf_internals() -> None:
    package = Path(ddisync.__file__).parent
    offenders = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if path.name != "kopf_internals.py" and "kopf._" in path.read_text()
    ]
    assert offenders == []
