"""The rule for what counts as a breaking change between two schemas of one event."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from shared.contracts.compat import breaking_changes, current_schema
from shared.contracts.members import MemberRegisteredV1


@pytest.fixture
def old() -> dict[str, Any]:
    return current_schema(MemberRegisteredV1)


@pytest.fixture
def new(old: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(old)


def test_an_unchanged_schema_has_no_breaking_changes(
    old: dict[str, Any], new: dict[str, Any]
) -> None:
    assert breaking_changes(old, new) == []


def test_removing_a_property_is_breaking(old: dict[str, Any], new: dict[str, Any]) -> None:
    del new["properties"]["committee_code"]
    new["required"].remove("committee_code")

    assert breaking_changes(old, new) == ["property 'committee_code' removed"]


def test_changing_a_property_type_is_breaking(old: dict[str, Any], new: dict[str, Any]) -> None:
    new["properties"]["full_name"] = {"title": "Full Name", "type": "integer"}

    (problem,) = breaking_changes(old, new)
    assert problem.startswith("property 'full_name' changed type")
    assert "'string'" in problem
    assert "'integer'" in problem


@pytest.mark.parametrize(
    "changed",
    [
        {"title": "Member Id", "type": "string"},
        {"title": "Member Id", "type": "string", "format": "date-time"},
        {"title": "Member Id", "anyOf": [{"type": "string", "format": "uuid"}, {"type": "null"}]},
        {"title": "Member Id", "$ref": "#/$defs/MemberRef"},
    ],
    ids=["format-dropped", "format-changed", "made-nullable", "made-an-object"],
)
def test_changing_a_property_format_or_shape_is_breaking(
    old: dict[str, Any], new: dict[str, Any], changed: dict[str, Any]
) -> None:
    new["properties"]["member_id"] = changed

    (problem,) = breaking_changes(old, new)
    assert problem.startswith("property 'member_id' changed type")


def test_changing_a_property_pattern_is_breaking(old: dict[str, Any], new: dict[str, Any]) -> None:
    new["properties"]["sector_code"]["pattern"] = "^[a-z]{2}$"

    (problem,) = breaking_changes(old, new)
    assert problem.startswith("property 'sector_code' changed type")


def test_making_an_existing_property_required_is_breaking() -> None:
    old = {"properties": {"a": {"type": "string"}, "b": {"type": "string"}}, "required": ["a"]}
    new = copy.deepcopy(old)
    new["required"] = ["a", "b"]

    assert breaking_changes(old, new) == ["property 'b' became required"]


def test_adding_a_required_property_is_breaking(old: dict[str, Any], new: dict[str, Any]) -> None:
    new["properties"]["unit_name"] = {"title": "Unit Name", "type": "string"}
    new["required"].append("unit_name")

    assert breaking_changes(old, new) == ["property 'unit_name' became required"]


def test_adding_an_optional_property_is_not_breaking(
    old: dict[str, Any], new: dict[str, Any]
) -> None:
    new["properties"]["nickname"] = {
        "anyOf": [{"type": "string"}, {"type": "null"}],
        "default": None,
        "title": "Nickname",
    }

    assert breaking_changes(old, new) == []


def test_changing_titles_and_descriptions_is_not_breaking(
    old: dict[str, Any], new: dict[str, Any]
) -> None:
    new["description"] = "Reworded."
    new["properties"]["full_name"]["title"] = "Name"
    new["properties"]["full_name"]["description"] = "姓名"

    assert breaking_changes(old, new) == []


def test_every_breaking_change_is_reported_together(
    old: dict[str, Any], new: dict[str, Any]
) -> None:
    del new["properties"]["committee_code"]
    new["properties"]["full_name"]["type"] = "integer"
    new["properties"]["unit_name"] = {"type": "string"}
    new["required"].append("unit_name")

    problems = breaking_changes(old, new)
    assert len(problems) == 3
    assert "property 'committee_code' removed" in problems
    assert "property 'unit_name' became required" in problems


def test_tightening_a_length_limit_is_breaking(old: dict[str, Any], new: dict[str, Any]) -> None:
    new["properties"]["full_name"]["maxLength"] = 8

    assert breaking_changes(old, new) != []


def test_removing_a_property_of_a_nested_model_is_breaking() -> None:
    old: dict[str, Any] = {
        "$defs": {
            "Address": {
                "properties": {"city": {"type": "string"}, "street": {"type": "string"}},
                "required": ["city", "street"],
                "type": "object",
            }
        },
        "properties": {"address": {"$ref": "#/$defs/Address"}},
        "required": ["address"],
    }
    new = copy.deepcopy(old)
    del new["$defs"]["Address"]["properties"]["street"]
    new["$defs"]["Address"]["required"] = ["city"]

    assert breaking_changes(old, new) != []
