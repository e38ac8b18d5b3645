"""A consumer's typed handler map: one entry per event type, its topics taken from the types."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from shared.contracts import members as m
from shared.contracts import visits as v
from shared.contracts.base import IntegrationEvent
from shared.contracts.registry import topics_of
from shared.db.unit_of_work import PgUnitOfWork
from shared.messaging.consumer import ConsumerSettings
from shared.messaging.handlers import each, handler_map, handles
from shared.runtime import ConsumerSpec
from tests.support.builders import member_registered

Joining = m.MemberRegisteredV1 | m.MemberRetiredV1
JOINING: tuple[type[Joining], ...] = (m.MemberRegisteredV1, m.MemberRetiredV1)


async def _count(events: Sequence[Joining], uow: Any) -> None:
    return None


async def _one(event: v.ConcernSubmittedV1, uow: Any) -> None:
    return None


def _spec(*entries: Any) -> ConsumerSpec[PgUnitOfWork]:
    return ConsumerSpec(
        group="tests.group",
        handlers=list(entries),
        uow_factory=lambda pool: PgUnitOfWork(pool, source="/tests"),
    )


def test_a_consumer_reads_the_topics_its_event_types_are_published_on_and_no_others() -> None:
    spec = _spec(
        handles(JOINING, _count),
        each(v.ConcernSubmittedV1, _one),
    )
    assert spec.topics == ("members.member", "visits.concern")


def test_topics_are_named_once_in_the_order_the_types_come() -> None:
    types: list[type[IntegrationEvent]] = [
        v.VisitRecordedV1,
        m.MemberRegisteredV1,
        m.MemberUpdatedV1,
        v.ConcernClosedV1,
    ]
    assert topics_of(types) == ("visits.visit", "members.member", "visits.concern")


def test_an_event_type_given_two_handlers_is_refused_when_the_consumer_is_wired() -> None:
    with pytest.raises(ValueError, match="MemberRegisteredV1 has two handlers"):
        _spec(handles(m.MemberRegisteredV1, _count), handles(m.MemberRegisteredV1, _count))


def test_the_types_of_one_entry_share_its_handler() -> None:
    entry = handles(JOINING, _count)
    found = handler_map([entry])
    assert found[m.MemberRegisteredV1] is found[m.MemberRetiredV1] is entry.handler


async def test_a_per_event_use_case_sees_a_run_one_event_at_a_time_in_order() -> None:
    seen: list[object] = []

    async def remember(event: m.MemberRegisteredV1, uow: Any) -> None:
        seen.append((event.event_id, uow))

    events = [member_registered() for _ in range(3)]
    await each(m.MemberRegisteredV1, remember).handler(events, "uow")
    assert seen == [(e.event_id, "uow") for e in events]


def test_a_database_away_for_long_is_asked_again_at_least_every_five_seconds() -> None:
    settings = ConsumerSettings(service="t", group="g", tenant_scope="230000")
    delays = [settings.transient_delay(attempt) for attempt in range(1, 8)]
    assert delays[:3] == [0.4, 0.8, 1.6]
    assert max(delays) == 5.0
