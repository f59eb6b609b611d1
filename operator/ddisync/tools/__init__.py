"""Tools that bring an existing grid under management: ``export``, ``plan`` and ``check``.

They run outside the cluster, from a laptop or a CI job, against the same grid the operator
talks to, and share its connection options (``connection.py``), or, with ``--grid NAME``, an
InfobloxGrid and its Secret read from files (``grid_files.py``):

=========  ===========================================================================
export     existing networks, records, fixed addresses and ranges -> ``Network``/``Record``/
           ``FixedAddress``/``DHCPRange`` manifests (adopt: true, deletionPolicy: Retain)
plan       manifests vs the grid now -> create / update / delete / adopt / noop / refuse
           (Forbidden by the DDIGrants in the files, ``gate.py``) / skip, no writes
check      connectivity, TLS, credentials, WAPI version, EA definitions, permissions
=========  ===========================================================================

Layering: the tools read through ``ddisync.wapi`` and decide through the pure planners of
``ddisync.reconcile`` -- the very functions the operator uses, so a plan says what the operator
would do. Like external-dns' plan policies, ``plan`` only *reads* and filters what the planners
return; nothing here branches inside the client. ``command.py`` is the only module that knows
``argparse``.
"""
