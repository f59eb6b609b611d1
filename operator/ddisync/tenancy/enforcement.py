"""Whether grants are enforced: ``DDISYNC_TENANCY``, ``on`` (the default) or ``off``.

The chart sets it from ``tenancy.enforce``. ``on``: a resource proceeds only inside a DDIGrant
of its namespace on its grid, and is refused before any WAPI call otherwise. ``off``: grants
are not consulted and every namespace may do anything on every grid (a cluster with a single
team, or while grants are being written). On by default: an operator with one WAPI account
that writes whatever any namespace asks is a confused deputy.

It is the ``tenancy`` field of ``ddisync.config.Settings``, defaulting to ``DEFAULT``.
"""

from __future__ import annotations

from enum import StrEnum


class Enforcement(StrEnum):
    ON = "on"
    OFF = "off"


DEFAULT = Enforcement.ON
