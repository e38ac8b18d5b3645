"""Process and port helpers shared by the local Kafka and PostgreSQL runners."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import time
from collections.abc import Callable, Iterable
from pathlib import Path

LOCALHOST = "127.0.0.1"


def free_ports(count: int) -> list[int]:
    """Ports that are free on 127.0.0.1 right now, all distinct."""
    # Hold every socket open until all are chosen, so the kernel cannot hand out one twice.
    with contextlib.ExitStack() as stack:
        ports = []
        for _ in range(count):
            sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind((LOCALHOST, 0))
            ports.append(int(sock.getsockname()[1]))
        return ports


def read_pid(path: Path) -> int | None:
    """The PID recorded in a pid file (first line), or None if there is none."""
    try:
        first = path.read_text().split("\n", 1)[0].strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    return int(first) if first.isdigit() else None


def cmdline(pid: int) -> str:
    """The command line of a live process, space-joined; '' if it is gone."""
    path = Path(f"/proc/{pid}/cmdline")
    # Right after exec the kernel briefly shows an empty command line, so an empty answer
    # from a process that still exists is retried rather than taken as "not ours".
    for _ in range(50):
        try:
            raw = path.read_bytes()
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            return ""
        if raw:
            return raw.replace(b"\0", b" ").decode(errors="replace")
        time.sleep(0.02)
    return ""


def pid_alive(pid: int) -> bool:
    """Whether the process runs; a zombie (exited, not yet reaped) counts as dead."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    # The state letter follows the parenthesised command name, which may itself hold spaces.
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def pid_exists(pid: int) -> bool:
    """Whether the PID is taken at all, zombies included (kill(pid, 0) still succeeds on them)."""
    return Path(f"/proc/{pid}").exists()


def children_of(pid: int) -> list[int]:
    """Direct children of a process, found through /proc (stdlib has no process tree)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def wait_until(predicate: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    """Poll a predicate until it holds or the timeout passes; returns its last value."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
    return True


def terminate(pids: Iterable[int], timeout: float = 30.0) -> None:
    """SIGTERM all PIDs at once, wait, then SIGKILL whatever still runs."""
    pids = [pid for pid in pids if pid_alive(pid)]
    # Signal every process before waiting on any, so members of a cluster shut down together.
    for pid in pids:
        send(pid, signal.SIGTERM)
    if wait_until(lambda: not any(pid_alive(p) for p in pids), timeout):
        return
    for pid in pids:
        send(pid, signal.SIGKILL)
    wait_until(lambda: not any(pid_alive(p) for p in pids), 10.0)


def send(pid: int, sig: signal.Signals) -> None:
    """Send a signal, ignoring a process that has already gone."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def log_tail(path: Path, lines: int = 40) -> str:
    """The last lines of a log file, for error messages."""
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:])
