"""The rebuild's progress on stderr: a live bar on a terminal, else a plain line now and then."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

# Without a terminal (CI, `kubectl logs`, a pipe) a redrawn bar is noise: one line this often.
PLAIN_EVERY_SECONDS = 5.0


class _Rate(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} events/s" if speed else "", style="progress.data.speed")


class RebuildProgress:
    """Counts records read against a total that grows as the live topics do."""

    def __init__(self, stream: TextIO | None = None, *, enabled: bool = True) -> None:
        self._console = Console(file=stream or sys.stderr)
        self._enabled = enabled
        self._bar: Progress | None = None
        self._task: TaskID | None = None
        self._total = self._done = 0
        self._phase = "starting"
        self._started = self._last_line = self._phase_started = time.monotonic()
        # Seconds spent in each phase, in order (a phase named twice adds up).
        self.phase_seconds: dict[str, float] = {}

    def __enter__(self) -> RebuildProgress:
        if self._enabled and self._console.is_terminal:
            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                _Rate(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=self._console,
            )
            self._bar.start()
            self._task = self._bar.add_task("rebuild", total=0)
        return self

    def __exit__(self, *exc: object) -> None:
        self._close_phase()
        if self._bar is not None:
            self._bar.stop()
        elif self._enabled:
            self._line(final=True)

    def phase(self, name: str) -> None:
        self._close_phase()
        self._phase = name
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, description=name)
        elif self._enabled:
            self._line()

    def _close_phase(self) -> None:
        now = time.monotonic()
        kind = self._phase.split(" (")[0]  # catch-up rounds add to their phase
        self.phase_seconds[kind] = self.phase_seconds.get(kind, 0.0) + now - self._phase_started
        self._phase_started = now

    def grow(self, events: int) -> None:
        self._total += events
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, total=self._total)

    def advance(self, events: int) -> None:
        self._done += events
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, advance=events)
        elif self._enabled and time.monotonic() - self._last_line >= PLAIN_EVERY_SECONDS:
            self._line()

    def _line(self, *, final: bool = False) -> None:
        now = time.monotonic()
        self._last_line = now
        rate = self._done / max(now - self._started, 1e-9)
        share = f" ({100 * self._done / self._total:.0f}%)" if self._total else ""
        label = "done" if final else self._phase
        self._console.print(
            f"rebuild: {label}: {self._done:,}/{self._total:,} events{share}, {rate:,.0f} events/s",
            highlight=False,
            soft_wrap=True,
        )
