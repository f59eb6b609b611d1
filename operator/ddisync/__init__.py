"""ddisync: keeps Infoblox NIOS (DNS, IPAM) in step with Kubernetes ``Network`` and ``Record``."""

__version__ = "0.1.0"
