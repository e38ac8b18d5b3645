"""City onboarding through POST /v1/imports on the real stack: the sample city, bad files,
re-imports, XLSX, scope. Every import is all rows or none, and publishes only what changed."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import httpx
import pytest
from cryptography.exceptions import InvalidTag

from services.members.domain.masking import mask_name
from services.members.importing.files import write_csv
from services.members.importing.kinds import ImportKind
from services.members.importing.synthetic import City
from services.members.importing.templates import TemplateFormat, sample_path
from services.members.main import create_app
from services.members.pii import PiiCipher
from services.members.settings import MembersSettings
from shared.auth import Role
from shared.contracts.topics import MEMBERS_LIAISON, MEMBERS_MEMBER, MEMBERS_WORKSTATION
from tests.support.kafka import read_all
from tests.support.platform import Platform
from tests.support.servers import serving
from tests.support.wait import eventually

JIXI, HARBIN, MISHAN = "230300", "230100", "230382"
# committees → members → units → liaisons → workstations (departments: test_departments.py)
KINDS: list[ImportKind] = [k for k in ImportKind if k is not ImportKind.DEPARTMENTS]
SAMPLE_COUNTS = {"committee": 2, "special_committee": 2, "member": 20, "grassroots_unit": 20}
SAMPLE_COUNTS |= {"liaison": 200, "workstation": 3, "workstation_member": 9}
Headers = dict[str, str]


@asynccontextmanager
async def _members(platform: Platform, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    settings = platform.settings(
        MembersSettings, "members", max_body_bytes=64 * 1024 * 1024, **overrides
    )
    async with (
        serving(create_app(settings)) as url,
        httpx.AsyncClient(base_url=url, timeout=60) as client,
    ):
        yield client


async def _upload(
    client: httpx.AsyncClient, headers: Headers, kind: str, content: bytes, name: str = ""
) -> httpx.Response:
    files = {"file": (name or f"{kind}.csv", content)}
    return await client.post(f"/v1/imports/{kind}", files=files, headers=headers)


async def _import(
    client: httpx.AsyncClient, headers: Headers, kind: str, content: bytes, name: str = ""
) -> dict[str, Any]:
    """Upload, then poll the job until it has finished either way."""
    response = await _upload(client, headers, kind, content, name)
    assert response.status_code == 202, response.text
    assert response.headers["location"] == f"/v1/imports/{response.json()['id']}"

    async def job() -> dict[str, Any]:
        polled = await client.get(response.headers["location"], headers=headers)
        assert polled.status_code == 200, polled.text
        body: dict[str, Any] = polled.json()
        return body

    return await eventually(job, lambda j: j["status"] in ("done", "failed"), timeout=120)


def _sample(kind: ImportKind) -> bytes:
    return sample_path(kind).read_bytes()


async def _import_sample_city(client: httpx.AsyncClient, headers: Headers) -> list[dict[str, Any]]:
    jobs = [await _import(client, headers, kind, _sample(kind)) for kind in KINDS]
    assert [j["status"] for j in jobs] == ["done"] * len(KINDS), jobs
    return jobs


async def _count(platform: Platform, table: str) -> int:
    return int(await platform.fetchval("members", f"SELECT count(*) FROM {table}"))  # noqa: S608


async def _counts(platform: Platform) -> dict[str, int]:
    return {t: await _count(platform, t) for t in [*SAMPLE_COUNTS, "outbox_message", "pii_audit"]}


async def _published(platform: Platform) -> None:
    """Until the relay has every outbox row acknowledged by Kafka (a loaded broker can take
    a while to elect the leaders of a test's fresh partitions)."""
    await eventually(
        lambda: platform.fetchval(
            "members", "SELECT count(*) FILTER (WHERE sent_at IS NULL) FROM outbox_message"
        ),
        lambda pending: pending == 0,
        timeout=120,
        interval=0.1,
        what="outbox drained",
    )


async def _messages(platform: Platform, topic: str, count: int) -> list[Any]:
    """Every message on `topic` (call after `_published`)."""

    async def probe() -> list[Any]:
        try:
            return await read_all(platform.stack.kafka_bootstrap, platform.topic(topic))
        except AssertionError:  # the reader found no partition metadata yet
            return []

    return await eventually(probe, lambda m: len(m) >= count, timeout=120, what=topic)


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))[1:]


async def test_the_sample_city_onboards_file_by_file_and_publishes_one_event_per_new_row(
    platform: Platform,
) -> None:
    admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    async with _members(platform) as client:
        jobs = await _import_sample_city(client, admin)
        await _published(platform)  # the relay runs in the service: wait before stopping it
    assert [(j["created"], j["updated"], j["unchanged"]) for j in jobs] == [
        (3, 0, 0),
        (20, 0, 0),
        (20, 0, 0),
        (200, 0, 0),
        (3, 0, 0),
    ]
    assert all(j["processed_rows"] == j["total_rows"] and j["errors"] == [] for j in jobs)
    counts = await _counts(platform)
    assert {t: counts[t] for t in SAMPLE_COUNTS} == SAMPLE_COUNTS
    assert counts["outbox_message"] == 20 + 20 + 200 + 3
    assert counts["pii_audit"] == 200, "one audit row per liaison written"

    member_events = await _messages(platform, MEMBERS_MEMBER.name, 40)
    liaison_events = await _messages(platform, MEMBERS_LIAISON.name, 200)
    workstation_events = await _messages(platform, MEMBERS_WORKSTATION.name, 3)
    types = [dict(m.headers)["ce_type"].decode() for m in member_events]
    assert sorted(set(types)) == ["members.member.registered.v1", "members.member.unit_linked.v1"]
    for message in member_events:
        assert message.key.decode() == json.loads(message.value)["member_id"]
    for message in liaison_events:
        body = json.loads(message.value)
        assert message.key.decode() == body["liaison_id"]
        assert body["event_type"] == "members.liaison.linked.v1"
    for message in workstation_events:
        assert message.key.decode() == json.loads(message.value)["workstation_id"]
    assert sorted(len(json.loads(m.value)["member_ids"]) for m in workstation_events) == [3, 3, 3]

    liaisons = _csv_rows(_sample(ImportKind.LIAISONS))
    secrets = {value for row in liaisons for value in (row[3], row[4], row[5]) if value}
    everything = [m.value.decode() for m in member_events + liaison_events + workstation_events]
    assert not [s for s in secrets for body in everything if s in body], "personal data leaked"
    names = {row[2] for row in liaisons}
    assert not [n for n in names for m in liaison_events if n in m.value.decode()]


async def test_liaisons_are_stored_encrypted_with_masks_in_clear(platform: Platform) -> None:
    admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    async with _members(platform) as client:
        await _import_sample_city(client, admin)
    first = _csv_rows(_sample(ImportKind.LIAISONS))[2]  # has an ID number and a workplace
    conn_row = await _liaison(platform, first[0])
    cipher = PiiCipher.from_file(platform.keys.pii_key_file)
    liaison_id = conn_row["id"]
    assert first[3].encode() not in conn_row["phone_enc"]
    assert cipher.decrypt(liaison_id, "phone", conn_row["phone_enc"]) == first[3]
    assert cipher.decrypt(liaison_id, "name", conn_row["name_enc"]) == first[2]
    assert cipher.decrypt(liaison_id, "id_number", conn_row["id_number_enc"]) == first[4]
    assert cipher.decrypt(liaison_id, "workplace", conn_row["workplace_enc"]) == first[5]
    assert conn_row["name_masked"] == mask_name(first[2])
    assert conn_row["phone_masked"] == first[3][:3] + "****" + first[3][-4:]
    audit = await platform.fetchval(
        "members",
        "SELECT array_to_string(fields, ',') || '|' || reason FROM pii_audit WHERE liaison_id = $1",
        liaison_id,
    )
    assert audit.split("|")[0] == "name,phone,workplace,id_number"
    assert audit.split("|")[1].startswith("import ")


async def _liaison(platform: Platform, external_id: str) -> Any:
    conn = await asyncpg.connect(platform.database_urls["members"])
    try:
        return await conn.fetchrow("SELECT * FROM liaison WHERE external_id = $1", external_id)
    finally:
        await conn.close()


async def test_the_same_files_again_change_nothing_and_publish_nothing(platform: Platform) -> None:
    admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    async with _members(platform) as client:
        await _import_sample_city(client, admin)
        before = await _counts(platform)
        again = await _import_sample_city(client, admin)
    assert [(j["created"], j["updated"]) for j in again] == [(0, 0)] * len(KINDS)
    assert [j["unchanged"] for j in again] == [3, 20, 20, 200, 3]
    assert await _counts(platform) == before, "no new rows, events or audit records"


async def test_changed_rows_are_updated_and_publish_their_updated_events(
    platform: Platform,
) -> None:
    admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    city = City()
    members, units, liaisons, stations = (
        city.member_rows(),
        city.unit_rows(),
        city.liaison_rows(),
        city.workstation_rows(),
    )
    members[0][7] = "新的职务"
    units[0][2] = "鸡西新单元"
    liaisons[0][3] = "13900009999"
    stations[0][7] = ";".join(stations[0][7].split(";")[:2])
    async with _members(platform) as client:
        await _import_sample_city(client, admin)
        before = await _count(platform, "outbox_message")
        jobs = [
            await _import(client, admin, kind.value, write_csv(kind, rows))
            for kind, rows in [
                (ImportKind.MEMBERS, members),
                (ImportKind.UNITS, units),
                (ImportKind.LIAISONS, liaisons),
                (ImportKind.WORKSTATIONS, stations),
            ]
        ]
        await _published(platform)
    assert [(j["created"], j["updated"], j["unchanged"]) for j in jobs] == [
        (0, 1, 19),
        (0, 1, 19),
        (0, 1, 199),
        (0, 1, 2),
    ]
    assert await _count(platform, "outbox_message") == before + 4
    types = await platform.fetchval(
        "members",
        "SELECT array_agg(event_type ORDER BY id) FROM outbox_message WHERE id > $1",
        before,
    )
    assert types == [
        "members.member.updated.v1",
        "members.member.unit_linked.v1",
        "members.liaison.updated.v1",
        "members.workstation.changed.v1",
    ]
    fields = await platform.fetchval(
        "members",
        """SELECT array_agg(array_to_string(a.fields, ',')) FROM pii_audit a
           JOIN liaison l ON l.id = a.liaison_id WHERE l.external_id = $1""",
        liaisons[0][0],
    )
    assert fields == ["name,phone,workplace", "phone"], "as created, then the phone changed"
    attached = await platform.fetchval(
        "members",
        """SELECT count(*) FROM workstation_member a JOIN workstation w ON w.id = a.workstation_id
           WHERE w.external_id = $1""",
        stations[0][0],
    )
    assert attached == 2


async def test_an_xlsx_file_imports_like_its_csv_twin(platform: Platform) -> None:
    admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    xlsx = TemplateFormat.XLSX
    async with _members(platform) as client:
        first = [
            await _import(client, admin, k, sample_path(k, xlsx).read_bytes(), f"{k}.xlsx")
            for k in KINDS
        ]
        twin = [await _import(client, admin, kind, _sample(kind)) for kind in KINDS]
    assert [j["created"] for j in first] == [3, 20, 20, 200, 3]
    assert [(j["created"], j["updated"]) for j in twin] == [(0, 0)] * len(KINDS)
    assert [j["unchanged"] for j in twin] == [3, 20, 20, 200, 3]


async def test_liaison_ids_are_bound_to_their_rows(platform: Platform) -> None:
    """The stored phone decrypts only as its own liaison's phone (ids and fields bind it)."""
    admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    async with _members(platform) as client:
        for kind in KINDS[:2]:
            await _import(client, admin, kind, _sample(kind))
        await _import(client, admin, "liaisons", _sample(ImportKind.LIAISONS))
    rows = _csv_rows(_sample(ImportKind.LIAISONS))
    one, other = await _liaison(platform, rows[0][0]), await _liaison(platform, rows[1][0])
    cipher = PiiCipher.from_file(platform.keys.pii_key_file)
    assert cipher.decrypt(one["id"], "phone", one["phone_enc"]) == rows[0][3]
    with pytest.raises(InvalidTag):
        cipher.decrypt(other["id"], "phone", one["phone_enc"])
    with pytest.raises(InvalidTag):
        cipher.decrypt(one["id"], "name", one["phone_enc"])
