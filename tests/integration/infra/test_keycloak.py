"""Keycloak, run for real from the cached build: the realm as code, and a service that trusts it.

The session's Keycloak (the `keycloak` fixture) keeps its data in the stack's PostgreSQL. These
tests read the imported realm back through the admin API, restart the server to show the import
is idempotent and the data survives, and run one integration path end to end on tokens Keycloak
issued: the data platform (client credentials), a city clerk and a member (password grant of the
test-only client) against the real reporting service.
"""

from __future__ import annotations

import json
import time
from uuid import UUID

import httpx
import jwt
import pytest

from deploy.local._process import pid_alive
from deploy.local.keycloak import (
    AUDIENCE,
    DATA_PLATFORM_CLIENT,
    DEMO_USERS_FILE,
    KEYCLOAK_VERSION,
    REALM_FILE,
    KeycloakAdmin,
    KeycloakServer,
    load_import,
)
from shared.auth import Role
from tests.integration.reporting import scenario
from tests.integration.reporting.history import publish_many
from tests.integration.reporting.support import YEAR_2026, caught_up, reporting, summary
from tests.support.platform import Platform

# The first test also starts Keycloak (the session fixture): 40 s on an idle machine, minutes
# on a busy one; the one-time build, when the cache is cold, adds about 90 s.
pytestmark = pytest.mark.timeout(900)


def _claims(token: str) -> dict[str, object]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def test_the_realm_is_imported_as_committed(keycloak: KeycloakServer) -> None:
    discovery = httpx.get(keycloak.discovery_url, timeout=10).json()
    assert discovery["issuer"] == keycloak.issuer
    assert discovery["code_challenge_methods_supported"]
    jwks = httpx.get(discovery["jwks_uri"], timeout=10).json()
    assert any(k.get("alg") == "RS256" and k.get("use") == "sig" for k in jwks["keys"])
    assert f"keycloak-{KEYCLOAK_VERSION}" in " ".join(
        str(p.resolve()) for p in (keycloak.home / "lib").iterdir()
    )
    committed = json.loads(REALM_FILE.read_text(encoding="utf-8"))
    with KeycloakAdmin.of(keycloak) as admin:
        realm = admin.request("GET", "").json()
        roles = {r["name"] for r in admin.request("GET", "/roles").json()}
        default = admin.request("GET", "/roles/default-roles-cppcc/composites").json()
        profile = admin.request("GET", "/users/profile").json()
        web = admin.client("cppcc-web")
        platform_client = admin.client(DATA_PLATFORM_CLIENT)
    # The nine platform roles, `constituent` for everyone who registers.
    assert {r.value for r in Role} <= roles
    assert "constituent" in {r["name"] for r in default}
    assert (realm["registrationAllowed"], realm["defaultLocale"]) == (True, "zh-CN")
    assert realm["accessTokenLifespan"] == committed["accessTokenLifespan"] == 300
    # The platform's attributes: users see them, only admins change them.
    attributes = {a["name"]: a for a in profile["attributes"]}
    for name in ("region", "member_id", "department_code"):
        assert attributes[name]["permissions"] == {"view": ["admin", "user"], "edit": ["admin"]}
    # Pages: code flow with PKCE S256 only, exact redirect URIs (the dev defaults here).
    assert (web["publicClient"], web["directAccessGrantsEnabled"]) == (True, False)
    assert web["attributes"]["pkce.code.challenge.method"] == "S256"
    assert "http://127.0.0.1:8002/app/member" in web["redirectUris"]
    assert not any("*" in uri for uri in web["redirectUris"])
    assert platform_client["serviceAccountsEnabled"] is True


def test_the_server_is_recorded_and_a_restart_keeps_its_data(keycloak: KeycloakServer) -> None:
    pids = keycloak.pids()
    assert len(pids) == 2, pids  # kc.sh and its JVM
    assert all(pid_alive(pid) for pid in pids)
    keycloak.start()  # already running: nothing happens
    assert keycloak.pids() == pids
    with KeycloakAdmin.of(keycloak) as admin:
        admin.ensure_user("restart-witness", role="auditor", region="230000")

    started = time.monotonic()
    keycloak.stop()
    assert not any(pid_alive(pid) for pid in pids)
    keycloak.start()
    restart = time.monotonic() - started

    # `--import-realm` found the realm in the database and skipped it: the account made before
    # the restart is still there, and it still signs in.
    log = keycloak.log_path.read_text(errors="replace").rsplit("==== cppcc: starting", 1)[-1]
    assert "skipped" in log.lower(), log[-2000:]
    with KeycloakAdmin.of(keycloak) as admin:
        assert admin.realm_roles_of("restart-witness") == ["auditor", "default-roles-cppcc"]
    assert keycloak.password_token("restart-witness")["access_token"]
    print(f"keycloak restart (stop + start --optimized on an existing database): {restart:.1f}s")


def test_demo_users_are_a_separate_import_made_twice_safely(keycloak: KeycloakServer) -> None:
    demo = load_import(DEMO_USERS_FILE)
    realm = json.loads(REALM_FILE.read_text(encoding="utf-8"))
    # The production realm has no people in it, only the two clients' service accounts.
    assert all(u.get("serviceAccountClientId") for u in realm["users"])
    with KeycloakAdmin.of(keycloak) as admin:
        first = admin.partial_import(demo)
        again = admin.partial_import(demo)
    assert again["added"] == 0
    assert again["skipped"] == first["added"] + first["skipped"] == len(demo["users"])
    clerk = _claims(keycloak.password_token("demo-jixi-clerk")["access_token"])
    assert clerk["region"] == "230300"


async def test_reporting_serves_keycloak_tokens_end_to_end(
    platform: Platform, keycloak: KeycloakServer
) -> None:
    s = scenario.build()
    await publish_many(platform, s.events)
    a = s.a
    with KeycloakAdmin.of(keycloak) as admin:
        admin.ensure_user("jixi-clerk-e2e", role="city_admin", region="230300")
        admin.ensure_user(
            "member-a-e2e", role="member", region=a.region_code, member_id=str(a.member_id)
        )
    machine = keycloak.data_platform_token()
    clerk = keycloak.password_token("jixi-clerk-e2e")["access_token"]
    member = keycloak.password_token("member-a-e2e")["access_token"]
    assert _claims(machine)["aud"] == AUDIENCE
    assert _claims(machine)["iss"] == keycloak.issuer

    async with reporting(platform.trusting(keycloak)) as r:
        await caught_up(platform, len(s.events))
        as_machine = {"Authorization": f"Bearer {machine}"}
        as_clerk = {"Authorization": f"Bearer {clerk}"}
        as_member = {"Authorization": f"Bearer {member}"}
        # The data platform pulls the de-identified feed with its client-credentials token.
        feed = await r.get("/v1/feed", headers=as_machine, params={"limit": 1000})
        assert feed.status_code == 200, feed.text
        assert feed.json()["items"]
        # A city clerk reads Jixi's numbers and may not pull the feed.
        jixi = await summary(r, as_clerk, **YEAR_2026)
        assert jixi["rows"]
        assert (await r.get("/v1/feed", headers=as_clerk)).status_code == 403
        # A member, signed in as themselves, sees only their own numbers.
        own = await summary(r, as_member, group_by="member", **YEAR_2026)
        assert [UUID(row["key"]) for row in own["rows"]] == [a.member_id]
        # The dev tokens are trusted alongside (development): both issuers at once.
        dev = platform.keys.headers(Role.CITY_ADMIN, "230300")
        assert (await summary(r, dev, **YEAR_2026))["rows"] == jixi["rows"]
