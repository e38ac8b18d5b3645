"""`make run`: the whole platform on this machine, in the foreground, until Ctrl-C.

Starts (or reuses) Kafka and Postgres, creates the topics and dev signing keys, runs the four
services as child processes, prints where to look and a dev token per role, and on Ctrl-C
stops exactly what it started, by PID.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from deploy.local.kafka import KafkaCluster
from deploy.local.postgres import PostgresCluster
from deploy.local.stack import DEFAULT_DATABASES, REPO_ROOT, kafka_dir, postgres_dir, start_stack
from shared.auth import Role
from shared.devtokens import PII_KEY_NAME, ensure_keys, issue_token, load_private_key
from shared.messaging.topics import ensure_topics

SERVICES = {"members": 8001, "visits": 8002, "notifications": 8003, "reporting": 8004}
DEMO_ROLES = [
    (Role.PROVINCE_ADMIN, "230000", "黑龙江省政协"),
    (Role.CITY_ADMIN, "230300", "鸡西市政协"),
    (Role.COUNTY_ADMIN, "230382", "密山市政协"),
]


@dataclass
class Child:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    state: Path = args.state_dir.resolve()
    kafka = KafkaCluster(kafka_dir(state / "stack"), ports=[args.kafka_port])
    postgres = PostgresCluster(postgres_dir(state / "stack"), port=args.pg_port)
    # Reuse a stack someone left running (`python -m deploy.local up`); stop only what we start.
    started_stack = not (kafka.is_ready() and postgres.is_ready())
    print("starting Kafka and PostgreSQL ...", flush=True)
    info = start_stack(kafka, postgres, DEFAULT_DATABASES)
    asyncio.run(ensure_topics(info.kafka_bootstrap))
    public_key = ensure_keys(state / "keys")
    children: list[Child] = []
    try:
        for name, port in SERVICES.items():
            children.append(
                _spawn(
                    name,
                    port,
                    info.databases[name],
                    info.kafka_bootstrap,
                    public_key,
                    state / "logs",
                )
            )
        _wait_ready(children)
        _print_welcome(children, state, info.logs)
        _wait_for_stop(children)
    finally:
        _stop_children(children)
        if started_stack:
            kafka.stop()
            postgres.stop()
        print("stopped.", flush=True)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m deploy.local.run", description=__doc__)
    parser.add_argument("--state-dir", type=Path, default=REPO_ROOT / ".run")
    parser.add_argument("--kafka-port", type=int, default=9092)
    parser.add_argument("--pg-port", type=int, default=55432)
    return parser


def _spawn(
    name: str, port: int, database_url: str, bootstrap: str, public_key: Path, log_dir: Path
) -> Child:
    log_dir.mkdir(parents=True, exist_ok=True)
    prefix = name.upper()
    env = {
        **os.environ,
        f"{prefix}_DATABASE_URL": database_url,
        f"{prefix}_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        f"{prefix}_HTTP_HOST": "127.0.0.1",
        f"{prefix}_HTTP_PORT": str(port),
        f"{prefix}_JWT_PUBLIC_KEY_FILE": str(public_key),
    }
    if name == "members":  # only the members service holds liaisons' personal data
        env["MEMBERS_PII_KEY_FILE"] = str(public_key.parent / PII_KEY_NAME)
    log_path = log_dir / f"{name}.log"
    process = subprocess.Popen(
        [sys.executable, "-m", f"services.{name}"],
        env=env,
        cwd=REPO_ROOT,
        stdout=log_path.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # Ctrl-C reaches us; we stop the children in order
    )
    return Child(name, port, process, log_path)


def _wait_ready(children: list[Child], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    waiting = list(children)
    while waiting:
        for child in list(waiting):
            if child.process.poll() is not None:
                raise SystemExit(f"{child.name} exited during start-up; see {child.log_path}")
            if _is_ready(child.port):
                waiting.remove(child)
        if time.monotonic() > deadline:
            names = ", ".join(c.name for c in waiting)
            raise SystemExit(f"not ready after {timeout:.0f}s: {names}")
        time.sleep(0.2)


def _is_ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=2) as r:
            return bool(r.status == 200)
    except OSError:
        return False


def _print_welcome(children: list[Child], state: Path, infra_logs: dict[str, str]) -> None:
    key = load_private_key(state / "keys")
    lines = ["", "CPPCC platform is up (Ctrl-C stops everything this command started).", ""]
    for child in children:
        lines.append(f"  {child.name:<14} http://127.0.0.1:{child.port}/docs")
    lines += ["", "Dev tokens (8 hours; more with `python -m shared.devtokens issue`):"]
    for role, region, label in DEMO_ROLES:
        token = issue_token(key, role=role, region=region)
        lines.append(f"  {role.value} {region} ({label}):\n    {token}")
    lines += [
        "",
        "Try the slice: register a member of the provincial committee (seeded) on :8001,",
        "see the count by sector on :8004 a moment later:",
        "  TOKEN=<city_admin token above>",
        '  curl -s -X POST http://127.0.0.1:8001/v1/members -H "Authorization: Bearer $TOKEN" \\',
        '    -H \'content-type: application/json\' -d \'{"full_name":"张明华","sector_code":'
        '"education","committee_code":"cppcc-230000","region_code":"230382"}\'',
        '  curl -s http://127.0.0.1:8004/v1/kpi/member-counts -H "Authorization: Bearer $TOKEN"',
        "",
        "Pages (add #token=<a member's token> to the address):",
        "  http://127.0.0.1:8002/app/member  http://127.0.0.1:8002/app/constituent"
        "  http://127.0.0.1:8002/app/department",
        "",
        "Logs: " + ", ".join(str(c.log_path) for c in children),
        "      " + ", ".join(infra_logs.values()),
        "",
    ]
    print("\n".join(lines), flush=True)


def _wait_for_stop(children: list[Child]) -> None:
    stop = False

    def request_stop(_signum: int, _frame: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    while not stop:
        for child in children:
            if child.process.poll() is not None:
                print(
                    f"{child.name} exited (code {child.process.returncode}); see {child.log_path}"
                )
                return
        time.sleep(0.5)


def _stop_children(children: list[Child]) -> None:
    for child in children:
        if child.process.poll() is None:
            child.process.send_signal(signal.SIGTERM)
    for child in children:
        try:
            child.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.process.kill()
            child.process.wait()


if __name__ == "__main__":
    raise SystemExit(main())
