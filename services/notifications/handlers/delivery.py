"""One pass of delivery: claim due rows (SKIP LOCKED), send outside the transaction, record it.

Every replica runs one loop (jobs.py) per outside channel, so a slow or failing SMS gateway
never holds up e-mail (and the inbox needs no loop at all). A claimed row is leased: if its
replica dies mid-send, the row comes due again when the lease runs out (at least once; the
delivery id is the gateway's idempotency key).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.notifications import events
from services.notifications.adapters import DeliveryError, Sender, TokenBucket
from services.notifications.domain.delivery import QuietHours, backoff, held_until
from services.notifications.repository.deliveries import DueDelivery
from services.notifications.settings import NotificationsSettings
from services.notifications.templates import Message
from services.notifications.unit_of_work import NotificationsUnitOfWork
from shared.kernel import Clock
from shared.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class Outbound:
    sender: Sender
    bucket: TokenBucket


@dataclass
class DeliveryWorker:
    uow_factory: Callable[[], NotificationsUnitOfWork]
    clock: Clock
    settings: NotificationsSettings
    channels: dict[str, Outbound]

    @property
    def quiet(self) -> QuietHours:
        s = self.settings
        return QuietHours(s.quiet_start, s.quiet_end, s.timezone)

    async def run_once(self, channel: str) -> int:
        """Sends one batch of `channel`; how many were attempted."""
        outbound = self.channels[channel]
        claimed = await self._claim(channel)
        errors = await asyncio.gather(*(self._send(outbound, d, a) for d, a in claimed))
        if claimed:
            await self._record(list(zip([d for d, _ in claimed], errors, strict=True)))
        return len(claimed)

    async def _claim(self, channel: str) -> list[tuple[DueDelivery, str]]:
        now = self.clock.now()
        lease = now + timedelta(seconds=self.settings.delivery_lease_seconds)
        claimed: list[tuple[DueDelivery, str]] = []
        async with self.uow_factory() as uow:
            for d in await uow.deliveries.due(channel, now, self.settings.delivery_batch_size):
                address = _address(d, channel)
                until = held_until(
                    now, priority=d.priority, preference=d.preference, default=self.quiet
                )
                if address is None:  # switched off or address removed since it was queued
                    await uow.deliveries.finish(
                        d.id, attempts=d.attempts, status="cancelled", at=now
                    )
                elif until is not None:
                    await uow.deliveries.hold(d.id, until)
                else:
                    await uow.deliveries.lease(d.id, lease, now)
                    claimed.append((d, address))
            await uow.commit()
        return claimed

    async def _send(self, outbound: Outbound, d: DueDelivery, address: str) -> str | None:
        await outbound.bucket.take()
        try:
            await outbound.sender.send(d.id, address, Message(d.title, d.body))
        except DeliveryError as exc:
            return str(exc)
        except Exception as exc:  # an adapter bug must not kill the loop or lose the row
            return f"unexpected: {exc.__class__.__name__}"
        return None

    async def _record(self, outcomes: list[tuple[DueDelivery, str | None]]) -> None:
        now = self.clock.now()
        async with self.uow_factory() as uow:
            for d, error in outcomes:
                await self._finish(uow, d, error, now)
            await uow.commit()

    async def _finish(
        self, uow: NotificationsUnitOfWork, d: DueDelivery, error: str | None, now: datetime
    ) -> None:
        s = self.settings
        attempts = d.attempts + 1
        if error is None:
            if await uow.deliveries.finish(d.id, attempts=attempts, status="sent", at=now):
                uow.record(events.sent(d, now, attempts))
            return
        log.warning("delivery failed", delivery_id=str(d.id), channel=d.channel, error=error)
        if attempts >= s.delivery_max_attempts:
            if await uow.deliveries.finish(
                d.id, attempts=attempts, status="failed", at=now, error=error
            ):
                uow.record(events.failed(d, now, attempts, error))
            return
        wait = backoff(
            attempts,
            base_seconds=s.delivery_backoff_base_seconds,
            max_seconds=s.delivery_backoff_max_seconds,
        )
        await uow.deliveries.finish(
            d.id,
            attempts=attempts,
            status="pending",
            at=now,
            next_attempt_at=now + wait,
            error=error,
        )


def _address(d: DueDelivery, channel: str) -> str | None:
    p = d.preference
    if p is None or channel not in p.channels:
        return None
    return p.address(channel)
