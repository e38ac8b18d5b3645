"""`python -m services.members.rotate_pii_key [--batch-size N] [--check]`: re-encrypt PII.

Re-encrypts every liaison value not yet under the ring's current key (the first line of
MEMBERS_PII_KEY_FILE; services/members/pii.py), while the service keeps running:

- one short transaction per batch, as `members_app` for the whole province (row-level security
  still applies), its rows locked `FOR UPDATE SKIP LOCKED`: a liaison a request (or an import)
  holds at that moment is left for a later pass, so the command never makes a request wait and
  never deadlocks with one, and neither write is lost;
- resumable: the rows it still has to do are exactly those whose values do not begin with the
  current key's tag, so a stopped run simply starts again;
- audited: one `pii_audit` row per liaison (actor `system:rotate_pii_key`, action `update`),
  written in the batch's transaction. Nothing else changes: no event, no `updated_at`.

`--check` only counts the liaisons still on an older key (exit status 1 if any), which is what
to run before removing the old key from the ring. The SQL lives here, not in the repository:
it is a maintenance pass over ciphertext, not a use case over liaisons.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO
from uuid import UUID

import asyncpg

from services.members.pii import TAG_BYTES, PiiCipher
from services.members.settings import MembersSettings
from services.members.unit_of_work import MembersUnitOfWork
from shared.db.pool import create_pool

FIELDS = ("name", "phone", "workplace", "id_number")
ACTOR = "system:rotate_pii_key"
# A row still to do: a non-null value not beginning with the current tag (bytes, with its length).
# NULL columns make their comparison NULL, which never selects a row on its own.
_BATCH = """SELECT id, name_enc, phone_enc, workplace_enc, id_number_enc FROM liaison
            WHERE id > $1 AND (substring(name_enc from 1 for $3) <> $2
                OR substring(phone_enc from 1 for $3) <> $2
                OR substring(workplace_enc from 1 for $3) <> $2
                OR substring(id_number_enc from 1 for $3) <> $2)
            ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED"""
_COUNT = """SELECT count(*) FROM liaison
            WHERE substring(name_enc from 1 for $2) <> $1
               OR substring(phone_enc from 1 for $2) <> $1
               OR substring(workplace_enc from 1 for $2) <> $1
               OR substring(id_number_enc from 1 for $2) <> $1"""
_RESEAL = """UPDATE liaison SET name_enc = $2, phone_enc = $3, workplace_enc = $4,
                 id_number_enc = $5 WHERE id = $1"""
_AUDIT = """INSERT INTO pii_audit (actor, actor_role, action, liaison_id, fields, reason)
            VALUES ($1, 'system', 'update', $2, $3, $4)"""


@dataclass(frozen=True)
class RotationReport:
    rotated: int
    batches: int


def _resealed(row: asyncpg.Record, cipher: PiiCipher) -> tuple[object, ...]:
    liaison_id: UUID = row["id"]
    values: list[bytes | None] = []
    for field in FIELDS:
        blob: bytes | None = row[f"{field}_enc"]
        if blob is None or cipher.is_current(blob):
            values.append(blob)
            continue
        values.append(cipher.encrypt(liaison_id, field, cipher.decrypt(liaison_id, field, blob)))
    return (liaison_id, *values)


async def _batch(pool: asyncpg.Pool, cipher: PiiCipher, after: UUID, size: int) -> list[UUID]:
    """Re-encrypt the next `size` stale liaisons after `after`; their ids, in order."""
    async with MembersUnitOfWork(pool, scope=None) as uow:
        conn = uow.connection
        rows = await conn.fetch(_BATCH, after, cipher.current_tag, TAG_BYTES, size)
        if not rows:
            return []
        await conn.executemany(_RESEAL, [_resealed(row, cipher) for row in rows])
        reason = f"PII key rotation: re-encrypted with key {cipher.current_key_id}"
        audit = [
            (ACTOR, row["id"], [f for f in FIELDS if row[f"{f}_enc"] is not None], reason)
            for row in rows
        ]
        await conn.executemany(_AUDIT, audit)
        await uow.commit()
        return [row["id"] for row in rows]


async def rotate(
    pool: asyncpg.Pool,
    cipher: PiiCipher,
    *,
    batch_size: int = 500,
    out: TextIO = sys.stdout,
    pause_seconds: float = 1.0,
) -> RotationReport:
    """Every stale liaison, in id order, one committed batch at a time; passes again over the
    ones that were locked by requests until none is left."""
    rotated, batches = 0, 0
    while True:
        after = UUID(int=0)
        while done := await _batch(pool, cipher, after, batch_size):
            after, rotated, batches = done[-1], rotated + len(done), batches + 1
            print(f"batch {batches}: {len(done)} liaisons, up to {after}", file=out, flush=True)
        left = await stale_count(pool, cipher)
        if not left:
            return RotationReport(rotated=rotated, batches=batches)
        print(f"{left} liaisons were in use; another pass", file=out, flush=True)
        await asyncio.sleep(pause_seconds)  # let the requests holding them finish


async def stale_count(pool: asyncpg.Pool, cipher: PiiCipher) -> int:
    """Liaisons with a value still under an older key (or from before key ids)."""
    async with MembersUnitOfWork(pool, scope=None) as uow:
        count: int = await uow.connection.fetchval(_COUNT, cipher.current_tag, TAG_BYTES)
        return count


async def _run(settings: MembersSettings, *, batch_size: int, check: bool) -> int:
    if settings.pii_key_file is None:
        print("error: MEMBERS_PII_KEY_FILE is not set", file=sys.stderr)
        return 2
    cipher = PiiCipher.from_file(settings.pii_key_file)
    pool = await create_pool(settings.database_url, min_size=1, max_size=2)
    try:
        if not check:
            report = await rotate(pool, cipher, batch_size=batch_size)
            print(f"re-encrypted {report.rotated} liaisons in {report.batches} batches")
        stale = await stale_count(pool, cipher)
    finally:
        await pool.close()
    print(f"{stale} liaisons not yet under key {cipher.current_key_id}")
    return 1 if stale else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=500, help="liaisons per transaction")
    parser.add_argument("--check", action="store_true", help="only count what is left to do")
    args = parser.parse_args(argv)
    return asyncio.run(_run(MembersSettings(), batch_size=args.batch_size, check=args.check))


if __name__ == "__main__":
    sys.exit(main())
