"""De-identification: keyed, stable pseudonyms and feed facts that keep no personal field."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from services.reporting.deidentify import Pseudonymizer, concern_fact, obligation_fact, visit_fact
from services.reporting.domain import Rate, local_day, rates
from shared.contracts import visits as v

AT = datetime(2026, 3, 1, 17, 30, tzinfo=UTC)
KEY = Pseudonymizer(b"unit-test-pseudonym-key")


def test_a_pseudonym_is_stable_for_one_key_and_differs_under_another() -> None:
    member = uuid4()
    other = Pseudonymizer(b"another-pseudonym-key-entirely")
    assert KEY(member) == KEY(member)
    assert KEY(member) != other(member)
    assert len(KEY(member)) == 32
    assert str(member) not in KEY(member)


def test_a_short_pseudonym_key_is_refused() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        Pseudonymizer(b"short")


def test_a_visit_fact_keeps_counts_and_codes_but_no_ids_of_people() -> None:
    liaison = uuid4()
    event = v.VisitRecordedV1(
        occurred_at=AT,
        region_code="230382",
        visit_id=uuid4(),
        member_id=uuid4(),
        sector_code="education",
        channel="online",
        occasion="routine",
        occurred_on=date(2026, 3, 1),
        place_kind="other",
        liaison_ids=[liaison, liaison],
        people_reached=4,
        heart_to_heart_talks=1,
    )
    fact = visit_fact(event, KEY)
    body = fact.model_dump_json()
    assert fact.member_ref == KEY(event.member_id)
    assert fact.liaisons_contacted == 1
    for secret in (event.member_id, event.visit_id, liaison):
        assert str(secret) not in body
    assert fact.event_id == visit_fact(event, KEY).event_id  # a replay republishes the same id


def test_an_obligation_fact_drops_the_title() -> None:
    event = v.ObligationOpenedV1(
        occurred_at=AT,
        region_code="230382",
        obligation_id=uuid4(),
        member_id=uuid4(),
        occasion_kind="policy_issued",
        sector_code="education",
        due_on=date(2026, 4, 1),
        source_id=uuid4(),
        title="关于进一步加强乡村教师队伍建设的意见",
    )
    fact = obligation_fact(event, KEY)
    assert fact.fact == "opened"
    assert "乡村教师" not in fact.model_dump_json()


def test_a_concern_fact_drops_the_upgrade_reference_and_keeps_the_kind() -> None:
    event = v.ConcernUpgradedV1(
        occurred_at=AT,
        region_code="230382",
        concern_id=uuid4(),
        member_id=uuid4(),
        sector_code="education",
        upgraded_to="proposal",
        reference="提案-2026-007 张三反映",
    )
    fact = concern_fact(event, KEY)
    assert (fact.fact, fact.upgraded_to) == ("upgraded", "proposal")
    assert "张三" not in fact.model_dump_json()


def test_a_rate_has_no_value_when_nothing_is_due() -> None:
    assert Rate(0, 0).value is None
    assert Rate(600, 700).value == 0.8571
    assert (
        rates({"concerns_handled": 600, "concerns_collected": 700})["handled_rate"].value == 0.8571
    )


def test_facts_belong_to_the_beijing_day() -> None:
    assert local_day(AT) == date(2026, 3, 2)
