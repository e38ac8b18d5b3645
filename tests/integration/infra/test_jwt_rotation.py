"""A real service process rotates its JWT signing keys without a restart.

`python -m services.reporting` runs as a child process configured by environment variables, as
in a Deployment: `REPORTING_JWT_PUBLIC_KEY_FILE` names a directory of PEM files (the mounted
Secret). Keys are added and removed while it runs; the same process answers throughout.
"""

from __future__ import annotations

from pathlib import Path

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from deploy.devtokens import issue_token
from shared.auth import Role
from tests.support.platform import Platform
from tests.support.servers import ServiceProcess
from tests.support.wait import eventually

URL = "/v1/kpi/member-counts"


def _write_public(key: ec.EllipticCurvePrivateKey, path: Path) -> None:
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    staged = path.with_suffix(".tmp")
    staged.write_bytes(pem)
    staged.replace(path)  # whole files only, as the kubelet's swap does


def _bearer(key: ec.EllipticCurvePrivateKey) -> dict[str, str]:
    token = issue_token(key, role=Role.PROVINCE_ADMIN, region="230000")
    return {"Authorization": f"Bearer {token}"}


async def test_old_and_new_keys_overlap_then_the_old_one_is_refused_by_the_running_service(
    platform: Platform, tmp_path: Path
) -> None:
    old, new, stranger = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    keys = tmp_path / "jwt"
    keys.mkdir()
    _write_public(old, keys / "jwt-public.pem")
    env = {
        **platform.env("reporting"),
        "REPORTING_JWT_PUBLIC_KEY_FILE": str(keys),
        "REPORTING_JWT_KEYS_RELOAD_SECONDS": "0.2",
    }
    service = ServiceProcess("reporting", env, tmp_path / "reporting.log")
    await service.start()
    try:
        async with httpx.AsyncClient(base_url=service.url) as client:

            async def statuses() -> tuple[int, int, int]:
                answers = [await client.get(URL, headers=_bearer(k)) for k in (old, new, stranger)]
                return (answers[0].status_code, answers[1].status_code, answers[2].status_code)

            assert await statuses() == (200, 401, 401)
            pid = service.process.pid if service.process else None

            _write_public(new, keys / "jwt-public-next.pem")
            await eventually(statuses, lambda s: s == (200, 200, 401), what="the overlap")

            (keys / "jwt-public.pem").unlink()
            await eventually(statuses, lambda s: s == (401, 200, 401), what="old key withdrawn")
            refused = await client.get(URL, headers=_bearer(old))
            assert refused.json()["detail"] == "unknown signing key"
            assert service.process is not None
            assert (service.process.pid, service.process.poll()) == (pid, None), "no restart"
    finally:
        service.stop()
