from ddisync.api import Condition, Reason, set_condition


def _ready(conditions: list[Condition]) -> Condition:
    return next(c for c in conditions if c.type == "Ready")


def test_transition_time_stays_while_the_status_does_not_flip() -> None:
    first = set_condition(
        [],
        type="Ready",
        status="False",
        reason=Reason.INFOBLOX_UNAVAILABLE,
        message="down",
        generation=1,
        now="2026-01-01T00:00:00Z",
    )
    again = set_condition(
        first,
        type="Ready",
        status="False",
        reason=Reason.CONFLICT,
        message="other",
        generation=2,
        now="2026-01-01T00:05:00Z",
    )
    assert _ready(again).last_transition_time == "2026-01-01T00:00:00Z"
    assert _ready(again).reason == "Conflict"
    assert _ready(again).observed_generation == 2


def test_transition_time_moves_when_the_status_flips() -> None:
    down = set_condition(
        [],
        type="Ready",
        status="False",
        reason=Reason.INFOBLOX_UNAVAILABLE,
        message="down",
        generation=1,
        now="2026-01-01T00:00:00Z",
    )
    up = set_condition(
        down,
        type="Ready",
        status="True",
        reason=Reason.SYNCED,
        message="ok",
        generation=1,
        now="2026-01-01T00:01:00Z",
    )
    assert _ready(up).last_transition_time == "2026-01-01T00:01:00Z"
    assert len(up) == 1


def test_other_condition_types_are_kept() -> None:
    other = Condition(type="Synced", status="True", reason="Synced", last_transition_time="t")
    result = set_condition(
        [other],
        type="Ready",
        status="True",
        reason=Reason.SYNCED,
        message="",
        generation=1,
        now="now",
    )
    assert {c.type for c in result} == {"Synced", "Ready"}
