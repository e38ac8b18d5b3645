"""The government disposal platform (政务联动处置平台): signed HTTP, both directions.

Every request carries `X-Timestamp` (unix seconds) and `X-Signature: sha256=<hex>`, the
HMAC-SHA256 under the shared secret of `<timestamp>.<raw body>`. Signing the timestamp with the
body is what makes the freshness window mean something: a captured request cannot be replayed
later under a new timestamp. Assignments also carry `Idempotency-Key: <concern id>:<round>`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime

import httpx

from services.visits.domain.concerns import Concern, Liaison, submitter

SIGNATURE_HEADER = "X-Signature"
TIMESTAMP_HEADER = "X-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"


def assignment_payload(c: Concern, liaison: Liaison | None, at: datetime) -> str:
    """The JSON the platform receives. Who raised it goes out only with their consent."""
    assert c.department_code is not None
    assert c.due_on is not None
    who = submitter(c, liaison, for_department=True)
    body = {
        "concern_id": str(c.id),
        "round": c.round,
        "department_code": c.department_code,
        "due_on": c.due_on.isoformat(),
        "assigned_at": at.isoformat(),
        "region_code": c.region_code,
        "sector_code": c.sector_code,
        "member_id": str(c.member_id),
        "kind": c.kind,
        "title": c.title,
        "body": c.body,
        "submitter": {k: str(v) for k, v in asdict(who).items() if v is not None} if who else None,
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def signed_headers(secret: str, body: bytes, *, now: float) -> dict[str, str]:
    timestamp = str(int(now))
    return {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: signature(secret, timestamp, body)}


def verify(
    secret: str,
    *,
    timestamp: str | None,
    signature_header: str | None,
    body: bytes,
    now: float,
    window_seconds: int,
) -> bool:
    """True only for a fresh request signed with `secret`; with no secret set, never."""
    if not secret or not timestamp or not signature_header:
        return False
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return False
    if abs(now - int(timestamp)) > window_seconds:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), signature_header)


class DispatchFailed(Exception):
    """The platform did not take the assignment (refused, failed, timed out, unreachable).

    The message names what happened and nothing of the payload.
    """


class DisposalPlatform:
    """Outbound port: hand one assignment to the platform."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        url: str,
        secret: str,
        timeout_seconds: float,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._http = http
        self._url = url
        self._secret = secret
        self._timeout = timeout_seconds
        self._wall_clock = wall_clock

    async def send_assignment(self, body: bytes, *, idempotency_key: str) -> None:
        if not self._secret:
            raise DispatchFailed("no disposal platform secret configured; not sending unsigned")
        headers = {
            "Content-Type": "application/json",
            IDEMPOTENCY_HEADER: idempotency_key,
            **signed_headers(self._secret, body, now=self._wall_clock()),
        }
        try:
            response = await self._http.post(
                self._url, content=body, headers=headers, timeout=self._timeout
            )
        except httpx.TimeoutException:
            raise DispatchFailed(f"timed out after {self._timeout}s") from None
        except httpx.HTTPError as exc:
            raise DispatchFailed(f"transport error: {exc.__class__.__name__}") from None
        if not response.is_success:
            raise DispatchFailed(f"HTTP {response.status_code}")
