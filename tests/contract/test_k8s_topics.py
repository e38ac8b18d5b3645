"""Contract: one topic plan, used by the code, compose and the Strimzi resources alike.

deploy/k8s/kafka/topics.yaml and users.yaml are generated from shared/contracts/topics.py and
the consumer groups the services really start (`python -m deploy.k8s.gen_topics`); these tests
fail when the committed files differ from what the code produces, and check the plan itself:
durability, retention that keeps every event needed to rebuild reports, and least-privilege
ACLs.
"""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from deploy.k8s import gen_topics, plan
from shared.contracts import registry
from shared.contracts import topics as topic_plan
from shared.messaging import topics as topic_setup

ROOT = Path(__file__).resolve().parents[2]


def _load(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


@pytest.mark.parametrize("path", [plan.TOPICS_FILE, plan.USERS_FILE], ids=lambda p: p.name)
def test_committed_kafka_resources_are_what_the_code_produces(path: Path) -> None:
    expected = gen_topics.outputs()[path]
    assert path.read_text(encoding="utf-8") == expected, (
        f"{path.relative_to(ROOT)} is stale: run `python -m deploy.k8s.gen_topics` and commit it"
    )


def test_the_generator_check_mode_agrees() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "deploy.k8s.gen_topics", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_kafka_topics_mirror_the_plan() -> None:
    resources = {d["spec"]["topicName"]: d for d in _load(plan.TOPICS_FILE)}
    assert set(resources) == {t.name for t in topic_plan.ALL_TOPICS}
    for spec in topic_plan.ALL_TOPICS:
        resource = resources[spec.name]
        assert resource["kind"] == "KafkaTopic"
        assert resource["metadata"]["labels"]["strimzi.io/cluster"] == plan.KAFKA_CLUSTER
        assert resource["spec"]["partitions"] == spec.partitions
        assert resource["spec"]["replicas"] == plan.REPLICATION_FACTOR == 3
        config = resource["spec"]["config"]
        assert config["min.insync.replicas"] == plan.MIN_INSYNC_REPLICAS == 2
        assert config["retention.ms"] == spec.retention_ms


def test_business_events_are_kept_to_rebuild_reports() -> None:
    for spec in topic_plan.BUSINESS_TOPICS:
        assert spec.retention_ms == topic_plan.FOREVER, f"{spec.name} would lose history"
        assert spec.dlq in {t.name for t in topic_plan.DLQ_TOPICS}
    for spec in topic_plan.DLQ_TOPICS:
        # Long enough to notice, fix and replay.
        assert spec.retention_ms >= 7 * 24 * 3600 * 1000, spec.name


def test_compose_and_local_runs_create_topics_from_the_same_plan() -> None:
    # docker-compose's kafka-topics job and `make run` call ensure_topics with its default.
    default = inspect.signature(topic_setup.ensure_topics).parameters["topics"].default
    assert default is topic_plan.ALL_TOPICS
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    command = compose["services"]["kafka-topics"]["command"]
    assert command[:3] == ["python", "-m", "shared.messaging.topics"]
    assert "--prefix" not in command, "compose and Strimzi topics carry no prefix"


@pytest.mark.parametrize("service", plan.SERVICES)
def test_every_consumed_topic_is_planned_with_its_dlq(service: str) -> None:
    planned = {t.name for t in topic_plan.ALL_TOPICS}
    for group in plan.consumer_groups(service):
        assert group.group.startswith(f"{service}."), f"{group.group}: name groups <service>.<x>"
        for name in group.topics:
            assert name in planned, f"{service} consumes {name}, which is not in the plan"
            assert topic_plan.dlq_name(name) in planned


def _acls(user: dict[str, Any]) -> set[tuple[str, str, str]]:
    found = set()
    for acl in user["spec"]["authorization"]["acls"]:
        resource = acl["resource"]
        assert resource["patternType"] == "literal", "no prefix or wildcard grants"
        assert acl.get("type", "allow") == "allow"
        for operation in acl["operations"]:
            found.add((resource["type"], resource["name"], operation))
    return found


@pytest.mark.parametrize("service", plan.SERVICES)
def test_each_service_user_may_touch_only_its_own_topics_and_groups(service: str) -> None:
    users = {d["metadata"]["name"]: d for d in _load(plan.USERS_FILE)}
    user = users[plan.user_name(service)]
    assert user["spec"]["authentication"]["type"] == "scram-sha-512"
    acls = _acls(user)
    groups = plan.consumer_groups(service)
    consumed = {name for group in groups for name in group.topics}
    own = {t.name for t in plan.produced_topics(service)}
    writes = {name for kind, name, op in acls if kind == "topic" and op == "Write"}
    reads = {name for kind, name, op in acls if kind == "topic" and op == "Read"}
    group_reads = {name for kind, name, op in acls if kind == "group" and op == "Read"}
    assert writes == own | {topic_plan.dlq_name(name) for name in consumed}
    assert all(topic_plan.publisher(name) == service for name in own)
    assert {t.name for t in topic_plan.BUSINESS_TOPICS if t.name.startswith(f"{service}.")} <= own
    assert reads == consumed
    assert group_reads == {g.group for g in groups}
    assert {kind for kind, _, _ in acls} <= {"topic", "group"}, "no cluster-wide rights"


def test_every_business_topic_has_one_publishing_service() -> None:
    for spec in topic_plan.BUSINESS_TOPICS:
        assert topic_plan.publisher(spec.name) in plan.SERVICES, spec.name
    # Reporting publishes the data platform feed, so its KafkaUser may write it.
    assert {t.name for t in plan.produced_topics("reporting")} == {
        t.name for t in topic_plan.BUSINESS_TOPICS if t.name.startswith("dataplatform.")
    }


def test_each_publisher_builds_events_of_its_namespace() -> None:
    """PUBLISHERS is checked against the code: the named service builds that namespace's events
    (e.g. reporting builds the dataplatform.* facts, services/reporting/deidentify.py)."""
    for namespace, service in topic_plan.PUBLISHERS.items():
        source = "\n".join(
            path.read_text(encoding="utf-8") for path in (ROOT / "services" / service).rglob("*.py")
        )
        classes = [
            cls for cls in registry.EVENT_TYPES.values() if cls.topic.startswith(f"{namespace}.")
        ]
        assert classes, f"no event type is published on {namespace}.*"
        assert any(re.search(rf"\b{cls.__name__}\(", source) for cls in classes), (
            f"services/{service} builds no {namespace}.* event, yet PUBLISHERS names it"
        )


def test_keda_reads_lag_and_nothing_else() -> None:
    users = {d["metadata"]["name"]: d for d in _load(plan.USERS_FILE)}
    acls = _acls(users[plan.KEDA_USER])
    assert {op for _, _, op in acls} == {"Describe"}
    groups = plan.all_consumer_groups()
    assert {name for kind, name, _ in acls if kind == "group"} == {g.group for g in groups}
    assert {name for kind, name, _ in acls if kind == "topic"} == {
        name for g in groups for name in g.topics
    }


def test_consumer_groups_are_read_from_the_code() -> None:
    """The groups come from the composition roots, and include the ones known today."""
    groups = {g.group: g for g in plan.all_consumer_groups()}
    from services.notifications import consumers as notifications
    from services.reporting import consumers as reporting
    from services.visits import consumers as visits

    assert visits.GROUP in groups
    assert reporting.MEMBER_DIRECTORY_GROUP in groups
    assert notifications.recipients.group in groups
    assert len(groups) == len(plan.all_consumer_groups()), "a group id is used twice"
