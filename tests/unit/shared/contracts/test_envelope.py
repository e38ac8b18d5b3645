"""The wire format: JSON bodies with CloudEvents headers, and what decode refuses and why."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest

from shared.contracts.envelope import (
    MalformedMessage,
    UnknownEventType,
    cloudevent_headers,
    decode,
    decode_headers,
    encode_body,
)
from shared.contracts.members import MemberRegisteredV1

EVENT_TYPE = "members.member.registered.v1"
EVENT_ID = UUID("0193a6f1-6c2e-7b3a-9d41-5f2c8e7a1b20")
MEMBER_ID = UUID("0193a6f1-6c2e-7b3a-9d41-5f2c8e7a1b21")
PHONE = "13812345678"


def _body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "event_id": str(EVENT_ID),
        "occurred_at": "2026-09-10T01:30:00Z",
        "region_code": "230382",
        "member_id": str(MEMBER_ID),
        "full_name": "张明华",
        "sector_code": "education",
        "committee_code": "cppcc-230300",
        "event_type": EVENT_TYPE,
    }
    body.update(changes)
    return body


def _raw(**changes: Any) -> bytes:
    return json.dumps(_body(**changes), ensure_ascii=False).encode()


def _event() -> MemberRegisteredV1:
    return MemberRegisteredV1(
        event_id=EVENT_ID,
        occurred_at=datetime(2026, 9, 10, 1, 30, tzinfo=UTC),
        region_code="230382",
        member_id=MEMBER_ID,
        full_name="张明华",
        sector_code="education",
        committee_code="cppcc-230300",
    )


def test_a_valid_body_with_its_ce_type_header_decodes_into_the_event_model() -> None:
    event = decode(_raw(), {"ce_type": EVENT_TYPE})

    assert isinstance(event, MemberRegisteredV1)
    assert event == _event()
    assert event.event_type == EVENT_TYPE


def test_a_body_alone_can_be_replayed_because_it_names_its_own_type() -> None:
    event = decode(_raw(), {})

    assert event == _event()


def test_an_encoded_event_decodes_back_to_itself() -> None:
    event = _event()
    headers = cloudevent_headers(event, source="members")

    assert decode(encode_body(event), headers) == event


def test_the_encoded_body_carries_the_event_type() -> None:
    assert json.loads(encode_body(_event()))["event_type"] == EVENT_TYPE


def test_fields_this_build_does_not_know_are_tolerated_and_dropped() -> None:
    event = decode(_raw(nickname="老张", extension={"added_in": "v1.1"}), {"ce_type": EVENT_TYPE})

    assert event == _event()
    assert "nickname" not in json.loads(encode_body(event))


def test_occurred_at_in_another_zone_is_normalised_to_utc() -> None:
    event = decode(_raw(occurred_at="2026-09-10T09:30:00+08:00"), {"ce_type": EVENT_TYPE})

    assert event.occurred_at == datetime(2026, 9, 10, 1, 30, tzinfo=UTC)
    assert event.occurred_at.utcoffset() is not None
    assert event.occurred_at.tzinfo == UTC


@pytest.mark.parametrize("body", [None, b""], ids=["none", "empty"])
def test_an_empty_body_is_malformed(body: bytes | None) -> None:
    with pytest.raises(MalformedMessage, match="empty body"):
        decode(body, {"ce_type": EVENT_TYPE})


@pytest.mark.parametrize(
    "body",
    [b"{not json", f"phone {PHONE}".encode(), b"\xc3\x28"],
    ids=["broken", "plain-text", "not-utf8"],
)
def test_a_body_that_is_not_json_is_malformed_without_echoing_it(body: bytes) -> None:
    with pytest.raises(MalformedMessage, match="not JSON") as caught:
        decode(body, {"ce_type": EVENT_TYPE})
    assert PHONE not in str(caught.value)


@pytest.mark.parametrize("body", [b"[]", b"42", b'"text"', b"null", b"true"])
def test_json_that_is_not_an_object_is_malformed(body: bytes) -> None:
    with pytest.raises(MalformedMessage, match="not a JSON object"):
        decode(body, {"ce_type": EVENT_TYPE})


def test_a_message_naming_no_type_anywhere_is_malformed() -> None:
    body = _body()
    del body["event_type"]
    with pytest.raises(MalformedMessage, match="no event type"):
        decode(json.dumps(body).encode(), {})


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (_raw(), {"ce_type": "members.member.promoted.v9"}),
        (_raw(event_type="members.member.promoted.v9"), {}),
    ],
    ids=["header", "body-only"],
)
def test_a_type_this_build_does_not_know_is_reported_as_unknown(
    body: bytes, headers: dict[str, str]
) -> None:
    with pytest.raises(UnknownEventType) as caught:
        decode(body, headers)
    assert str(caught.value) == "members.member.promoted.v9"


def test_a_schema_mismatch_names_the_fields_but_never_echoes_the_values() -> None:
    long_name = "张" * 60 + PHONE
    body = _raw(full_name=long_name, region_code=f"{PHONE}")

    with pytest.raises(MalformedMessage) as caught:
        decode(body, {"ce_type": EVENT_TYPE})

    message = str(caught.value)
    assert EVENT_TYPE in message
    assert "full_name" in message
    assert "region_code" in message
    assert PHONE not in message
    assert "张" not in message
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__


def test_a_missing_required_field_is_a_schema_mismatch() -> None:
    body = _body()
    del body["member_id"]
    with pytest.raises(MalformedMessage, match="member_id"):
        decode(json.dumps(body).encode(), {"ce_type": EVENT_TYPE})


def test_an_occurred_at_without_a_zone_is_a_schema_mismatch() -> None:
    with pytest.raises(MalformedMessage, match="occurred_at"):
        decode(_raw(occurred_at="2026-09-10T09:30:00"), {"ce_type": EVENT_TYPE})


def test_cloudevent_headers_describe_the_event_in_the_kafka_binding() -> None:
    headers = cloudevent_headers(_event(), source="members")

    assert headers == {
        "ce_specversion": "1.0",
        "ce_id": str(EVENT_ID),
        "ce_type": EVENT_TYPE,
        "ce_source": "members",
        "ce_time": "2026-09-10T01:30:00+00:00",
        "content-type": "application/json",
    }


def test_cloudevent_headers_carry_the_traceparent_only_when_given() -> None:
    traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

    with_trace = cloudevent_headers(_event(), source="members", traceparent=traceparent)
    without = cloudevent_headers(_event(), source="members", traceparent=None)

    assert with_trace["traceparent"] == traceparent
    assert "traceparent" not in without


def test_decode_headers_keeps_text_and_utf8_values_and_drops_the_rest() -> None:
    raw = [
        ("ce_type", EVENT_TYPE.encode()),
        ("ce_source", bytearray(b"members")),
        ("note", "已读".encode()),
        ("garbled", b"\xff\xfe\xfa"),
        ("already_text", "yes"),
        ("number", 7),
    ]

    assert decode_headers(raw) == {
        "ce_type": EVENT_TYPE,
        "ce_source": "members",
        "note": "已读",
        "already_text": "yes",
    }


@pytest.mark.parametrize("raw", [None, [], ()])
def test_no_headers_decode_to_an_empty_mapping(raw: Any) -> None:
    assert decode_headers(raw) == {}
