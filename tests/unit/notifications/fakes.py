"""Notifications' unit of work in memory: dicts behind the methods the use cases call."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from uuid import UUID, uuid4

from services.notifications.domain.delivery import Preference
from services.notifications.domain.digest import DigestLine
from services.notifications.domain.reactions import ConcernOrigin
from services.notifications.repository.deliveries import DueDelivery
from services.notifications.repository.digests import DueDigest
from services.notifications.repository.notifications import NewDelivery, NewNotification
from services.notifications.repository.watch import WatchedObligation
from shared.contracts import members as m
from shared.contracts import visits as v
from shared.regions import in_scope
from tests.support.fakes import FakeUnitOfWork


@dataclass
class Recipient:
    member_id: UUID
    name: str
    region_code: str
    sector_code: str
    status: str = "active"


class FakeRecipients:
    def __init__(self) -> None:
        self.rows: dict[UUID, Recipient] = {}

    async def upsert(self, event: m.MemberRegisteredV1 | m.MemberUpdatedV1) -> None:
        status = event.status if isinstance(event, m.MemberUpdatedV1) else "active"
        self.rows[event.member_id] = Recipient(
            event.member_id, event.full_name, event.region_code, event.sector_code, status
        )

    async def retire(self, event: m.MemberRetiredV1) -> None:
        if event.member_id in self.rows:
            self.rows[event.member_id].status = "retired"

    async def name_of(self, member_id: UUID) -> str | None:
        found = self.rows.get(member_id)
        return found.name if found else None

    async def audience(
        self, sector_codes: tuple[str, ...], region_codes: tuple[str, ...]
    ) -> list[tuple[UUID, str]]:
        return sorted(
            (r.member_id, r.region_code)
            for r in self.rows.values()
            if r.status == "active"
            and r.sector_code in sector_codes
            and any(in_scope(scope, r.region_code) for scope in region_codes)
        )


class FakeConcernOrigins:
    def __init__(self) -> None:
        self.rows: dict[UUID, ConcernOrigin] = {}

    async def remember(
        self, concern_id: UUID, source: str, liaison_id: UUID | None, submitted_by: str | None
    ) -> None:
        department = self.rows[concern_id].department_code if concern_id in self.rows else None
        self.rows[concern_id] = ConcernOrigin(source, liaison_id, department, submitted_by)

    async def assigned(self, concern_id: UUID, department_code: str) -> None:
        origin = self.rows.get(concern_id, ConcernOrigin("unknown"))
        self.rows[concern_id] = replace(origin, department_code=department_code)

    async def get(self, concern_id: UUID) -> ConcernOrigin | None:
        return self.rows.get(concern_id)


class FakePreferences:
    def __init__(self) -> None:
        self.rows: dict[str, Preference] = {}

    async def get_many(self, keys: list[str]) -> dict[str, Preference]:
        return {k: self.rows[k] for k in keys if k in self.rows}

    async def put(self, key: str, p: Preference, at: datetime) -> None:
        self.rows[key] = replace(p, timezone=p.timezone or "Asia/Shanghai")


@dataclass
class Item:
    """An inbox item as stored: what was written, then read and summarised."""

    new: NewNotification
    read_at: datetime | None = None
    digest_id: UUID | None = None


@dataclass
class Delivery:
    id: UUID
    notification_id: UUID
    channel: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None = None


class FakeNotifications:
    def __init__(self) -> None:
        self.items: dict[UUID, Item] = {}
        self.deliveries: dict[UUID, Delivery] = {}

    async def add_many(self, items: list[NewNotification]) -> set[UUID]:
        taken = {(i.new.source_event_id, i.new.recipient_key) for i in self.items.values()}
        created = set()
        for item in items:
            if (item.source_event_id, item.recipient_key) not in taken:
                self.items[item.id] = Item(item)
                taken.add((item.source_event_id, item.recipient_key))
                created.add(item.id)
        return created

    async def add_deliveries(self, items: list[NewDelivery], at: datetime) -> None:
        for d in items:
            attempts = 1 if d.status == "sent" else 0
            self.deliveries[d.id] = Delivery(
                d.id, d.notification_id, d.channel, d.status, attempts, d.next_attempt_at
            )

    async def mark_read(self, key: str, notification_id: UUID, at: datetime) -> bool:
        item = self.items.get(notification_id)
        if item is None or item.new.recipient_key != key:
            return False
        item.read_at = item.read_at or at
        return True

    def of(self, key: str) -> list[NewNotification]:
        """What this inbox holds, oldest first."""
        return [i.new for i in self.items.values() if i.new.recipient_key == key]

    def channels_of(self, key: str) -> dict[str, str]:
        """channel -> status of the deliveries of this recipient's items."""
        ids = {n.id for n in self.of(key)}
        return {d.channel: d.status for d in self.deliveries.values() if d.notification_id in ids}


class FakeDeliveries:
    def __init__(self, store: FakeNotifications, preferences: FakePreferences) -> None:
        self._store = store
        self._preferences = preferences

    async def due(self, channel: str, now: datetime, limit: int) -> list[DueDelivery]:
        rows = sorted(
            (
                d
                for d in self._store.deliveries.values()
                if d.status == "pending" and d.channel == channel and d.next_attempt_at <= now
            ),
            key=lambda d: d.next_attempt_at,
        )
        return [self._due(d) for d in rows[:limit]]

    def _due(self, d: Delivery) -> DueDelivery:
        n = self._store.items[d.notification_id].new
        return DueDelivery(
            d.id,
            d.channel,
            d.attempts,
            n.id,
            n.source_event_id,
            n.recipient_key,
            n.member_id,
            n.region_code,
            n.kind,
            n.priority,
            n.title,
            n.body,
            self._preferences.rows.get(n.recipient_key),
        )

    async def hold(self, delivery_id: UUID, until: datetime) -> None:
        self._store.deliveries[delivery_id].next_attempt_at = until

    async def lease(self, delivery_id: UUID, until: datetime, at: datetime) -> None:
        d = self._store.deliveries[delivery_id]
        d.attempts += 1
        d.next_attempt_at = until

    async def finish(
        self,
        delivery_id: UUID,
        *,
        attempts: int,
        status: str,
        at: datetime,
        next_attempt_at: datetime | None = None,
        error: str | None = None,
    ) -> bool:
        d = self._store.deliveries[delivery_id]
        if d.attempts != attempts or d.status != "pending":
            return False
        d.status, d.last_error = status, error
        d.next_attempt_at = next_attempt_at or d.next_attempt_at
        return True

    async def retry(self, delivery_id: UUID, region_pattern: str, at: datetime) -> bool:
        d = self._store.deliveries.get(delivery_id)
        if d is None or d.status != "failed":
            return False
        region = self._store.items[d.notification_id].new.region_code
        if not region.startswith(region_pattern.rstrip("%")):
            return False
        d.status, d.attempts, d.next_attempt_at, d.last_error = "pending", 0, at, None
        return True

    async def cancel_pending(self, recipient_key: str, at: datetime) -> int:
        ids = {n.id for n in self._store.of(recipient_key)}
        pending = [
            d
            for d in self._store.deliveries.values()
            if d.notification_id in ids and d.status == "pending"
        ]
        for d in pending:
            d.status = "cancelled"
        return len(pending)


@dataclass
class Digest:
    id: UUID
    recipient_key: str
    day: date
    status: str = "pending"
    attempts: int = 0
    last_error: str | None = None


class FakeDigests:
    def __init__(self, store: FakeNotifications, preferences: FakePreferences) -> None:
        self._store = store
        self._preferences = preferences
        self.rows: dict[UUID, Digest] = {}

    async def open_day(self, day: date, now: datetime) -> int:
        opened = 0
        for key, p in self._preferences.rows.items():
            if not (p.digest and p.email and "email" in p.channels):
                continue
            waiting = self._undigested(key, now)
            if not waiting or any(
                d.recipient_key == key and d.day == day for d in self.rows.values()
            ):
                continue
            digest = Digest(uuid4(), key, day)
            self.rows[digest.id] = digest
            for item in waiting:
                item.digest_id = digest.id
            opened += 1
        return opened

    def _undigested(self, key: str, now: datetime) -> list[Item]:
        emailed = {
            d.notification_id for d in self._store.deliveries.values() if d.channel == "email"
        }
        return [
            i
            for i in self._store.items.values()
            if i.new.recipient_key == key
            and i.new.priority == "low"
            and i.digest_id is None
            and i.new.created_at <= now
            and i.new.id not in emailed
        ]

    async def due(self, limit: int) -> list[DueDigest]:
        pending = [d for d in self.rows.values() if d.status == "pending"][:limit]
        return [self._due(d) for d in pending]

    def _due(self, d: Digest) -> DueDigest:
        p = self._preferences.rows.get(d.recipient_key)
        lines = tuple(
            DigestLine(i.new.kind, i.new.title, i.new.created_at)
            for i in self._store.items.values()
            if i.digest_id == d.id
        )
        return DueDigest(d.id, d.recipient_key, d.day, d.attempts, p.email if p else None, lines)

    async def finish(
        self, digest_id: UUID, *, status: str, attempts: int, at: datetime, error: str | None
    ) -> None:
        d = self.rows[digest_id]
        d.status, d.attempts, d.last_error = status, attempts, error


@dataclass
class Watched:
    obligation: WatchedObligation
    owed: bool = True
    reminded_at: datetime | None = None


class FakeWatch:
    def __init__(self) -> None:
        self.rows: dict[UUID, Watched] = {}

    async def watch(self, e: v.ObligationOpenedV1) -> None:
        o = WatchedObligation(
            e.obligation_id, e.member_id, e.region_code, e.occasion_kind, e.due_on
        )
        self.rows.setdefault(e.obligation_id, Watched(o))

    async def settle(self, obligation_id: UUID) -> None:
        if obligation_id in self.rows:
            self.rows[obligation_id].owed = False

    async def due_for_reminder(
        self, *, today: date, days_before: int, limit: int
    ) -> list[WatchedObligation]:
        due = [
            w.obligation
            for w in self.rows.values()
            if w.owed
            and w.reminded_at is None
            and today <= w.obligation.due_on
            and (w.obligation.due_on - today).days <= days_before
        ]
        return sorted(due, key=lambda o: o.due_on)[:limit]

    async def mark_reminded(self, ids: list[UUID], at: datetime) -> None:
        for obligation_id in ids:
            self.rows[obligation_id].reminded_at = at


class FakeNotificationsUnitOfWork(FakeUnitOfWork):
    def __init__(self) -> None:
        super().__init__()
        self.recipients = FakeRecipients()
        self.concerns = FakeConcernOrigins()
        self.preferences = FakePreferences()
        self.notifications = FakeNotifications()
        self.deliveries = FakeDeliveries(self.notifications, self.preferences)
        self.digests = FakeDigests(self.notifications, self.preferences)
        self.watch = FakeWatch()
