import kopf
import pytest

from ddisync.handlers.selectors import label_filter, selects


def test_equality_presence_and_absence_become_kopf_filters() -> None:
    filters = label_filter("shard=a, team==net, managed, !legacy")
    assert filters["shard"] == "a"
    assert filters["team"] == "net"
    assert filters["managed"] is kopf.PRESENT
    assert filters["legacy"] is kopf.ABSENT


def test_inequality_is_a_callable_filter() -> None:
    check = label_filter("shard!=b")["shard"]
    assert check("a") and not check("b")


def test_no_selector_means_no_filter() -> None:
    assert label_filter(None) == {}
    assert label_filter("") == {}


@pytest.mark.parametrize("selector", ["shard in (a,b)", "!shard=a", "a=b=c"])
def test_unsupported_selectors_are_refused_clearly(selector: str) -> None:
    with pytest.raises(ValueError, match="not supported"):
        label_filter(selector)


@pytest.mark.parametrize(
    ("labels", "selected"),
    [
        ({"shard": "a", "managed": "yes"}, True),
        ({"shard": "a", "managed": ""}, True),  # present, even empty
        ({"shard": "b", "managed": "yes"}, False),
        ({"managed": "yes"}, False),  # shard=a needs the label
        ({"shard": "a"}, False),  # managed must be present
        ({"shard": "a", "managed": "yes", "legacy": "1"}, False),  # !legacy
    ],
)
def test_selects_decides_as_the_selector_reads(labels: dict[str, str], selected: bool) -> None:
    assert selects(label_filter("shard=a,managed,!legacy"), labels) is selected


def test_inequality_selects_objects_without_the_label_as_kubernetes_does() -> None:
    filters = label_filter("shard!=b")
    assert selects(filters, {}) and selects(filters, {"shard": "a"})
    assert not selects(filters, {"shard": "b"})


def test_no_filter_selects_everything() -> None:
    assert selects({}, {}) and selects({}, {"any": "thing"})
