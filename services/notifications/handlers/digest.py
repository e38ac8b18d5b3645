"""The daily digest pass: once a day, at a local hour, ONE e-mail per subscriber summarising
their low-priority items (which got no e-mail of their own). jobs.py runs it in a loop.

Safe in every replica: the (recipient, day) unique key opens each day's digest once, and a
digest is claimed with FOR UPDATE SKIP LOCKED and sent while its row lock is held (a digest is
one e-mail a day; if the replica dies mid-send the lock goes and another one sends it: at least
once, the digest id being the Message-ID).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from services.notifications.adapters import DeliveryError, Sender, TokenBucket
from services.notifications.domain.digest import digest_day, digest_message
from services.notifications.settings import NotificationsSettings
from services.notifications.unit_of_work import NotificationsUnitOfWork
from shared.kernel import Clock
from shared.logging import get_logger

log = get_logger(__name__)


@dataclass
class DigestWorker:
    uow_factory: Callable[[], NotificationsUnitOfWork]
    clock: Clock
    settings: NotificationsSettings
    sender: Sender
    # The e-mail channel's rate limit, shared with single deliveries in this process.
    bucket: TokenBucket | None = None

    async def run_once(self) -> int:
        """One pass: open today's digests if their hour has come, then send what is pending.
        How many e-mails were sent."""
        s = self.settings
        now = self.clock.now()
        day = digest_day(now, hour=s.digest_hour, timezone=s.timezone)
        if day is not None:
            async with self.uow_factory() as uow:
                opened = await uow.digests.open_day(day, now)
                await uow.commit()
            if opened:
                log.info("digests opened", day=day.isoformat(), digests=opened)
        sent = 0
        while True:
            batch, done = await self._send_batch()
            sent += done
            if batch < s.digest_batch_size:
                return sent

    async def _send_batch(self) -> tuple[int, int]:
        s = self.settings
        sent = 0
        async with self.uow_factory() as uow:
            due = await uow.digests.due(s.digest_batch_size)
            for d in due:
                now = self.clock.now()
                attempts = d.attempts + 1
                if d.email is None or not d.lines:  # address removed since it was opened
                    await uow.digests.finish(
                        d.id, status="failed", attempts=attempts, at=now, error="no address"
                    )
                    continue
                message = digest_message(d.day, d.lines, s.timezone)
                if self.bucket is not None:
                    await self.bucket.take()
                try:
                    await self.sender.send(d.id, d.email, message)
                except DeliveryError as exc:
                    final = attempts >= s.delivery_max_attempts
                    log.warning("digest failed", digest_id=str(d.id), error=str(exc))
                    await uow.digests.finish(
                        d.id,
                        status="failed" if final else "pending",
                        attempts=attempts,
                        at=now,
                        error=str(exc),
                    )
                    continue
                await uow.digests.finish(d.id, status="sent", attempts=attempts, at=now, error=None)
                sent += 1
            await uow.commit()
        return len(due), sent
