"""InfobloxGrid objects: keep each grid's connection and report it in the grid's status.

One kopf daemon per InfobloxGrid. Every ``grid_check_interval`` it reads the Secrets the grid
names (with kopf's credentials, by name: the chart grants reading those Secrets only), makes
or replaces the connection when anything changed (a rotated password takes effect without a
restart; ``grids.registry``), pings the Grid Master, and writes the status:

=====================  ===================================================================
Ready=False, reason    when
=====================  ===================================================================
InvalidSpec            the spec breaks the model's rules (an old CRD let it through)
SecretMissing          a Secret it names does not exist (or may not be read)
SecretKeyMissing       a Secret lacks ``username``, ``password`` or the CA key
AuthenticationFailed   the Grid Master refused the credentials
Unreachable            the Grid Master did not answer, or answered with an error
=====================  ===================================================================

Polling, not a watch of Secrets: watching Secrets needs the right to list them all, which an
operator reading two named Secrets should not have. The price is up to one interval (30 s by
default) between a rotation and its use. Resources on a grid that is not connected are
``GridNotReady`` and retried soon.
"""

from __future__ import annotations

import logging
from typing import Any

import kopf
from pydantic import ValidationError

from ddisync.api.conditions import ConditionStatus, Reason
from ddisync.api.grid import DEFAULT_GRID, InfobloxGridSpec
from ddisync.api.meta import GROUP, VERSION, InvalidSpecError, parse_spec
from ddisync.config import Settings
from ddisync.grids import Grids, GridSecretError, source_of
from ddisync.handlers.status import now, patch_ready
from ddisync.kopf_internals import NotFound, get_json, patch_resource
from ddisync.wapi.errors import AuthenticationError, WapiError

logger = logging.getLogger(__name__)

# The status goes to the /status subresource only when the resource says it has one.
GRIDS = kopf.Resource(
    GROUP, VERSION, "infobloxgrids", kind="InfobloxGrid", namespaced=False,
    subresources=frozenset({"status"}),
)  # fmt: skip


async def _secret(memo: kopf.Memo, namespace: str, name: str) -> dict[str, Any] | None:
    try:
        found: dict[str, Any] = await get_json(
            memo, f"/api/v1/namespaces/{namespace}/secrets/{name}", logger
        )
    except NotFound:
        return None
    return found


async def check_grid(
    memo: kopf.Memo, name: str, raw_spec: Any
) -> tuple[ConditionStatus, Reason, str]:
    """Connect (or keep the connection of) one grid; its (ready, reason, message)."""
    grids: Grids = memo.grids
    if name == DEFAULT_GRID:
        why = "the name 'default' is reserved for the operator's own grid"
        return "False", Reason.INVALID_SPEC, why
    try:
        spec = parse_spec(InfobloxGridSpec, raw_spec)
        credentials = spec.credentials_secret_ref
        ca_ref = spec.ca_bundle_secret_ref
        source = source_of(
            spec,
            await _secret(memo, credentials.namespace, credentials.name),
            await _secret(memo, ca_ref.namespace, ca_ref.name) if ca_ref else None,
        )
    except (InvalidSpecError, ValidationError) as error:
        grids.remove(name, f"its spec is invalid: {error}")
        return "False", Reason.INVALID_SPEC, str(error)
    except GridSecretError as error:
        grids.remove(name, error.message)
        return "False", error.reason, error.message
    except kopf.PermanentError as error:  # kopf's API errors other than 404, e.g. 403
        grids.remove(name, f"its Secret cannot be read: {error}")
        return "False", Reason.SECRET_MISSING, f"its Secret cannot be read: {error}"
    grid = await grids.connect(name, source)
    try:
        await grid.client.ping()
    except AuthenticationError as error:
        why = f"the Grid Master refused the credentials ({error})"
        return "False", Reason.AUTHENTICATION_FAILED, why
    except WapiError as error:
        why = f"the Grid Master at {spec.url} does not answer as it should: {error}"
        return "False", Reason.INFOBLOX_UNAVAILABLE, why
    return "True", Reason.SYNCED, f"connected to {spec.url} (WAPI {spec.wapi_version})"


def register_grids(registry: kopf.OperatorRegistry, settings: Settings) -> None:
    @kopf.daemon(GROUP, VERSION, "infobloxgrids", registry=registry, id="grid-connection")
    async def keep_connected(
        name: str, body: kopf.Body, memo: kopf.Memo, stopped: kopf.DaemonStopped, **_: Any
    ) -> None:
        last: tuple[ConditionStatus, str] | None = None
        try:
            while not stopped:
                ready, reason, message = await check_grid(memo, name, body.get("spec"))
                if (ready, message) != last:
                    level = logging.INFO if ready == "True" else logging.WARNING
                    logger.log(level, "Grid %s: %s", name, message)
                    last = (ready, message)
                if ready != "True":
                    memo.grids.fail(name, message)
                patch = kopf.Patch()
                fields = {"lastCheckTime": now()}
                if ready == "True":
                    fields["wapiVersion"] = str((body.get("spec") or {}).get("wapiVersion"))
                patch_ready(patch, body, ready=ready, reason=reason, message=message, **fields)
                try:
                    await patch_resource(memo, GRIDS, None, name, patch, logger)
                except Exception as error:  # the API may be away; the next check writes it again
                    logger.warning("Grid %s: could not write its status: %s", name, error)
                await stopped.wait(settings.grid_check_interval)
        finally:
            grids: Grids | None = getattr(memo, "grids", None)
            if grids is not None:
                grids.remove(name, "its InfobloxGrid was deleted")
