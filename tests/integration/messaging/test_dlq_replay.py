"""Replaying a DLQ on the real Kafka: a failed event comes back after the fix, applied once."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from shared.contracts.envelope import cloudevent_headers, encode_body
from shared.contracts.members import MemberRegisteredV1
from shared.contracts.topics import MEMBERS_MEMBER
from shared.db.unit_of_work import PgUnitOfWork
from shared.messaging.handlers import each
from shared.runtime import ConsumerSpec, running
from shared.settings import ServiceSettings
from tests.support.builders import member_registered
from tests.support.kafka import group_lag, produce_raw, read_all
from tests.support.platform import Platform
from tests.support.wait import eventually

GROUP = "tests.dlq-replay"
ROOT = Path(__file__).resolve().parents[3]


class Cause:
    """The bug an operator fixes before replaying: while `broken`, the handler fails."""

    broken = True


def _migrations(directory: Path) -> Path:
    directory.mkdir()
    (directory / "20990101000000_applied.sql").write_text(
        "-- migrate:up\nCREATE TABLE applied (event_id uuid NOT NULL);\n"
        "-- migrate:down\nDROP TABLE applied;\n"
    )
    return directory


async def _apply(event: MemberRegisteredV1, uow: PgUnitOfWork) -> None:
    if Cause.broken:
        raise RuntimeError("projection bug")
    await uow.connection.execute("INSERT INTO applied VALUES ($1)", event.event_id)


async def _replay_command(platform: Platform, dlq: str, *args: str) -> str:
    """`python -m shared.messaging.dlq_replay` as an operator runs it, configured by env."""
    env = {
        **os.environ,
        "CPPCC_OPERATOR_KAFKA_BOOTSTRAP_SERVERS": platform.stack.kafka_bootstrap,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "shared.messaging.dlq_replay",
        "--dlq",
        dlq,
        *args,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    return out.decode() + err.decode()


async def test_a_dead_letter_replayed_after_the_fix_is_applied_exactly_once(
    platform: Platform, tmp_path: Path
) -> None:
    topic = platform.topic(MEMBERS_MEMBER.name)
    dlq = f"{topic}.dlq"
    bootstrap = platform.stack.kafka_bootstrap
    event = member_registered()
    settings = platform.settings(ServiceSettings, "reporting", service_name="dlq-test")
    spec = ConsumerSpec(
        group=GROUP,
        handlers=[each(MemberRegisteredV1, _apply)],
        uow_factory=lambda pool: PgUnitOfWork(pool, source="/tests"),
    )
    assert spec.topics == (MEMBERS_MEMBER.name,), "the topic follows from the event type"
    applied = "SELECT count(*) FROM applied WHERE event_id = $1"
    Cause.broken = True
    async with running(settings, migrations_dir=_migrations(tmp_path / "m"), consumers=[spec]):
        headers = cloudevent_headers(event, source="/tests")
        key = event.partition_key().encode()
        await produce_raw(bootstrap, topic, encode_body(event), key=key, headers=headers)
        await eventually(
            lambda: read_all(bootstrap, dlq), lambda m: len(m) == 1, what="dead letter"
        )
        await eventually(
            lambda: group_lag(bootstrap, platform.group(GROUP), topic),
            lambda n: n == 0,
            what="moved on",
        )
        assert await platform.fetchval("reporting", applied, event.event_id) == 0

        listed = await _replay_command(platform, dlq, "--dry-run")
        assert "would replay 1 of 1" in listed
        assert "projection bug" in listed
        assert len(await read_all(bootstrap, dlq)) == 1, "a dry run publishes nothing"

        Cause.broken = False  # the fix is deployed
        report = await _replay_command(platform, dlq)
        assert "replayed 1 of 1 dead letters; next --from-offset 1" in report
        await eventually(
            lambda: platform.fetchval("reporting", applied, event.event_id),
            lambda n: n == 1,
            what="replayed event applied",
        )

        again = await _replay_command(platform, dlq)
        assert "replayed 1 of 1" in again
        await eventually(
            lambda: group_lag(bootstrap, platform.group(GROUP), topic),
            lambda n: n == 0,
            what="seen",
        )
        assert await platform.fetchval("reporting", applied, event.event_id) == 1
        assert await platform.fetchval("reporting", "SELECT count(*) FROM applied") == 1

        resumed = await _replay_command(platform, dlq, "--from-offset", "1")
        assert "replayed 0 of 0" in resumed
    replayed = [m for m in await read_all(bootstrap, topic) if m.key == key]
    assert len(replayed) == 3, "the original and two replays"
    assert all(dict(m.headers) == dict(replayed[0].headers) for m in replayed)
    assert not any(name.startswith("dlq_") for name, _ in replayed[1].headers)


async def test_a_topic_that_is_not_a_dlq_is_refused(platform: Platform) -> None:
    out = await _replay_failure(platform, platform.topic(MEMBERS_MEMBER.name))
    assert "is not a dead-letter topic" in out


async def _replay_failure(platform: Platform, dlq: str) -> str:
    env = {**os.environ, "CPPCC_OPERATOR_KAFKA_BOOTSTRAP_SERVERS": platform.stack.kafka_bootstrap}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "shared.messaging.dlq_replay",
        "--dlq",
        dlq,
        cwd=ROOT,
        env=env,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await process.communicate()
    assert process.returncode == 2
    return err.decode()


pytestmark = pytest.mark.timeout(180)
