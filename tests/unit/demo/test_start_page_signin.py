"""With Keycloak, the start page lists a demo account per role (user name and password), its
page links send people to the login page, and the dev tokens stay listed for the API."""

from __future__ import annotations

from pathlib import Path

from deploy.demo.client import Urls
from deploy.demo.start_page import accounts, demo_signins, render
from deploy.devtokens import ensure_keys, load_private_key
from deploy.local.keycloak import DEMO_PASSWORD, DEMO_USERS_FILE

MANIFEST = {
    "seed": 1, "today": "2026-11-28", "members": 3, "liaisons": 30, "workstations": 2,
    "visits": 9,
    "member": {"id": "01a21f0d-b06f-7064-87bd-874bd56d3418", "name": "王明", "region": "230382"},
    "department": {"code": "jx-education-bureau", "region": "230300"},
    "constituent": {"subject": "c-1", "region": "230302",
                    "member_id": "01a21f0d-b06b-7bb4-a884-33f9eea438b1"},
}  # fmt: skip


def test_the_start_page_lists_a_demo_account_for_every_person_and_keeps_the_dev_tokens(
    tmp_path: Path,
) -> None:
    ensure_keys(tmp_path)
    people = accounts(load_private_key(tmp_path), MANIFEST)
    signins = demo_signins(DEMO_USERS_FILE, MANIFEST, Urls(), "m874bd56d3418")
    page = render(MANIFEST, people, Urls(), [], signins, DEMO_PASSWORD)
    roles = {s.role for s in signins}
    assert {"province_admin", "city_admin", "member", "department", "constituent"} <= roles
    for s in signins:
        assert f"<code>{s.username}</code>" in page
    assert f"<code>{DEMO_PASSWORD}</code>" in page
    assert 'href="http://127.0.0.1:8002/app/member"' in page  # no token: the login page
    assert "#token=" not in page
    assert "#member=01a21f0d-b06b-7bb4-a884-33f9eea438b1" in page
    assert all(a.token in page for a in people)  # still there for curl and scripts
    # The loaded province is described, sign-in or not (it once said "not loaded").
    assert "not loaded" not in page
    assert "3 members, 30 liaisons" in page


def test_without_keycloak_the_links_still_log_in_with_dev_tokens(tmp_path: Path) -> None:
    ensure_keys(tmp_path)
    people = accounts(load_private_key(tmp_path), MANIFEST)
    page = render(MANIFEST, people, Urls(), [])
    assert "Demo accounts" not in page
    assert "/app/member#token=" in page
