"""One vocabulary: every contract code has one Chinese label, and the tables' CHECKs agree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shared.contracts import members, notifications, visits
from shared.contracts.vocabulary import LITERALS, SECTORS, TABLES, codes

ROOT = Path(__file__).resolve().parents[4]
# The last migration's word wins: a later one may drop and re-add a constraint.
CHECKED_BY: dict[str, object] = {
    "contact_record_channel_check": visits.Channel,
    "contact_record_occasion_check": visits.VisitOccasion,
    "contact_record_place_check": visits.PlaceKind,
    "obligation_status_check": visits.ObligationStatus,
    "concern_kind_check": visits.ConcernKind,
    "concern_status_check": visits.ConcernStatus,
    "concern_upgraded_to_check": visits.UpgradeTarget,
    "member_status_check": members.MemberStatus,
    "member_roster_status_check": members.MemberStatus,
    "recipient_status_check": members.MemberStatus,
    "occasion_kind_check": members.OccasionKind,
    "liaison_circumstance_kind_check": members.CircumstanceKind,
    "workstation_kind_check": members.WorkstationKind,
    "delivery_channel_check": notifications.DeliveryChannel,
    "notification_priority_check": notifications.Priority,
}
_CHECK = re.compile(
    r"CONSTRAINT (\w+)\s+CHECK\s*\(\s*(?:\w+ IS NULL OR )?\w+ IN \(([^)]*)\)", re.IGNORECASE
)


def _up_sections() -> list[str]:
    paths = sorted(ROOT.glob("services/*/migrations/*.sql"), key=lambda p: p.name)
    return [p.read_text(encoding="utf-8").split("-- migrate:down")[0] for p in paths]


def _checked_values() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for sql in _up_sections():
        for name, values in _CHECK.findall(sql):
            found[name] = set(re.findall(r"'([^']*)'", values))
    return found


@pytest.mark.parametrize("name", sorted(LITERALS))
def test_every_code_of_a_vocabulary_has_a_label_and_every_label_a_code(name: str) -> None:
    assert list(TABLES[name]) == list(dict.fromkeys(TABLES[name]))
    assert set(TABLES[name]) == set(codes(LITERALS[name]))
    assert all(label.strip() for label in TABLES[name].values())


def test_no_two_codes_of_a_vocabulary_share_a_label() -> None:
    for name, table in TABLES.items():
        assert len(set(table.values())) == len(table), name


def test_the_codes_of_a_union_of_literals_are_all_of_theirs() -> None:
    assert codes(visits.VisitOccasion) == (*codes(visits.OccasionKind), "routine")


def test_every_table_check_allows_exactly_its_literals_codes() -> None:
    checked = _checked_values()
    for constraint, literal in CHECKED_BY.items():
        assert checked[constraint] == set(codes(literal)), constraint


def test_every_sector_of_the_members_reference_data_has_a_label() -> None:
    sql = (ROOT / "services/members/migrations/20261127120200_baseline.sql").read_text(
        encoding="utf-8"
    )
    rows = sql.split("INSERT INTO sector (code, name) VALUES", 1)[1].split(";", 1)[0]
    # The labels are the short names people use (总工会, not 中华全国总工会); the codes agree.
    assert [code for code, _ in re.findall(r"\('([^']+)', '([^']+)'\)", rows)] == list(SECTORS)


def test_the_domains_enums_have_exactly_their_literals_codes() -> None:
    # The domains keep StrEnums for their rules; the contracts' Literals own the codes.
    from services.members.domain.members import MemberStatus
    from services.members.domain.occasions import OccasionKind
    from services.visits.domain.concerns import Status

    assert {s.value for s in Status} == set(codes(visits.ConcernStatus))
    assert {s.value for s in MemberStatus} == set(codes(members.MemberStatus))
    assert {k.value for k in OccasionKind} == set(codes(members.OccasionKind))
