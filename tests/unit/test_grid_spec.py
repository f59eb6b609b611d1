"""What a cluster admin writes in an InfobloxGrid, and what they are told when it is wrong."""

import pytest

from ddisync.api import InvalidSpecError, parse_spec
from ddisync.api.grid import InfobloxGridSpec, InfobloxGridStatus

CREDENTIALS = {"namespace": "ddisync-system", "name": "corp-wapi"}


def grid(**fields: object) -> dict[str, object]:
    return {"url": "https://gm.corp.example", "credentialsSecretRef": CREDENTIALS, **fields}


def test_the_issue_example_parses_with_its_camel_case_fields() -> None:
    spec = parse_spec(
        InfobloxGridSpec,
        grid(
            wapiVersion="2.12",
            caBundleSecretRef={"namespace": "ddisync-system", "name": "corp-ca", "key": "ca.crt"},
            insecure=False,
            rateLimit=20,
            burst=40,
            maxInFlight=8,
        ),
    )
    assert spec.url == "https://gm.corp.example"
    assert spec.credentials_secret_ref.namespace == "ddisync-system"
    assert spec.credentials_secret_ref.name == "corp-wapi"
    assert spec.ca_bundle_secret_ref is not None and spec.ca_bundle_secret_ref.key == "ca.crt"
    assert (spec.rate_limit, spec.burst, spec.max_in_flight) == (20.0, 40, 8)


def test_a_minimal_grid_gets_the_operators_own_defaults() -> None:
    spec = parse_spec(InfobloxGridSpec, grid())
    assert spec.wapi_version == "2.12"
    assert spec.ca_bundle_secret_ref is None
    assert spec.insecure is False
    assert (spec.rate_limit, spec.burst, spec.max_in_flight) == (20.0, 40, 8)


def test_the_ca_key_defaults_to_ca_crt() -> None:
    spec = parse_spec(InfobloxGridSpec, grid(caBundleSecretRef={"namespace": "x", "name": "ca"}))
    assert spec.ca_bundle_secret_ref is not None and spec.ca_bundle_secret_ref.key == "ca.crt"


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://gm.corp.example/", "https://gm.corp.example"),
        ("https://gm.corp.example:8443", "https://gm.corp.example:8443"),
        ("http://10.0.0.5", "http://10.0.0.5"),
        ("https://[2001:db8::1]:443", "https://[2001:db8::1]:443"),
    ],
)
def test_a_base_url_is_kept_without_its_trailing_slash(url: str, kept: str) -> None:
    assert parse_spec(InfobloxGridSpec, grid(url=url)).url == kept


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            grid(url="https://gm.corp.example/wapi/v2.12"),
            "spec.url: 'https://gm.corp.example/wapi/v2.12' must be the Grid Master's base URL "
            "without /wapi: write https://gm.corp.example",
        ),
        (grid(url="https://gm.corp.example/WAPI"), "without /wapi"),
        (grid(url="https://gm.corp.example/proxy"), "without path, query or fragment"),
        (grid(url="https://gm.corp.example?x=1"), "without path, query or fragment"),
        (grid(url="gm.corp.example"), "must be an http(s) URL of the Grid Master"),
        (grid(url="ftp://gm.corp.example"), "must be an http(s) URL"),
        (grid(url="https://admin:secret@gm.corp.example"), "belong in credentialsSecretRef"),
        (grid(url="https://gm.corp.example /"), "must not contain whitespace"),
        (grid(wapiVersion="v2.12"), "spec.wapiVersion: String should match"),
        (grid(rateLimit=0), "spec.rateLimit: Input should be greater than 0"),
        (grid(burst=0), "spec.burst: Input should be greater than or equal to 1"),
        (grid(maxInFlight=0), "spec.maxInFlight: Input should be greater than or equal to 1"),
        ({"url": "https://gm"}, "spec.credentialsSecretRef: Field required"),
        (grid(credentialsSecretRef={"name": "x"}), "spec.credentialsSecretRef.namespace"),
        (
            grid(credentialsSecretRef={"namespace": "Team_A", "name": "x"}),
            "spec.credentialsSecretRef.namespace: String should match",
        ),
        (
            grid(caBundleSecretRef={"namespace": "a", "name": "b", "key": "ca crt"}),
            "spec.caBundleSecretRef.key: String should match",
        ),
        (grid(rateLimt=5), "spec.rateLimt: Extra inputs are not permitted"),
    ],
)
def test_an_invalid_grid_names_the_field_and_the_fix(spec: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidSpecError) as error:
        parse_spec(InfobloxGridSpec, spec)
    assert message in str(error.value)


def test_the_status_holds_conditions_version_and_check_time() -> None:
    status = InfobloxGridStatus.model_validate(
        {
            "conditions": [
                {
                    "type": "Ready",
                    "status": "True",
                    "reason": "Synced",
                    "lastTransitionTime": "2024-01-01T00:00:00Z",
                }
            ],
            "wapiVersion": "2.12",
            "lastCheckTime": "2024-01-01T00:00:00Z",
        }
    )
    assert status.conditions[0].type == "Ready"
    assert status.model_dump(by_alias=True, exclude_none=True)["wapiVersion"] == "2.12"
