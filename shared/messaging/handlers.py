"""A consumer's handler map, typed: which event types each set-based handler applies.

Every handler takes a run of events (a single event is a run of one), so a consumer has one
map and one way to apply it. `handles(EventType, handler)` lets mypy check that the handler
accepts that event type and the consumer's unit of work; `each` adapts a per-event use case.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from shared.contracts.base import IntegrationEvent
from shared.telemetry import caused_by

E_contra = TypeVar("E_contra", bound=IntegrationEvent, contravariant=True)
U_contra = TypeVar("U_contra", contravariant=True)
E = TypeVar("E", bound=IntegrationEvent)
U = TypeVar("U")


class Handler(Protocol[E_contra, U_contra]):
    """Applies a run of events, in their order, inside the unit of work's transaction."""

    async def __call__(self, events: Sequence[E_contra], uow: U_contra, /) -> object: ...


class EventHandler(Protocol[E_contra, U_contra]):
    """A use case for one event (adapted by `each`)."""

    async def __call__(self, event: E_contra, uow: U_contra, /) -> object: ...


@dataclass(frozen=True)
class Handles(Generic[U]):
    """One entry of a handler map: event types and the handler that applies runs of them."""

    event_types: tuple[type[IntegrationEvent], ...]
    handler: Handler[Any, U]


HandlerMap = Mapping[type[IntegrationEvent], Handler[Any, Any]]


def handles(event_types: type[E] | tuple[type[E], ...], handler: Handler[E, U]) -> Handles[U]:
    """`handler` applies runs of `event_types` (consecutive ones form one run).

    A family of types is a tuple annotated `tuple[type[Family], ...]` (`Family` a union): mypy
    reads a bare tuple of classes as their common base class, which the handler will not take."""
    types = event_types if isinstance(event_types, tuple) else (event_types,)
    return Handles(types, handler)


def each(event_types: type[E] | tuple[type[E], ...], handler: EventHandler[E, U]) -> Handles[U]:
    """`handler` applies `event_types` one event at a time, within the run's transaction."""

    async def one_by_one(events: Sequence[E], uow: U) -> None:
        for event in events:
            with caused_by(event.event_id):
                await handler(event, uow)

    return handles(event_types, one_by_one)


def handler_map(entries: Iterable[Handles[Any]]) -> dict[type[IntegrationEvent], Handler[Any, Any]]:
    """The entries as one map; an event type given twice is a wiring mistake, refused."""
    found: dict[type[IntegrationEvent], Handler[Any, Any]] = {}
    for entry in entries:
        for event_type in entry.event_types:
            if event_type in found:
                raise ValueError(f"{event_type.__name__} has two handlers")
            found[event_type] = entry.handler
    return found
