"""Metrics move as reconciles and WAPI calls happen, with bounded label values."""

from __future__ import annotations

import kopf
import pytest
from prometheus_client.parser import text_string_to_metric_families

from ddisync.metrics import (
    CACHE_LAYERS,
    CACHE_RESULTS,
    KINDS,
    RESULTS,
    WAPI_METHODS,
    WAPI_OBJECTS,
    FanOutObserver,
    Metrics,
)
from ddisync.wapi.observer import RETRY_REASONS

from .conftest import requests

REQUIRED = {
    "ddisync_reconcile_total": {"kind", "result"},
    "ddisync_reconcile_duration_seconds": {"kind"},
    "ddisync_wapi_requests_total": {"grid", "method", "object", "code"},
    "ddisync_wapi_request_duration_seconds": {"grid", "method", "object"},
    "ddisync_wapi_retries_total": {"grid", "reason"},
    "ddisync_wapi_ratelimit_wait_seconds": set(),
    "ddisync_wapi_circuit_open": {"grid"},
    "ddisync_cache_requests_total": {"layer", "result"},
    "ddisync_resources": {"kind", "ready"},
    "ddisync_drift_repaired_total": {"kind"},
    "ddisync_drift_sweep_duration_seconds": {"kind"},
    "ddisync_orphans": {"kind"},
}

ALLOWED = {
    "kind": KINDS | {"other"},
    "result": RESULTS | CACHE_RESULTS | {"other"},
    "method": WAPI_METHODS | {"other"},
    "object": WAPI_OBJECTS | {"other"},
    "reason": RETRY_REASONS | {"other"},
    "layer": CACHE_LAYERS | {"other"},
    "ready": {"True", "False", "Unknown"},
}


def value(metrics: Metrics, name: str, **labels: str) -> float | None:
    return metrics.registry.get_sample_value(name, labels)


def exercise_everything(metrics: Metrics) -> None:
    observer = metrics.wapi_observer()
    observer.on_request(method="GET", objtype="record:a", status=200, seconds=0.02)
    observer.on_retry(reason="503")
    observer.on_rate_limit_wait(0.25)
    observer.on_circuit_change(True)
    metrics.reconcile_finished("Record", "synced", 0.1)
    metrics.cache_request("memory", "hit")
    metrics.set_resources("Record", {"True": 1})
    metrics.drift_repaired("Record")
    metrics.drift_swept("Record", 0.2)
    metrics.set_orphans("Record", 0)


def test_every_required_metric_is_exposed_with_help_and_its_labels() -> None:
    metrics = Metrics()
    exercise_everything(metrics)
    families = {f.name: f for f in text_string_to_metric_families(metrics.exposition().decode())}
    for name, labels in REQUIRED.items():
        family = families.get(name.removesuffix("_total"))
        assert family is not None, name
        assert family.documentation, f"{name} has no help text"
        for sample in family.samples:
            if sample.name.endswith("_bucket"):
                assert set(sample.labels) == labels | {"le"}
            else:
                assert set(sample.labels) == labels, sample


def test_a_finished_reconcile_moves_the_counter_and_the_histogram() -> None:
    metrics = Metrics()
    assert value(metrics, "ddisync_reconcile_total", kind="Network", result="synced") == 0
    metrics.reconcile_finished("Network", "synced", 0.3)
    metrics.reconcile_finished("Network", "retry", 1.5)
    assert value(metrics, "ddisync_reconcile_total", kind="Network", result="synced") == 1
    assert value(metrics, "ddisync_reconcile_total", kind="Network", result="retry") == 1
    assert value(metrics, "ddisync_reconcile_duration_seconds_count", kind="Network") == 2
    assert value(metrics, "ddisync_reconcile_duration_seconds_sum", kind="Network") == 1.8
    assert value(metrics, "ddisync_last_successful_sync_timestamp_seconds", kind="Network")


@pytest.mark.parametrize(
    ("raised", "result"),
    [
        (None, "synced"),
        (kopf.TemporaryError("grid busy", delay=15), "retry"),
        (kopf.PermanentError("not owned"), "refused"),
        (KeyError("bug"), "failed"),
    ],
)
def test_reconciling_counts_by_how_the_block_ended(raised: Exception | None, result: str) -> None:
    metrics = Metrics()
    synced: list[bool] = []
    try:
        with metrics.reconciling("Record", on_synced=lambda: synced.append(True)):
            if raised is not None:
                raise raised
    except Exception as error:
        assert error is raised
    assert value(metrics, "ddisync_reconcile_total", kind="Record", result=result) == 1
    counts = [value(metrics, "ddisync_reconcile_total", kind="Record", result=r) for r in RESULTS]
    assert sum(c or 0 for c in counts) == 1
    assert synced == ([True] if result == "synced" else [])


def test_the_wapi_observer_maps_every_hook() -> None:
    metrics = Metrics()
    observer = metrics.wapi_observer()
    observer.on_request(method="GET", objtype="record:a", status=200, seconds=0.01)
    observer.on_request(method="POST", objtype="network", status=503, seconds=0.2)
    observer.on_request(method="PUT", objtype="record:host", status="error", seconds=30.0)
    observer.on_retry(reason="503")
    observer.on_retry(reason="timeout")
    observer.on_rate_limit_wait(0.5)
    assert requests(metrics, "GET", "record:a", "200") == 1
    assert requests(metrics, "POST", "network", "503") == 1
    assert requests(metrics, "PUT", "record:host", "error") == 1
    duration = "ddisync_wapi_request_duration_seconds_count"
    assert value(metrics, duration, grid="default", method="GET", object="record:a") == 1
    assert value(metrics, "ddisync_wapi_retries_total", grid="default", reason="503") == 1
    assert value(metrics, "ddisync_wapi_retries_total", grid="default", reason="timeout") == 1
    assert value(metrics, "ddisync_wapi_ratelimit_wait_seconds_sum") == 0.5
    assert value(metrics, "ddisync_wapi_circuit_open", grid="default") == 0
    observer.on_circuit_change(True)
    assert value(metrics, "ddisync_wapi_circuit_open", grid="default") == 1
    observer.on_circuit_change(False)
    assert value(metrics, "ddisync_wapi_circuit_open", grid="default") == 0


def test_a_ref_is_reported_by_its_object_type_only() -> None:
    metrics = Metrics()
    ref = "record:a/ZG5zLmJpbmRfYSQuX2RlZmF1bHQuY29tLmV4YW1wbGU:www.example.com/default"
    metrics.wapi_observer().on_request(method="DELETE", objtype=ref, status=200, seconds=0.01)
    assert requests(metrics, "DELETE", "record:a", "200") == 1
    assert "www.example.com" not in metrics.exposition().decode()


@pytest.mark.parametrize(
    "objtype", ["www.example.com", "10.1.2.3", "record:a_custom", "network/abc:10.0.0.0/24", ""]
)
def test_a_name_like_object_type_is_reported_as_other(objtype: str) -> None:
    metrics = Metrics()
    metrics.wapi_observer().on_request(method="GET", objtype=objtype, status=200, seconds=0.01)
    expected = "network" if objtype.startswith("network/") else "other"
    assert requests(metrics, "GET", expected, "200") == 1


def test_every_label_value_stays_in_its_fixed_set_whatever_comes_in() -> None:
    metrics = Metrics()
    weird = ["default/my-record", "10.0.0.1", "x" * 200, "Record ", "SELECT", "2001:db8::1"]
    observer = FanOutObserver(metrics.wapi_observer())
    for text in weird:
        observer.on_request(method=text, objtype=text, status=999, seconds=0.0)
        observer.on_retry(reason=text)
        metrics.reconcile_finished(text, "synced", 0.0)
        metrics.cache_request(text, text)
        metrics.set_resources(text, {text: 3})
        metrics.drift_repaired(text)
        metrics.set_orphans(text, 1)
    families = text_string_to_metric_families(metrics.exposition().decode())
    for family in families:
        for sample in family.samples:
            for label, label_value in sample.labels.items():
                if label == "le":
                    continue
                if label == "code":
                    assert label_value == "error" or 100 <= int(label_value) <= 599
                    continue
                if label == "grid":  # the operator's grids, named by the cluster admin
                    assert label_value == "default"
                    continue
                assert label_value in ALLOWED[label], (sample.name, label, label_value)


def test_resource_counts_reset_the_statuses_not_given() -> None:
    metrics = Metrics()
    metrics.set_resources("Network", {"True": 5, "False": 2})
    metrics.set_resources("Network", {"True": 6})
    assert value(metrics, "ddisync_resources", kind="Network", ready="True") == 6
    assert value(metrics, "ddisync_resources", kind="Network", ready="False") == 0
    assert value(metrics, "ddisync_resources", kind="Network", ready="Unknown") == 0


def test_drift_orphans_and_cache_hooks_move_their_metrics() -> None:
    metrics = Metrics()
    metrics.drift_repaired("Record")
    metrics.drift_repaired("Record", 2)
    metrics.set_orphans("Network", 4)
    metrics.cache_request("redis", "miss")
    metrics.cache_request("redis", "miss")
    metrics.cache_request("memory", "hit")
    assert value(metrics, "ddisync_drift_repaired_total", kind="Record") == 3
    assert value(metrics, "ddisync_orphans", kind="Network") == 4
    assert value(metrics, "ddisync_cache_requests_total", layer="redis", result="miss") == 2
    assert value(metrics, "ddisync_cache_requests_total", layer="memory", result="hit") == 1


def test_two_operators_in_one_process_keep_separate_metrics() -> None:
    first, second = Metrics(), Metrics()
    first.reconcile_finished("Network", "synced", 0.1)
    assert value(first, "ddisync_reconcile_total", kind="Network", result="synced") == 1
    assert value(second, "ddisync_reconcile_total", kind="Network", result="synced") == 0


def test_an_observer_that_raises_does_not_stop_the_others() -> None:
    class Broken:
        def on_request(self, **_: object) -> None:
            raise RuntimeError("boom")

        def on_retry(self, **_: object) -> None:
            raise RuntimeError("boom")

        def on_rate_limit_wait(self, seconds: float) -> None:
            raise RuntimeError("boom")

        def on_circuit_change(self, open: bool) -> None:
            raise RuntimeError("boom")

        def on_batch(self, size: int) -> None:
            raise RuntimeError("boom")

    metrics = Metrics()
    observer = FanOutObserver(Broken(), metrics.wapi_observer())
    observer.on_request(method="GET", objtype="network", status=200, seconds=0.01)
    observer.on_circuit_change(True)
    assert requests(metrics, "GET", "network", "200") == 1
    assert value(metrics, "ddisync_wapi_circuit_open", grid="default") == 1
