"""Members HTTP endpoints: a member's liaisons (界别群众联系人) and their circumstances.

Personal data is validated by the domain's own rules, so a 422 names the field that is wrong
and never repeats what was sent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Self
from uuid import UUID

from fastapi import APIRouter, Query, Response
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from services.members.api.deps import DepsDep
from services.members.domain import liaisons as domain
from services.members.domain.liaisons import Circumstance
from services.members.handlers import liaisons as handlers
from services.members.views import liaisons as views
from services.members.views.liaisons import LiaisonView, masked
from shared.contracts.members import CircumstanceKind
from shared.web.params import IdempotencyKey, NotClearable, answer_created
from shared.web.security import CurrentPrincipal

router = APIRouter(prefix="/v1", tags=["liaisons"])

Name = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(domain.clean_name)]
# Exactly what domain.clean_phone takes (spaces anywhere; hyphens and +86 in a mobile), so the
# document refuses what the server refuses: `phone: ""` is invalid in both.
PHONE_PATTERN = (
    r"(?:^[\s-]*(?:(?:\+[\s-]*)?8[\s-]*6[\s-]*)?1[\s-]*[3-9](?:[\s-]*[0-9]){9}[\s-]*$)"
    r"|(?:^\s*0\s*[1-9](?:\s*[0-9]){1,2}\s*-\s*[1-9](?:\s*[0-9]){6,7}\s*$)"
)
Phone = Annotated[
    str,
    Field(
        max_length=32,
        pattern=PHONE_PATTERN,
        description="mobile 13812345678 or landline 0467-2345678",
    ),
    AfterValidator(domain.clean_phone),
]
Workplace = Annotated[str, Field(max_length=200)]
IdNumber = Annotated[
    str,
    # The shape here; the GB 11643 checksum, which no pattern can say, in the domain.
    Field(pattern=r"^[0-9]{17}[0-9Xx]$", description="18 characters, GB 11643 checksum"),
    AfterValidator(domain.clean_id_number),
]
ExternalId = Annotated[str, Field(min_length=1, max_length=100)]


# --- liaisons ------------------------------------------------------------------------------------


class LiaisonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name
    phone: Phone
    workplace: Workplace | None = None
    id_number: IdNumber | None = None
    consent_to_departments: bool = Field(
        default=False, description="the liaison agreed that departments may see who they are"
    )
    external_id: ExternalId | None = None

    def command(self, member_id: UUID) -> handlers.LinkLiaison:
        personal = domain.personal_data(self.name, self.phone, self.workplace, self.id_number)
        return handlers.LinkLiaison(
            member_id, personal, self.consent_to_departments, self.external_id
        )


class LiaisonPatch(BaseModel):
    """Only the fields sent change; `null` clears workplace or id_number."""

    model_config = ConfigDict(extra="forbid")
    name: Name | None = NotClearable
    phone: Phone | None = NotClearable
    workplace: Workplace | None = None
    id_number: IdNumber | None = None
    consent_to_departments: bool | None = NotClearable

    @model_validator(mode="after")
    def _required_stay_set(self) -> Self:
        for field in ("name", "phone", "consent_to_departments"):
            if field in self.model_fields_set and getattr(self, field) is None:
                raise ValueError(f"{field} cannot be cleared")
        return self

    def changes(self) -> domain.LiaisonChanges:
        cleared = {f for f in ("workplace", "id_number") if f in self.model_fields_set}
        return domain.LiaisonChanges(
            **self.model_dump(exclude_unset=True, exclude_none=True),
            cleared=frozenset(f for f in cleared if getattr(self, f) is None),
        )


class LiaisonOut(BaseModel):
    id: UUID
    member_id: UUID
    region_code: str
    status: str
    disclosure: Literal["full", "masked"] = Field(description="whether personal data is masked")
    name: str
    phone: str
    workplace: str | None
    id_number: str | None
    consent_to_departments: bool
    external_id: str | None
    linked_at: datetime
    unlinked_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def of(cls, view: LiaisonView) -> LiaisonOut:
        liaison, personal = view.liaison, view.personal
        return cls(
            id=liaison.id,
            member_id=liaison.member_id,
            region_code=liaison.region_code,
            status=liaison.status.value,
            disclosure=view.sight.value,
            name=personal.name,
            phone=personal.phone,
            workplace=personal.workplace,
            id_number=personal.id_number,
            consent_to_departments=liaison.consent_to_departments,
            external_id=liaison.external_id,
            linked_at=liaison.linked_at,
            unlinked_at=liaison.unlinked_at,
            updated_at=liaison.updated_at,
        )


class LiaisonPage(BaseModel):
    items: list[LiaisonOut]
    next_cursor: UUID | None = Field(description="pass as `after` to get the next page")


@router.post(
    "/members/{member_id}/liaisons",
    status_code=201,
    summary="Link a liaison to a member (answered masked)",
)
async def link_liaison(
    member_id: UUID,
    body: LiaisonIn,
    principal: CurrentPrincipal,
    deps: DepsDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> LiaisonOut:
    liaison, created = await handlers.link_liaison(
        body.command(member_id),
        principal=principal,
        uow=deps.uow(principal),
        cipher=deps.cipher,
        clock=deps.clock,
        quota=deps.quota,
        idempotency_key=idempotency_key,
    )
    answer_created(response, f"/v1/liaisons/{liaison.id}", created=created)
    return LiaisonOut.of(masked(liaison))


@router.get(
    "/members/{member_id}/liaisons",
    summary="A member's liaisons: in clear for the member, masked for offices",
)
async def list_liaisons(
    member_id: UUID,
    principal: CurrentPrincipal,
    deps: DepsDep,
    include_unlinked: Annotated[bool, Query()] = False,
    after: Annotated[UUID | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
) -> LiaisonPage:
    found = await views.list_liaisons(
        member_id,
        principal=principal,
        uow=deps.uow(principal),
        cipher=deps.cipher,
        include_unlinked=include_unlinked,
        after=after,
        limit=limit,
    )
    next_cursor = found[-1].liaison.id if len(found) == limit else None
    return LiaisonPage(items=[LiaisonOut.of(v) for v in found], next_cursor=next_cursor)


@router.get(
    "/liaisons/{liaison_id}",
    summary="One liaison; offices may reveal personal data with a reason (audited)",
)
async def get_liaison(
    liaison_id: UUID,
    principal: CurrentPrincipal,
    deps: DepsDep,
    reveal: Annotated[bool, Query(description="offices only; needs a reason")] = False,
    reason: Annotated[str | None, Query(max_length=200, description="why (5-200 chars)")] = None,
) -> LiaisonOut:
    view = await views.get_liaison(
        liaison_id,
        principal=principal,
        uow=deps.uow(principal),
        cipher=deps.cipher,
        reveal=reveal,
        reason=reason,
    )
    return LiaisonOut.of(view)


@router.patch("/liaisons/{liaison_id}", summary="Change a liaison's details (answered masked)")
async def update_liaison(
    liaison_id: UUID, body: LiaisonPatch, principal: CurrentPrincipal, deps: DepsDep
) -> LiaisonOut:
    liaison = await handlers.update_liaison(
        handlers.UpdateLiaison(liaison_id, body.changes()),
        principal=principal,
        uow=deps.uow(principal),
        cipher=deps.cipher,
        clock=deps.clock,
    )
    return LiaisonOut.of(masked(liaison))


@router.post("/liaisons/{liaison_id}/unlink", summary="The liaison leaves the member's roster")
async def unlink_liaison(
    liaison_id: UUID, principal: CurrentPrincipal, deps: DepsDep
) -> LiaisonOut:
    liaison = await handlers.unlink_liaison(
        handlers.UnlinkLiaison(liaison_id),
        principal=principal,
        uow=deps.uow(principal),
        cipher=deps.cipher,
        clock=deps.clock,
    )
    return LiaisonOut.of(masked(liaison))


# --- circumstances (八必访 5-7) ---------------------------------------------------------------


class CircumstanceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: CircumstanceKind
    summary: Annotated[str, Field(min_length=1, max_length=2000)]


class CircumstanceOut(BaseModel):
    id: UUID
    liaison_id: UUID
    kind: str
    summary: str
    reported_at: datetime
    reported_by: str

    @classmethod
    def of(cls, c: Circumstance) -> CircumstanceOut:
        return cls(
            id=c.id,
            liaison_id=c.liaison_id,
            kind=c.kind,
            summary=c.summary,
            reported_at=c.reported_at,
            reported_by=c.reported_by,
        )


@router.post(
    "/liaisons/{liaison_id}/circumstances",
    status_code=201,
    summary="Report a life change, request or hardship (opens a must-visit obligation)",
)
async def report_circumstance(
    liaison_id: UUID, body: CircumstanceIn, principal: CurrentPrincipal, deps: DepsDep
) -> CircumstanceOut:
    report = await handlers.report_circumstance(
        handlers.ReportCircumstance(liaison_id, body.kind, body.summary),
        principal=principal,
        uow=deps.uow(principal),
        cipher=deps.cipher,
        clock=deps.clock,
    )
    return CircumstanceOut.of(report)


@router.get("/liaisons/{liaison_id}/circumstances", summary="A liaison's reports, newest first")
async def list_circumstances(
    liaison_id: UUID, principal: CurrentPrincipal, deps: DepsDep
) -> list[CircumstanceOut]:
    reports = await views.list_circumstances(
        liaison_id, principal=principal, uow=deps.uow(principal), cipher=deps.cipher
    )
    return [CircumstanceOut.of(r) for r in reports]
