"""The AsyncAPI documents: every event under its topic, real keys, operations, servers, DLQs."""

from __future__ import annotations

from typing import Any

import pytest

from shared.contracts import dataplatform, members, visits
from shared.contracts.asyncapi import (
    KEY_MEANINGS,
    Broker,
    Receiver,
    data_platform_document,
    document,
    key_field,
    service_document,
)
from shared.contracts.compat import SCHEMA_DIR
from shared.contracts.registry import EVENT_TYPES
from shared.contracts.topics import BUSINESS_TOPICS

BROKER = Broker("k1:9092,k2:9092", topic_prefix="prod.")
VISITS_GROUP = Receiver(
    "visits.members-events",
    "prod.visits.members-events",
    (members.MemberRegisteredV1, members.MemberRetiredV1, members.PolicyIssuedV1),
)


def test_every_event_schema_is_a_message_on_its_own_topic() -> None:
    doc = document()
    assert doc["asyncapi"] == "3.0.0"
    names = {m["name"] for m in doc["components"]["messages"].values()}
    assert names == {p.stem for p in SCHEMA_DIR.glob("*.json")}
    for channel in doc["channels"].values():
        for ref in channel["messages"].values():
            message = doc["components"]["messages"][ref["$ref"].rsplit("/", 1)[1]]
            assert message["name"].startswith(channel["address"] + ".")
    assert {c["address"] for c in doc["channels"].values()} == {t.name for t in BUSINESS_TOPICS}


@pytest.mark.parametrize("cls", EVENT_TYPES.values(), ids=lambda c: c.event_type_name)
def test_every_event_type_says_what_its_key_is(cls: Any) -> None:
    assert key_field(cls) in KEY_MEANINGS


def test_keys_are_what_the_code_keys_by_not_the_aggregate_id() -> None:
    assert key_field(visits.VisitRecordedV1) == "member_id"
    assert key_field(dataplatform.DataPlatformVisitRecordedV1) == "member_ref"
    assert key_field(visits.ObligationOpenedV1) == "obligation_id"
    channel = document()["channels"]["visits_visit"]
    assert "`member_id`" in channel["description"]
    message = document()["components"]["messages"]["visits_visit_recorded_v1"]
    assert message["bindings"]["kafka"]["key"]["description"].startswith("`member_id`")


def test_a_service_sends_what_it_publishes_and_receives_per_consumer_group() -> None:
    doc = service_document("visits", BROKER, [VISITS_GROUP])
    ops = doc["operations"]
    sent = {o["channel"]["$ref"] for o in ops.values() if o["action"] == "send"}
    assert {"#/channels/visits_visit", "#/channels/visits_obligation"} <= sent
    receive = ops["receive_members_member_visits_members_events"]
    assert receive["action"] == "receive"
    assert receive["bindings"]["kafka"]["groupId"]["enum"] == ["prod.visits.members-events"]
    received = [m["$ref"].rsplit("/", 1)[1] for m in receive["messages"]]
    assert received == ["members_member_registered_v1", "members_member_retired_v1"]
    assert "members_liaison" not in doc["channels"]  # a topic the group does not read
    assert doc["channels"]["visits_visit"]["address"] == "prod.visits.visit"


def test_every_operation_names_messages_of_its_own_channel() -> None:
    doc = service_document("visits", BROKER, [VISITS_GROUP])
    for name, op in doc["operations"].items():
        channel = op["channel"]["$ref"].rsplit("/", 1)[1]
        for ref in op["messages"]:
            assert ref["$ref"].startswith(f"#/channels/{channel}/messages/"), name
            assert ref["$ref"].rsplit("/", 1)[1] in doc["channels"][channel]["messages"]
    used = {op["channel"]["$ref"].rsplit("/", 1)[1] for op in doc["operations"].values()}
    assert used == set(doc["channels"])


def test_dead_letters_of_each_consumed_topic_and_what_their_headers_say() -> None:
    doc = service_document("visits", BROKER, [VISITS_GROUP])
    dlq = doc["channels"]["members_member_dlq"]
    assert dlq["address"] == "prod.members.member.dlq"
    assert "send_members_member_dlq_visits_members_events" in doc["operations"]
    headers = doc["components"]["schemas"]["DeadLetterHeaders"]
    assert {
        "dlq_reason",
        "dlq_original_topic",
        "dlq_original_partition",
        "dlq_original_offset",
        "dlq_consumer_group",
    } <= set(headers["required"])
    assert "visits_visit_dlq" not in doc["channels"]  # it consumes no visits topic


def test_servers_come_from_the_settings_and_headers_require_a_traceparent() -> None:
    doc = service_document("members", BROKER, [])
    assert [s["host"] for s in doc["servers"].values()] == ["k1:9092", "k2:9092"]
    assert {s["protocol"] for s in doc["servers"].values()} == {"kafka"}
    headers = doc["components"]["schemas"]["EventHeaders"]
    assert {"traceparent", "ce_id", "ce_type", "ce_source", "ce_time"} <= set(headers["required"])
    secure = service_document("members", Broker("k:9093", security_protocol="SASL_SSL"), [])
    assert secure["servers"]["kafka"]["protocol"] == "kafka-secure"
    assert secure["components"]["securitySchemes"]["sasl"]["type"] == "scramSha512"


def test_the_data_platform_document_holds_only_the_de_identified_facts() -> None:
    doc = data_platform_document(BROKER)
    assert {c["title"] for c in doc["channels"].values()} == {
        "dataplatform.visit",
        "dataplatform.obligation",
        "dataplatform.concern",
    }
    actions = sorted(o["action"] for o in doc["operations"].values())
    assert actions == ["receive"] * 3 + ["send"] * 3
