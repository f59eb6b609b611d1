"""A progress line on a terminal, silence otherwise.

WAPI never says how many objects a search will return, so this is a running count per object
type, not a percentage: ``reading record:a ... 12000``. It is drawn on stderr (stdout stays for
results) and only when stderr is a terminal, so CI logs and pipes get no carriage returns.
"""

from __future__ import annotations

import sys
from typing import TextIO

__all__ = ["Progress"]


class Progress:
    def __init__(self, stream: TextIO | None = None, *, enabled: bool | None = None) -> None:
        self._stream = stream or sys.stderr
        self._enabled = self._stream.isatty() if enabled is None else enabled
        self._label = ""
        self._count = 0
        self._width = 0

    def start(self, label: str) -> None:
        self._label, self._count = label, 0
        self._draw()

    def advance(self, count: int) -> None:
        self._count += count
        self._draw()

    def _draw(self) -> None:
        if not self._enabled:
            return
        line = f"reading {self._label} ... {self._count}"
        self._stream.write("\r" + line.ljust(self._width))
        self._width = len(line)
        self._stream.flush()

    def finish(self) -> None:
        """Clear the line, so what follows starts on a clean one."""
        if self._enabled and self._width:
            self._stream.write("\r" + " " * self._width + "\r")
            self._stream.flush()
            self._width = 0
