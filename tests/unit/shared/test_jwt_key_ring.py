"""Signing-key rotation without a restart: old and new tokens overlap, then the old one is 401.

The keys live in a directory laid out as Kubernetes mounts a Secret (the real files under a
`..<timestamp>/` directory, `..data` pointing at it, one symlink per key at the top; an update
swaps `..data`). The app is the services' real one (create_service_app + get_principal).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import APIRouter, FastAPI

from deploy.devtokens import DEV_AUDIENCE, DEV_ISSUER, issue_token
from shared.auth import AuthError, PublicKeyRing, Role, TokenVerifier, key_id
from shared.bootstrap import token_verifier
from shared.settings import ServiceSettings
from shared.web.app import create_service_app
from shared.web.security import CurrentPrincipal

router = APIRouter()


@router.get("/whoami")
def whoami(principal: CurrentPrincipal) -> dict[str, str]:
    return {"sub": principal.subject}


def _pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


class MountedSecret:
    """A directory that changes the way the kubelet changes a mounted Secret."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._version = 0

    def publish(self, files: dict[str, bytes]) -> None:
        self._version += 1
        data = self.root / f"..2026_11_27_{self._version:02d}"
        data.mkdir()
        for name, content in files.items():
            (data / name).write_bytes(content)
        staged = self.root / "..data_tmp"
        staged.symlink_to(data.name)
        os.replace(staged, self.root / "..data")
        for link in self.root.iterdir():
            if not link.name.startswith(".") and link.name not in files:
                link.unlink()
        for name in files:
            if not (self.root / name).is_symlink():
                (self.root / name).symlink_to(Path("..data") / name)


@pytest.fixture
def old() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def new() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def secret(tmp_path: Path, old: ec.EllipticCurvePrivateKey) -> MountedSecret:
    mounted = MountedSecret(tmp_path / "jwt")
    mounted.root.mkdir()
    mounted.publish({"jwt-public.pem": _pem(old)})
    return mounted


@pytest.fixture
def app(secret: MountedSecret) -> FastAPI:
    settings = ServiceSettings(jwt_public_key_file=secret.root, jwt_keys_reload_seconds=0)
    return create_service_app(
        title="t",
        description="t",
        service="rotation-test",
        lifespan=None,
        routers=[router],
        token_verifier=token_verifier(settings),
        max_body_bytes=1024,
    )


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    # No lifespan: nothing here needs a database.
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        yield c


async def _get(client: httpx.AsyncClient, key: ec.EllipticCurvePrivateKey) -> httpx.Response:
    token = issue_token(key, role=Role.PROVINCE_ADMIN, region="230000")
    return await client.get("/whoami", headers={"Authorization": f"Bearer {token}"})


async def _status(client: httpx.AsyncClient, key: ec.EllipticCurvePrivateKey) -> int:
    return (await _get(client, key)).status_code


async def test_old_and_new_keys_overlap_then_the_old_one_is_refused_without_a_restart(
    client: httpx.AsyncClient,
    secret: MountedSecret,
    old: ec.EllipticCurvePrivateKey,
    new: ec.EllipticCurvePrivateKey,
) -> None:
    assert (await _status(client, old), await _status(client, new)) == (200, 401)

    secret.publish({"jwt-public.pem": _pem(old), "jwt-public-next.pem": _pem(new)})
    assert (await _status(client, old), await _status(client, new)) == (200, 200), "the overlap"

    secret.publish({"jwt-public-next.pem": _pem(new)})
    assert (await _status(client, old), await _status(client, new)) == (401, 200), (
        "old key withdrawn"
    )


async def test_a_token_naming_an_unknown_kid_is_refused(
    client: httpx.AsyncClient, secret: MountedSecret, new: ec.EllipticCurvePrivateKey
) -> None:
    stranger = ec.generate_private_key(ec.SECP256R1())
    secret.publish({"a.pem": _pem(new)})
    assert await _status(client, stranger) == 401
    body = (await _get(client, stranger)).json()
    assert body["detail"] == "unknown signing key"


async def test_a_broken_key_file_keeps_the_last_good_keys(
    client: httpx.AsyncClient,
    secret: MountedSecret,
    old: ec.EllipticCurvePrivateKey,
    new: ec.EllipticCurvePrivateKey,
) -> None:
    secret.publish({"jwt-public.pem": _pem(old), "jwt-public-next.pem": b"-----BEGIN nonsense"})
    assert await _status(client, old) == 200
    secret.publish({"jwt-public-next.pem": _pem(new)})
    assert (await _status(client, old), await _status(client, new)) == (401, 200)


def test_changes_are_looked_for_at_most_every_reload_interval(
    tmp_path: Path, old: ec.EllipticCurvePrivateKey, new: ec.EllipticCurvePrivateKey
) -> None:
    (tmp_path / "old.pem").write_bytes(_pem(old))
    now = [0.0]
    ring = PublicKeyRing(source=tmp_path, reload_seconds=10, clock=lambda: now[0])
    (tmp_path / "new.pem").write_bytes(_pem(new))
    now[0] = 9.9
    assert ring.kids == {key_id(old.public_key())}
    now[0] = 10.0
    assert ring.kids == {key_id(old.public_key()), key_id(new.public_key())}


def test_a_single_pem_file_still_works_and_a_broken_one_fails_at_start_up(
    tmp_path: Path, old: ec.EllipticCurvePrivateKey
) -> None:
    path = tmp_path / "jwt-public.pem"
    path.write_bytes(_pem(old))
    verifier = TokenVerifier(PublicKeyRing(source=path), issuer=DEV_ISSUER, audience=DEV_AUDIENCE)
    token = issue_token(old, role=Role.CITY_ADMIN, region="230300")
    assert verifier.verify(token).role is Role.CITY_ADMIN
    path.write_bytes(b"not a key")
    with pytest.raises(ValueError, match=r"(?i)pem|key"):
        PublicKeyRing(source=path)


def test_an_empty_key_directory_refuses_every_token(
    tmp_path: Path, old: ec.EllipticCurvePrivateKey
) -> None:
    verifier = TokenVerifier(
        PublicKeyRing(source=tmp_path), issuer=DEV_ISSUER, audience=DEV_AUDIENCE
    )
    with pytest.raises(AuthError, match="unknown signing key"):
        verifier.verify(issue_token(old, role=Role.CITY_ADMIN, region="230300"))
