"""Notifications' unit of work: one transaction, its repositories, and the outbox."""

from __future__ import annotations

import asyncpg

from services.notifications.repository.concerns import ConcernOriginRepository
from services.notifications.repository.deliveries import DeliveryRepository
from services.notifications.repository.digests import DigestRepository
from services.notifications.repository.notifications import NotificationRepository
from services.notifications.repository.preferences import PreferenceRepository
from services.notifications.repository.recipients import RecipientRepository
from services.notifications.repository.watch import ObligationWatchRepository
from shared.db.unit_of_work import PgUnitOfWork


class NotificationsUnitOfWork(PgUnitOfWork):
    recipients: RecipientRepository
    concerns: ConcernOriginRepository
    preferences: PreferenceRepository
    notifications: NotificationRepository
    deliveries: DeliveryRepository
    digests: DigestRepository
    watch: ObligationWatchRepository

    def __init__(self, pool: asyncpg.Pool) -> None:
        super().__init__(pool, source="/services/notifications")

    def _bind(self, conn: asyncpg.Connection) -> None:
        self.recipients = RecipientRepository(conn)
        self.concerns = ConcernOriginRepository(conn)
        self.preferences = PreferenceRepository(conn)
        self.notifications = NotificationRepository(conn)
        self.deliveries = DeliveryRepository(conn)
        self.digests = DigestRepository(conn)
        self.watch = ObligationWatchRepository(conn)
