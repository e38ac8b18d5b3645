"""The pages' files and the page kit, served under the strict CSP; every import a page makes
resolves to a file its service serves, and every label table it reads exists."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter, FastAPI

from services.notifications import web as notifications_web
from services.reporting import web as reporting_web
from services.visits import web as visits_web
from shared.contracts.vocabulary import TABLES
from shared.web.pages import CSP
from shared.web.problems import install_problem_handlers

ROOT = Path(__file__).resolve().parents[4]
SERVICES: dict[str, APIRouter] = {
    "visits": visits_web.router,
    "reporting": reporting_web.router,
    "notifications": notifications_web.router,
}
_IMPORT = re.compile(r'^import\s[^;]*?from\s+"([^"]+)";', re.MULTILINE | re.DOTALL)
_LINKED = re.compile(r'(?:src|href)="(/app/[^"#]+)"')


def _client(router: APIRouter) -> httpx.AsyncClient:
    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(router)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


def _static(service: str) -> Path:
    return ROOT / "services" / service / "web" / "static"


async def test_the_kit_is_served_with_the_pages_csp() -> None:
    async with _client(visits_web.router) as client:
        kit = await client.get("/app/kit/kit.js")
        css = await client.get("/app/kit/base.css")
        missing = await client.get("/app/kit/app.css")
        sneaky = await client.get("/app/kit/..%2F__init__.py")
    assert kit.status_code == css.status_code == 200
    assert kit.headers["content-type"].startswith("text/javascript")
    assert css.headers["content-type"].startswith("text/css")
    assert kit.headers["content-security-policy"] == CSP
    assert "export function takeToken" in kit.text
    assert missing.status_code == sneaky.status_code == 404


async def test_the_vocabulary_module_carries_every_label_table() -> None:
    async with _client(reporting_web.router) as client:
        answer = await client.get("/app/kit/vocabulary.js")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/javascript")
    body = answer.text.split("export const LABELS = ", 1)[1].rstrip().removesuffix(";")
    assert json.loads(body) == TABLES
    assert list(json.loads(body)["channel"]) == list(TABLES["channel"])  # the order people read


@pytest.mark.parametrize("service", sorted(SERVICES))
async def test_everything_a_page_loads_is_served(service: str) -> None:
    static = _static(service)
    wanted: set[str] = set()
    for html in static.glob("*.html"):
        wanted |= set(_LINKED.findall(html.read_text(encoding="utf-8")))
    for script in static.glob("*.js"):
        for target in _IMPORT.findall(script.read_text(encoding="utf-8")):
            wanted.add(target if target.startswith("/") else "/app/static/" + target[2:])
    assert "/app/kit/kit.js" in wanted
    async with _client(SERVICES[service]) as client:
        for path in sorted(wanted):
            assert (await client.get(path)).status_code == 200, path


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_pages_read_labels_from_the_one_vocabulary_only(service: str) -> None:
    for script in _static(service).glob("*.js"):
        text = script.read_text(encoding="utf-8")
        assert set(re.findall(r"LABELS\.(\w+)", text)) <= set(TABLES), script.name
        assert "TOKEN_KEY" not in text, script.name  # the kit keeps the token
        assert "function el(" not in text, script.name
