"""The integration-event base: what every event between services carries."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, computed_field, field_validator

from shared.kernel import new_id
from shared.regions import RegionCode


class IntegrationEvent(BaseModel):
    """A fact one service tells the others. Frozen; unknown fields are tolerated and dropped.

    `event_id` is the idempotency key consumers deduplicate on; `region_code` is the tenant.
    Subclasses set `event_type` (`<owner>.<aggregate>.<past-tense>.v<major>`), `topic`, and
    `partition_key()` (the aggregate id, so one aggregate's events stay in order).
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_type_name: ClassVar[str]
    topic: ClassVar[str]

    event_id: UUID = Field(default_factory=new_id)
    occurred_at: AwareDatetime
    region_code: RegionCode

    @computed_field  # type: ignore[prop-decorator]
    @property
    def event_type(self) -> str:
        """Carried in the body too, so the body alone can be replayed."""
        return self.event_type_name

    @field_validator("occurred_at")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)

    def partition_key(self) -> str:
        raise NotImplementedError
