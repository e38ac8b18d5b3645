"""Each service serves its AsyncAPI 3.0 document, and the official parser finds no fault in it.

The parser is npm's @asyncapi/parser (installed by scripts/ensure-asyncapi-parser.sh into the
cache), run by tests/support/asyncapi_validate.mjs, which prints its diagnostics as JSON.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from fastapi import FastAPI

from services.members.main import create_app as members_app
from services.members.settings import MembersSettings
from services.notifications.main import create_app as notifications_app
from services.notifications.settings import NotificationsSettings
from services.reporting.main import create_app as reporting_app
from services.reporting.settings import ReportingSettings
from services.visits.main import create_app as visits_app
from services.visits.settings import VisitsSettings
from tests.support.servers import REPO_ROOT

if TYPE_CHECKING:  # imported by name, pytest would try to collect it as a test class
    from tests.support.tokens import TestKeys

BOOTSTRAP = "kafka-0.cppcc:9092,kafka-1.cppcc:9092"
# What each service must at least say it sends and receives (topic: actions).
EXPECTED = {
    "members": {"members.member": {"send"}, "members.policy": {"send"}},
    "visits": {
        "visits.visit": {"send"},
        "visits.obligation": {"send"},
        "members.policy": {"receive"},
        "members.member.dlq": {"send"},
    },
    "notifications": {
        "notifications.notification": {"send"},
        "visits.obligation": {"receive"},
        "visits.obligation.dlq": {"send"},
    },
    "reporting": {
        "dataplatform.visit": {"send"},
        "visits.visit": {"receive"},
        "notifications.notification": {"receive"},
    },
    "data platform": {
        "dataplatform.visit": {"send", "receive"},
        "dataplatform.obligation": {"send", "receive"},
        "dataplatform.concern": {"send", "receive"},
    },
}


@pytest.fixture(scope="module")
def parser() -> None:
    subprocess.run([str(REPO_ROOT / "scripts" / "ensure-asyncapi-parser.sh")], check=True)


def _apps(keys: TestKeys) -> dict[str, FastAPI]:
    common: dict[str, Any] = {
        "kafka_bootstrap_servers": BOOTSTRAP,
        "jwt_public_key_file": keys.public_key_file,
    }
    return {
        "members": members_app(MembersSettings(pii_key_file=keys.pii_key_file, **common)),
        "visits": visits_app(VisitsSettings(**common)),
        "notifications": notifications_app(NotificationsSettings(**common)),
        "reporting": reporting_app(ReportingSettings(**common)),
    }


async def _served(keys: TestKeys) -> dict[str, dict[str, Any]]:
    documents = {}
    for name, app in _apps(keys).items():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            response = await client.get("/asyncapi.json")
            assert response.status_code == 200, (name, response.text)
            documents[name] = response.json()
            if name == "reporting":
                feed = await client.get("/v1/feed/asyncapi.json")
                assert feed.status_code == 200, feed.text
                documents["data platform"] = feed.json()
    return documents


def _validate(documents: dict[str, dict[str, Any]], folder: Path) -> dict[str, Any]:
    paths = {}
    for name, doc in documents.items():
        paths[name] = folder / f"{name.replace(' ', '-')}.json"
        paths[name].write_text(json.dumps(doc), encoding="utf-8")
    script = REPO_ROOT / "tests" / "support" / "asyncapi_validate.mjs"
    done = subprocess.run(
        ["node", str(script), *map(str, paths.values())],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    by_path = json.loads(done.stdout)
    return {name: by_path[str(path)] for name, path in paths.items()}


async def test_every_service_serves_an_asyncapi_document_the_parser_accepts(
    parser: None, keys: TestKeys, tmp_path: Path
) -> None:
    documents = await _served(keys)
    results = _validate(documents, tmp_path)
    for name, result in results.items():
        assert result["parsed"], (name, result["diagnostics"])
        faults = [d for d in result["diagnostics"] if d["severity"] in ("error", "warning")]
        assert faults == [], name
        idle = [channel for channel, actions in result["operations"].items() if not actions]
        assert idle == [], f"{name}: channels without an operation"
        for topic, actions in EXPECTED[name].items():
            assert actions <= set(result["operations"].get(topic, ())), (name, topic)
        hosts = [s["host"] for s in documents[name]["servers"].values()]
        assert hosts == BOOTSTRAP.split(","), name
