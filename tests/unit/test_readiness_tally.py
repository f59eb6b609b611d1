from ddisync.handlers.observe import ReadinessTally


def test_a_resource_counts_once_under_its_latest_status() -> None:
    tally = ReadinessTally()
    tally.set("a", "False")
    tally.set("b", "True")
    tally.set("a", "True")
    assert tally.counts["True"] == 2
    assert tally.counts["False"] == 0


def test_a_forgotten_resource_no_longer_counts() -> None:
    tally = ReadinessTally()
    tally.set("a", "True")
    tally.set("a", None)
    tally.set("missing", None)
    assert tally.counts["True"] == 0
