"""The onboarding files speak the import templates' language; the start page logs every role in."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from deploy.demo.client import Urls
from deploy.demo.directory import SCALES, build_directory
from deploy.demo.files import KINDS, onboarding_file
from deploy.demo.places import CITIES, JIXI
from deploy.demo.start_page import accounts, render
from deploy.devtokens import ensure_keys, load_private_key
from shared.auth import Role

TEMPLATES = Path(__file__).resolve().parents[3] / "services/members/import_templates"
JIXI_CITY = next(c for c in CITIES if c.code == JIXI)


def _table(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_each_file_has_the_members_services_template_header() -> None:
    d = build_directory(1, SCALES["default"])
    for kind in KINDS:
        template = (TEMPLATES / f"{kind}.csv").read_text(encoding="utf-8-sig").splitlines()[0]
        assert _table(onboarding_file(kind, [JIXI_CITY], d))[0] == template.split(","), kind


def test_the_liaison_file_carries_no_id_numbers_and_only_virtual_phones() -> None:
    d = build_directory(1, SCALES["default"])
    rows = _table(onboarding_file("liaisons", [JIXI_CITY], d))[1:]
    assert len(rows) == 10 * len(d.city_members(JIXI_CITY))
    assert {r[4] for r in rows} == {""}
    assert all(r[3][:3] in ("170", "171") for r in rows)


def test_the_start_page_links_each_page_logged_in_and_lists_a_token_per_role(
    tmp_path: Path,
) -> None:
    ensure_keys(tmp_path)
    manifest = {
        "seed": 1, "today": "2026-11-28", "members": 3, "liaisons": 30, "workstations": 2,
        "visits": 9,
        "member": {"id": "01a21f0d-b06f-7064-87bd-874bd56d3418", "name": "王<b>明",
                   "region": "230382"},
        "department": {"code": "jx-education-bureau", "region": "230300"},
        "constituent": {"subject": "c-1", "region": "230302",
                        "member_id": "01a21f0d-b06b-7bb4-a884-33f9eea438b1"},
    }  # fmt: skip
    people = accounts(load_private_key(tmp_path), manifest)
    page = render(manifest, people, Urls(), [("AsyncAPI", "asyncapi.yaml")])
    assert {a.role for a in people} == {
        Role.PROVINCE_ADMIN, Role.CITY_ADMIN, Role.COUNTY_ADMIN, Role.MEMBER, Role.DEPARTMENT,
        Role.CONSTITUENT, Role.AUDITOR, Role.DATA_PLATFORM,
    }  # fmt: skip
    member = next(a for a in people if a.role is Role.MEMBER)
    assert f'href="http://127.0.0.1:8002/app/member#token={member.token}"' in page
    assert "http://127.0.0.1:8004/app/dashboard#token=" in page
    assert "&amp;member=01a21f0d-b06b-7bb4-a884-33f9eea438b1" in page
    assert all(f"http://127.0.0.1:{port}/docs" in page for port in (8001, 8002, 8003, 8004))
    assert "王&lt;b&gt;明" in page
    assert "王<b>明" not in page
    assert all(a.token in page for a in people)


def test_without_a_demo_the_start_page_has_the_offices_only(tmp_path: Path) -> None:
    ensure_keys(tmp_path)
    people = accounts(load_private_key(tmp_path), None)
    page = render(None, people, Urls(), [])
    assert Role.MEMBER not in {a.role for a in people}
    assert "/app/dashboard#token=" in page
    assert "/app/member#" not in page
