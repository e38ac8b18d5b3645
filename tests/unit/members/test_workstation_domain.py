"""The pure rules of workstations: placement, changes, attached members, rota, closing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import get_args
from uuid import UUID, uuid4

import pytest

from services.members.domain.workstations import (
    DutyShift,
    NewWorkstation,
    Shift,
    Workstation,
    WorkstationChanges,
    WorkstationKind,
    amend,
    attach_members,
    check_locality,
    close,
    open_workstation,
    plan_rota,
)
from shared.contracts import members as contracts
from shared.errors import Conflict, InvalidInput

AT = datetime(2026, 9, 4, 2, tzinfo=UTC)
A, B, C = (UUID(int=n) for n in (1, 2, 3))


def _open(**overrides: object) -> Workstation:
    values: dict[str, object] = {
        "kind": WorkstationKind.WORKSTATION,
        "name": " 裴德镇  委员工作站 ",
        "region_code": "230382",
        "locality_code": "230382100",
        "head_name": "王书记",
        **overrides,
    }
    return open_workstation(uuid4(), NewWorkstation(**values), at=AT)  # type: ignore[arg-type]


def test_the_domain_knows_exactly_the_kinds_the_contract_carries() -> None:
    assert {k.value for k in WorkstationKind} == set(get_args(contracts.WorkstationKind))


@pytest.mark.parametrize("locality", [None, "230382100", "230382100001"])
def test_a_locality_inside_the_county_is_accepted(locality: str | None) -> None:
    check_locality("230382", locality)


@pytest.mark.parametrize("locality", ["230381100", "2303821", "230382100A", "230382"])
def test_a_locality_outside_the_county_or_of_the_wrong_shape_is_refused(locality: str) -> None:
    with pytest.raises(InvalidInput):
        check_locality("230382", locality)


def test_a_new_workstation_is_open_empty_and_tidily_named() -> None:
    ws = _open(head_name="  ")
    assert ws.is_open
    assert ws.name == "裴德镇 委员工作站"
    assert ws.head_name is None
    assert ws.member_ids == ()
    with pytest.raises(InvalidInput):
        _open(name="   ")


def test_only_the_fields_sent_change_and_none_clears() -> None:
    ws = _open(guiding_special_committee_code="jkwt")
    renamed = amend(ws, WorkstationChanges(name="新名"))
    assert (renamed.name, renamed.head_name, renamed.guiding_special_committee_code) == (
        "新名",
        "王书记",
        "jkwt",
    )
    cleared = amend(ws, WorkstationChanges(head_name=None, guiding_special_committee_code=None))
    assert (cleared.name, cleared.head_name, cleared.guiding_special_committee_code) == (
        ws.name,
        None,
        None,
    )


def test_a_change_that_changes_nothing_returns_the_same_workstation() -> None:
    ws = _open()
    assert amend(ws, WorkstationChanges(name=ws.name, head_name=" 王书记 ")) is ws
    assert amend(ws, WorkstationChanges()) is ws


def test_attached_members_are_a_sorted_set() -> None:
    ws = attach_members(_open(), [B, A, B])
    assert ws.member_ids == (A, B)
    assert attach_members(ws, [A, B]) is ws
    assert attach_members(ws, []).member_ids == ()


def test_only_attached_members_hold_duty_and_repeats_collapse() -> None:
    ws = attach_members(_open(), [A, B])
    day = DutyShift(date(2026, 12, 2), Shift.DAY, B)
    evening = DutyShift(date(2026, 12, 1), Shift.EVENING, A)
    assert plan_rota(ws, [day, evening, evening]) == [evening, day]
    with pytest.raises(InvalidInput, match=str(C)):
        plan_rota(ws, [day, DutyShift(date(2026, 12, 3), Shift.DAY, C)])


def test_a_closed_workstation_refuses_every_change() -> None:
    closed = close(attach_members(_open(), [A]), at=AT)
    assert not closed.is_open
    assert closed.closed_at == AT
    for change in (
        lambda: amend(closed, WorkstationChanges()),
        lambda: attach_members(closed, [A]),
        lambda: plan_rota(closed, []),
        lambda: close(closed, at=AT),
    ):
        with pytest.raises(Conflict):
            change()
