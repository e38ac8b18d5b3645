"""Failpoints: named places where fault tests make this process die as `kill -9` would.

Off unless `CPPCC_FAILPOINTS` names them (comma-separated); production never sets it.
`name@n` dies on the n-th time the point is reached in this process (default: the first), so
a test can let some work through and kill the process in the middle of a stream.
"""

from __future__ import annotations

import os
import signal

_hits: dict[str, int] = {}


def failpoint(name: str) -> None:
    active = os.environ.get("CPPCC_FAILPOINTS", "")
    if not active:
        return
    for spec in active.split(","):
        point, _, nth = spec.partition("@")
        if point == name:
            _hits[name] = _hits.get(name, 0) + 1
            if _hits[name] >= int(nth or 1):
                os.kill(os.getpid(), signal.SIGKILL)
