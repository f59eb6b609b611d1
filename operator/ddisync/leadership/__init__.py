"""Active/standby replicas: leader election on a Lease (``elector``), and running the operator
only while leading (``running``). See ``elector.py`` for the timing rules and the fencing."""

from ddisync.leadership.api import LeaseApi
from ddisync.leadership.elector import ElectionTiming, LeaderElector
from ddisync.leadership.naming import lease_name, lease_namespace, process_identity
from ddisync.leadership.running import LeadershipLost, run_while_leading

__all__ = [
    "ElectionTiming",
    "LeaderElector",
    "LeadershipLost",
    "LeaseApi",
    "lease_name",
    "lease_namespace",
    "process_identity",
    "run_while_leading",
]
