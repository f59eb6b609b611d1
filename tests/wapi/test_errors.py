"""Grid answers become the narrowest typed error, with the grid's text."""

from __future__ import annotations

import json

import pytest

from ddisync.wapi.errors import (
    ConflictError,
    InvalidFieldError,
    InvalidRequestError,
    NoFreeAddressError,
    NotFoundError,
    ParentNotFoundError,
    WapiResponseError,
    error_from_response,
)


def body(code: str, text: str, error: str) -> bytes:
    return json.dumps({"Error": error, "code": code, "text": text}).encode()


CONFLICT = "AdmConDataError: None (IBDataConflictError: IB.Data.Conflict:{})"
DATA = "AdmConDataError: None (IBDataError: IB.Data:{})"


@pytest.mark.parametrize(
    ("status", "code", "text", "expected"),
    [
        (
            400,
            "Client.Ibap.Data.Conflict",
            "The record 'x.example.com' already exists.",
            ConflictError,
        ),
        (
            400,
            "Client.Ibap.Data.Conflict",
            "The action is not allowed. A parent was not found.",
            ParentNotFoundError,
        ),
        (404, "Client.Ibap.Data.NotFound", "Reference record:a/abc not found", NotFoundError),
        (
            400,
            "Client.Ibap.Data",
            "Cannot find 1 available IP address(es) in this network.",
            NoFreeAddressError,
        ),
        (400, "Client.Ibap.Data", "Can not find requested number of networks", NoFreeAddressError),
        (400, "Client.Ibap.Proto", "Unknown argument/field: 'colour'", InvalidFieldError),
        (400, "Client.Ibap.Proto", "Field is not writable: view", InvalidFieldError),
        (
            400,
            "Client.Ibap.Proto",
            "Invalid value for ttl: x: Must be integer type",
            InvalidFieldError,
        ),
        (400, "Client.Ibap.Proto", "Unknown extensible attribute: Colour", InvalidFieldError),
        (400, "Client.Ibap.Proto", "Unknown object type (record)", InvalidRequestError),
        (
            400,
            "Client.Ibap.Proto",
            "10.9.0.0/24,default does not match any unique networks/ranges (ipv4addr)",
            ParentNotFoundError,
        ),
        (400, "Client.Ibap.Proto.JSONDecoding", "JSON Decoding: bad", InvalidRequestError),
    ],
)
def test_grid_errors_map_to_the_narrowest_class(
    status: int, code: str, text: str, expected: type[WapiResponseError]
) -> None:
    envelope = CONFLICT if "Conflict" in code else DATA if code == "Client.Ibap.Data" else "{}"
    error = error_from_response(
        status, body(code, text, envelope.format(text)), method="POST", objtype="record:a"
    )
    assert type(error) is expected
    assert error.text == text
    assert error.code == code
    assert error.status == status
    assert "record:a" in str(error) and text in str(error)


def test_plain_text_version_error_is_an_invalid_request() -> None:
    error = error_from_response(400, b"Version 2.99 not supported")
    assert isinstance(error, InvalidRequestError)
    assert error.text == "Version 2.99 not supported"


def test_long_html_bodies_are_truncated() -> None:
    error = error_from_response(418, b"<html>" + b"x" * 5000 + b"</html>")
    assert type(error) is WapiResponseError
    assert len(error.text) < 600
