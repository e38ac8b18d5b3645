"""Running a service for a test: in-process on a free port, or as a real child process."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI

from tests.support.wait import eventually

REPO_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[str]:
    """Serve `app` (lifespan included) on 127.0.0.1 in this event loop; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on")
    )

    async def serve() -> None:
        try:
            await server.serve()
        except SystemExit as exc:  # uvicorn's way of saying the lifespan start-up failed
            raise RuntimeError(f"{app.title} failed to start (exit {exc.code})") from None

    task = asyncio.create_task(serve())
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("server stopped during start-up")
            await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


class ServiceProcess:
    """`python -m services.<name>` as a child process, so a test can `kill -9` it for real."""

    def __init__(self, service: str, env: Mapping[str, str], log_path: Path) -> None:
        self.service = service
        self.port = free_port()
        prefix = service.upper()
        self._env = {**os.environ, **env, f"{prefix}_HTTP_PORT": str(self.port)}
        self._log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self.launch()
        await eventually(self._ready, bool, timeout=60, what=f"{self.service} ready")

    def launch(self) -> None:
        """Start the process without waiting for it (a test that times the start-up)."""
        log = self._log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", f"services.{self.service}"],
            env=self._env,
            cwd=REPO_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    async def _ready(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(f"{self.service} exited: see {self._log_path}")
        try:
            async with httpx.AsyncClient() as client:
                return (await client.get(f"{self.url}/health/ready")).status_code == 200
        except httpx.TransportError:
            return False

    async def wait_exit(self, timeout: float = 30) -> int:
        assert self.process is not None
        process = self.process
        await eventually(
            lambda: asyncio.sleep(0, process.poll()), lambda rc: rc is not None, timeout=timeout
        )
        return int(process.returncode)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
