"""The command line the fan-out benchmarks share: sizes, where the stack is, a bound on time."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

from bench.pipeline import _stack
from shared.logging import configure_logging

Measure = Callable[[str, str, int, int, float], Coroutine[Any, Any, None]]


def run_fanout(
    measure: Measure, argv: Sequence[str] | None, *, description: str, timeout: float
) -> None:
    """Parse the arguments, start (or reuse) a stack, and run `measure` on it."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--members", type=int, default=100_000, help="members in the sector")
    parser.add_argument("--others", type=int, default=20_000, help="members of other sectors")
    parser.add_argument("--state-dir", type=Path)
    parser.add_argument("--bootstrap")
    parser.add_argument("--pg-dsn-base")
    parser.add_argument("--fast-postgres", action="store_true")
    parser.add_argument("--timeout", type=float, default=timeout)
    args = parser.parse_args(argv)
    configure_logging(service="bench", level="WARNING", json=False)
    with _stack(args) as (bootstrap, dsn_base):
        asyncio.run(measure(bootstrap, dsn_base, args.members, args.others, args.timeout))
