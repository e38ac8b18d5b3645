"""Rotating the liaison PII key on the real Postgres, the way the runbook does it.

Rows are written under the old key (one of them in the format from before key ids), the new
key is added to the ring, `python -m services.members.rotate_pii_key` re-encrypts, and with
the old key removed every liaison still reads back as written.
"""

from __future__ import annotations

import asyncio
import base64
import io
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from uuid import UUID

import asyncpg
import httpx
import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from services.members.main import create_app as members_app
from services.members.pii import PiiCipher, PiiKeyError, key_id
from services.members.rotate_pii_key import rotate
from services.members.settings import MembersSettings
from shared.auth import Role
from shared.db.pool import create_pool
from tests.support.directory import JIXI_COMMITTEE, add_jixi_committee
from tests.support.platform import Platform
from tests.support.servers import serving
from tests.support.wait import eventually

ROOT = Path(__file__).resolve().parents[3]
JIXI, MISHAN = "230300", "230382"
FIELDS = ("name", "phone", "workplace", "id_number")
REVEAL = {"reveal": "true", "reason": "密钥轮换核对"}
LIAISONS = [
    {"name": "李晓芳", "phone": "13812345670", "workplace": "密山市第一中学"},
    {"name": "王建国", "phone": "13812345671", "id_number": "230382198506123455"},
    {"name": "赵敏", "phone": "13812345672"},
    {"name": "孙立", "phone": "13812345673", "workplace": "鸡西矿业"},
    {"name": "周红", "phone": "13812345674"},
]
OLD, NEW = os.urandom(32), os.urandom(32)
NEW_ID = key_id(NEW).hex()


def _ring(path: Path, *keys: bytes) -> Path:
    path.write_text("".join(base64.b64encode(k).decode() + "\n" for k in keys))
    return path


@asynccontextmanager
async def _members(platform: Platform, key_file: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = members_app(platform.settings(MembersSettings, "members", pii_key_file=key_file))
    async with serving(app) as url, httpx.AsyncClient(base_url=url) as client:
        yield client


async def _member(client: httpx.AsyncClient, platform: Platform) -> str:
    await add_jixi_committee(client, platform.keys)
    member = {
        "full_name": "陈委员",
        "sector_code": "education",
        "committee_code": JIXI_COMMITTEE,
        "region_code": MISHAN,
    }
    admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    created = await client.post("/v1/members", json=member, headers=admin)
    assert created.status_code == 201, created.text
    member_id: str = created.json()["id"]
    return member_id


async def _link(
    client: httpx.AsyncClient, platform: Platform, member_id: str, bodies: list[dict[str, str]]
) -> dict[UUID, dict[str, str]]:
    admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    linked = {}
    for body in bodies:
        url = f"/v1/members/{member_id}/liaisons"
        response = await client.post(url, json=body, headers=admin)
        assert response.status_code == 201, response.text
        linked[UUID(response.json()["id"])] = body
    return linked


async def _revealed(
    client: httpx.AsyncClient, platform: Platform, liaison_id: UUID
) -> dict[str, str]:
    admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    response = await client.get(f"/v1/liaisons/{liaison_id}", headers=admin, params=REVEAL)
    assert response.status_code == 200, response.text
    body = response.json()
    return {f: body[f] for f in FIELDS if body.get(f) is not None}


async def _make_legacy(platform: Platform, liaison_id: UUID) -> None:
    """Rewrite one row as the service wrote it before key ids: nonce + ciphertext, old key."""
    old = PiiCipher(OLD)
    conn = await asyncpg.connect(platform.database_urls["members"])
    try:
        row = await conn.fetchrow("SELECT * FROM liaison WHERE id = $1", liaison_id)
        assert row is not None
        legacy: list[bytes | None] = []
        for field in FIELDS:
            blob = row[f"{field}_enc"]
            if blob is None:
                legacy.append(None)
                continue
            value = old.decrypt(liaison_id, field, blob).encode()
            nonce = os.urandom(12)
            legacy.append(
                nonce + AESGCM(OLD).encrypt(nonce, value, liaison_id.bytes + field.encode())
            )
        await conn.execute(
            """UPDATE liaison SET name_enc = $2, phone_enc = $3, workplace_enc = $4,
                   id_number_enc = $5 WHERE id = $1""",
            liaison_id,
            *legacy,
        )
    finally:
        await conn.close()


async def _key_ids(platform: Platform) -> set[bytes]:
    """The key-id tag (or b'legacy') every non-null value of every liaison begins with."""
    conn = await asyncpg.connect(platform.database_urls["members"])
    try:
        rows = await conn.fetch(
            "SELECT name_enc, phone_enc, workplace_enc, id_number_enc FROM liaison"
        )
    finally:
        await conn.close()
    tags = set()
    for row in rows:
        for blob in row.values():
            if blob is not None:
                tags.add(bytes(blob[4:12]) if bytes(blob).startswith(b"PK1:") else b"legacy")
    return tags


async def _rotate_command(platform: Platform, key_file: Path, *args: str) -> tuple[int, str]:
    env = {
        **os.environ,
        "MEMBERS_DATABASE_URL": platform.database_urls["members"],
        "MEMBERS_PII_KEY_FILE": str(key_file),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "services.members.rotate_pii_key",
        *args,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    return process.returncode or 0, out.decode() + err.decode()


async def test_the_pii_key_is_rotated_online_and_every_row_stays_readable(
    platform: Platform, tmp_path: Path
) -> None:
    key_file = _ring(tmp_path / "pii-key", OLD)
    async with _members(platform, key_file) as client:
        member_id = await _member(client, platform)
        written = await _link(client, platform, member_id, LIAISONS)
    legacy_id = next(iter(written))
    await _make_legacy(platform, legacy_id)
    assert await _key_ids(platform) == {key_id(OLD), b"legacy"}

    # 1. The new key joins the ring, still decrypt-only; 2. it becomes the current one.
    _ring(key_file, OLD, NEW)
    async with _members(platform, key_file) as client:
        for liaison_id, body in written.items():
            assert await _revealed(client, platform, liaison_id) == body
    _ring(key_file, NEW, OLD)
    async with _members(platform, key_file) as client:
        for liaison_id, body in written.items():
            assert await _revealed(client, platform, liaison_id) == body
        # Written while the new key is current: already on it, so not rotated.
        written |= await _link(
            client, platform, member_id, [{"name": "吴新", "phone": "13812345679"}]
        )
    assert await _key_ids(platform) == {key_id(OLD), key_id(NEW), b"legacy"}

    # 3. Re-encrypt everything still on the old key, in batches of two.
    status, checked = await _rotate_command(platform, key_file, "--check")
    assert status == 1
    assert f"{len(LIAISONS)} liaisons not yet under key {NEW_ID}" in checked
    status, output = await _rotate_command(platform, key_file, "--batch-size", "2")
    assert status == 0, output
    assert f"re-encrypted {len(LIAISONS)} liaisons in 3 batches" in output
    assert await _key_ids(platform) == {key_id(NEW)}
    assert (await _rotate_command(platform, key_file, "--check"))[0] == 0
    again = await _rotate_command(platform, key_file)
    assert "re-encrypted 0 liaisons in 0 batches" in again[1], "resumable: nothing left"
    audited = "SELECT count(*) FROM pii_audit WHERE actor = 'system:rotate_pii_key'"
    assert await platform.fetchval("members", audited) == len(LIAISONS)

    # 4. The old key leaves the ring; every liaison still reads back as written.
    _ring(key_file, NEW)
    async with _members(platform, key_file) as client:
        for liaison_id, body in written.items():
            assert await _revealed(client, platform, liaison_id) == body


def test_removing_a_key_still_in_use_is_named_not_garbled() -> None:
    liaison = UUID(int=7)
    blob = PiiCipher(OLD).encrypt(liaison, "phone", "13812345670")
    with pytest.raises(PiiKeyError, match="no PII key in the ring decrypts phone"):
        PiiCipher(NEW).decrypt(liaison, "phone", blob)


pytestmark = pytest.mark.timeout(300)


async def test_a_liaison_in_use_is_left_for_a_later_pass_and_nobody_waits(
    platform: Platform, tmp_path: Path
) -> None:
    key_file = _ring(tmp_path / "pii-key", OLD)
    async with _members(platform, key_file) as client:
        member_id = await _member(client, platform)
        written = await _link(client, platform, member_id, LIAISONS[:3])
    busy = sorted(written)[1]
    holder = await asyncpg.connect(platform.database_urls["members"])
    pool = await create_pool(platform.database_urls["members"], min_size=1, max_size=2)
    out = io.StringIO()
    try:
        lock = holder.transaction()
        await lock.start()
        await holder.execute("SELECT 1 FROM liaison WHERE id = $1 FOR UPDATE", busy)
        rotation = asyncio.create_task(
            rotate(pool, PiiCipher(NEW, OLD), batch_size=10, out=out, pause_seconds=0.05)
        )
        await eventually(
            lambda: asyncio.sleep(0, out.getvalue()),
            lambda text: "1 liaisons were in use; another pass" in text,
            what="the locked liaison skipped",
        )
        assert await _key_ids(platform) == {key_id(OLD), key_id(NEW)}
        await lock.commit()  # the request holding it finishes
        report = await rotation
    finally:
        await holder.close()
        await pool.close()
    assert report.rotated == 3
    assert await _key_ids(platform) == {key_id(NEW)}
