"""`make run`: the whole platform on this machine, in the foreground, until Ctrl-C.

Starts (or reuses) Kafka and Postgres, creates the topics and dev signing keys, runs the four
services as child processes, loads the demo province on the first start (`.run/demo.json` marks
it loaded), serves a start page on 127.0.0.1:8000 with every page logged in and a dev token per
role, and on Ctrl-C stops exactly what it started, by PID.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from deploy.demo.client import Urls
from deploy.demo.main import Options, load_demo, pinned_day, write_manifest
from deploy.demo.start_page import accounts, demo_member_account, demo_signins, render, serve
from deploy.devtokens import PII_KEY_NAME, ensure_keys, load_private_key
from deploy.local.kafka import KafkaCluster
from deploy.local.keycloak import (
    DEMO_PASSWORD,
    DEMO_USERS_FILE,
    DEV_SECRETS,
    FAST_START_JVM_OPTIONS,
    PROVISIONING_CLIENT,
    KeycloakAdmin,
    KeycloakServer,
    for_postgres,
    load_import,
)
from deploy.local.postgres import PostgresCluster
from deploy.local.stack import DEFAULT_DATABASES, REPO_ROOT, kafka_dir, postgres_dir, start_stack
from shared.contracts import asyncapi
from shared.messaging.topics import ensure_topics

SERVICES = {"members": 8001, "visits": 8002, "notifications": 8003, "reporting": 8004}
URLS = Urls(*(f"http://127.0.0.1:{port}" for port in SERVICES.values()))


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
    # Keycloak starts in the background while the services do (they fetch its keys lazily).
    keycloak = for_postgres(
        postgres,
        state / "keycloak",
        port=args.keycloak_port,
        jvm_options=FAST_START_JVM_OPTIONS,
    )
    started_keycloak = not keycloak.is_ready()
    keycloak_since = time.monotonic()
    print(f"starting Keycloak on {keycloak.base_url} ...", flush=True)
    keycloak.start(wait=False)
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
                    keycloak.issuer,
                )
            )
        _wait_ready(children)
        _keycloak_ready(keycloak, keycloak_since, started_keycloak)
        manifest = None if args.no_demo else _demo(state)
        page = _start_page(state, manifest, args.start_port, keycloak)
        try:
            _print_welcome(children, info.logs, args.start_port, manifest)
            _wait_for_stop(children)
        finally:
            page.shutdown()
    finally:
        _stop_children(children)
        if started_keycloak:
            keycloak.stop()
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
    parser.add_argument("--keycloak-port", type=int, default=8080, help="Keycloak's port")
    parser.add_argument("--start-port", type=int, default=8000, help="the start page's port")
    parser.add_argument("--no-demo", action="store_true", help="do not load the demo province")
    return parser


def _spawn(
    name: str,
    port: int,
    database_url: str,
    bootstrap: str,
    public_key: Path,
    log_dir: Path,
    oidc_issuer: str,
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
        # Keycloak's tokens and the dev tokens are both accepted (development).
        f"{prefix}_OIDC_ISSUER": oidc_issuer,
    }
    if name == "visits":
        # The demo loads a past year, its contacts dated as they happened: obligations run
        # from the occasions' own dates, or the year's compliance would all be "not yet due".
        env["VISITS_DUE_FROM_ENTRY"] = "false"
    if name == "members":  # only the members service holds liaisons' personal data
        env["MEMBERS_PII_KEY_FILE"] = str(public_key.parent / PII_KEY_NAME)
        # Accounts follow the directory: the provisioning client's (dev) secret, as a file.
        secret = public_key.parent / "members-provisioning.secret"
        secret.write_text(DEV_SECRETS[PROVISIONING_CLIENT])
        env["MEMBERS_ACCOUNTS_CLIENT_SECRET_FILE"] = str(secret)
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


def _keycloak_ready(keycloak: KeycloakServer, since: float, launched: bool) -> None:
    """Wait for Keycloak, add the demo accounts (existing ones are kept), say where it is."""
    keycloak.wait_ready()
    took = time.monotonic() - since
    with KeycloakAdmin.of(keycloak) as admin:
        admin.partial_import(load_import(DEMO_USERS_FILE))
    admin_login = keycloak.admin_credentials()
    users = ", ".join(u["username"] for u in load_import(DEMO_USERS_FILE)["users"])
    lines = [
        f"Keycloak ready {took:.0f}s after its launch" if launched else "Keycloak was running",
        f"  sign-in (realm cppcc): {keycloak.issuer}/account  issuer {keycloak.issuer}",
        f"  admin console: {keycloak.base_url}/admin/  "
        f"({admin_login['username']} / {admin_login['password']})",
        f"  demo accounts (password {DEMO_PASSWORD}): {users}",
    ]
    if keycloak.realm_changed():
        lines.append(
            "  NOTE: deploy/keycloak/realm-cppcc.json changed since this Keycloak's database was"
            " made; `python -m deploy.local.keycloak reimport` applies it (its users are lost)"
        )
    print("\n".join(lines), flush=True)


def _is_ready(port: int) -> bool:
    return _answers(port, "/health/ready")


def _demo(state: Path) -> dict[str, Any] | None:
    """The demo's manifest; loaded through the APIs on the first start only. A failed load is
    reported and tried again next time (it is idempotent), the platform runs on without it."""
    marker = state / "demo.json"
    if marker.exists():
        loaded: dict[str, Any] = json.loads(marker.read_text())
        return loaded
    print("loading the demo province (first start only; a minute or two) ...", flush=True)
    try:
        options = Options(urls=URLS, keys_dir=state / "keys", today=pinned_day(state))
        manifest = asyncio.run(load_demo(options))
    except Exception as exc:  # reported; the platform itself is up
        print(f"the demo did not load ({exc}); `make run` will try again next time", flush=True)
        return None
    write_manifest(marker, manifest)
    return manifest


def _start_page(
    state: Path, manifest: dict[str, Any] | None, port: int, keycloak: KeycloakServer
) -> ThreadingHTTPServer:
    """Made afresh at every start: the tokens in it last 8 hours; the demo accounts, and the
    demo member's (given the demo password), to sign in with on Keycloak's login page."""
    site = state / "start"
    site.mkdir(parents=True, exist_ok=True)
    people = accounts(load_private_key(state / "keys"), manifest)
    member_username = None
    if manifest is not None:
        office = next(a.token for a in people if a.role.value == "province_admin")
        with KeycloakAdmin.of(keycloak) as admin:
            member_username = demo_member_account(
                admin, URLS.members, manifest["member"], office, DEMO_PASSWORD
            )
    signins = demo_signins(DEMO_USERS_FILE, manifest, URLS, member_username)
    page = render(manifest, people, URLS, _asyncapi(site), signins, DEMO_PASSWORD)
    (site / "index.html").write_text(page, encoding="utf-8")
    return serve(site, port)


def _asyncapi(site: Path) -> list[tuple[str, str]]:
    """AsyncAPI documents: one made from the event contracts, any in the repository (copied
    next to the page) and any the services serve themselves."""
    asyncapi.write(site / "asyncapi.json")
    found = [("AsyncAPI 3.0: every event, by topic (from shared/contracts)", "asyncapi.json")]
    tops = [d for d in REPO_ROOT.iterdir() if d.is_dir() and not d.name.startswith(".")]
    for path in sorted(p for top in tops for p in top.rglob("asyncapi*.*")):
        if path.suffix in (".yaml", ".yml", ".json", ".html"):
            copy = "repo-" + "-".join(path.relative_to(REPO_ROOT).parts)
            shutil.copyfile(path, site / copy)
            found.append((f"AsyncAPI: {path.relative_to(REPO_ROOT)}", copy))
    for name, port in SERVICES.items():
        for suffix in ("/asyncapi.json", "/asyncapi", "/docs/asyncapi"):
            if _answers(port, suffix):
                found.append((f"AsyncAPI 3.0: {name} service", f"http://127.0.0.1:{port}{suffix}"))
                break
    feed = "/v1/feed/asyncapi.json"  # the data platform's document, served with its feed
    if _answers(SERVICES["reporting"], feed):
        found.append(("AsyncAPI 3.0: data platform feed", f"{URLS.reporting}{feed}"))
    return found


def _answers(port: int, path: str) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as r:
            return bool(r.status == 200)
    except OSError:
        return False


def _print_welcome(
    children: list[Child], infra_logs: dict[str, str], port: int, manifest: dict[str, Any] | None
) -> None:
    demo = "the demo province" if manifest else "no demo data"
    lines = [
        "",
        f"CPPCC platform is up with {demo} (Ctrl-C stops everything this command started).",
        "",
        f"  Open http://127.0.0.1:{port}/  (dashboard, pages logged in per role, API docs,",
        "  dev tokens for every role)",
        "",
        "  API docs: " + "  ".join(f"http://127.0.0.1:{c.port}/docs" for c in children),
        "  Logs: " + ", ".join(str(c.log_path) for c in children),
        "        " + ", ".join(infra_logs.values()),
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
