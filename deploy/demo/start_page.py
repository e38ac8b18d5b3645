"""The start page `make run` prints: one static HTML file, made at start, served on 127.0.0.1.

With Keycloak (`signins`), the page lists a demo account per role (user name and password) and
its links open the pages, which send the browser to Keycloak's login page. Without it, every
link logs in directly with `#token=…` (the fragment never reaches a server's log). Either way
the dev tokens (minted at start, 8 hours) are listed for API use: curl, scripts.
"""

from __future__ import annotations

import functools
import html
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
from cryptography.hazmat.primitives.asymmetric import ec

from deploy.demo.client import Urls
from deploy.devtokens import issue_token
from deploy.local.keycloak import KeycloakAdmin
from shared.auth import Role

PROVINCE, CITY, MEMBER = Role.PROVINCE_ADMIN, Role.CITY_ADMIN, Role.MEMBER
CONSTITUENT, DEPARTMENT = Role.CONSTITUENT, Role.DEPARTMENT


@dataclass(frozen=True)
class SignIn:
    """A demo account to sign in with on Keycloak's login page, and the page it is for."""

    label: str
    username: str
    role: str
    region: str
    page: str  # a URL


def demo_signins(
    demo_users: Path, manifest: dict[str, Any] | None, urls: Urls, member_username: str | None
) -> list[SignIn]:
    """The demo accounts of `deploy/keycloak/demo-users.json`, and the demo member's (whose
    account the members service provisions from the directory)."""
    pages = {
        "province_admin": f"{urls.reporting}/app/dashboard",
        "city_admin": f"{urls.reporting}/app/dashboard",
        "county_admin": f"{urls.reporting}/app/dashboard",
        "auditor": f"{urls.members}/docs",
        "department": f"{urls.visits}/app/department",
        "constituent": f"{urls.visits}/app/constituent",
    }
    if manifest is not None:
        member = manifest["constituent"]["member_id"]
        pages["constituent"] += f"#member={member}"
    found = []
    for user in json.loads(demo_users.read_text(encoding="utf-8"))["users"]:
        role = next(r for r in user["realmRoles"] if not r.startswith("default-roles"))
        region = user["attributes"]["region"][0]
        found.append(SignIn(user["firstName"], user["username"], role, region, pages[role]))
    if manifest is not None and member_username:
        member = manifest["member"]
        page = f"{urls.visits}/app/member"
        found.insert(
            2, SignIn(f"委员 {member['name']}", member_username, "member", member["region"], page)
        )
    return found


def demo_member_account(
    admin: KeycloakAdmin, members_url: str, member: dict[str, Any], office_token: str, password: str
) -> str | None:
    """The demo member's account, with the demo password: its user name is the one the
    directory gave it (the members service makes the account; made here if it has not yet, it
    is linked by `member_id` later). None when the members service does not say (yet)."""
    answer = httpx.get(
        f"{members_url}/v1/members/{member['id']}/account",
        headers={"Authorization": f"Bearer {office_token}"},
        timeout=10,
    )
    if answer.status_code != 200:
        return None
    username = str(answer.json()["username"])
    user_id = admin.ensure_user(
        username,
        role=Role.MEMBER.value,
        region=member["region"],
        member_id=member["id"],
        first_name=member["name"],
        password=password,
    )
    body = {"type": "password", "value": password, "temporary": False}
    admin.request("PUT", f"/users/{user_id}/reset-password", json=body)
    return username


@dataclass(frozen=True)
class Account:
    label: str
    role: Role
    region: str
    token: str


def accounts(key: ec.EllipticCurvePrivateKey, manifest: dict[str, Any] | None) -> list[Account]:
    """One token per demo role; the member, department and constituent are the manifest's
    (without a loaded demo there are none of those)."""

    def make(label: str, role: Role, region: str, **extra: Any) -> Account:
        return Account(label, role, region, issue_token(key, role=role, region=region, **extra))

    offices = [
        make("黑龙江省政协 province admin", Role.PROVINCE_ADMIN, "230000"),
        make("鸡西市政协 Jixi city admin", Role.CITY_ADMIN, "230300"),
        make("密山市政协 Mishan county admin", Role.COUNTY_ADMIN, "230382"),
        make("安全审计 (auditor)", Role.AUDITOR, "230000"),
        make("省数据平台 (data platform)", Role.DATA_PLATFORM, "230000"),
    ]
    if manifest is None:
        return offices
    member, dept, citizen = manifest["member"], manifest["department"], manifest["constituent"]
    member_id = UUID(member["id"])
    return [
        *offices,
        make(
            f"委员 {member['name']} (member)",
            Role.MEMBER,
            member["region"],
            subject=f"member-{member_id}",
            member_id=member_id,
        ),
        make(
            f"承办单位 {dept['code']} (department)",
            Role.DEPARTMENT,
            dept["region"],
            subject=dept["code"],
        ),
        make("群众 (constituent)", Role.CONSTITUENT, citizen["region"], subject=citizen["subject"]),
    ]


def render(
    manifest: dict[str, Any] | None,
    people: list[Account],
    urls: Urls,
    asyncapi: list[tuple[str, str]],
    signins: Sequence[SignIn] = (),
    password: str = "",
) -> str:
    t = {a.role: a.token for a in people}
    pages = [
        ("KPI 看板 dashboard (province)", f"{urls.reporting}/app/dashboard#token={t[PROVINCE]}"),
        ("KPI 看板 dashboard (Jixi)", f"{urls.reporting}/app/dashboard#token={t[CITY]}"),
        ("政协办公室工作台 office console (Jixi)", f"{urls.visits}/app/office#token={t[CITY]}"),
    ]
    if signins:  # the pages sign in through Keycloak; a dev token in the link would be ignored
        pages = [(f"{a.label}: sign in as {a.username}", a.page) for a in signins]
    facts = "The demo province is not loaded (see make run's output); offices only"
    if manifest is not None:
        if not signins:
            pages += _demo_pages(manifest, t, urls)
        facts = (
            f"{manifest['members']} members, {manifest['liaisons']} liaisons, "
            f"{manifest['workstations']} workstations and workrooms, {manifest['visits']} "
            f"contact records; a year up to {manifest['today']} (seed {manifest['seed']})"
        )
    docs = [(f"{name} API (OpenAPI)", f"{url}/docs") for name, url in _services(urls)]
    docs += asyncapi
    rows = "".join(
        f"<tr><td>{_e(a.label)}</td><td><code>{_e(a.role.value)}</code></td>"
        f"<td><code>{_e(a.region)}</code></td>"
        f'<td><input readonly aria-label="token" value="{_e(a.token)}"></td></tr>'
        for a in people
    )
    return _PAGE.format(
        facts=_e(facts),
        signins=_signins(signins, password),
        pages=_list(pages),
        docs=_list(docs),
        rows=rows,
        members=_e(urls.members),
        reporting=_e(urls.reporting),
    )


def _demo_pages(manifest: dict[str, Any], t: dict[Role, str], urls: Urls) -> list[tuple[str, str]]:
    citizen = manifest["constituent"]
    name = manifest["member"]["name"]
    return [
        (f"委员工作台 workbench ({name})", f"{urls.visits}/app/member#token={t[MEMBER]}"),
        ("委员收件箱 member inbox", f"{urls.notifications}/app/inbox#token={t[MEMBER]}"),
        (
            "群众微建议 constituent page",
            f"{urls.visits}/app/constituent#token={t[CONSTITUENT]}&member={citizen['member_id']}",
        ),
        ("承办单位 department page", f"{urls.visits}/app/department#token={t[DEPARTMENT]}"),
    ]


def _signins(signins: Sequence[SignIn], password: str) -> str:
    if not signins:
        return ""
    rows = "".join(
        f"<tr><td>{_e(a.label)}</td><td><code>{_e(a.username)}</code></td>"
        f"<td><code>{_e(a.role)}</code></td><td><code>{_e(a.region)}</code></td></tr>"
        for a in signins
    )
    return (
        "<h2>Demo accounts: sign in on Keycloak's login page</h2>"
        f"<p>Every demo account's password: <code>{_e(password)}</code>. Citizens can also "
        "register themselves on the login page (注册).</p>"
        "<table><tr><th>who</th><th>user name</th><th>role</th><th>region</th></tr>"
        f"{rows}</table>"
    )


def _services(urls: Urls) -> list[tuple[str, str]]:
    return [
        ("members", urls.members),
        ("visits", urls.visits),
        ("notifications", urls.notifications),
        ("reporting", urls.reporting),
    ]


def _list(links: list[tuple[str, str]]) -> str:
    return "".join(f'<li><a href="{_e(url)}">{_e(label)}</a></li>' for label, url in links)


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def serve(directory: Path, port: int) -> ThreadingHTTPServer:
    """Serve `directory` on 127.0.0.1:`port` from a daemon thread; `shutdown()` stops it."""
    handler = functools.partial(_Quiet, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, name="start-page", daemon=True).start()
    return server


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """The console belongs to `make run`'s own messages."""


_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>委员联系界别群众 · demo</title>
<style>
body {{ font-family: system-ui, "Noto Sans CJK SC", sans-serif; margin: 2rem auto;
       max-width: 60rem; padding: 0 1rem; color: #1f2937; }}
h1 {{ color: #b91c1c; font-size: 1.6rem; }} h2 {{ margin-top: 2rem; font-size: 1.15rem; }}
li {{ margin: .35rem 0; }} a {{ color: #1d4ed8; }}
table {{ border-collapse: collapse; width: 100%; font-size: .9rem; }}
td {{ border-top: 1px solid #e5e7eb; padding: .35rem .5rem; }}
input {{ width: 100%; font-family: monospace; font-size: .75rem; }}
pre {{ background: #f3f4f6; padding: .75rem; overflow-x: auto; font-size: .8rem; }}
</style></head><body>
<h1>黑龙江省政协 · 委员联系界别群众 (demo province)</h1>
<p>{facts}. Every name and phone number here is made up.</p>
{signins}
<h2>Pages</h2><ul>{pages}</ul>
<h2>API documents</h2><ul>{docs}</ul>
<h2>Dev tokens for the API (8 hours)</h2>
<table>{rows}</table>
<p>More with <code>.venv/bin/python -m deploy.devtokens issue --role … --region …</code>.</p>
<h2>Try the API</h2>
<pre>TOKEN=&lt;the Jixi city admin token above&gt;
curl -s -X POST {members}/v1/members -H "Authorization: Bearer $TOKEN" \\
  -H 'content-type: application/json' -d '{{"full_name":"张明华","sector_code":"education",
  "committee_code":"cppcc-230300","region_code":"230382"}}'
curl -s "{reporting}/v1/kpi/summary?region_code=230300&amp;group_by=county" \\
  -H "Authorization: Bearer $TOKEN"</pre>
</body></html>
"""
