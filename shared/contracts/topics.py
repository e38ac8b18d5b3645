"""The topic plan: every topic, its partitions and retention, in one place (code, compose, k8s)."""

from __future__ import annotations

from dataclasses import dataclass

FOREVER = -1
THIRTY_DAYS_MS = 30 * 24 * 3600 * 1000


@dataclass(frozen=True)
class TopicSpec:
    """One Kafka topic. Business topics keep events forever so reports can be rebuilt."""

    name: str
    partitions: int
    retention_ms: int = FOREVER

    @property
    def dlq(self) -> str:
        return dlq_name(self.name)


def dlq_name(topic: str) -> str:
    return f"{topic}.dlq"


# Partition counts bound how many replicas of a consumer can share the work.
MEMBERS_MEMBER = TopicSpec("members.member", partitions=12)
MEMBERS_LIAISON = TopicSpec("members.liaison", partitions=12)
MEMBERS_WORKSTATION = TopicSpec("members.workstation", partitions=6)
MEMBERS_POLICY = TopicSpec("members.policy", partitions=6)
MEMBERS_OCCASION = TopicSpec("members.occasion", partitions=6)
MEMBERS_DEPARTMENT = TopicSpec("members.department", partitions=3)
VISITS_VISIT = TopicSpec("visits.visit", partitions=12)
VISITS_OBLIGATION = TopicSpec("visits.obligation", partitions=12)
VISITS_CONCERN = TopicSpec("visits.concern", partitions=12)
NOTIFICATIONS_NOTIFICATION = TopicSpec("notifications.notification", partitions=12)
# De-identified facts for the provincial data platform, published by reporting.
DATAPLATFORM_VISIT = TopicSpec("dataplatform.visit", partitions=6)
DATAPLATFORM_OBLIGATION = TopicSpec("dataplatform.obligation", partitions=6)
DATAPLATFORM_CONCERN = TopicSpec("dataplatform.concern", partitions=6)

BUSINESS_TOPICS: tuple[TopicSpec, ...] = (
    MEMBERS_MEMBER,
    MEMBERS_LIAISON,
    MEMBERS_WORKSTATION,
    MEMBERS_POLICY,
    MEMBERS_OCCASION,
    MEMBERS_DEPARTMENT,
    VISITS_VISIT,
    VISITS_OBLIGATION,
    VISITS_CONCERN,
    NOTIFICATIONS_NOTIFICATION,
    DATAPLATFORM_VISIT,
    DATAPLATFORM_OBLIGATION,
    DATAPLATFORM_CONCERN,
)

# Dead letters are read by operators, not replayed automatically; one partition keeps them in
# arrival order, thirty days leaves time to replay them.
DLQ_TOPICS: tuple[TopicSpec, ...] = tuple(
    TopicSpec(t.dlq, partitions=1, retention_ms=THIRTY_DAYS_MS) for t in BUSINESS_TOPICS
)

ALL_TOPICS: tuple[TopicSpec, ...] = BUSINESS_TOPICS + DLQ_TOPICS

# Which service publishes each topic namespace (`<namespace>.<aggregate>`). A service's own
# events carry its name; reporting also publishes the de-identified `dataplatform.*` facts
# (shared/contracts/dataplatform.py). The Kafka ACLs grant Write from this (deploy/k8s/plan.py).
PUBLISHERS: dict[str, str] = {
    "members": "members",
    "visits": "visits",
    "notifications": "notifications",
    "dataplatform": "reporting",
}


def publisher(topic: str) -> str:
    """The service that writes `topic` (a business topic, without prefix)."""
    namespace = topic.split(".", 1)[0]
    try:
        return PUBLISHERS[namespace]
    except KeyError:
        raise KeyError(f"no service publishes {namespace}.* (shared/contracts/topics.py)") from None
