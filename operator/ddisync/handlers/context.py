"""What a reconcile works with besides the resource itself, the same for every kind."""

from __future__ import annotations

from dataclasses import dataclass

import kopf

from ddisync.config import Settings
from ddisync.grids import Grids
from ddisync.handlers.index import Catalog, catalog
from ddisync.handlers.outcome import RetryDelays
from ddisync.handlers.tenancy import Tenancy, tenancy


@dataclass(frozen=True)
class Context:
    grids: Grids  # each resource's grid by spec.grid: its client, reads and marker check
    settings: Settings
    catalog: Catalog  # resolves references to other resources (``sync.driver.Resolver``)
    tenancy: Tenancy  # the grants a resource is judged against before any WAPI call

    @property
    def delays(self) -> RetryDelays:
        return RetryDelays.of(self.settings)


def context_of(memo: kopf.Memo, settings: Settings) -> Context:
    return Context(memo.grids, settings, catalog(memo), tenancy(memo))
