"""The start page `make run` prints: one static HTML file, made at start, served on 127.0.0.1.

Every link logs in directly: the pages take `#token=…` from the fragment (it never reaches a
server's log) and keep it in sessionStorage. Tokens are minted at start and last 8 hours.
"""

from __future__ import annotations

import functools
import html
import threading
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric import ec

from deploy.demo.client import Urls
from deploy.devtokens import issue_token
from shared.auth import Role

PROVINCE, CITY, MEMBER = Role.PROVINCE_ADMIN, Role.CITY_ADMIN, Role.MEMBER
CONSTITUENT, DEPARTMENT = Role.CONSTITUENT, Role.DEPARTMENT


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
) -> str:
    t = {a.role: a.token for a in people}
    pages = [
        ("KPI 看板 dashboard (province)", f"{urls.reporting}/app/dashboard#token={t[PROVINCE]}"),
        ("KPI 看板 dashboard (Jixi)", f"{urls.reporting}/app/dashboard#token={t[CITY]}"),
    ]
    facts = "The demo province is not loaded (see make run's output); offices only"
    if manifest is not None:
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
<h2>Pages (each link logs you in)</h2><ul>{pages}</ul>
<h2>API documents</h2><ul>{docs}</ul>
<h2>Dev tokens (8 hours)</h2>
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
