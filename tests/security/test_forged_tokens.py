"""Forged, stale and foreign tokens get 401 problem+json from every service, on every endpoint
that needs a token (health probes and the HMAC-signed platform callback need none)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from deploy.devtokens import DEV_AUDIENCE, DEV_ISSUER
from shared.auth import key_id
from tests.security.routes import operations
from tests.security.world import JIXI, World
from tests.support.platform import SERVICES

# The first test also starts the four services and seeds both cities, on a shared machine.
pytestmark = [pytest.mark.asyncio(loop_scope="package"), pytest.mark.timeout(900)]

UNGUARDED = {"/health/live", "/health/ready", "/v1/bridge/replies"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    values = {
        "sub": "forger",
        "role": "province_admin",
        "region": "230000",
        "iss": DEV_ISSUER,
        "aud": DEV_AUDIENCE,
        "iat": now,
        "exp": now + 600,
    }
    return {k: v for k, v in {**values, **overrides}.items() if v is not None}


def _unsigned(header: dict[str, Any], claims: dict[str, Any], signature: bytes = b"") -> str:
    head = _b64(json.dumps(header).encode())
    body = _b64(json.dumps(claims).encode())
    return f"{head}.{body}.{_b64(signature)}"


def forgeries(world: World) -> dict[str, str]:
    """Every kind of bad token, each otherwise a province admin's (the widest scope)."""
    private = world.platform.keys.private_key
    kid = key_id(private.public_key())
    public_pem = world.platform.keys.public_key_file.read_bytes()

    def signed(**overrides: Any) -> str:
        return jwt.encode(_claims(**overrides), private, algorithm="ES256", headers={"kid": kid})

    head = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
    body = _b64(json.dumps(_claims()).encode())
    mac = hmac.new(public_pem, f"{head}.{body}".encode(), hashlib.sha256).digest()
    stranger = ec.generate_private_key(ec.SECP256R1())
    stranger_kid = key_id(stranger.public_key())
    valid = signed()
    v_head, v_body, v_sig = valid.split(".")
    tampered = _b64(json.dumps(_claims(region="230000", sub="someone-else")).encode())
    now = int(time.time())
    return {
        "alg=none": _unsigned({"alg": "none", "typ": "JWT", "kid": kid}, _claims()),
        "alg=none, no kid": _unsigned({"alg": "none"}, _claims()),
        "HS256 with the public key": f"{head}.{body}.{_b64(mac)}",
        "expired": signed(iat=now - 7200, exp=now - 3600),
        "not yet valid": signed(nbf=now + 3600),
        "wrong iss": signed(iss="https://evil.example"),
        "wrong aud": signed(aud="some-other-api"),
        "no exp": signed(exp=None),
        "no sub": signed(sub=None),
        "unknown role": signed(role="superuser"),
        "bad region": signed(region="' OR 1=1 --"),
        "member without member_id": signed(role="member", region=JIXI.county),
        "unknown kid": jwt.encode(
            _claims(), stranger, algorithm="ES256", headers={"kid": stranger_kid}
        ),
        "our kid, another key": jwt.encode(
            _claims(), stranger, algorithm="ES256", headers={"kid": kid}
        ),
        "tampered payload": f"{v_head}.{tampered}.{v_sig}",
        "signature cut": f"{v_head}.{v_body}.",
        "garbage": "not-a-token",
        "three dots of garbage": "a.b.c",
        "huge": "A" * 7000,
        "non-ascii": "令牌.令牌.令牌",
    }


async def test_every_forgery_is_401_problem_json_on_every_service(world: World) -> None:
    tokens = forgeries(world)
    tried = 0
    failures: list[str] = []
    for service in SERVICES:
        async with world.client(service) as client:
            spec = (await client.get("/openapi.json")).json()
            guarded = [(m, p) for m, p, _ in operations(spec) if p not in UNGUARDED]
            assert guarded, service
            for method, path in guarded:
                url = path.replace("{", "").replace("}", "")  # any path: the token fails first
                for name, token in tokens.items():
                    headers = {b"Authorization": f"Bearer {token}".encode()}
                    response = await client.request(method, url, headers=headers, json={})
                    tried += 1
                    kind = response.headers.get("content-type", "")
                    if response.status_code != 401 or kind != "application/problem+json":
                        failures.append(f"{service} {method} {path} {name}: {response.status_code}")
                response = await client.request(method, url, json={})
                tried += 1
                if response.status_code != 401:
                    failures.append(f"{service} {method} {path} no token: {response.status_code}")
    print(f"\nforged tokens: {len(tokens)} kinds, {tried} requests, all 401: {not failures}")
    assert failures == [], "\n".join(failures[:40])
