"""The I/O half of reconciling: read actual state from WAPI, plan (``ddisync.reconcile``), apply.

Knows the WAPI client but not kopf; the handlers call it and turn its outcome and errors into
status conditions.
"""
