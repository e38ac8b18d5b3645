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
RUNBOOK = ROOT / "deploy" / "README.md"
CLUSTER = "kafka-cluster"


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
        assert acl.get("type", "allow") == "allow"
        if resource["type"] == "cluster":
            name = CLUSTER  # the cluster resource has no name or pattern
        else:
            assert resource["patternType"] == "literal", "no prefix or wildcard grants"
            name = resource["name"]
        for operation in acl["operations"]:
            found.add((resource["type"], name, operation))
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


# ------------------------------------------------------------------------------ the operator user

Acl = tuple[str, str, str]


def _runbook_sections() -> dict[str, str]:
    text = RUNBOOK.read_text(encoding="utf-8")
    parts = re.split(r"^## +(.+)$", text, flags=re.MULTILINE)
    return {title.strip(): body for title, body in zip(parts[1::2], parts[2::2], strict=True)}


def _commands(body: str) -> list[str]:
    """Shell lines of a section's code blocks, continuations joined, that use Kafka's tools or
    the replay command (the operator's Kafka tasks)."""
    fenced = r"^[ \t]*```(?:sh)?\n(.*?)^[ \t]*```"
    blocks = "\n".join(re.findall(fenced, body, flags=re.MULTILINE | re.DOTALL))
    joined = re.sub(r"\\\n\s*", " ", blocks)
    return [
        line.strip()
        for line in joined.splitlines()
        if "kafka-consumer-groups.sh" in line or "shared.messaging.dlq_replay" in line
    ]


def _option(command: str, name: str) -> str | None:
    found = re.search(rf"{name}[ =](\S+)", command)
    return found.group(1).strip("`'\"") if found else None


def _needs(command: str) -> set[Acl]:
    """The ACLs Kafka checks for one runbook command (Kafka's ACL table per request type)."""
    groups = {g.group: g for g in plan.all_consumer_groups()}
    consumed = sorted({name for g in groups.values() for name in g.topics})
    if "dlq_replay" in command:
        dlq = _option(command, "--dlq")
        assert dlq, command
        assert dlq.endswith(".dlq"), command
        originals = consumed if "<" in dlq else [dlq.removesuffix(".dlq")]
        return {
            *(
                (kind, topic_plan.dlq_name(t), op)
                for t in originals
                for kind, op in (("topic", "Read"), ("topic", "Describe"))
            ),
            *(("topic", t, "Write") for t in originals),
        }
    if "--list" in command:
        return {("cluster", CLUSTER, "Describe")}
    group = _option(command, "--group")
    assert group, command
    names = sorted(groups) if "<" in group else [group]
    assert all(name in groups for name in names), f"{group}: not a consumer group of the code"
    topic = _option(command, "--topic")
    topics = {name: [topic] if topic else list(groups[name].topics) for name in names}
    if "--reset-offsets" in command:  # ListOffsets + OffsetCommit
        return {
            *(("group", n, "Read") for n in names),
            *(("topic", t, op) for n in names for t in topics[n] for op in ("Read", "Describe")),
        }
    if "--delete" in command:  # DeleteGroups
        return {("group", n, "Delete") for n in names}
    if "--describe" in command:  # DescribeGroups, OffsetFetch, ListOffsets
        return {
            *(("group", n, "Describe") for n in names),
            *(("topic", t, "Describe") for n in names for t in topics[n]),
        }
    raise AssertionError(f"no known action in {command}")


def _kind(acl: Acl) -> tuple[str, str, bool]:
    resource, name, operation = acl
    return (resource, operation, name.endswith(".dlq"))


def test_the_operator_user_has_exactly_what_the_runbooks_kafka_tasks_need() -> None:
    users = {d["metadata"]["name"]: d for d in _load(plan.USERS_FILE)}
    operator = users[plan.OPERATOR_USER]
    assert operator["spec"]["authentication"]["type"] == "scram-sha-512"
    granted = _acls(operator)
    commands = [c for body in _runbook_sections().values() for c in _commands(body)]
    needed = set().union(*(_needs(c) for c in commands))
    assert needed <= granted, sorted(needed - granted)
    # Every kind of right granted is used by some command of the runbook...
    assert {_kind(a) for a in granted} == {_kind(a) for a in needed}
    # ...and granted for exactly the platform's groups, their topics and those topics' DLQs.
    groups = plan.all_consumer_groups()
    consumed = {name for g in groups for name in g.topics}
    assert {n for kind, n, _ in granted if kind == "group"} == {g.group for g in groups}
    assert {n for kind, n, _ in granted if kind == "topic"} == consumed | {
        topic_plan.dlq_name(n) for n in consumed
    }
    writes = {n for kind, n, op in granted if kind == "topic" and op == "Write"}
    assert writes == consumed, "replays go back to the original topic, never to a DLQ"
    assert not {op for *_, op in granted} & {"All", "Alter", "Create", "ClusterAction"}


def test_the_runbook_runs_kafka_tools_as_the_operator_from_its_toolbox() -> None:
    # "Rebuilding reports" is maintained with the reports' rebuild command (another change).
    sections = {t: b for t, b in _runbook_sections().items() if t != "Rebuilding reports"}
    commands = [c for body in sections.values() for c in _commands(body)]
    assert any("dlq_replay" in c for c in commands)
    assert any("--reset-offsets" in c for c in commands)
    bootstrap = f"{plan.KAFKA_CLUSTER}-kafka-bootstrap:{plan.SERVICE_LISTENER_PORT}"
    for command in commands:
        assert "exec cppcc-operator" in command, command
        if "kafka-consumer-groups.sh" in command:
            assert _option(command, "--bootstrap-server") == bootstrap, command
            assert _option(command, "--command-config") == "/tmp/operator.properties", command
