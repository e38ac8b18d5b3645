"""Visits and notifications learn of a new member from the event alone (no call to members)."""

from __future__ import annotations

from services.notifications.main import create_app as notifications_app
from services.notifications.settings import NotificationsSettings
from services.visits.main import create_app as visits_app
from services.visits.settings import VisitsSettings
from tests.support.builders import member_registered, publish
from tests.support.platform import Platform
from tests.support.servers import serving
from tests.support.wait import eventually


async def test_visits_and_notifications_build_their_member_read_models(platform: Platform) -> None:
    event = member_registered(
        region_code="230321", full_name="钱委员", sector_code="medicine_health"
    )
    await publish(platform, event)
    visits = visits_app(platform.settings(VisitsSettings, "visits"))
    notifications = notifications_app(platform.settings(NotificationsSettings, "notifications"))
    async with serving(visits), serving(notifications):
        sector = await eventually(
            lambda: platform.fetchval(
                "visits",
                "SELECT sector_code FROM member_roster WHERE member_id = $1",
                event.member_id,
            ),
            lambda value: value is not None,
        )
        name = await eventually(
            lambda: platform.fetchval(
                "notifications",
                "SELECT display_name FROM recipient WHERE member_id = $1",
                event.member_id,
            ),
            lambda value: value is not None,
        )
    assert sector == "medicine_health"
    assert name == "钱委员"
