"""Ctrl-C: ``ddisync`` stops with exit code 130 (128 + SIGINT) and no traceback; ``ddisync run``
stopped by SIGTERM, as Kubernetes stops a pod, still exits 0."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from ddisync_emulator import kubeconfig as kubeconfigs
from ddisync_emulator.cluster import Cluster
from ddisync_simulator import Simulator
from tests.cli.process import SECRET, clean_env, finish, start
from tests.stack import PASSWORD, free_port


async def _ready(url: str, process: asyncio.subprocess.Process, timeout: float = 60) -> None:
    """Until ``url`` answers 200 (the operator has started), failing if the process ends."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    async with aiohttp.ClientSession() as session:
        while loop.time() < deadline:
            assert process.returncode is None, "ddisync run stopped while starting"
            try:
                async with session.get(url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise TimeoutError(f"{url} did not answer 200 within {timeout} s")


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 0)])
async def test_a_running_operator_stops_on_a_signal_with_its_exit_code(
    cluster: Cluster, simulator: Simulator, tmp_path: Path, sig: signal.Signals, code: int
) -> None:
    health_port = free_port()
    env = clean_env(
        tmp_path,
        KUBECONFIG=str(kubeconfigs.write(tmp_path / "kubeconfig", cluster.url, "e2e")),
        DDISYNC_WAPI_URL=simulator.url,
        DDISYNC_WAPI_USERNAME="admin",
        DDISYNC_WAPI_PASSWORD=PASSWORD,
        DDISYNC_METRICS_PORT="0",
        DDISYNC_HEALTH_PORT=str(health_port),
        DDISYNC_LOG_FORMAT="text",
    )
    process = await start("run", env=env)
    try:
        await _ready(f"http://127.0.0.1:{health_port}/readyz", process)
        process.send_signal(sig)
        done = await finish(process, timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert done.code == code, done.err[-3000:]
    assert "Traceback" not in done.err
    assert f"Signal {sig.name} received: the operator is stopping." in done.err


@pytest.fixture()
async def silent_grid() -> AsyncIterator[tuple[str, asyncio.Event]]:
    """A server that accepts connections and never answers; the event is set on the second
    connection (``check`` connects once to test reachability, then to make its requests)."""
    connections: list[asyncio.StreamWriter] = []
    second = asyncio.Event()

    async def accept(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)
        if len(connections) >= 2:
            second.set()

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", second
    finally:
        for writer in connections:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_ctrl_c_while_a_tool_waits_for_the_grid_exits_130(
    silent_grid: tuple[str, asyncio.Event], tmp_path: Path
) -> None:
    url, waiting = silent_grid
    env = clean_env(
        tmp_path,
        DDISYNC_WAPI_URL=url,
        DDISYNC_WAPI_USERNAME="admin",
        DDISYNC_WAPI_PASSWORD=SECRET,
    )
    process = await start("check", env=env)
    try:
        await asyncio.wait_for(waiting.wait(), 30)
        process.send_signal(signal.SIGINT)
        done = await finish(process, timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert done.code == 130
    assert "Traceback" not in done.err
    assert SECRET not in done.out + done.err
