"""The topic plan: business topics, their dead-letter twins, partitions and retention."""

from __future__ import annotations

import re

import pytest

from shared.contracts import topics
from shared.contracts.registry import EVENT_TYPES
from shared.contracts.topics import (
    ALL_TOPICS,
    BUSINESS_TOPICS,
    DLQ_TOPICS,
    FOREVER,
    THIRTY_DAYS_MS,
    TopicSpec,
    dlq_name,
)

# `dataplatform.*` is published by reporting but named for its reader (architecture.md).
OWNERS = {"members", "visits", "notifications", "reporting", "dataplatform"}
BUSINESS = [pytest.param(t, id=t.name) for t in BUSINESS_TOPICS]


@pytest.mark.parametrize("topic", BUSINESS)
def test_every_business_topic_has_a_dead_letter_topic_named_after_it(topic: TopicSpec) -> None:
    assert topic.dlq == f"{topic.name}.dlq"
    assert topic.dlq in {d.name for d in DLQ_TOPICS}


def test_there_is_exactly_one_dead_letter_topic_per_business_topic() -> None:
    assert sorted(d.name for d in DLQ_TOPICS) == sorted(dlq_name(t.name) for t in BUSINESS_TOPICS)


@pytest.mark.parametrize("topic", [pytest.param(t, id=t.name) for t in ALL_TOPICS])
def test_every_topic_has_at_least_one_partition(topic: TopicSpec) -> None:
    assert topic.partitions >= 1


@pytest.mark.parametrize("topic", BUSINESS)
def test_business_topics_keep_their_events_forever(topic: TopicSpec) -> None:
    assert topic.retention_ms == FOREVER == -1


def test_dead_letters_are_kept_thirty_days_in_arrival_order() -> None:
    assert {(d.partitions, d.retention_ms) for d in DLQ_TOPICS} == {(1, THIRTY_DAYS_MS)}
    assert THIRTY_DAYS_MS == 30 * 24 * 60 * 60 * 1000


@pytest.mark.parametrize("topic", BUSINESS)
def test_business_topic_names_follow_owner_dot_aggregate(topic: TopicSpec) -> None:
    owner, aggregate = topic.name.split(".")
    assert owner in OWNERS
    assert re.fullmatch(r"[a-z][a-z_]*", aggregate)


def test_topic_names_are_unique() -> None:
    names = [t.name for t in ALL_TOPICS]
    assert len(names) == len(set(names))


def test_every_module_level_topic_is_in_the_plan() -> None:
    declared = {v for v in vars(topics).values() if isinstance(v, TopicSpec)}
    assert declared <= set(BUSINESS_TOPICS)


def test_every_event_is_published_to_a_planned_business_topic() -> None:
    planned = {t.name for t in BUSINESS_TOPICS}
    assert {cls.topic for cls in EVENT_TYPES.values()} <= planned
