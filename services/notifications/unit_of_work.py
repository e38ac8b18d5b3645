"""Notifications' unit of work."""

from __future__ import annotations

import asyncpg

from services.notifications.repository import RecipientRepository
from shared.db.unit_of_work import PgUnitOfWork


class NotificationsUnitOfWork(PgUnitOfWork):
    recipients: RecipientRepository

    def __init__(self, pool: asyncpg.Pool) -> None:
        super().__init__(pool, source="/services/notifications")

    def _bind(self, conn: asyncpg.Connection) -> None:
        self.recipients = RecipientRepository(conn)
