"""What every kind shares: the API group, the base model, common field types, spec parsing."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

GROUP = "ddisync.io"
VERSION = "v1alpha1"

# Names ddisync writes into Infoblox travel in URLs and WAPI searches. The client encodes
# them, but a name with control characters or query syntax is never what a user meant: refuse
# it early, with a message naming the field.
# C0, DEL and C1 (U+0080-U+009F: NEL breaks lines in many tools, CSI starts terminal escapes).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
OWNERSHIP_EA_PREFIX = "ddisync-"


class DeletionPolicy(StrEnum):
    DELETE = "Delete"
    RETAIN = "Retain"


class Model(BaseModel):
    """Base of every spec and status model: camelCase on the wire, unknown fields refused."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        frozen=True,
        use_enum_values=False,
    )


def _no_control_characters(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters (newlines, tabs, NUL, ...)")
    return value


def _ea_names_not_reserved(value: dict[str, str]) -> dict[str, str]:
    for name in value:
        if name.lower().startswith(OWNERSHIP_EA_PREFIX):
            raise ValueError(
                f"{name!r}: extensible attributes starting with {OWNERSHIP_EA_PREFIX!r} are "
                "ddisync's ownership markers and cannot be set in a spec"
            )
    return value


# Free text without control characters (a length limit is the field's own).
PlainText = Annotated[str, AfterValidator(_no_control_characters)]

# NIOS limits comments to 256 characters.
Comment = Annotated[str, Field(max_length=256), AfterValidator(_no_control_characters)]

# A NIOS network view or DNS view name.
ViewName = Annotated[
    str,
    Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", max_length=64),
]

EAName = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$")]
EAValue = Annotated[str, Field(max_length=256), AfterValidator(_no_control_characters)]
ExtensibleAttributes = Annotated[
    dict[EAName, EAValue],
    AfterValidator(_ea_names_not_reserved),
    Field(
        description="Extensible attributes to set on the Infoblox object (name → value). "
        "They must be defined in the grid. Names starting with 'ddisync-' are reserved.",
    ),
]


def deletion_policy_field(noun: str, note: str = "") -> Any:
    """``spec.deletionPolicy`` of a kind whose Infoblox object is a ``noun`` ("network");
    ``note``: what else deleting it removes, in parentheses."""
    removed = f"the Infoblox {noun}" + (f" ({note})" if note else "")
    return Field(
        DeletionPolicy.DELETE,
        description=f"Delete: remove {removed} with the resource. Retain: keep it.",
    )


def adopt_field(noun: str) -> Any:
    """``spec.adopt`` of a kind whose Infoblox object is a ``noun`` ("network")."""
    return Field(
        False,
        description=f"Take over an existing Infoblox {noun} that ddisync does not own. "
        f"Without it such a {noun} gives Ready=False, reason NotOwned.",
    )


def immutable(field: str, kind: str) -> dict[str, Any]:
    """The CRD rule (for ``json_schema_extra``) that refuses changing ``field`` once set."""
    message = f"{field} is immutable: create a new {kind} instead"
    return {"x-kubernetes-validations": [{"rule": "self == oldSelf", "message": message}]}


class InvalidSpecError(ValueError):
    """A spec that cannot be reconciled; ``str()`` says which field and what to fix."""


M = TypeVar("M", bound=BaseModel)


def parse_spec(model: type[M], spec: Any) -> M:
    """Validate a resource's spec; raise ``InvalidSpecError`` naming each bad field."""
    try:
        return model.model_validate(spec if spec is not None else {})
    except ValidationError as error:
        problems = []
        for item in error.errors(include_url=False):
            path = ".".join(["spec", *(str(part) for part in item["loc"])])
            message = item["msg"].removeprefix("Value error, ")
            problems.append(f"{path}: {message}")
        raise InvalidSpecError("; ".join(problems)) from None
