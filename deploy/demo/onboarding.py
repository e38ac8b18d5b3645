"""Onboarding the demo province: the calendar and counties (provincial office), then each city's
five import files (its city office), then reading back the ids the services gave everyone."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from deploy.demo.client import Api, ApiError, Tokens
from deploy.demo.directory import Directory
from deploy.demo.files import KINDS, onboarding_file
from deploy.demo.places import FESTIVALS, JIXI, PROVINCE
from shared.auth import Role


@dataclass(frozen=True)
class Ids:
    """What the members service calls a demo member and their liaisons (in plan order)."""

    member: UUID
    liaisons: tuple[UUID, ...]


async def reference_data(api: Api, tokens: Tokens, directory: Directory) -> None:
    province = tokens.get(Role.PROVINCE_ADMIN, PROVINCE)
    for sector, festivals in FESTIVALS.items():
        body = [{"name": n, "month": m, "day": d} for n, m, d in festivals]
        await api.call(
            "PUT", f"{api.urls.members}/v1/sectors/{sector}/festivals", province, json=body
        )
    known = await api.call("GET", f"{api.urls.members}/v1/regions", province)
    have = {r["code"] for r in known.json()}
    used = {m.region for m in directory.members}
    wanted = sorted(
        (code, name) for c in directory.cities for code, name in c.counties if code in used
    )
    await asyncio.gather(
        *(_add_region(api, province, code, name) for code, name in wanted if code not in have)
    )


async def _add_region(api: Api, token: str, code: str, name: str) -> None:
    try:
        await api.call(
            "POST", f"{api.urls.members}/v1/regions", token, json={"code": code, "name": name}
        )
    except ApiError as exc:
        if exc.status_code != 409:  # added meanwhile (a re-run): fine
            raise


async def onboard(api: Api, tokens: Tokens, directory: Directory) -> None:
    """Jixi's office onboards Jixi, the provincial office the other cities. The members service
    runs one import at a time (a lock), so the files go one after another, in order: later
    kinds name rows of earlier ones."""
    jixi = [c for c in directory.cities if c.code == JIXI]
    others = [c for c in directory.cities if c.code != JIXI and directory.city_members(c)]
    for cities, token in (
        (jixi, tokens.get(Role.CITY_ADMIN, JIXI)),
        (others, tokens.get(Role.PROVINCE_ADMIN, PROVINCE)),
    ):
        for kind in KINDS:
            await _import(api, token, kind, onboarding_file(kind, cities, directory))


async def _import(api: Api, token: str, kind: str, content: bytes) -> None:
    files = {"file": (f"{kind}.csv", content, "text/csv")}
    url = f"{api.urls.members}/v1/imports/{kind}"
    job = (await api.call("POST", url, token, files=files)).json()
    url = f"{api.urls.members}/v1/imports/{job['id']}"

    async def fetch() -> dict[str, Any]:
        return dict((await api.call("GET", url, token)).json())

    done = await api.poll(fetch, lambda j: j["status"] in ("done", "failed"), what=kind)
    if done["status"] != "done":
        raise RuntimeError(f"{kind} import failed: {done['detail']} {done['errors'][:5]}")


async def resolve(api: Api, tokens: Tokens, directory: Directory) -> dict[str, Ids]:
    """External id → ids. Members are listed by the province; a demo liaison's external id
    starts with its member's, which is how a member's uuid is matched to the plan."""
    province = tokens.get(Role.PROVINCE_ADMIN, PROVINCE)
    members: list[dict[str, str]] = []
    after: str | None = None
    while True:
        params = {"limit": 500, **({"after": after} if after else {})}
        page = (
            await api.call("GET", f"{api.urls.members}/v1/members", province, params=params)
        ).json()
        members += page["items"]
        after = page["next_cursor"]
        if after is None:
            break
    found = await asyncio.gather(*(_liaisons(api, tokens, m) for m in members))
    order = {li.external_id: i for m in directory.members for i, li in enumerate(m.liaisons)}
    ids: dict[str, Ids] = {}
    for m, liaisons in zip(members, found, strict=True):
        demo = [(ext, lid) for ext, lid in liaisons if ext in order]
        if demo:
            ext = demo[0][0].rsplit("-L", 1)[0]
            ranked = sorted(demo, key=lambda pair: order[pair[0]])
            ids[ext] = Ids(UUID(m["id"]), tuple(UUID(lid) for _, lid in ranked))
    missing = [m.external_id for m in directory.members if m.external_id not in ids]
    if missing:
        raise RuntimeError(
            f"{len(missing)} demo members not found after onboarding, e.g. {missing[:3]}"
        )
    return ids


async def _liaisons(api: Api, tokens: Tokens, member: dict[str, str]) -> list[tuple[str, str]]:
    token = tokens.get(Role.CITY_ADMIN, member["region_code"][:4] + "00")
    url = f"{api.urls.members}/v1/members/{member['id']}/liaisons"
    page = (await api.call("GET", url, token, params={"limit": 200})).json()
    return [(li["external_id"], li["id"]) for li in page["items"] if li["external_id"]]


async def workstations(api: Api, tokens: Tokens) -> dict[UUID, UUID]:
    """Member → a workstation they are attached to (their innovative-channel visits go there)."""
    province = tokens.get(Role.PROVINCE_ADMIN, PROVINCE)
    url, after = f"{api.urls.members}/v1/workstations", None
    found: dict[UUID, UUID] = {}
    while True:
        params = {"limit": 500, "status": "open", **({"after": after} if after else {})}
        page = (await api.call("GET", url, province, params=params)).json()
        for w in page["items"]:
            for member in w["member_ids"]:
                found.setdefault(UUID(member), UUID(w["id"]))
        if (after := page["next_cursor"]) is None:
            return found
