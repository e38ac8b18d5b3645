"""A year of activity through the APIs: visits by members, occasions and circumstances declared
by offices, concerns walked through their lifecycle by members, departments and constituents."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import httpx

from deploy.demo.activity import Activity, Circumstance, Concern, Occasion, OnlineConcern, Visit
from deploy.demo.client import Api, Tokens
from deploy.demo.lifecycle import next_step
from deploy.demo.onboarding import Ids
from deploy.demo.places import PROVINCE
from shared.auth import Role


@dataclass
class Loader:
    api: Api
    tokens: Tokens
    ids: dict[str, Ids]
    activity: Activity
    seed: int
    stations: dict[UUID, UUID] = field(default_factory=dict)  # member → workstation
    owed: dict[tuple[UUID, UUID], UUID] = field(default_factory=dict)  # (source, member)

    def key(self, what: str) -> str:
        return f"demo-{self.seed}-{self.activity.today.isoformat()}-{what}"

    async def visits(self, visits: Iterable[Visit], sources: dict[str, UUID] | None = None) -> None:
        await gather(self.visit(v, sources or {}) for v in visits)

    async def visit(self, v: Visit, sources: dict[str, UUID]) -> None:
        ids = self.ids[v.member.external_id]
        token = self.tokens.member(ids.member, v.member.region)
        body: dict[str, Any] = {
            "member_id": str(ids.member),
            "channel": v.channel,
            "occasion": v.occasion,
            "occurred_on": v.occurred_on.isoformat(),
            "liaison_ids": [str(ids.liaisons[i]) for i in v.liaisons],
            "people_reached": v.people_reached,
            "heart_to_heart_talks": v.talks,
            "summary": v.summary,
            "concerns": [_raised(c, ids) for c in v.concerns],
        }
        if v.channel == "innovative" and ids.member in self.stations:
            body["place_kind"], body["place_id"] = "workstation", str(self.stations[ids.member])
        if v.source_key is not None:
            source = sources[v.source_key]
            owed = self.owed.get((source, ids.member))
            if owed is None:  # a circumstance's: one each, asked for one by one
                owed = await self._obligation(token, v.occasion, source)
            body["obligation_ids"] = [str(owed)]
        url = f"{self.api.urls.visits}/v1/visits"
        record = await self.api.call(
            "POST", url, token, json=body, key=self.key(v.key), until_known=_not_yet_known
        )
        if v.concerns:
            listed = await self.api.call(
                "GET", f"{self.api.urls.visits}/v1/concerns", token,
                params={"visit_id": record.json()["id"]},
            )  # fmt: skip
            states = sorted(listed.json()["items"], key=lambda c: c["title"])
            plans = sorted(v.concerns, key=lambda c: c.title)
            for plan, state in zip(plans, states, strict=True):
                await self.walk(plan, state, owner=token, rater=token)

    async def _obligation(self, token: str, kind: str, source: UUID) -> UUID:
        """The member's obligation for this occasion, once visits has opened it (Kafka)."""
        url = f"{self.api.urls.visits}/v1/obligations"

        async def fetch() -> list[dict[str, Any]]:
            page = await self.api.call("GET", url, token, params={"occasion_kind": kind})
            return [o for o in page.json()["items"] if o["source_id"] == str(source)]

        found = await self.api.poll(fetch, bool, what=f"{kind} obligation")
        return UUID(found[0]["id"])

    async def opened(self, sources: dict[str, UUID], expected: dict[str, int]) -> None:
        """Waits until visits has opened the occasions' obligations (it hears of occasions over
        Kafka), then remembers them: a listing per kind rather than a question per visit."""
        province = self.tokens.get(Role.PROVINCE_ADMIN, PROVINCE)
        wanted = {sources[key]: n for key, n in expected.items()}
        kinds = sorted({o.kind for o in self.activity.occasions})

        async def fetch() -> dict[tuple[UUID, UUID], UUID]:
            found: dict[tuple[UUID, UUID], UUID] = {}
            for kind in kinds:
                for o in await self._all_obligations(province, kind):
                    if UUID(o["source_id"]) in wanted:
                        found[(UUID(o["source_id"]), UUID(o["member_id"]))] = UUID(o["id"])
            return found

        def complete(found: dict[tuple[UUID, UUID], UUID]) -> bool:
            per_source = Counter(source for source, _member in found)
            return all(per_source[source] >= n for source, n in wanted.items())

        self.owed = await self.api.poll(fetch, complete, what="the occasions' obligations")

    async def _all_obligations(self, token: str, kind: str) -> list[dict[str, Any]]:
        url, items, after = f"{self.api.urls.visits}/v1/obligations", [], None
        while True:
            params = {"occasion_kind": kind, "limit": 500, **({"after": after} if after else {})}
            page = (await self.api.call("GET", url, token, params=params)).json()
            items += page["items"]
            if (after := page["next_cursor"]) is None:
                return items

    async def walk(self, plan: Concern, state: dict[str, Any], *, owner: str, rater: str) -> None:
        """One step at a time to the planned outcome, reading the state the service answers."""
        department = self.tokens.get(
            Role.DEPARTMENT, state["region_code"][:4] + "00", subject=plan.department
        )
        actors = {"owner": owner, "department": department, "rater": rater}
        while (step := next_step(plan, state, self.activity.today)) is not None:
            url = f"{self.api.urls.visits}/v1/concerns/{state['id']}/{step.action}"
            answer = await self.api.call("POST", url, actors[step.actor], json=step.body)
            state = answer.json()

    async def occasions(self, occasions: Iterable[Occasion]) -> dict[str, UUID]:
        declared = await gather(self._declare(o) for o in occasions)
        return dict(declared)

    async def _declare(self, o: Occasion) -> tuple[str, UUID]:
        scope = o.regions[0] if len(o.regions) == 1 else PROVINCE
        role = Role.PROVINCE_ADMIN if scope == PROVINCE else Role.CITY_ADMIN
        token = self.tokens.get(role, scope)
        body: dict[str, Any] = {
            "title": o.title,
            "sector_codes": list(o.sectors),
            "region_codes": list(o.regions),
        }
        if o.kind == "policy_issued":
            path, body["issued_on"] = "policies", o.occurs_on.isoformat()
        else:
            path, body["kind"], body["occurs_on"] = "occasions", o.kind, o.occurs_on.isoformat()
        url = f"{self.api.urls.members}/v1/{path}"
        answer = await self.api.call("POST", url, token, json=body, key=self.key(o.key))
        return o.key, UUID(answer.json()["id"])

    async def circumstances(self, found: Iterable[Circumstance]) -> None:
        await gather(self._circumstance(c) for c in found)

    async def _circumstance(self, c: Circumstance) -> None:
        """Reported by the city office (visits opens an obligation), then perhaps visited.
        The report has no Idempotency-Key: a re-run finds it in the liaison's list."""
        ids = self.ids[c.member.external_id]
        liaison = ids.liaisons[c.liaison]
        token = self.tokens.get(Role.CITY_ADMIN, c.member.city.code)
        url = f"{self.api.urls.members}/v1/liaisons/{liaison}/circumstances"
        earlier = [
            r for r in (await self.api.call("GET", url, token)).json() if r["kind"] == c.kind
        ]
        if earlier:
            report = UUID(earlier[0]["id"])
        else:
            body = {"kind": c.kind, "summary": c.summary}
            report = UUID((await self.api.call("POST", url, token, json=body)).json()["id"])
        if c.visit is not None:
            await self.visit(c.visit, {c.key: report})

    async def online(self, submissions: Iterable[OnlineConcern]) -> None:
        await gather(self._online(s) for s in submissions)

    async def _online(self, s: OnlineConcern) -> None:
        ids = self.ids[s.member.external_id]
        constituent = self.tokens.get(Role.CONSTITUENT, s.member.region, subject=s.constituent)
        c = s.concern
        body = {
            "member_id": str(ids.member),
            "kind": c.kind,
            "title": c.title,
            "body": c.body,
            "consent_to_share_identity": c.due_in_days % 2 == 0,
        }
        url = f"{self.api.urls.visits}/v1/concerns/online"
        state = await self.api.call(
            "POST", url, constituent, json=body, key=self.key(s.key), until_known=_not_yet_known
        )
        owner = self.tokens.member(ids.member, s.member.region)
        await self.walk(c, state.json(), owner=owner, rater=constituent)


def _raised(c: Concern, ids: Ids) -> dict[str, Any]:
    liaison = str(ids.liaisons[c.liaison]) if c.liaison is not None else None
    return {"kind": c.kind, "title": c.title, "body": c.body, "liaison_id": liaison}


def _not_yet_known(response: httpx.Response) -> bool:
    """Visits learns members, liaisons and workstations from Kafka: right after onboarding it
    may not know them yet."""
    text = response.text
    return (response.status_code == 404 and "member not found" in text) or (
        response.status_code == 422
        and ("not the member's liaisons" in text or "not an open workstation" in text)
    )


async def gather(calls: Iterable[Awaitable[Any]]) -> list[Any]:
    """All at once; the Api's pool bounds how many requests are really in flight."""
    return list(await asyncio.gather(*calls))
