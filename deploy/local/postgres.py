"""Runs a private PostgreSQL 15 cluster on 127.0.0.1, as the postgres user when we are root."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import pwd
import shlex
import shutil
import signal
import subprocess
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TypedDict

import asyncpg

from deploy.local._process import (
    LOCALHOST,
    children_of,
    cmdline,
    free_ports,
    log_tail,
    pid_alive,
    pid_exists,
    read_pid,
    send,
    wait_until,
)

PG_BIN = Path(os.environ.get("CPPCC_PG_BIN") or "/usr/lib/postgresql/15/bin")
PG_USER = "postgres"
_OWNER_FILE = "state_dir"


class _Layout(TypedDict):
    """What postgres.json records, so later runs (and `down`) find the same cluster."""

    port: int
    base_dir: str
    log_path: str


class PostgresCluster:
    """A private PostgreSQL cluster with trust auth, one database per service.

    Methods are synchronous and use asyncio.run for their probes: from inside an event loop,
    call them through asyncio.to_thread.
    """

    def __init__(
        self,
        state_dir: Path,
        port: int | None = None,
        *,
        extra_settings: Mapping[str, str] | None = None,
        ready_timeout: float = 60.0,
    ) -> None:
        self.state_dir = state_dir.resolve()
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self._as_root = os.geteuid() == 0
        saved = self._load_layout()
        self.port = port or (saved and saved["port"]) or free_ports(1)[0]
        self.base_dir = Path(saved["base_dir"]) if saved else self._default_base_dir()
        self.log_path = Path(saved["log_path"]) if saved else self._default_log_path()
        self.extra_settings = dict(extra_settings or {})
        self.ready_timeout = ready_timeout
        if saved and saved["port"] != self.port and self.postmaster_pid() is not None:
            raise ValueError(f"Postgres already runs on port {saved['port']}; stop it first")

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    def dsn(self, database: str) -> str:
        return f"postgresql://{PG_USER}@{LOCALHOST}:{self.port}/{database}"

    def postmaster_pid(self) -> int | None:
        """The running postmaster's PID, or None (a stale postmaster.pid counts as none)."""
        return _postmaster_pid(self.data_dir)

    def start(self) -> None:
        """initdb if needed, start if not running, then wait until `select 1` answers."""
        if self.postmaster_pid() is None:
            if self._as_root:
                _prune_orphans(self.base_dir.parent)
            self._prepare_dirs()
            if not (self.data_dir / "PG_VERSION").exists():
                self._initdb()
            self._save_layout()
            self._pg_ctl("start", "-w", "-t", "60", "-l", str(self.log_path), "-o", self._options())
        self.wait_ready()

    def stop(self) -> None:
        """Fast shutdown: open sessions are rolled back, no crash recovery on next start."""
        pid = self.postmaster_pid()
        if pid is not None:
            self._pg_ctl("stop", "-m", "fast", "-w", "-t", "60")
            wait_until(lambda: not pid_alive(pid), 10.0)

    def restart(self) -> None:
        self.stop()
        self.start()

    def kill(self) -> None:
        """SIGKILL the postmaster, as a crash would, and wait until its backends are gone too."""
        pid = self.postmaster_pid()
        if pid is None:
            return
        backends = children_of(pid)
        send(pid, signal.SIGKILL)
        # Orphaned backends hold the shared memory; a restart refuses until they exit.
        if not wait_until(lambda: not any(pid_alive(p) for p in backends), 10.0):
            for backend in backends:
                send(backend, signal.SIGKILL)
        # The dead postmaster stays a zombie until init reaps it, and while its PID exists the
        # next postmaster takes the lock file for a live one and refuses to start.
        if not wait_until(lambda: not pid_exists(pid), 15.0):
            (self.data_dir / "postmaster.pid").unlink(missing_ok=True)

    def is_ready(self) -> bool:
        return self.postmaster_pid() is not None and asyncio.run(self._answers())

    def wait_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (timeout or self.ready_timeout)
        while not asyncio.run(self._answers()):
            if time.monotonic() > deadline:
                tail = log_tail(self.log_path)
                raise TimeoutError(
                    f"Postgres did not answer on {self.port}; {self.log_path}:\n{tail}"
                )
            time.sleep(0.2)

    def ensure_databases(self, names: Iterable[str]) -> None:
        """CREATE DATABASE each name that does not exist yet."""
        asyncio.run(self._create_missing(list(names)))

    async def _answers(self) -> bool:
        try:
            connection = await asyncpg.connect(self.dsn("postgres"), timeout=2)
        except (TimeoutError, OSError, asyncpg.PostgresError):
            return False
        try:
            return bool(await connection.fetchval("select 1") == 1)
        finally:
            await connection.close()

    async def _create_missing(self, names: list[str]) -> None:
        connection = await asyncpg.connect(self.dsn("postgres"))
        try:
            rows = await connection.fetch("select datname from pg_database")
            existing = {row["datname"] for row in rows}
            for name in names:
                if name in existing:
                    continue
                # Another process may create it between our check and this statement.
                with contextlib.suppress(asyncpg.DuplicateDatabaseError):
                    await connection.execute(f"CREATE DATABASE {_quote_ident(name)}")
        finally:
            await connection.close()

    def _options(self) -> str:
        settings = {"listen_addresses": LOCALHOST, "max_connections": "300"}
        settings |= self.extra_settings
        parts = ["-p", str(self.port), "-k", str(self.base_dir)]
        for key, value in settings.items():
            parts += ["-c", f"{key}={value}"]
        # pg_ctl hands -o to a shell, so each piece is quoted.
        return " ".join(shlex.quote(part) for part in parts)

    def _initdb(self) -> None:
        self._run(
            PG_BIN / "initdb",
            "-D",
            str(self.data_dir),
            "-U",
            PG_USER,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )

    def _pg_ctl(self, *args: str) -> None:
        self._run(PG_BIN / "pg_ctl", "-D", str(self.data_dir), *args)

    def _run(self, binary: Path, *args: str) -> None:
        command = [str(binary), *args]
        if self._as_root:
            command = ["runuser", "-u", PG_USER, "--", *command]
        # cwd: the postgres user may not be allowed into the caller's working directory.
        done = subprocess.run(
            command, cwd=self.base_dir, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            output = (done.stdout + done.stderr)[-3000:]
            tail = log_tail(self.log_path)
            raise RuntimeError(
                f"{binary.name} {args[0]} failed:\n{output}\n{self.log_path}:\n{tail}"
            )

    def _default_base_dir(self) -> Path:
        if not self._as_root:
            return self.state_dir / "pg"
        # initdb refuses root, and the repository may sit where the postgres user cannot even
        # look (/root/...), so the cluster lives under that user's own home, which, unlike
        # /var/tmp, nobody else can plant files or symlinks in.
        digest = hashlib.sha1(str(self.state_dir).encode(), usedforsecurity=False).hexdigest()
        return Path(pwd.getpwnam(PG_USER).pw_dir) / "cppcc" / digest[:12]

    def _default_log_path(self) -> Path:
        in_state = self.state_dir / "postgres.log"
        if not self._as_root or _postgres_can_enter(self.state_dir):
            return in_state
        return self.base_dir / "postgres.log"

    def _prepare_dirs(self) -> None:
        self.base_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.log_path.touch(exist_ok=True)
        if self._as_root:
            owner = pwd.getpwnam(PG_USER)
            # initdb and pg_ctl run as postgres: it must own the cluster's directories and the
            # log, which pg_ctl opens for the server.
            for path in (self.base_dir.parent, self.base_dir, self.log_path):
                os.chown(path, owner.pw_uid, owner.pw_gid)
            # Lets a later run recognise this data as orphaned once the state dir is gone.
            (self.base_dir / _OWNER_FILE).write_text(f"{self.state_dir}\n")

    def _layout_file(self) -> Path:
        return self.state_dir / "postgres.json"

    def _load_layout(self) -> _Layout | None:
        try:
            loaded: _Layout = json.loads(self._layout_file().read_text())
        except FileNotFoundError:
            return None
        return loaded

    def _save_layout(self) -> None:
        layout: _Layout = {
            "port": self.port,
            "base_dir": str(self.base_dir),
            "log_path": str(self.log_path),
        }
        self._layout_file().write_text(json.dumps(layout, indent=2) + "\n")


def _postmaster_pid(data_dir: Path) -> int | None:
    pid = read_pid(data_dir / "postmaster.pid")
    if pid is None or not pid_alive(pid) or "postgres" not in cmdline(pid):
        return None
    return pid


def _prune_orphans(relocated_root: Path) -> None:
    """Delete relocated clusters whose state dir is gone, such as rotated pytest tmp dirs.

    Their data sits outside the state dir, so nothing else would ever remove it.
    """
    if not relocated_root.is_dir():
        return
    for base in relocated_root.iterdir():
        owner = base / _OWNER_FILE
        if not owner.is_file() or Path(owner.read_text().strip()).exists():
            continue
        if _postmaster_pid(base / "data") is None:
            shutil.rmtree(base, ignore_errors=True)


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _postgres_can_enter(directory: Path) -> bool:
    """Whether the postgres user can reach files in this directory (every parent searchable)."""
    probe = ["runuser", "-u", PG_USER, "--", "test", "-x", str(directory)]
    return subprocess.run(probe, capture_output=True, check=False).returncode == 0
