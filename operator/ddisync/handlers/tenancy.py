"""The grants and namespace labels a reconcile is judged against (``ddisync.tenancy``).

Both are kopf indexes (``ddisync_grants``: DDIGrant name → parsed spec; ``ddisync_namespaces``:
namespace → labels). kopf holds every resource handler until the indexes hold the initial
listing, so no resource is judged against grants not read yet. Grants and namespaces are few:
the per-object cost of kopf's indexes, which ruled them out for the catalog (``index.py``),
does not arise, and Records and Networks get no toggle of their own.

A change to a grant or to a namespace's labels re-judges the resources it refused
(``recheck_forbidden``) at once; the drift sweep re-judges every resource each interval, so a
grant narrowed or deleted turns the resources outside it ``Forbidden`` there (their objects
stay untouched). With ``DDISYNC_TENANCY=off`` nothing is indexed and nothing is refused.

A DDIGrant with an invalid spec (an old CRD let it through) grants nothing: it is skipped, with
a warning naming what is wrong.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import kopf
from pydantic import ValidationError

from ddisync.api.grant import DDIGrantSpec
from ddisync.api.meta import GROUP, VERSION
from ddisync.config import Settings
from ddisync.handlers.background import register_background
from ddisync.handlers.shared import shared
from ddisync.tenancy import Enforcement, Reach, Refusal, check

logger = logging.getLogger(__name__)

# Kubernetes sets it on every namespace; namespaces never seen (no Namespace object, as in the
# emulated API) still have it, so a selector on it always works.
NAME_LABEL = "kubernetes.io/metadata.name"


@dataclass
class Tenancy:
    enforcement: Enforcement = Enforcement.ON
    # The live kopf indexes (see the module's docstring); empty until start-up hands them over.
    grants: Mapping[str, Iterable[DDIGrantSpec]] = field(default_factory=dict)
    namespace_labels: Mapping[str, Iterable[Mapping[str, str]]] = field(default_factory=dict)

    @property
    def enforced(self) -> bool:
        return self.enforcement is Enforcement.ON

    def refusal(self, reach: Reach) -> Refusal | None:
        """Why the resource may not proceed; None when a grant covers it (or off)."""
        if not self.enforced:
            return None
        labels: dict[str, str] = {}
        for found in self.namespace_labels.get(reach.namespace, ()):
            labels.update(found)
        labels[NAME_LABEL] = reach.namespace
        grants = {name: spec for name, specs in self.grants.items() for spec in specs}
        return check(reach, grants, labels)


def tenancy(memo: kopf.Memo) -> Tenancy:
    """The operator's one ``Tenancy`` (its enforcement and indexes set at start-up)."""
    return shared(memo, "tenancy", Tenancy)


def parsed_grant(name: str, spec: Any) -> DDIGrantSpec | None:
    try:
        return DDIGrantSpec.model_validate(spec or {})
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        logger.warning("DDIGrant %s grants nothing: its spec is invalid (%s)", name, problems)
        return None


def register_tenancy(
    registry: kopf.OperatorRegistry,
    settings: Settings,
    recheck: Callable[[kopf.Memo], Awaitable[None]],
) -> None:
    """Index grants and namespaces (when enforced); ``recheck`` re-judges the refused
    resources after a change."""

    @kopf.on.startup(registry=registry, id="tenancy")
    async def hand_over_indexes(memo: kopf.Memo, **kwargs: Any) -> None:
        known = tenancy(memo)
        known.enforcement = Enforcement(settings.tenancy)
        if not known.enforced:
            logger.warning("Tenancy is off (DDISYNC_TENANCY=off): every namespace may do anything")
            return
        known.grants = kwargs["ddisync_grants"]
        known.namespace_labels = kwargs["ddisync_namespaces"]

    if Enforcement(settings.tenancy) is not Enforcement.ON:
        return

    async def recheck_after_changes(memo: kopf.Memo) -> None:
        """Re-judge the refused resources soon after grants or namespaces changed, once for a
        burst of changes; a change during a recheck brings another. A background task, so
        that kopf's clean-up stops it before it closes the API sessions a recheck writes with."""
        changes = shared(memo, "tenancy_changes", asyncio.Event)
        while True:
            await changes.wait()
            await asyncio.sleep(0.2)  # the rest of the burst
            changes.clear()
            try:
                await recheck(memo)
            except Exception:  # a bug must not end the rechecks of later changes
                logger.exception("Re-judging the refused resources failed")

    register_background(registry, "tenancy-recheck", recheck_after_changes)

    def changed(memo: kopf.Memo) -> None:
        shared(memo, "tenancy_changes", asyncio.Event).set()

    @kopf.index(GROUP, VERSION, "ddigrants", registry=registry, id="ddisync_grants")
    async def grants(name: str, spec: Any, memo: kopf.Memo, **_: Any) -> Any:
        changed(memo)
        parsed = parsed_grant(name, spec)
        return {name: parsed} if parsed is not None else None

    @kopf.index("", "v1", "namespaces", registry=registry, id="ddisync_namespaces")
    async def namespaces(name: str, labels: Any, memo: kopf.Memo, **_: Any) -> Any:
        changed(memo)
        return {name: dict(labels)}
