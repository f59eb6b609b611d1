"""The custom resources' models: the single source of truth for specs, statuses and CRDs.

Layering: ``api`` imports nothing else of ddisync. Handlers parse bodies into these models,
``reconcile`` plans from them, and ``ddisync crds`` generates the CRD YAML from them.
"""

from ddisync.api.conditions import Condition, Reason, set_condition
from ddisync.api.meta import GROUP, VERSION, DeletionPolicy, InvalidSpecError, parse_spec
from ddisync.api.network import NetworkAllocation, NetworkSpec, NetworkStatus
from ddisync.api.record import AddressFrom, NetworkRef, RecordSpec, RecordStatus, RecordType

__all__ = [
    "GROUP",
    "VERSION",
    "AddressFrom",
    "Condition",
    "DeletionPolicy",
    "InvalidSpecError",
    "NetworkAllocation",
    "NetworkRef",
    "NetworkSpec",
    "NetworkStatus",
    "Reason",
    "RecordSpec",
    "RecordStatus",
    "RecordType",
    "parse_spec",
    "set_condition",
]
