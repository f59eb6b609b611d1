"""A Kubernetes API emulator for ddisync's demo and tests, and the ``ddisync demo`` command.

The distribution ``ddisync-emulator``: kmock's ``KubernetesEmulator`` made apiserver-like
(``emulator``), served in-process as a cluster (``cluster``) that backs ``ddisync demo``
(``command``, ``runner``), the e2e tests and the benchmarks. It depends on the operator (the
CRDs it serves, the operator it runs) and on the WAPI simulator; the operator depends on
neither, so none of this, nor kmock, kubernetes, jsonpatch or cel-python, reaches its image.
"""
