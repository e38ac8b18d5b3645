"""Failpoints: named places where fault tests make this process die as `kill -9` would.

Off unless `CPPCC_FAILPOINTS` names them (comma-separated); production never sets it.
"""

from __future__ import annotations

import os
import signal


def failpoint(name: str) -> None:
    active = os.environ.get("CPPCC_FAILPOINTS", "")
    if active and name in active.split(","):
        os.kill(os.getpid(), signal.SIGKILL)
