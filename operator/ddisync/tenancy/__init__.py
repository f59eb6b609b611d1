"""Many teams, several grids: who may touch what, judged before any WAPI call.

Cluster admins write cluster-scoped ``InfobloxGrid`` objects (connections, ``ddisync.api.grid``)
and ``DDIGrant`` objects (what some namespaces may do on one grid, ``ddisync.api.grant``).
``grants.check`` decides whether a resource's ``Reach`` lies inside one grant of its namespace.

Layering: pure. ``tenancy`` imports ``ddisync.api`` and nothing else of ddisync: no kopf, no
WAPI, no I/O. Handlers read the grants and namespace labels and call it.
"""

from ddisync.tenancy.enforcement import Enforcement
from ddisync.tenancy.grants import Aspect, Reach, Refusal, check, grants_for
from ddisync.tenancy.selector import selects

__all__ = [
    "Aspect",
    "Enforcement",
    "Reach",
    "Refusal",
    "check",
    "grants_for",
    "selects",
]
