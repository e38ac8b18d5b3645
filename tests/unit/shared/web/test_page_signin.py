"""The pages learn where to sign in from /app/kit/oidc.json; with an identity provider the CSP
lets them reach its one origin and nothing else changes; the library is vendored, licensed."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from services.visits import web as visits_web
from shared.web.pages import CSP, PageSignIn
from shared.web.problems import install_problem_handlers

ISSUER = "https://id.hlj.example.cn/realms/cppcc"


def _client(signin: PageSignIn | None) -> httpx.AsyncClient:
    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(visits_web.router)
    if signin is not None:
        app.state.page_signin = signin
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def test_without_a_provider_pages_keep_dev_tokens_and_the_strict_csp() -> None:
    async with _client(PageSignIn.of(None, "cppcc-web")) as client:
        config = await client.get("/app/kit/oidc.json")
        page = await client.get("/app/member")
    assert config.json() == {}
    assert page.headers["content-security-policy"] == CSP


async def test_with_a_provider_pages_are_told_where_and_may_reach_only_its_origin() -> None:
    async with _client(PageSignIn.of(ISSUER + "/", "cppcc-web")) as client:
        config = await client.get("/app/kit/oidc.json")
        page = await client.get("/app/member")
        kit = await client.get("/app/kit/kit.js")
    assert config.json() == {"issuer": ISSUER, "client_id": "cppcc-web"}
    csp = page.headers["content-security-policy"]
    assert "connect-src 'self' https://id.hlj.example.cn;" in csp
    assert csp.replace(" https://id.hlj.example.cn", "") == CSP
    assert kit.headers["content-security-policy"] == csp


async def test_the_sign_in_library_is_served_vendored_with_its_version_and_licence() -> None:
    async with _client(None) as client:
        library = await client.get("/app/kit/oidc-client-ts.js")
        session = await client.get("/app/kit/oidc-session.js")
    assert library.status_code == 200
    assert library.headers["content-type"].startswith("text/javascript")
    head = library.text[:600]
    assert "oidc-client-ts 3.5.0" in head
    assert "Apache-2.0" in head
    assert "var oidc = " in library.text
    assert "InMemoryWebStorage" in session.text
    code = "\n".join(line for line in session.text.splitlines() if not line.startswith("//"))
    assert "localStorage" not in code
