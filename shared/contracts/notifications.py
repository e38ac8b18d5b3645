"""Events the notifications service publishes: a notification reached, or finally missed, someone.

No personal data: recipients appear by a pseudonymous key (`member:<id>`, `department:<code>`,
`office:<code>`, `liaison:<id>`), never by name, address or phone; no message text.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal
from uuid import UUID

from pydantic import Field, StringConstraints

from shared.contracts import topics
from shared.contracts.base import IntegrationEvent

DeliveryChannel = Literal["in_app", "email", "sms", "wechat"]
# Not carried by the events; the one list the inbox, its table's CHECK and its labels follow.
Priority = Literal["urgent", "normal", "low"]
# Widened (reviewed, before any consumer of this topic existed) to the constituent's inbox.
RecipientKey = Annotated[
    str,
    StringConstraints(pattern=r"^(member|department|office|liaison|constituent):[^\s]{1,64}$"),
]
NotificationKind = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,63}$")]


class _NotificationEvent(IntegrationEvent):
    topic: ClassVar[str] = topics.NOTIFICATIONS_NOTIFICATION.name

    notification_id: UUID
    delivery_id: UUID
    recipient_key: RecipientKey
    member_id: UUID | None = Field(default=None, description="set when the recipient is a member")
    channel: DeliveryChannel
    kind: NotificationKind
    source_event_id: UUID = Field(description="the event the notification reacted to")
    attempts: Annotated[int, Field(ge=0)]

    def partition_key(self) -> str:
        return str(self.notification_id)


class NotificationDeliveredV1(_NotificationEvent):
    """One channel of one notification reached the recipient (or their inbox)."""

    event_type_name: ClassVar[str] = "notifications.notification.delivered.v1"


class NotificationFailedV1(_NotificationEvent):
    """One channel of one notification gave up after its last retry (staff may retry it)."""

    event_type_name: ClassVar[str] = "notifications.notification.failed.v1"

    error_class: Annotated[str, Field(max_length=100, description="no message text, no PII")]
