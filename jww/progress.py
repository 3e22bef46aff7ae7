"""A progress bar on standard error for the command line's long work (verifying
every chain, writing a long export), so an operator sees it is moving."""
from __future__ import annotations

import sys
import time
from typing import TextIO

WIDTH = 30
EVERY_SECONDS = 0.1  # redrawing on each record would cost more than the work


class Bar:
    def __init__(self, label: str, total: int | None = None, stream: TextIO | None = None):
        self.label, self.total = label, total
        self.stream = stream or sys.stderr
        self._drawn = 0.0
        self._done = 0

    def __call__(self, done: int, total: int | None = None) -> None:
        self._done = done
        if total is not None:
            self.total = total
        if time.monotonic() - self._drawn >= EVERY_SECONDS:
            self._draw()

    def _draw(self) -> None:
        self._drawn = time.monotonic()
        if self.total:
            share = min(self._done / self.total, 1.0)
            filled = int(share * WIDTH)
            line = f"{self.label} [{'#' * filled}{'.' * (WIDTH - filled)}] {share:4.0%} {self._done:,}/{self.total:,}"
        else:
            line = f"{self.label} {self._done:,}"
        print(f"\r{line}", end="", file=self.stream, flush=True)

    def close(self) -> None:
        """Draw the final state and end the line."""
        self._draw()
        print(file=self.stream, flush=True)
