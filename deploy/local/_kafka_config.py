"""Renders the KRaft server.properties and log4j2 configuration for local Kafka nodes."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

from deploy.local._process import LOCALHOST

# Console only: the runner sends stdout/stderr to kafka-<n>.log, so one writer owns the file.
LOG4J2_PROPERTIES = """\
status = warn
name = cppcc-local-kafka
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
# Per-request logging at INFO would drown the useful lines.
logger.request.name = kafka.request.logger
logger.request.level = WARN
"""


def new_cluster_id() -> str:
    """A KRaft cluster id: a UUID as 22 characters of URL-safe base64, as Kafka expects."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        # One id in 64 starts with "-", which the storage tool's parser takes for an option;
        # Kafka's own Uuid.randomUuid() skips those for the same reason.
        if not cluster_id.startswith("-"):
            return cluster_id


def replication_settings(nodes: int) -> dict[str, str]:
    """Replication factors and ISR minimums that a cluster of this size can satisfy."""
    factor = min(nodes, 3)
    # One replica may be down and writes with acks=all still succeed; never below one.
    min_isr = max(1, factor - 1)
    return {
        "default.replication.factor": str(factor),
        "min.insync.replicas": str(min_isr),
        "offsets.topic.replication.factor": str(factor),
        "transaction.state.log.replication.factor": str(factor),
        "transaction.state.log.min.isr": str(min_isr),
        "share.coordinator.state.topic.replication.factor": str(factor),
        "share.coordinator.state.topic.min.isr": str(min_isr),
        # Losing acknowledged writes is never acceptable, even to get a partition back.
        "unclean.leader.election.enable": "false",
    }


def server_properties(
    node_id: int,
    broker_ports: Sequence[int],
    controller_ports: Sequence[int],
    data_dir: Path,
    extra: Mapping[str, str] | None = None,
) -> str:
    """The server.properties text of one node of a combined-mode KRaft cluster."""
    voters = ",".join(f"{i}@{LOCALHOST}:{port}" for i, port in enumerate(controller_ports))
    broker, controller = broker_ports[node_id], controller_ports[node_id]
    settings = {
        "process.roles": "broker,controller",
        "node.id": str(node_id),
        # Static voters: every node is formatted alike, without --standalone/--initial-controllers.
        "controller.quorum.voters": voters,
        "listeners": f"PLAINTEXT://{LOCALHOST}:{broker},CONTROLLER://{LOCALHOST}:{controller}",
        "advertised.listeners": f"PLAINTEXT://{LOCALHOST}:{broker}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs": str(data_dir),
        # Topics are declared by the services; a typo must fail, not create a topic.
        "auto.create.topics.enable": "false",
        "num.partitions": "1",
        # Tests start consumers one after another; waiting for more members only slows them.
        "group.initial.rebalance.delay.ms": "0",
        **replication_settings(len(broker_ports)),
        **(extra or {}),
    }
    return "".join(f"{key}={value}\n" for key, value in settings.items())
