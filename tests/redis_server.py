"""A real ``redis-server`` on a free port, for the cache tests and the chaos test.

The fixture fails (never skips) when ``redis-server`` is missing: the cache's Redis layer
is a product feature and CI must run these tests (``apt-get install redis-server``).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from tests.stack import free_port


def _server_pid(port: int) -> int | None:
    """The process id of the redis-server answering on the port, if one answers."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2) as sock:
            sock.sendall(b"INFO server\r\n")
            answer = b""
            while b"process_id:" not in answer or not answer.endswith(b"\r\n"):
                chunk = sock.recv(4096)
                if not chunk:
                    break
                answer += chunk
    except OSError:
        return None
    for line in answer.decode(errors="replace").splitlines():
        if line.startswith("process_id:"):
            return int(line.partition(":")[2])
    return None


class PortTaken(RuntimeError):
    """The port was free when chosen and taken by the time redis-server bound it."""


@dataclass
class RedisServer:
    """One ``redis-server`` process; ``kill()`` and ``start()`` keep the same port."""

    binary: str
    port: int
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start on ``port``; ready once *this* process answers there. Another test process
        (pytest-xdist) may have been handed the same free port: the answer must come from our
        own pid, and a server that exits at once (port taken) raises ``PortTaken``."""
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while _server_pid(self.port) != self.process.pid:
            if self.process.poll() is not None:
                self.process = None
                raise PortTaken(f"redis-server could not listen on port {self.port}")
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.02)

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail(
            "redis-server is not installed; the cache tests need a real one: "
            "apt-get install redis-server (scripts/ensure-system-deps.sh does it in CI)"
        )
    for attempt in range(5):
        server = RedisServer(binary, free_port())
        try:
            server.start()
            break
        except PortTaken:
            if attempt == 4:
                raise
    try:
        yield server
    finally:
        server.kill()
