"""Reading a dead letter: the original message back, and where it came from."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pytest

from shared.messaging.dlq_replay import (
    DeadLetter,
    OperatorSettings,
    ReplayError,
    dead_letter,
    replay,
    report_line,
)
from shared.messaging.security import KafkaConnection


@dataclass
class Record:
    offset: int
    headers: list[tuple[str, bytes]] = field(default_factory=list)
    key: bytes | None = b"member-1"
    value: bytes | None = b'{"event_id": "e1"}'


ORIGIN = [
    ("dlq_reason", b"handler failed: ValueError('boom')"),
    ("dlq_original_topic", b"members.member"),
    ("dlq_original_partition", b"7"),
    ("dlq_original_offset", b"42"),
    ("dlq_consumer_group", b"visits.members-events"),
    ("dlq_failed_at", b"2026-11-27T01:00:00+00:00"),
]


def test_a_dead_letter_gives_back_the_original_message_without_the_dlq_headers() -> None:
    original = [("ce_type", b"members.member.registered.v1"), ("ce_id", b"e1")]
    letter = dead_letter(Record(3, headers=[*original, *ORIGIN]))
    assert letter.origin == ("members.member", 7, 42)
    assert (letter.group, letter.offset) == ("visits.members-events", 3)
    assert letter.original_headers == tuple(original)
    assert (letter.key, letter.value) == (b"member-1", b'{"event_id": "e1"}')


def test_a_record_without_its_origin_is_refused_by_offset() -> None:
    with pytest.raises(ReplayError, match="offset 5 has no valid dlq_"):
        dead_letter(Record(5, headers=[("dlq_original_topic", b"members.member")]))


def test_the_printed_line_names_positions_and_reason_never_the_message() -> None:
    letter: DeadLetter = dead_letter(Record(3, headers=ORIGIN, value=b"13812345678"))
    line = report_line(letter, again=False, dry_run=True)
    assert line.split("\t")[:4] == [
        "3",
        "would replay",
        "members.member[7]@42",
        "visits.members-events",
    ]
    assert "13812345678" not in line
    assert "member-1" not in line


async def test_only_a_dlq_topic_is_replayed() -> None:
    with pytest.raises(ReplayError, match="not a dead-letter topic"):
        await replay(KafkaConnection("127.0.0.1:1"), "members.member", out=io.StringIO())


def test_the_connection_is_read_from_the_operator_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CPPCC_OPERATOR_KAFKA_BOOTSTRAP_SERVERS", "cppcc-kafka-bootstrap:9093")
    monkeypatch.setenv("VISITS_KAFKA_BOOTSTRAP_SERVERS", "elsewhere:9092")
    settings = OperatorSettings()
    assert settings.kafka_bootstrap_servers == "cppcc-kafka-bootstrap:9093"
    assert KafkaConnection.from_settings(settings).security_protocol == "PLAINTEXT"
