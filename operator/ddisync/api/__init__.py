"""The custom resources' models: the single source of truth for specs, statuses and CRDs.

Layering: ``api`` imports nothing else of ddisync. Handlers parse bodies into these models,
``reconcile`` plans from them, and ``ddisync crds`` generates the CRD YAML from them.
"""

from ddisync.api.conditions import Condition, Reason, set_condition
from ddisync.api.meta import GROUP, VERSION, DeletionPolicy, InvalidSpecError, parse_spec
from ddisync.api.network import NetworkAllocation, NetworkSpec, NetworkStatus

__all__ = [
    "GROUP",
    "VERSION",
    "Condition",
    "DeletionPolicy",
    "InvalidSpecError",
    "NetworkAllocation",
    "NetworkSpec",
    "NetworkStatus",
    "Reason",
    "parse_spec",
    "set_condition",
]
