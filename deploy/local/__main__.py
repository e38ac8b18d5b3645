"""CLI: `python -m deploy.local up|down|status` for the local Kafka + PostgreSQL stack."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from deploy.local.kafka import KafkaCluster
from deploy.local.postgres import PostgresCluster
from deploy.local.stack import (
    DEFAULT_DATABASES,
    DEFAULT_STATE_DIR,
    kafka_dir,
    postgres_dir,
    start_stack,
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m deploy.local", description=__doc__)
    parser.add_argument("command", choices=["up", "down", "status"])
    parser.add_argument("--state-dir", type=Path, default=DEFAULT_STATE_DIR)
    parser.add_argument("--kafka-port", type=int, default=9092)
    parser.add_argument("--kafka-controller-port", type=int, default=9093)
    parser.add_argument("--pg-port", type=int, default=55432)
    parser.add_argument(
        "--databases",
        default=",".join(DEFAULT_DATABASES),
        help="comma-separated database names (default: %(default)s)",
    )
    return parser


def _up(args: argparse.Namespace) -> int:
    kafka = KafkaCluster(
        kafka_dir(args.state_dir),
        ports=[args.kafka_port],
        controller_ports=[args.kafka_controller_port],
    )
    postgres = PostgresCluster(postgres_dir(args.state_dir), port=args.pg_port)
    names = [name.strip() for name in args.databases.split(",") if name.strip()]
    print(start_stack(kafka, postgres, names).to_json())
    return 0


def _recorded(state_dir: Path) -> tuple[KafkaCluster | None, PostgresCluster | None]:
    """The runners of an earlier `up`, built from what it recorded (ports, data location)."""
    kafka_state, postgres_state = kafka_dir(state_dir), postgres_dir(state_dir)
    kafka = KafkaCluster(kafka_state) if (kafka_state / "cluster.json").exists() else None
    has_postgres = (postgres_state / "postgres.json").exists()
    return kafka, PostgresCluster(postgres_state) if has_postgres else None


def _down(args: argparse.Namespace) -> int:
    # Only PIDs recorded by our own `up` are signalled; nothing is looked up by name.
    kafka, postgres = _recorded(args.state_dir)
    if kafka is not None:
        kafka.stop()
    if postgres is not None:
        postgres.stop()
    outcome = {"kafka": kafka is not None, "postgres": postgres is not None}
    print(
        json.dumps({name: "stopped" if ran else "never started" for name, ran in outcome.items()})
    )
    return 0


def _status(args: argparse.Namespace) -> int:
    kafka, postgres = _recorded(args.state_dir)
    kafka_up = kafka is not None and kafka.is_ready()
    postgres_up = postgres is not None and postgres.is_ready()
    report = {
        "kafka": {
            "up": kafka_up,
            "bootstrap": kafka.bootstrap_servers if kafka else None,
            "pids": [kafka.node_pid(node) for node in kafka.node_ids] if kafka else [],
        },
        "postgres": {
            "up": postgres_up,
            "port": postgres.port if postgres else None,
            "pid": postgres.postmaster_pid() if postgres else None,
        },
    }
    print(json.dumps(report, indent=2))
    return 0 if kafka_up and postgres_up else 1


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    commands = {"up": _up, "down": _down, "status": _status}
    return commands[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
