"""ddisync: keeps Infoblox NIOS (DNS, IPAM) in step with Kubernetes ``Network`` and ``Record``."""

from importlib.metadata import PackageNotFoundError, version

try:
    # The one source is operator/pyproject.toml; installed (even editable), its metadata says it.
    __version__ = version("ddisync")
except PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0+unknown"
