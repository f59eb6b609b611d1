"""No value can change the query: everything is percent-encoded."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest

from ddisync.wapi.query import encode_query, encode_ref, objtype_of, param_pairs


@pytest.mark.parametrize(
    "value",
    ["a&b=c", "*Site=x", "we~ird", "with space", "plus+sign", "100%", "x&_max_results=5", "a=b"],
)
def test_a_hostile_value_stays_one_value(value: str) -> None:
    encoded = encode_query(param_pairs({"name": value, "view": "default"}))
    assert parse_qsl(encoded, keep_blank_values=True) == [("name", value), ("view", "default")]
    assert "&" not in encoded.replace("&view=", "")


def test_modifiers_and_ea_searches_are_encoded_keys() -> None:
    encoded = encode_query(param_pairs({"name~": "^web", "*Site": "Paris Nord", "name:": "X"}))
    assert encoded == "name~=%5Eweb&%2ASite=Paris%20Nord&name%3A=X"


def test_lists_become_repeated_arguments() -> None:
    assert param_pairs({"*Site": ["a", "b"], "disable": False, "ttl": 30}) == [
        ("*Site", "a"),
        ("*Site", "b"),
        ("disable", "false"),
        ("ttl", "30"),
    ]


def test_refs_are_quoted_once_keeping_slashes() -> None:
    ref = "record:aaaa/ZG5zLmJpbmQ:h%3A1.example.com/default"
    assert encode_ref(ref) == "record%3Aaaaa/ZG5zLmJpbmQ%3Ah%253A1.example.com/default"
    assert objtype_of(ref) == "record:aaaa"
    assert objtype_of("network") == "network"
