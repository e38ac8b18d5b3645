"""Loading the demo, phase by phase, and the manifest the start page reads (who to log in as).

Phases wait for each other only where the platform needs it: visits must know a member (from
Kafka) before it takes their contact records, and must have opened an obligation before a
visit can fulfil it; everything within a phase runs concurrently.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from deploy.demo import onboarding
from deploy.demo.activity import Activity, build_activity
from deploy.demo.client import Api, Tokens, Urls
from deploy.demo.directory import SCALES, Directory, build_directory
from deploy.demo.load import Loader
from deploy.demo.onboarding import Ids
from deploy.demo.places import JIXI
from deploy.devtokens import load_private_key


@dataclass(frozen=True)
class Options:
    urls: Urls
    keys_dir: Path
    seed: int = 2026
    scale: str = "default"
    today: date | None = None
    concurrency: int = 24


async def load_demo(options: Options, say: Callable[[str], None] = print) -> dict[str, Any]:
    """Loads the demo and answers its manifest (ids and accounts for the start page)."""
    started = time.monotonic()
    today = options.today or _shanghai_today()
    scale = SCALES[options.scale]
    directory = build_directory(options.seed, scale)
    activity = build_activity(options.seed, scale, directory, today)
    tokens = Tokens(load_private_key(options.keys_dir))
    api = Api(options.urls, concurrency=options.concurrency)

    def phase(name: str) -> None:
        say(f"  demo: {name} ({time.monotonic() - started:.0f}s, {api.calls} requests so far)")

    try:
        phase(f"onboarding {len(directory.members)} members in {len(directory.cities)} cities")
        await onboarding.reference_data(api, tokens, directory)
        await onboarding.onboard(api, tokens, directory)
        ids = await onboarding.resolve(api, tokens, directory)
        stations = await onboarding.workstations(api, tokens)
        loader = Loader(api, tokens, ids, activity, options.seed, stations)
        phase(f"{len(activity.routine)} routine contact records and their concerns")
        await loader.visits(activity.routine)
        phase(f"{len(activity.occasions)} occasions; {len(activity.for_occasions)} visits for them")
        sources = await loader.occasions(activity.occasions)
        obliged = {
            o.key: sum(1 for m in directory.members if o.obliges(m)) for o in activity.occasions
        }
        await loader.opened(sources, obliged)
        await loader.visits(activity.for_occasions, sources)
        phase(f"{len(activity.circumstances)} liaison circumstances; {len(activity.online)} online")
        await loader.circumstances(activity.circumstances)
        await loader.online(activity.online)
    finally:
        await api.close()
    elapsed = time.monotonic() - started
    say(f"  demo: loaded in {elapsed:.0f}s with {api.calls} requests")
    return manifest(options, directory, activity, ids, elapsed)


def manifest(
    options: Options, directory: Directory, activity: Activity, ids: dict[str, Ids], elapsed: float
) -> dict[str, Any]:
    """Whom the start page logs in as: a Jixi education member (Mishan if there is one), the
    Jixi education bureau, and a constituent who wrote to a Jixi member online."""
    jixi = [m for m in directory.members if m.city.code == JIXI]
    teachers = [m for m in jixi if m.sector == "education"] or jixi
    member = next((m for m in teachers if m.region == "230382"), teachers[0])
    online = next((s for s in activity.online if s.member.city.code == JIXI), activity.online[0])
    return {
        "seed": options.seed,
        "scale": options.scale,
        "today": activity.today.isoformat(),
        "seconds": round(elapsed, 1),
        "members": len(directory.members),
        "liaisons": sum(len(m.liaisons) for m in directory.members),
        "workstations": len(directory.workstations),
        "visits": len(activity.routine)
        + len(activity.for_occasions)
        + sum(1 for c in activity.circumstances if c.visit is not None),
        "member": {
            "id": str(ids[member.external_id].member),
            "name": member.name,
            "region": member.region,
        },
        "department": {"code": "jx-education-bureau", "region": JIXI},
        "constituent": {
            "subject": online.constituent,
            "region": online.member.region,
            "member_id": str(ids[online.member.external_id].member),
        },
    }


def write_manifest(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    tmp.replace(path)  # whole or not at all: the marker that the demo is in


def pinned_day(state: Path) -> date:
    """The day the demo's year ends on, fixed by the first attempt: the plan (and with it every
    Idempotency-Key's request) depends on it, so a retry the next day must not move it."""
    pin = state / "demo-day.txt"
    if not pin.exists():
        pin.parent.mkdir(parents=True, exist_ok=True)
        pin.write_text(_shanghai_today().isoformat() + "\n")
    return date.fromisoformat(pin.read_text().strip())


def _shanghai_today() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()
