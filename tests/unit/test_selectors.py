import kopf
import pytest

from ddisync.handlers.selectors import label_filter


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
