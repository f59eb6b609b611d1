"""The ``DDIGrant`` kind: what some namespaces may do on one grid (cluster-scoped).

A grant names its grid, the namespaces it is for, and the DNS and IPAM space they may use.
``ddisync.tenancy.grants`` judges a resource against the grants of its namespace; this module
only says what a well-formed grant is.

Decisions (the contract cluster admins see):

- **Namespaces**: ``namespaces`` (names) and/or ``namespaceSelector`` (a Kubernetes label
  selector on Namespace objects, ``matchLabels`` and ``matchExpressions``). A namespace is
  covered when it is listed *or* selected. At least one of the two must be given; an empty
  selector ``{}`` selects every namespace, as everywhere in Kubernetes.
- **grid** defaults to ``default``, the grid of the operator's own settings.
- **dns** left out: no DNS at all. ``dns.views`` defaults to ``[default]`` (the view a Record
  gets when it names none). ``dns.zones`` are DNS suffixes, at least one: a name is inside
  when it equals one or ends in ``.<suffix>``. They are normalised: lower-case, one trailing
  dot dropped. A wildcard (``*.example.com``) is refused: the suffix already covers every
  name below it. ``dns.recordTypes`` left out: every type; an empty list is refused (it would
  grant nothing and looks like "all").
- **ipam** left out: no networks, and no PTR records or ``createPTR`` (their addresses must lie
  in a granted container). ``ipam.networkViews`` defaults to ``[default]``.
  ``ipam.containers`` (at least one) are CIDRs in canonical form, IPv4 or IPv6.
  ``ipam.prefixLength`` left out: any size; ``min`` and ``max`` default to 0 and 128 and
  apply to both address families (write one grant per family to bound them apart).
- **adopt**: whether resources may take over Infoblox objects ddisync did not create.
- A grant must give ``dns`` and/or ``ipam``: one with neither grants nothing.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Self

from pydantic import AfterValidator, Field, model_validator
from pydantic.config import JsonDict

from ddisync.api.grid import DEFAULT_GRID, NAMESPACE_NAME, OBJECT_NAME
from ddisync.api.meta import Model, ViewName
from ddisync.api.network import Cidr
from ddisync.api.record_rules import RecordType
from ddisync.api.syntax import MAX_NAME, SERVICE_NAME, dns_name_problem, must_match

# A zone suffix as written: a DNS name (service labels allowed: _tcp.example.com), any case,
# an optional trailing dot. ``[.]`` rather than ``\.``: the pattern is also a CEL string.
ZONE_SUFFIX = SERVICE_NAME.replace(r"\.", "[.]").removesuffix("$") + "[.]?$"
# Label keys (optional DNS-subdomain prefix and '/') and values, as Kubernetes defines them.
LABEL_KEY = (
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
    r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"
)
LABEL_VALUE = r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$"


def normalise_suffix(value: str) -> str:
    """A zone suffix as grants compare it: lower-case, without the trailing dot.

    Raises ``ValueError`` saying what is wrong with one that is not a DNS name.
    """
    if value.startswith("*."):
        raise ValueError(
            f"{value!r}: write the zone suffix without the wildcard ({value[2:]!r}); "
            "every name below a suffix is inside it"
        )
    suffix = value.lower().removesuffix(".")
    if not suffix:
        raise ValueError(f"{value!r} is not a zone suffix (e.g. team-a.example.com)")
    problem = dns_name_problem(suffix, SERVICE_NAME, "a DNS suffix (e.g. team-a.example.com)")
    if problem:
        raise ValueError(problem)
    return suffix


# The CRD checks the shape with CEL (a rule carries a message); the model checks it in
# ``normalise_suffix``, which explains what is wrong (a schema pattern here would answer first,
# with only "should match pattern").
ZoneSuffix = Annotated[
    str,
    Field(
        max_length=MAX_NAME + 1,
        json_schema_extra=must_match(
            ZONE_SUFFIX,
            message="a zone must be a DNS suffix without wildcard, e.g. team-a.example.com",
        ),
    ),
    AfterValidator(normalise_suffix),
]
# A CIDR in canonical form (checked by the model); the CRD checks it with Kubernetes' CIDR
# library, which accepts host bits unless asked whether the prefix is its own masked form.
ContainerCidr = Annotated[
    Cidr,
    Field(
        json_schema_extra={
            "x-kubernetes-validations": [
                {
                    "rule": "isCIDR(self) && cidr(self) == cidr(self).masked()",
                    "message": "a container must be a CIDR without host bits, e.g. 10.64.0.0/12",
                }
            ]
        }
    ),
]
NamespaceName = Annotated[str, Field(max_length=63, pattern=NAMESPACE_NAME)]
LabelKey = Annotated[str, Field(max_length=317, pattern=LABEL_KEY)]
LabelValue = Annotated[str, Field(max_length=63, pattern=LABEL_VALUE)]


class SelectorOperator(StrEnum):
    IN = "In"
    NOT_IN = "NotIn"
    EXISTS = "Exists"
    DOES_NOT_EXIST = "DoesNotExist"


class LabelSelectorRequirement(Model):
    """One ``matchExpressions`` entry, with Kubernetes' meaning."""

    key: LabelKey = Field(description="The label key.")
    operator: SelectorOperator = Field(description="In, NotIn, Exists or DoesNotExist.")
    values: list[LabelValue] = Field(
        default_factory=list,
        description="In, NotIn: the values (at least one). Exists, DoesNotExist: none.",
    )

    @model_validator(mode="after")
    def _values_fit_operator(self) -> Self:
        needs_values = self.operator in (SelectorOperator.IN, SelectorOperator.NOT_IN)
        if needs_values and not self.values:
            raise ValueError(f"operator {self.operator} needs at least one value")
        if not needs_values and self.values:
            raise ValueError(f"operator {self.operator} takes no values")
        return self


class LabelSelector(Model):
    """A Kubernetes label selector; every term must hold. Empty: selects everything."""

    match_labels: dict[LabelKey, LabelValue] = Field(
        default_factory=dict, description="Labels the namespace must carry, with these values."
    )
    match_expressions: list[LabelSelectorRequirement] = Field(
        default_factory=list, description="Set-based requirements on the namespace's labels."
    )


class DnsGrant(Model):
    """The DNS space granted: views, zone suffixes, record types."""

    views: list[ViewName] = Field(
        default_factory=lambda: ["default"],
        min_length=1,
        description="DNS views records may be in.",
    )
    zones: list[ZoneSuffix] = Field(
        min_length=1,
        description="DNS suffixes: a name is inside when it equals one or ends in '.<suffix>'. "
        "Case-insensitive; a trailing dot is ignored.",
    )
    record_types: list[RecordType] | None = Field(
        None,
        min_length=1,
        description="Record types allowed; left out: all.",
    )


class PrefixLengthRange(Model):
    """Sizes a Network may have, or allocate: ``min`` <= prefix length <= ``max``."""

    min: int = Field(0, ge=0, le=128, description="Shortest prefix length (largest network).")
    max: int = Field(128, ge=0, le=128, description="Longest prefix length (smallest network).")

    @model_validator(mode="after")
    def _min_not_above_max(self) -> Self:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) must not be greater than max ({self.max})")
        return self


PREFIX_LENGTH_RULES: JsonDict = {
    "x-kubernetes-validations": [
        {
            "rule": "!has(self.min) || !has(self.max) || self.min <= self.max",
            "message": "prefixLength.min must not be greater than prefixLength.max",
        }
    ]
}


class IpamGrant(Model):
    """The address space granted: network views, containers, network sizes."""

    network_views: list[ViewName] = Field(
        default_factory=lambda: ["default"],
        min_length=1,
        description="Network views networks may be in.",
    )
    containers: list[ContainerCidr] = Field(
        min_length=1,
        description="CIDRs every Network (its cidr, or the container it allocates from) and "
        "every PTR address must lie inside.",
    )
    prefix_length: PrefixLengthRange | None = Field(
        None,
        description="Sizes a Network may have or allocate; left out: any.",
        json_schema_extra=PREFIX_LENGTH_RULES,
    )


class DDIGrantSpec(Model):
    """What the namespaces of this grant may do on one grid."""

    grid: str = Field(
        DEFAULT_GRID,
        max_length=253,
        pattern=OBJECT_NAME,
        description="An InfobloxGrid name, or 'default' (the operator's own connection).",
    )
    namespaces: list[NamespaceName] = Field(
        default_factory=list, description="Namespaces granted, by name."
    )
    namespace_selector: LabelSelector | None = Field(
        None,
        description="Namespaces granted, by their labels (Kubernetes label selector semantics; "
        "{} selects every namespace).",
    )
    dns: DnsGrant | None = Field(None, description="DNS views, zones and record types.")
    ipam: IpamGrant | None = Field(
        None, description="Network views, containers and prefix lengths."
    )
    adopt: bool = Field(
        False, description="Whether resources may adopt Infoblox objects ddisync did not create."
    )

    @model_validator(mode="after")
    def _grants_something_to_someone(self) -> Self:
        if not self.namespaces and self.namespace_selector is None:
            raise ValueError("set namespaces and/or namespaceSelector: the grant is for nobody")
        if self.dns is None and self.ipam is None:
            raise ValueError("set dns and/or ipam: the grant allows nothing")
        return self


# Rules on the whole spec, for the API server (the same rules are enforced above).
GRANT_SPEC_RULES = [
    {
        "rule": "(has(self.namespaces) && size(self.namespaces) > 0) "
        "|| has(self.namespaceSelector)",
        "message": "set namespaces and/or namespaceSelector: the grant is for nobody",
    },
    {
        "rule": "has(self.dns) || has(self.ipam)",
        "message": "set dns and/or ipam: the grant allows nothing",
    },
]
