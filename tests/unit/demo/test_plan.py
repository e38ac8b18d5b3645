"""The demo plan: reproducible from its seed, shaped like Heilongjiang and Jixi, made-up people."""

from __future__ import annotations

import re
from datetime import date, timedelta

from deploy.demo.activity import build_activity
from deploy.demo.directory import SCALES, build_directory
from deploy.demo.places import CITIES, JIXI

TODAY = date(2026, 11, 28)
DEFAULT = SCALES["default"]


def test_the_same_seed_makes_the_same_province_and_another_seed_another() -> None:
    first, again = build_directory(7, DEFAULT), build_directory(7, DEFAULT)
    other = build_directory(8, DEFAULT)
    assert first == again
    assert build_activity(7, DEFAULT, first, TODAY) == build_activity(7, DEFAULT, again, TODAY)
    assert [m.name for m in first.members] != [m.name for m in other.members]


def test_jixi_has_its_nine_counties_19_workrooms_and_130_workstations() -> None:
    d = build_directory(1, DEFAULT)
    jixi = next(c for c in CITIES if c.code == JIXI)
    kinds = [w.kind for w in d.city_workstations(jixi)]
    assert (kinds.count("workroom"), kinds.count("workstation")) == (19, 130)
    counties = {m.region for m in d.city_members(jixi)}
    assert counties == {
        "230302", "230303", "230304", "230305", "230306", "230307", "230321", "230381", "230382"
    }  # fmt: skip
    assert {w.region for w in d.city_workstations(jixi)} <= counties


def test_every_city_of_the_province_has_members_in_its_own_counties() -> None:
    d = build_directory(1, DEFAULT)
    assert len(CITIES) == 13
    for city in CITIES:
        members = d.city_members(city)
        assert members, city.name
        assert all(m.region.startswith(city.code[:4]) and m.region != city.code for m in members)
        assert all(m.special_committee is None or m.special_committee.startswith(
            f"cppcc-{city.code}-") for m in members)  # fmt: skip


def test_liaisons_have_virtual_range_phones_each_their_own_and_external_ids_under_the_member() -> (
    None
):
    d = build_directory(1, DEFAULT)
    liaisons = [(m, li) for m in d.members for li in m.liaisons]
    phones = [li.phone for _, li in liaisons]
    assert all(re.fullmatch(r"17[01][0-9]{8}", p) for p in phones)
    assert len(set(phones)) == len(phones)
    assert all(li.external_id.startswith(m.external_id + "-L") for m, li in liaisons)
    assert len(liaisons) == 10 * len(d.members)


def test_occasion_visits_fall_between_the_occasion_and_today_and_only_for_obliged_members() -> None:
    d = build_directory(1, DEFAULT)
    a = build_activity(1, DEFAULT, d, TODAY)
    occasions = {o.key: o for o in a.occasions}
    assert a.for_occasions
    for v in a.for_occasions:
        o = occasions[v.source_key or ""]
        assert o.obliges(v.member)
        assert v.occasion == o.kind
        if o.kind == "plenary_upcoming":
            assert v.occurred_on == TODAY
        else:
            assert o.occurs_on <= v.occurred_on <= TODAY
    late = [v for v in a.for_occasions if v.occurred_on > occasions[v.source_key or ""].due_on]
    assert late, "some are late"
    missed = sum(
        1 for o in a.occasions for m in d.members if o.obliges(m) and o.due_on < TODAY
    ) - sum(1 for v in a.for_occasions if occasions[v.source_key or ""].due_on < TODAY)
    assert missed > 0, "some never happen, so the sweep has something to escalate"


def test_routine_visits_cover_the_past_year_and_keep_talks_within_people_reached() -> None:
    d = build_directory(1, DEFAULT)
    a = build_activity(1, DEFAULT, d, TODAY)
    assert {v.channel for v in a.routine} == {
        "face_to_face", "regular_work", "online", "service", "innovative"
    }  # fmt: skip
    for v in a.routine:
        assert TODAY - timedelta(days=365) < v.occurred_on < TODAY
        assert 0 <= v.talks <= v.people_reached
        assert len(set(v.liaisons)) == len(v.liaisons) <= len(v.member.liaisons)
        assert all(c.liaison in v.liaisons for c in v.concerns)
    assert sum(len(v.concerns) for v in a.routine) > 50
