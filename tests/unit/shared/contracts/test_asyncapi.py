"""The AsyncAPI document lists every committed event schema under its topic."""

from __future__ import annotations

from shared.contracts.asyncapi import document
from shared.contracts.compat import SCHEMA_DIR
from shared.contracts.topics import BUSINESS_TOPICS


def test_every_event_schema_is_a_message_on_its_own_topic() -> None:
    doc = document()
    assert doc["asyncapi"] == "3.0.0"
    names = {m["name"] for m in doc["components"]["messages"].values()}
    assert names == {p.stem for p in SCHEMA_DIR.glob("*.json")}
    for channel in doc["channels"].values():
        for ref in channel["messages"].values():
            message = doc["components"]["messages"][ref["$ref"].rsplit("/", 1)[1]]
            assert message["name"].startswith(channel["address"] + ".")
    assert {c["address"] for c in doc["channels"].values()} == {t.name for t in BUSINESS_TOPICS}
