"""Outbound channels: e-mail over SMTP, SMS and WeChat through an HTTP gateway; a rate limiter.

Message bodies and addresses are personal data: never logged here, and errors carry only the
exception class and status upward.
"""

from __future__ import annotations

import asyncio
import smtplib
import time
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol
from uuid import UUID

import httpx

from services.notifications.templates import Message


class DeliveryError(Exception):
    """The channel refused or failed; retried with backoff. `str()` carries no personal data."""


class Sender(Protocol):
    async def send(self, delivery_id: UUID, address: str, message: Message) -> None: ...


@dataclass(frozen=True)
class SmtpSender:
    host: str
    port: int
    sender: str
    timeout: float

    async def send(self, delivery_id: UUID, address: str, message: Message) -> None:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = address
        mail["Subject"] = message.title
        mail["Message-ID"] = f"<{delivery_id}@cppcc-notifications>"
        mail.set_content(message.body)
        try:
            await asyncio.to_thread(self._send, mail)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"smtp: {exc.__class__.__name__}") from None

    def _send(self, mail: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            smtp.send_message(mail)


@dataclass(frozen=True)
class GatewaySender:
    """POST {url}/v1/messages {channel, to, title, text, idempotency_key}, Bearer token.

    The delivery id is the idempotency key, so a retry after a timeout is not sent twice by a
    gateway that honours it.
    """

    client: httpx.AsyncClient
    url: str
    token: str
    channel: str

    async def send(self, delivery_id: UUID, address: str, message: Message) -> None:
        payload = {
            "channel": self.channel,
            "to": address,
            "title": message.title,
            "text": message.body,
            "idempotency_key": str(delivery_id),
        }
        try:
            response = await self.client.post(
                f"{self.url.rstrip('/')}/v1/messages",
                json=payload,
                headers={"Authorization": f"Bearer {self.token}"},
            )
        except httpx.HTTPError as exc:
            raise DeliveryError(f"gateway: {exc.__class__.__name__}") from None
        if response.status_code >= 300:
            raise DeliveryError(f"gateway: HTTP {response.status_code}")


class TokenBucket:
    """A per-process rate limit: `rate` sends a second, bursts up to `burst`.

    Each replica has its own bucket, so the fleet's rate is replicas × rate; set it so.
    """

    def __init__(self, rate: float, burst: int) -> None:
        self._rate = rate
        self._burst = float(burst)
        self._tokens = float(burst)
        self._at = time.monotonic()
        self._lock = asyncio.Lock()

    async def take(self) -> None:
        async with self._lock:
            while True:
                now = time.monotonic()
                self._tokens = min(self._burst, self._tokens + (now - self._at) * self._rate)
                self._at = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                await asyncio.sleep((1 - self._tokens) / self._rate)
