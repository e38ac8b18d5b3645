"""Attacks on sign-in through the real Keycloak: each refused by the services (401/403
problem+json) or by Keycloak itself, and nothing in the platform changes.

The members service runs in-process trusting the session's Keycloak (and the dev tokens, as in
development). A city clerk's legitimate Keycloak token registers one member first; after every
refused attempt the directory (members and outbox rows) and the Keycloak account are unchanged.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import html
import json
import re
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import jwt
import pytest
import pytest_asyncio
from cryptography.hazmat.primitives.asymmetric import rsa

from deploy.local.keycloak import (
    DEMO_PASSWORD,
    DEV_SECRETS,
    PROVISIONING_CLIENT,
    REALM_FILE,
    TEST_CLIENTS_FILE,
    TEST_OTHER_AUDIENCE_CLIENT,
    TEST_SHORT_SESSION_CLIENT,
    WEB_CLIENT,
    KeycloakAdmin,
    KeycloakServer,
    load_import,
)
from deploy.local.stack import StackInfo
from services.members.main import create_app
from services.members.settings import MembersSettings
from tests.support import tokens as dev_tokens
from tests.support.directory import JIXI_COMMITTEE, add_jixi_committee
from tests.support.platform import Platform, fresh_platform
from tests.support.servers import serving

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.timeout(900)]

PROBLEM_JSON = "application/problem+json"
JIXI, MISHAN = "230300", "230382"
PAGE = "http://127.0.0.1:8002/app/member"  # one of cppcc-web's registered redirect URIs
OTHER_REALM = "cppcc-elsewhere"


@dataclass
class Site:
    platform: Platform
    keycloak: KeycloakServer
    members: httpx.AsyncClient
    member_id: str  # registered by the clerk, signed in as `mishan-member`

    async def counts(self) -> tuple[int, int]:
        members = await self.platform.fetchval("members", "SELECT count(*) FROM member")
        outbox = await self.platform.fetchval("members", "SELECT count(*) FROM outbox_message")
        return int(members), int(outbox)


async def _post(url: str, data: dict[str, str], timeout: float = 30) -> httpx.Response:
    async with httpx.AsyncClient(timeout=timeout) as http:
        return await http.post(url, data=data)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _profile() -> dict[str, Any]:
    return {
        "full_name": "韩委员",
        "sector_code": "education",
        "committee_code": JIXI_COMMITTEE,
        "region_code": MISHAN,
    }


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def site(
    stack: StackInfo, keys: dev_tokens.TestKeys, keycloak: KeycloakServer
) -> AsyncIterator[Site]:
    with KeycloakAdmin.of(keycloak) as admin:
        admin.ensure_user("oidc-jixi-clerk", role="city_admin", region=JIXI)
    clerk = keycloak.password_token("oidc-jixi-clerk")["access_token"]
    async with fresh_platform(stack, keys) as plain:
        platform = plain.trusting(keycloak)
        app = create_app(platform.settings(MembersSettings, "members"))
        async with serving(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as client:
            await add_jixi_committee(client, keys)
            created = await client.post("/v1/members", json=_profile(), headers=_bearer(clerk))
            assert created.status_code == 201, created.text
            member_id = created.json()["id"]
            with KeycloakAdmin.of(keycloak) as admin:
                admin.ensure_user(
                    "mishan-member", role="member", region=MISHAN, member_id=member_id
                )
            yield Site(platform, keycloak, client, member_id)


async def _refused(site: Site, token: str, status: int = 401) -> dict[str, Any]:
    """A write with `token` is refused with a problem, and the directory did not change."""
    before = await site.counts()
    response = await site.members.post("/v1/members", json=_profile(), headers=_bearer(token))
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    if status == 401:
        assert response.headers["www-authenticate"] == "Bearer"
    assert await site.counts() == before
    body: dict[str, Any] = response.json()
    return body


async def _other_realm_token(keycloak: KeycloakServer) -> str:
    """A province admin of another realm on the same server: a genuine Keycloak token."""
    realm = json.loads(REALM_FILE.read_text(encoding="utf-8"))
    # Its own roles and profile; none of our clients, service accounts or their grants.
    realm = {k: v for k, v in realm.items() if k not in ("users", "clientScopeMappings")}
    realm["realm"] = OTHER_REALM
    realm["defaultRole"] = {"name": f"default-roles-{OTHER_REALM}"}
    for role in realm["roles"]["realm"]:
        if role["name"] == "default-roles-cppcc":
            role["name"] = f"default-roles-{OTHER_REALM}"
    realm["clients"] = load_import(TEST_CLIENTS_FILE)["clients"]
    with KeycloakAdmin.of(keycloak, OTHER_REALM) as admin:
        admin.create_realm(realm)
        admin.ensure_user("intruder", role="province_admin", region="230000")
    other_issuer = keycloak.issuer.replace("/realms/cppcc", f"/realms/{OTHER_REALM}")
    response = await _post(
        f"{other_issuer}/protocol/openid-connect/token",
        data={
            "grant_type": "password",
            "client_id": "cppcc-test-direct",
            "username": "intruder",
            "password": DEMO_PASSWORD,
        },
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def _forged(keycloak: KeycloakServer, **header: str) -> str:
    """Our issuer, our audience, a province admin's claims, signed by a stranger's RSA key."""
    now = int(time.time())
    claims = {
        "iss": keycloak.issuer,
        "aud": ["cppcc-platform", "account"],
        "sub": "f0f0f0f0-0000-4000-8000-000000000000",
        "typ": "Bearer",
        "iat": now,
        "exp": now + 300,
        "realm_access": {"roles": ["province_admin"]},
        "region": "230000",
    }
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims, stranger, "RS256", headers=header)


def _realm_kid(keycloak: KeycloakServer) -> str:
    discovery = httpx.get(keycloak.discovery_url, timeout=10).json()
    keys = httpx.get(discovery["jwks_uri"], timeout=10).json()["keys"]
    return str(next(k["kid"] for k in keys if k.get("alg") == "RS256" and k.get("use") == "sig"))


async def test_the_clerks_own_keycloak_token_works(site: Site) -> None:
    """The control: the same request with a genuine token gets in (so the 401s below are the
    tokens' fault, not the setup's)."""
    clerk = site.keycloak.password_token("oidc-jixi-clerk")["access_token"]
    response = await site.members.get(f"/v1/members/{site.member_id}", headers=_bearer(clerk))
    assert response.status_code == 200, response.text


async def test_tokens_of_another_realm_issuer_or_audience_are_refused(site: Site) -> None:
    kc = site.keycloak
    with KeycloakAdmin.of(kc) as admin:
        admin.ensure_user(
            "oidc-two-roles", role="city_admin", region=JIXI, extra_roles=["province_admin"]
        )
        admin.ensure_user("oidc-no-region", role="city_admin", region=None)
    mine = kc.password_token("oidc-jixi-clerk", client_id="cppcc-test-direct")
    provisioning = kc.token(
        grant_type="client_credentials",
        client_id=PROVISIONING_CLIENT,
        client_secret=DEV_SECRETS[PROVISIONING_CLIENT],
    )["access_token"]
    attempts = {
        "another realm on the same server": await _other_realm_token(kc),
        "a stranger's key under the realm's kid": _forged(kc, kid=_realm_kid(kc)),
        "a stranger's key under a made-up kid": _forged(kc, kid="made-up"),
        "another audience (a client without the platform's)": kc.password_token(
            "oidc-jixi-clerk", client_id=TEST_OTHER_AUDIENCE_CLIENT
        )["access_token"],
        "the provisioning client's token": provisioning,
        "an ID token": mine["id_token"],
        "a refresh token": mine["refresh_token"],
        "two platform roles": kc.password_token("oidc-two-roles")["access_token"],
        "no region attribute": kc.password_token("oidc-no-region")["access_token"],
    }
    details = {name: (await _refused(site, token))["detail"] for name, token in attempts.items()}
    assert "InvalidIssuer" in details["another realm on the same server"]
    assert "InvalidSignature" in details["a stranger's key under the realm's kid"]
    assert details["a stranger's key under a made-up kid"] == "unknown signing key"
    assert "InvalidAudience" in details["another audience (a client without the platform's)"]
    assert "InvalidAudience" in details["the provisioning client's token"]
    assert "InvalidAudience" in details["an ID token"]
    assert "more than one platform role" in details["two platform roles"]
    assert "region" in details["no region attribute"]


async def test_users_cannot_change_their_own_region_member_id_or_roles(site: Site) -> None:
    kc = site.keycloak
    tokens = kc.password_token("mishan-member")
    me = _bearer(tokens["access_token"])
    account = f"{kc.issuer}/account/"
    async with httpx.AsyncClient(timeout=30, headers={"Accept": "application/json"}) as http:
        mine = (await http.get(account, headers=me)).json()
        assert mine["attributes"]["region"] == [MISHAN]
        for change in (
            {"region": ["230000"]},
            {"member_id": ["0193a6f1-6c2e-7b3a-9d41-5f2c8e7a1b21"]},
            {"department_code": ["jx-education-bureau"]},
        ):
            body = {**mine, "attributes": {**mine["attributes"], **change}}
            refused = await http.post(account, headers=me, json=body)
            assert refused.status_code == 400, refused.text
            assert "error-user-attribute-read-only" in refused.text
        # An attribute the profile does not declare is dropped, not stored.
        sneaky = {**mine, "attributes": {**mine["attributes"], "role": ["province_admin"]}}
        assert (await http.post(account, headers=me, json=sneaky)).status_code in (200, 204)
        # The admin API is not theirs: not their own user, not their role mappings.
        admin_api = kc.issuer.replace("/realms/", "/admin/realms/")
        user_url = f"{admin_api}/users/{mine['id']}"
        roles = [{"name": "province_admin"}]
        attempts: list[tuple[str, str, object]] = [
            ("PUT", user_url, {"attributes": {"region": ["230000"]}}),
            ("POST", f"{user_url}/role-mappings/realm", roles),
        ]
        for method, url, payload in attempts:
            answer = await http.request(method, url, headers=me, json=payload)
            assert answer.status_code == 403, (method, url, answer.text)
    with KeycloakAdmin.of(kc) as admin:
        user = admin.user("mishan-member")
        assert user is not None
        assert user["attributes"] == {"region": [MISHAN], "member_id": [site.member_id]}
        assert admin.realm_roles_of("mishan-member") == ["default-roles-cppcc", "member"]
    # A fresh token still says what the office set, and the service sees exactly that.
    fresh = kc.password_token("mishan-member")["access_token"]
    claims = jwt.decode(fresh, options={"verify_signature": False})
    assert (claims["region"], claims["member_id"]) == (MISHAN, site.member_id)
    own = await site.members.get(f"/v1/members/{site.member_id}", headers=_bearer(fresh))
    assert own.status_code == 200, own.text
    # ...and a member token cannot write the directory (403, nothing changed).
    await _refused(site, fresh, status=403)


async def test_a_disabled_user_can_neither_sign_in_nor_refresh(site: Site) -> None:
    kc = site.keycloak
    with KeycloakAdmin.of(kc) as admin:
        admin.ensure_user("oidc-leaver", role="city_admin", region=JIXI)
        tokens = kc.password_token("oidc-leaver")
        admin.update_user("oidc-leaver", enabled=False)
    sign_in = await _post(
        kc.token_url,
        data={
            "grant_type": "password",
            "client_id": "cppcc-test-direct",
            "username": "oidc-leaver",
            "password": DEMO_PASSWORD,
        },
        timeout=30,
    )
    assert sign_in.status_code in (400, 401), sign_in.text
    assert sign_in.json()["error"] == "invalid_grant"
    refresh = await _post(
        kc.token_url,
        data={
            "grant_type": "refresh_token",
            "client_id": "cppcc-test-direct",
            "refresh_token": tokens["refresh_token"],
        },
        timeout=30,
    )
    assert refresh.status_code == 400, refresh.text
    assert refresh.json()["error"] == "invalid_grant"


async def test_an_expired_refresh_token_is_refused(site: Site) -> None:
    kc = site.keycloak
    with KeycloakAdmin.of(kc) as admin:
        admin.ensure_user("oidc-idle", role="city_admin", region=JIXI)
    tokens = kc.password_token("oidc-idle", client_id=TEST_SHORT_SESSION_CLIENT)
    assert tokens["refresh_expires_in"] <= 3
    await asyncio.sleep(5)
    refresh = await _post(
        kc.token_url,
        data={
            "grant_type": "refresh_token",
            "client_id": TEST_SHORT_SESSION_CLIENT,
            "refresh_token": tokens["refresh_token"],
        },
        timeout=30,
    )
    assert refresh.status_code == 400, refresh.text
    assert refresh.json()["error"] == "invalid_grant"
    # Nor does the refresh token open the API.
    await _refused(site, tokens["refresh_token"])


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _authorize(
    http: httpx.Client, kc: KeycloakServer, *, redirect_uri: str = PAGE, challenge: str
) -> httpx.Response:
    return http.get(
        f"{kc.issuer}/protocol/openid-connect/auth",
        params={
            "client_id": WEB_CLIENT,
            "response_type": "code",
            "scope": "openid",
            "redirect_uri": redirect_uri,
            "state": secrets.token_urlsafe(8),
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        },
    )


def _sign_in_for_code(kc: KeycloakServer, username: str, challenge: str) -> str:
    """What a browser does on Keycloak's login page: the authorization code for `PAGE`."""
    with httpx.Client(follow_redirects=False, timeout=30) as http:
        login = _authorize(http, kc, challenge=challenge)
        assert login.status_code == 200, login.text
        assert 'lang="zh-CN"' in login.text  # the login page speaks Chinese by default
        action = html.unescape(re.search(r'action="([^"]+)"', login.text)[1])  # type: ignore[index]
        # Keycloak marks its cookies Secure; browsers send them to http://127.0.0.1, httpx not.
        cookie = "; ".join(f"{c.name}={c.value}" for c in http.cookies.jar)
        done = http.post(
            action,
            headers={"Cookie": cookie},
            data={"username": username, "password": DEMO_PASSWORD, "credentialId": ""},
        )
    assert done.status_code == 302, done.text[:2000]
    location = done.headers["location"]
    assert location.startswith(PAGE + "?")
    return parse_qs(urlparse(location).query)["code"][0]


def _exchange(kc: KeycloakServer, code: str, verifier: str) -> httpx.Response:
    return httpx.post(
        kc.token_url,
        data={
            "grant_type": "authorization_code",
            "client_id": WEB_CLIENT,
            "code": code,
            "redirect_uri": PAGE,
            "code_verifier": verifier,
        },
        timeout=30,
    )


async def test_a_replayed_authorization_code_is_refused(site: Site) -> None:
    kc = site.keycloak
    verifier, challenge = _pkce()
    code = _sign_in_for_code(kc, "mishan-member", challenge)
    first = _exchange(kc, code, verifier)
    assert first.status_code == 200, first.text
    tokens = first.json()
    own = f"/v1/members/{site.member_id}"
    assert (await site.members.get(own, headers=_bearer(tokens["access_token"]))).status_code == 200

    replay = _exchange(kc, code, verifier)
    assert replay.status_code == 400, replay.text
    assert replay.json()["error"] == "invalid_grant"
    # Keycloak takes a replayed code for a stolen one: the session it opened is closed too.
    refresh = await _post(
        kc.token_url,
        data={
            "grant_type": "refresh_token",
            "client_id": WEB_CLIENT,
            "refresh_token": tokens["refresh_token"],
        },
        timeout=30,
    )
    assert refresh.status_code == 400, refresh.text

    # PKCE binds the code to the page that asked for it: another verifier gets nothing.
    _, other_challenge = _pkce()
    stolen = _sign_in_for_code(kc, "mishan-member", other_challenge)
    wrong = _exchange(kc, stolen, verifier)
    assert wrong.status_code == 400, wrong.text
    assert wrong.json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://evil.example/callback",
        "http://127.0.0.1:8002/app/member/../../evil",
        "http://127.0.0.1:8002/app/member2",
        "http://127.0.0.1:8002/app/memberx?next=https://evil.example",
        "http://127.0.0.1:9999/app/member",
        "http://localhost:8002/app/member",
    ],
)
async def test_a_redirect_uri_not_registered_is_refused(site: Site, redirect_uri: str) -> None:
    _, challenge = _pkce()
    with httpx.Client(follow_redirects=False, timeout=30) as http:
        answer = _authorize(http, site.keycloak, redirect_uri=redirect_uri, challenge=challenge)
    # An error page on Keycloak itself: never a redirect (with a code or an error) to there.
    assert answer.status_code == 400, answer.text[:500]
    assert "location" not in answer.headers
    assert "redirect_uri" in answer.text


async def test_the_pages_client_has_no_password_grant_and_needs_pkce(site: Site) -> None:
    kc = site.keycloak
    password = await _post(
        kc.token_url,
        data={
            "grant_type": "password",
            "client_id": WEB_CLIENT,
            "username": "mishan-member",
            "password": DEMO_PASSWORD,
        },
        timeout=30,
    )
    assert password.status_code in (400, 401), password.text
    assert password.json()["error"] == "unauthorized_client"
    async with httpx.AsyncClient(follow_redirects=False, timeout=30) as http:
        plain = await http.get(
            f"{kc.issuer}/protocol/openid-connect/auth",
            params={
                "client_id": WEB_CLIENT,
                "response_type": "code",
                "scope": "openid",
                "redirect_uri": PAGE,
            },
        )
    assert plain.status_code == 302
    error = parse_qs(urlparse(plain.headers["location"]).query)
    assert error["error"] == ["invalid_request"]
    assert "code" not in error
