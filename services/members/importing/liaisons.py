"""Importing liaisons (界别群众联系人): personal data sealed on the way in, masked in events.

Each value is encrypted with the service's PiiCipher bound to its liaison id and field, exactly
as the liaisons repository does, so either side reads what the other wrote. A re-imported row
is compared after decrypting the stored values in memory; they are never logged or returned.

Audit: one `pii_audit` row per liaison created or changed (action `import`, the fields
written, reason `import <job id>`), not one per job. The audit log is searched by liaison
("who wrote this person's data?"); a per-job row would answer that only by re-reading the
file. The rows go in by COPY in the same transaction, so they cost about as much as the
liaison rows themselves, and an import that fails leaves no audit rows for writes that never
happened. Comparing a re-import with the stored data discloses nothing to anyone and is not
audited as a read.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from services.members import events
from services.members.domain.masking import mask_name, mask_phone
from services.members.importing import references as refs
from services.members.importing.base import (
    CHUNK_ROWS,
    LOOKUP_CHUNK,
    STATEMENT_TIMEOUT,
    ImportContext,
    Stage,
    chunks,
    duplicate_errors,
    emit,
    fetch_many,
    require_all,
)
from services.members.importing.errors import RowError, RowsRejected
from services.members.importing.files import Table
from services.members.importing.jobs import Counts
from services.members.importing.rows import LiaisonRow
from shared.contracts.base import IntegrationEvent
from shared.kernel import new_id

PERSONAL_FIELDS = ("name", "phone", "workplace", "id_number")  # as the liaisons repository
_STAGE = (
    ("id", "uuid"),
    ("member_id", "uuid"),
    ("region_code", "text"),
    ("external_id", "text"),
    ("name_masked", "text"),
    ("phone_masked", "text"),
    ("name_enc", "bytea"),
    ("phone_enc", "bytea"),
    ("workplace_enc", "bytea"),
    ("id_number_enc", "bytea"),
    ("consent_to_departments", "boolean"),
    ("at", "timestamptz"),
    ("version", "text"),
)
_AUDIT_COLUMNS = ("actor", "actor_role", "action", "liaison_id", "fields", "reason")
_EXISTING = """SELECT id, external_id, member_id, region_code, status, consent_to_departments,
       name_enc, phone_enc, workplace_enc, id_number_enc, md5(l::text) AS version
FROM liaison l WHERE external_id = ANY($1::text[])"""


@dataclass(frozen=True, slots=True)
class _Write:
    id: UUID
    row: LiaisonRow
    member: refs.MemberRef
    region_code: str
    version: str | None  # None: a new liaison
    fields: tuple[str, ...]  # personal fields written (for the audit)


class LiaisonImporter:
    def __init__(self, ctx: ImportContext, table: Table) -> None:
        self.ctx, self.table = ctx, table
        self._writes: list[_Write] = []
        self._unchanged = 0
        self._per_member: dict[UUID, list[LiaisonRow]] = {}
        self._leaving: Counter[UUID] = Counter()  # linked liaisons in the file, by old member

    async def check(self, rows: list[LiaisonRow], errors: list[RowError]) -> None:
        errors += duplicate_errors(self.table, rows, "external_id")
        conn = self.ctx.conn
        members = await refs.members(conn, [r.member_external_id for r in rows])
        regions = await refs.regions(conn, [r.region_code for r in rows if r.region_code])
        for part in chunks(rows, LOOKUP_CHUNK):
            found = await conn.fetch(_EXISTING, [r.external_id for r in part])
            existing = {e["external_id"]: e for e in found}
            for r in part:
                self._check_row(r, members.get(r.member_external_id), regions, existing, errors)
        await self._check_quota(errors)

    def _check_row(
        self,
        r: LiaisonRow,
        member: refs.MemberRef | None,
        regions: dict[str, str],
        existing: dict[str, Any],
        errors: list[RowError],
    ) -> None:
        problems: list[tuple[str, str]] = []
        visible = self.ctx.principal.can_see_region
        if member is None or not visible(member.region_code):
            problems.append(("member_external_id", refs.NO_MEMBER))
        elif member.status == "retired":
            problems.append(("member_external_id", refs.RETIRED))
        if r.region_code and r.region_code not in regions:
            problems.append(("region_code", refs.UNKNOWN_REGION))
        elif r.region_code and not visible(r.region_code):
            problems.append(("region_code", refs.OUT_OF_SCOPE))
        old = existing.get(r.external_id)
        if old is not None and old["status"] != "linked":
            problems.append(("external_id", "the liaison was unlinked: link them in the app"))
        errors += [RowError(r.row, self.table.header(k), why) for k, why in problems]
        if problems or member is None:
            return
        self._per_member.setdefault(member.id, []).append(r)
        region = r.region_code or member.region_code
        if old is None:
            fields = tuple(f for f in PERSONAL_FIELDS if getattr(r, f))
            self._writes.append(_Write(new_id(), r, member, region, None, fields))
            return
        self._leaving[old["member_id"]] += 1
        changed = self._changed_fields(old, r)
        same_place = (old["member_id"], old["region_code"]) == (member.id, region)
        if not changed and same_place and old["consent_to_departments"] == r.consent_to_departments:
            self._unchanged += 1
        else:
            self._writes.append(_Write(old["id"], r, member, region, old["version"], changed))

    def _changed_fields(self, old: Any, r: LiaisonRow) -> tuple[str, ...]:
        def stored(field: str) -> str | None:
            blob = old[f"{field}_enc"]
            return None if blob is None else self.ctx.cipher.decrypt(old["id"], field, blob)

        return tuple(f for f in PERSONAL_FIELDS if stored(f) != getattr(r, f))

    async def _check_quota(self, errors: list[RowError]) -> None:
        """At most `quota.maximum` linked liaisons per member once the file is in."""
        counts = await fetch_many(
            self.ctx.conn,
            """SELECT member_id, count(*) AS linked FROM liaison
               WHERE status = 'linked' AND member_id = ANY($1::uuid[]) GROUP BY member_id""",
            list(self._per_member),
        )
        linked = {c["member_id"]: c["linked"] for c in counts}
        maximum = self.ctx.quota.maximum
        for member_id, rows in self._per_member.items():
            room = maximum - (linked.get(member_id, 0) - self._leaving[member_id])
            errors += [
                RowError(
                    r.row,
                    self.table.header("member_external_id"),
                    f"a member links at most {maximum} liaisons",
                )
                for r in rows[max(room, 0) :]
            ]

    async def apply(self) -> Counts:
        stage = Stage(self.ctx.conn, "import_liaison", _STAGE)
        done = self._unchanged
        for part in chunks(self._writes, CHUNK_ROWS):
            await stage.add([self._record(w) for w in part])
            await emit(self.ctx.conn, [self._event(w) for w in part])
            await self._audit(part)
            done += len(part)
            await self.ctx.progress(done)
        new = [w for w in self._writes if w.version is None]
        inserted = await stage.fetch(
            """INSERT INTO liaison (id, member_id, region_code, external_id, name_masked,
                   phone_masked, name_enc, phone_enc, workplace_enc, id_number_enc,
                   consent_to_departments, status, linked_at)
               SELECT id, member_id, region_code, external_id, name_masked, phone_masked,
                   name_enc, phone_enc, workplace_enc, id_number_enc, consent_to_departments,
                   'linked', at
               FROM import_liaison WHERE version IS NULL
               ON CONFLICT DO NOTHING RETURNING external_id"""
        )
        if len(inserted) != len(new):
            self._taken_elsewhere(new, {i["external_id"] for i in inserted})
        updated = await stage.fetch(
            """UPDATE liaison l SET member_id = s.member_id, region_code = s.region_code,
                   name_masked = s.name_masked, phone_masked = s.phone_masked,
                   name_enc = s.name_enc, phone_enc = s.phone_enc,
                   workplace_enc = s.workplace_enc, id_number_enc = s.id_number_enc,
                   consent_to_departments = s.consent_to_departments, updated_at = s.at
               FROM import_liaison s
               WHERE s.version IS NOT NULL AND l.id = s.id AND md5(l::text) = s.version
               RETURNING l.id"""
        )
        require_all(updated, len(self._writes) - len(new))
        return Counts(len(new), len(self._writes) - len(new), self._unchanged)

    def _taken_elsewhere(self, new: list[_Write], inserted: set[str]) -> None:
        """Row-level security hid a liaison with the same external id in another region."""
        header = self.table.header("external_id")
        raise RowsRejected(
            [
                RowError(w.row.row, header, refs.TAKEN)
                for w in new
                if w.row.external_id not in inserted
            ]
        )

    def _record(self, w: _Write) -> tuple[object, ...]:
        r = w.row

        def seal(field: str) -> bytes | None:
            value: str | None = getattr(r, field)
            return None if value is None else self.ctx.cipher.encrypt(w.id, field, value)

        sealed = tuple(seal(f) for f in PERSONAL_FIELDS)
        where = (w.id, w.member.id, w.region_code, r.external_id)
        masks = (mask_name(r.name), mask_phone(r.phone))
        return (*where, *masks, *sealed, r.consent_to_departments, self.ctx.now, w.version)

    def _event(self, w: _Write) -> IntegrationEvent:
        return events.liaison_imported(
            at=self.ctx.now,
            region_code=w.region_code,
            liaison_id=w.id,
            member_id=w.member.id,
            sector_code=w.member.sector_code,
            name=w.row.name,
            consent_to_departments=w.row.consent_to_departments,
            created=w.version is None,
        )

    async def _audit(self, part: Any) -> None:
        p = self.ctx.principal
        reason = f"import {self.ctx.job_id}"
        records = [
            (p.subject, p.role.value, "import", w.id, list(w.fields), reason)
            for w in part
            if w.fields
        ]
        if records:
            await self.ctx.conn.copy_records_to_table(
                "pii_audit", records=records, columns=_AUDIT_COLUMNS, timeout=STATEMENT_TIMEOUT
            )
