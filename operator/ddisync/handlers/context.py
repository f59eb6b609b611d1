"""What a reconcile works with besides the resource itself, the same for every kind."""

from __future__ import annotations

from dataclasses import dataclass

import kopf

from ddisync.config import Settings
from ddisync.handlers.index import Catalog, catalog
from ddisync.handlers.lifecycle import marker_definitions
from ddisync.handlers.outcome import RetryDelays
from ddisync.handlers.tenancy import Tenancy, tenancy
from ddisync.sync.eadefs import MarkerDefinitions
from ddisync.wapi.client import WapiClient


@dataclass(frozen=True)
class Context:
    client: WapiClient
    settings: Settings
    catalog: Catalog  # resolves references to other resources (``sync.driver.Resolver``)
    markers: MarkerDefinitions
    tenancy: Tenancy  # the grants a resource is judged against before any WAPI call

    @property
    def delays(self) -> RetryDelays:
        return RetryDelays.of(self.settings)


def context_of(memo: kopf.Memo, settings: Settings) -> Context:
    return Context(memo.wapi, settings, catalog(memo), marker_definitions(memo), tenancy(memo))
