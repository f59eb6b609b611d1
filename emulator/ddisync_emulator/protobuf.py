"""Request bodies in Kubernetes' protobuf encoding, for the few kinds kubectl sends that way.

kubectl's typed commands (``kubectl create namespace``, ``create secret``, ``create
configmap``) send ``application/vnd.kubernetes.protobuf``: a real server decodes every built-in
kind from it. This decodes the kinds those commands create into the JSON body the emulator
stores; any other kind is refused with 415, as a server refuses an encoding it cannot read.
(Answers stay JSON, which kubectl accepts as well: its Accept header offers both.)

The encoding: the 4 bytes ``k8s\\0``, then a ``runtime.Unknown`` message (1: typeMeta with
1: apiVersion and 2: kind; 2: raw, the object's own message). Messages are protocol buffers
(https://protobuf.dev/programming-guides/encoding/): each field a varint key
``number << 3 | wire type``, then a varint (type 0), 8 bytes (1), a length and that many bytes
(2: strings, bytes, messages, map entries), or 4 bytes (5). Field numbers are those of
``k8s.io/api/core/v1/generated.proto`` and ``apimachinery/.../meta/v1/generated.proto``. Empty
values are left out of the JSON, as ``omitempty`` leaves them out; times the server sets itself
(creationTimestamp, ...) are skipped.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Mapping
from typing import Any

from ddisync_emulator.objects import ApiError, Body

CONTENT_TYPE = "application/vnd.kubernetes.protobuf"
_MAGIC = b"k8s\x00"

# A message schema: field number -> (JSON name, type). Types: "string", "bytes" (base64 in
# JSON), "int", "bool", a nested schema, ("repeated", type) or ("map", value type) (string keys).
Schema = Mapping[int, tuple[str, Any]]

_OWNER_REFERENCE: Schema = {
    1: ("kind", "string"),
    3: ("name", "string"),
    4: ("uid", "string"),
    5: ("apiVersion", "string"),
    6: ("controller", "bool"),
    7: ("blockOwnerDeletion", "bool"),
}
_OBJECT_META: Schema = {
    1: ("name", "string"),
    2: ("generateName", "string"),
    3: ("namespace", "string"),
    5: ("uid", "string"),
    6: ("resourceVersion", "string"),
    7: ("generation", "int"),
    11: ("labels", ("map", "string")),
    12: ("annotations", ("map", "string")),
    13: ("ownerReferences", ("repeated", _OWNER_REFERENCE)),
    14: ("finalizers", ("repeated", "string")),
}
KINDS: Mapping[tuple[str, str], Schema] = {
    ("v1", "Namespace"): {
        1: ("metadata", _OBJECT_META),
        2: ("spec", {1: ("finalizers", ("repeated", "string"))}),
        3: ("status", {1: ("phase", "string")}),
    },
    ("v1", "Secret"): {
        1: ("metadata", _OBJECT_META),
        2: ("data", ("map", "bytes")),
        3: ("type", "string"),
        4: ("stringData", ("map", "string")),
        5: ("immutable", "bool"),
    },
    ("v1", "ConfigMap"): {
        1: ("metadata", _OBJECT_META),
        2: ("data", ("map", "string")),
        3: ("binaryData", ("map", "bytes")),
        4: ("immutable", "bool"),
    },
}
_UNKNOWN: Schema = {
    1: ("typeMeta", {1: ("apiVersion", "string"), 2: ("kind", "string")}),
    2: ("raw", "bytes"),
}


def decode(body: bytes) -> Body:
    """The JSON object of a protobuf-encoded request body (``ApiError`` 400 or 415)."""
    if not body.startswith(_MAGIC):
        raise ApiError(400, "BadRequest", "the protobuf body does not start with k8s\\0")
    try:
        envelope = _message(body[len(_MAGIC) :], _UNKNOWN, raw_bytes=True)
        type_meta = envelope.get("typeMeta") or {}
        api_version, kind = type_meta.get("apiVersion", ""), type_meta.get("kind", "")
        schema = KINDS.get((api_version, kind))
        if schema is None:
            known = ", ".join(sorted(k for _, k in KINDS))
            raise ApiError(
                415,
                "UnsupportedMediaType",
                f"the emulated API server reads protobuf for {known} only, not {kind!r}: "
                "send it as JSON or YAML (kubectl apply -f)",
            )
        obj = _message(envelope.get("raw", b""), schema)
    except (IndexError, ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, "BadRequest", f"the protobuf body cannot be decoded: {exc}") from None
    return {"apiVersion": api_version, "kind": kind, **obj}


def _fields(data: bytes) -> Iterator[tuple[int, int, int | bytes]]:
    """(field number, wire type, value) of each field in a message."""
    position = 0
    while position < len(data):
        key, position = _varint(data, position)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, position = _varint(data, position)
            yield number, wire, value
        elif wire == 2:
            length, position = _varint(data, position)
            if position + length > len(data):
                raise ValueError("a field runs past the end of its message")
            yield number, wire, data[position : position + length]
            position += length
        elif wire in (1, 5):
            size = 8 if wire == 1 else 4
            yield number, wire, data[position : position + size]
            position += size
        else:
            raise ValueError(f"wire type {wire} is not used by Kubernetes")


def _varint(data: bytes, position: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, position
        shift += 7


def _message(data: bytes, schema: Schema, *, raw_bytes: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for number, _, value in _fields(data):
        if number not in schema:
            continue  # a field the emulator does not keep
        name, kind = schema[number]
        if isinstance(kind, tuple) and kind[0] == "repeated":
            out.setdefault(name, []).append(_value(value, kind[1], raw_bytes))
        elif isinstance(kind, tuple) and kind[0] == "map":
            entry = _message(_bytes(value), {1: ("key", "string"), 2: ("value", kind[1])})
            out.setdefault(name, {})[entry.get("key", "")] = entry.get("value", "")
        else:
            out[name] = _value(value, kind, raw_bytes)
    return {key: value for key, value in out.items() if value not in ("", 0, None, {})}


def _value(value: int | bytes, kind: Any, raw_bytes: bool) -> Any:
    if isinstance(kind, Mapping):
        return _message(_bytes(value), kind)
    if kind == "string":
        return _bytes(value).decode("utf-8")
    if kind == "bytes":
        raw = _bytes(value)
        return raw if raw_bytes else base64.b64encode(raw).decode("ascii")
    if kind == "bool":
        return bool(_int(value))
    if kind == "int":
        number = _int(value)
        return number - (1 << 64) if number >= 1 << 63 else number  # int64, two's complement
    raise ValueError(f"no value type {kind!r}")


def _bytes(value: int | bytes) -> bytes:
    if not isinstance(value, bytes):
        raise ValueError("a varint where a string, bytes or a message belongs")
    return value


def _int(value: int | bytes) -> int:
    if not isinstance(value, int):
        raise ValueError("bytes where a varint belongs")
    return value
