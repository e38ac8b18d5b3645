"""The outbox relay's ordering rule: a row waiting out its backoff holds back those behind it."""

from __future__ import annotations

from typing import Any

from shared.messaging.relay import _leading


def _rows(*due: bool) -> list[dict[str, Any]]:
    return [{"id": i, "due": d} for i, d in enumerate(due, start=1)]


def _is_due(row: dict[str, Any]) -> bool:
    return bool(row["due"])


def test_every_row_is_sent_when_all_are_due() -> None:
    rows = _rows(True, True, True)

    assert _leading(rows, _is_due) == rows


def test_a_row_waiting_out_its_backoff_holds_back_every_row_behind_it() -> None:
    rows = _rows(True, True, False, True, True)

    assert [r["id"] for r in _leading(rows, _is_due)] == [1, 2]


def test_nothing_is_sent_when_the_oldest_row_is_not_due() -> None:
    assert _leading(_rows(False, True, True), _is_due) == []


def test_no_rows_means_nothing_to_send() -> None:
    assert _leading([], _is_due) == []


def test_the_prefix_keeps_the_original_order_and_leaves_the_input_alone() -> None:
    rows = _rows(True, True, False)
    before = list(rows)

    prefix = _leading(rows, _is_due)

    assert prefix == rows[:2]
    assert prefix is not rows
    assert rows == before


def test_the_predicate_is_not_asked_about_rows_after_the_first_refusal() -> None:
    asked: list[int] = []

    def keep(row: dict[str, Any]) -> bool:
        asked.append(row["id"])
        return bool(row["due"])

    _leading(_rows(True, False, True, True), keep)

    assert asked == [1, 2]
