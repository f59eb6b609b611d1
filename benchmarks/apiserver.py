"""The emulated Kubernetes API in a process of its own, as a real deployment has it.

Prints its URL on the first line of stdout once the CRDs are installed, then serves until
stdin closes or it is signalled. Used by ``sync.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys

from ddisync_emulator.cluster import running_cluster


async def serve(port: int) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with running_cluster(port=port or None) as cluster:
        await cluster.install_crds()
        print(cluster.url, flush=True)
        await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.port))
    sys.exit(0)


if __name__ == "__main__":
    main()
