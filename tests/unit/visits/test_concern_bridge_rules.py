"""The bridge's pure parts: the signature both sides compute, the backoff, and what an
assignment tells the platform (the submitter only with consent, never more)."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from services.visits.adapters import assignment_payload, signature, signed_headers, verify
from services.visits.domain.concerns import Concern, Liaison, Status
from services.visits.handlers.bridge import retry_delay
from services.visits.settings import VisitsSettings

SECRET = "s3cret"
NOW = 1_790_000_000.0


def test_the_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    body = b'{"concern_id":"x"}'
    expected = hmac.new(SECRET.encode(), b"1790000000." + body, hashlib.sha256).hexdigest()
    assert signature(SECRET, "1790000000", body) == f"sha256={expected}"
    assert signed_headers(SECRET, body, now=NOW) == {
        "X-Timestamp": "1790000000",
        "X-Signature": f"sha256={expected}",
    }


def _verify(
    headers: dict[str, str], body: bytes, *, now: float = NOW, secret: str = SECRET
) -> bool:
    return verify(
        secret,
        timestamp=headers.get("X-Timestamp"),
        signature_header=headers.get("X-Signature"),
        body=body,
        now=now,
        window_seconds=300,
    )


def test_a_fresh_correctly_signed_request_verifies() -> None:
    body = b'{"reply":"ok"}'
    assert _verify(signed_headers(SECRET, body, now=NOW), body, now=NOW + 299)


@pytest.mark.parametrize(
    "tamper",
    [
        "other body",
        "other secret",
        "stale",
        "from the future",
        "no signature",
        "no timestamp",
        "timestamp swapped",
        "non-ascii digits",
    ],
)
def test_anything_tampered_stale_or_missing_is_refused(tamper: str) -> None:
    body = b'{"reply":"ok"}'
    headers = signed_headers(SECRET, body, now=NOW)
    now, secret = NOW, SECRET
    if tamper == "other body":
        body = b'{"reply":"ko"}'
    elif tamper == "other secret":
        secret = "guess"
    elif tamper == "stale":
        now = NOW + 301
    elif tamper == "from the future":
        now = NOW - 301
    elif tamper == "no signature":
        del headers["X-Signature"]
    elif tamper == "no timestamp":
        del headers["X-Timestamp"]
    elif tamper == "timestamp swapped":  # a captured request replayed under a fresh timestamp
        headers["X-Timestamp"] = str(int(NOW) + 200)
        now = NOW + 200
    else:
        headers["X-Timestamp"] = "１７９００００００００"
    assert not _verify(headers, body, now=now, secret=secret)


def test_with_no_secret_configured_nothing_verifies() -> None:
    body = b"{}"
    assert not _verify(signed_headers("", body, now=NOW), body, secret="")


def test_retries_back_off_exponentially_up_to_a_cap_then_stop() -> None:
    settings = VisitsSettings(
        bridge_max_attempts=5, bridge_backoff_base_seconds=2, bridge_backoff_max_seconds=10
    )
    assert [retry_delay(n, settings) for n in range(1, 6)] == [2, 4, 8, 10, None]


def _assigned(**overrides: object) -> Concern:
    values: dict[str, object] = {
        "id": uuid4(),
        "member_id": uuid4(),
        "region_code": "230382",
        "sector_code": "education",
        "kind": "request",
        "source": "contact_record",
        "title": "村小校车",
        "body": "校车停运，孩子上学远",
        "visit_id": uuid4(),
        "liaison_id": uuid4(),
        "submitted_by": "member-sub",
        "submitted_by_role": "member",
        "consent_to_share_identity": False,
        "submitted_at": datetime(2026, 9, 1, tzinfo=UTC),
        "status": Status.ASSIGNED,
        "round": 2,
        "department_code": "jixi-education-bureau",
        "due_on": date(2026, 10, 1),
        **overrides,
    }
    return Concern(**values)  # type: ignore[arg-type]


def test_an_assignment_carries_what_the_department_needs_and_no_liaison_without_consent() -> None:
    c = _assigned()
    card = Liaison(c.liaison_id, "李*芳", consent_to_departments=False)  # type: ignore[arg-type]
    at = datetime(2026, 9, 10, 2, tzinfo=UTC)
    sent = json.loads(assignment_payload(c, card, at))
    assert sent == {
        "concern_id": str(c.id),
        "round": 2,
        "department_code": "jixi-education-bureau",
        "due_on": "2026-10-01",
        "assigned_at": "2026-09-10T02:00:00+00:00",
        "region_code": "230382",
        "sector_code": "education",
        "member_id": str(c.member_id),
        "kind": "request",
        "title": "村小校车",
        "body": "校车停运，孩子上学远",
        "submitter": None,
    }
    consented = Liaison(c.liaison_id, "李*芳", consent_to_departments=True)  # type: ignore[arg-type]
    assert json.loads(assignment_payload(c, consented, at))["submitter"] == {
        "liaison_id": str(c.liaison_id),
        "display_name": "李*芳",
    }


def test_an_online_submitter_goes_out_only_if_they_consented() -> None:
    online = _assigned(source="online", visit_id=None, liaison_id=None, submitted_by="c-9")
    at = datetime(2026, 9, 10, tzinfo=UTC)
    assert json.loads(assignment_payload(online, None, at))["submitter"] is None
    consented = _assigned(
        source="online",
        visit_id=None,
        liaison_id=None,
        submitted_by="c-9",
        consent_to_share_identity=True,
    )
    assert json.loads(assignment_payload(consented, None, at))["submitter"] == {
        "constituent": "c-9"
    }
