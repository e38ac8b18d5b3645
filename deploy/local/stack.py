"""The local stack (Kafka + PostgreSQL with one database per service) that tests and runs use."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from deploy.local._process import LOCALHOST
from deploy.local.kafka import KafkaCluster
from deploy.local.postgres import PG_USER, PostgresCluster

DEFAULT_DATABASES = ("members", "visits", "notifications", "reporting")
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_STATE_DIR = REPO_ROOT / ".run" / "stack"


@dataclass(frozen=True)
class StackInfo:
    """Where the running stack answers; the runners ride along for fault tests."""

    kafka_bootstrap: str
    postgres_dsn_base: str
    databases: dict[str, str]
    logs: dict[str, str]
    kafka: KafkaCluster = field(repr=False, compare=False)
    postgres: PostgresCluster = field(repr=False, compare=False)

    def to_json(self) -> str:
        public = {
            "kafka_bootstrap": self.kafka_bootstrap,
            "postgres_dsn_base": self.postgres_dsn_base,
            "databases": self.databases,
            "logs": self.logs,
        }
        return json.dumps(public, indent=2)


def kafka_dir(state_dir: Path) -> Path:
    return state_dir / "kafka"


def postgres_dir(state_dir: Path) -> Path:
    return state_dir / "postgres"


def start_stack(
    kafka: KafkaCluster, postgres: PostgresCluster, databases: Iterable[str]
) -> StackInfo:
    """Start both (idempotently), create the databases, and record stack.json beside them."""
    names = list(databases)
    postgres.start()
    postgres.ensure_databases(names)
    kafka.start()
    logs = {f"kafka-{node}": str(kafka.log_path(node)) for node in kafka.node_ids}
    info = StackInfo(
        kafka_bootstrap=kafka.bootstrap_servers,
        postgres_dsn_base=f"postgresql://{PG_USER}@{LOCALHOST}:{postgres.port}",
        databases={name: postgres.dsn(name) for name in names},
        logs={"postgres": str(postgres.log_path), **logs},
        kafka=kafka,
        postgres=postgres,
    )
    (kafka.state_dir.parent / "stack.json").write_text(info.to_json() + "\n")
    return info


def stop_stack(kafka: KafkaCluster, postgres: PostgresCluster) -> None:
    kafka.stop()
    postgres.stop()


@contextmanager
def running_stack(
    state_dir: Path,
    *,
    kafka_nodes: int = 1,
    databases: Iterable[str] = DEFAULT_DATABASES,
    kafka_config: Mapping[str, str] | None = None,
    kafka_jvm_options: Sequence[str] = (),
    postgres_settings: Mapping[str, str] | None = None,
) -> Iterator[StackInfo]:
    """Start a stack on free ports for the duration of a with-block (a pytest session)."""
    kafka = KafkaCluster(
        kafka_dir(state_dir),
        nodes=kafka_nodes,
        extra_config=kafka_config,
        jvm_options=kafka_jvm_options,
    )
    postgres = PostgresCluster(postgres_dir(state_dir), extra_settings=postgres_settings)
    try:
        yield start_stack(kafka, postgres, databases)
    finally:
        # Also after a failed start: whatever did come up must not outlive the session.
        stop_stack(kafka, postgres)
