"""What a Record reconcile works with: its owner, its context, its desired state."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import kopf

from ddisync.api.conditions import Reason
from ddisync.api.record import RecordSpec
from ddisync.config import Settings
from ddisync.handlers.index import Catalog, catalog
from ddisync.handlers.lifecycle import marker_definitions
from ddisync.handlers.outcome import RetryDelays
from ddisync.reconcile.ownership import Owner
from ddisync.reconcile.record import DesiredRecord, desired_record
from ddisync.sync.eadefs import MarkerDefinitions
from ddisync.sync.errors import SyncRefused
from ddisync.wapi.client import WapiClient

KIND = "Record"


@dataclass(frozen=True)
class RecordContext:
    """What a Record reconcile needs besides the resource itself."""

    client: WapiClient
    settings: Settings
    networks: Catalog
    markers: MarkerDefinitions

    @property
    def delays(self) -> RetryDelays:
        return RetryDelays.of(self.settings)


def context_of(memo: kopf.Memo, settings: Settings) -> RecordContext:
    return RecordContext(memo.wapi, settings, catalog(memo), marker_definitions(memo))


def owner_of(body: Mapping[str, Any], cluster: str) -> Owner:
    return Owner.of(KIND, body["metadata"], cluster)


def desired_of(spec: RecordSpec, namespace: str, networks: Catalog) -> DesiredRecord:
    """The desired record; ``addressFrom`` resolved to the Network's CIDR and network view."""
    if spec.address_from is None:
        return desired_record(spec)
    name = spec.address_from.network_ref.name
    facts = networks.lookup_network(namespace, name)
    if facts is None:
        raise SyncRefused(
            Reason.NETWORK_NOT_READY,
            f"spec.addressFrom.networkRef: waiting for Network {name!r} in namespace "
            f"{namespace!r}, which does not exist (yet)",
        )
    if not facts.ready or facts.cidr is None:
        raise SyncRefused(
            Reason.NETWORK_NOT_READY,
            f"spec.addressFrom.networkRef: waiting for Network {name!r} to be Ready "
            f"(it is not: {facts.reason})",
        )
    return desired_record(spec, facts.cidr, facts.network_view)
