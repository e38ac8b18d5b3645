"""The fast tier's fixtures: an in-memory unit of work and a clock that stands still."""

from __future__ import annotations

from typing import cast

import pytest

from services.visits.unit_of_work import VisitsUnitOfWork
from shared.kernel import FixedClock
from tests.unit.visits.fakes import NOW, FakeVisitsUnitOfWork


@pytest.fixture
def fake() -> FakeVisitsUnitOfWork:
    return FakeVisitsUnitOfWork(now=NOW)


@pytest.fixture
def uow(fake: FakeVisitsUnitOfWork) -> VisitsUnitOfWork:
    """The fake, typed as what the handlers take (it has every method they call)."""
    return cast(VisitsUnitOfWork, fake)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)
