"""Event contracts: committed JSON Schemas and golden samples keep both sides honest."""

from __future__ import annotations

import json

import pytest

from shared.contracts.compat import breaking_changes, current_schema, golden_path, snapshot_path
from shared.contracts.envelope import decode
from shared.contracts.registry import EVENT_TYPES

EVENTS = sorted(EVENT_TYPES.items())
REGENERATE = "after review, regenerate with `python -m shared.contracts.compat`"


@pytest.mark.parametrize(("event_type", "cls"), EVENTS, ids=[e for e, _ in EVENTS])
def test_no_event_schema_breaks_its_committed_snapshot(event_type: str, cls: type) -> None:
    committed = json.loads(snapshot_path(event_type).read_text())
    problems = breaking_changes(committed, current_schema(cls))
    assert not problems, f"{event_type}: breaking change {problems}; publish a V2 type instead"


@pytest.mark.parametrize(("event_type", "cls"), EVENTS, ids=[e for e, _ in EVENTS])
def test_committed_snapshot_is_up_to_date(event_type: str, cls: type) -> None:
    committed = json.loads(snapshot_path(event_type).read_text())
    assert committed == current_schema(cls), f"{event_type}: snapshot is stale; {REGENERATE}"


@pytest.mark.parametrize(("event_type", "cls"), EVENTS, ids=[e for e, _ in EVENTS])
def test_golden_sample_decodes_and_round_trips(event_type: str, cls: type) -> None:
    raw = golden_path(event_type).read_bytes()
    event = decode(raw, {"ce_type": event_type})
    assert type(event) is cls
    assert json.loads(event.model_dump_json()) == json.loads(raw)


def test_every_snapshot_and_sample_belongs_to_a_known_event_type() -> None:
    for folder in (snapshot_path("x").parent, golden_path("x").parent):
        names = {p.stem for p in folder.glob("*.json")}
        assert names == set(EVENT_TYPES), f"{folder}: orphans or gaps {names ^ set(EVENT_TYPES)}"


def test_event_type_names_follow_owner_aggregate_verb_version() -> None:
    for event_type, cls in EVENT_TYPES.items():
        owner, aggregate, verb, version = event_type.split(".")
        assert cls.topic == f"{owner}.{aggregate}"
        assert version.startswith("v")
        assert version[1:].isdigit()
        # Past tense; "overdue" is a state, but it is the name the architecture gives it.
        assert verb.endswith(("ed", "wn")) or verb == "overdue", verb
