"""Which trace an event recorded now joins: its cause's, the job run's, or the current span's."""

from __future__ import annotations

import re
from uuid import uuid4

from shared.telemetry import (
    applying,
    caused_by,
    current_traceparent,
    job_run,
    run_traces,
    trace_id_of,
)

W3C = re.compile(r"^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$")
THEIRS = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
OTHER = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def test_there_is_always_a_traceparent_even_without_any_span() -> None:
    assert W3C.match(current_traceparent())


def test_an_event_recorded_while_applying_another_continues_that_ones_trace() -> None:
    first, second, untraced = uuid4(), uuid4(), uuid4()
    traces = run_traces(
        {first: {"traceparent": THEIRS}, second: {"traceparent": OTHER}, untraced: {}}
    )
    with applying(traces):
        with caused_by(second):
            assert current_traceparent() == OTHER
        with caused_by(first):
            assert trace_id_of(current_traceparent()) == trace_id_of(THEIRS)
        with caused_by(untraced):  # a cause without a trace: the run's
            assert W3C.match(current_traceparent())


def test_a_job_run_is_one_trace_for_everything_it_records() -> None:
    with job_run("sweep"):
        one, two = current_traceparent(), current_traceparent()
    with job_run("sweep"):
        next_run = current_traceparent()
    assert one == two
    assert trace_id_of(next_run) != trace_id_of(one)
