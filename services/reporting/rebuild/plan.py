"""What the rebuild reads, for whom, and in which order (pure).

Each consumer group the service runs is rebuilt as itself: the same topics, the same handlers,
the same group name in the rebuilt inbox, so the live consumer recognises after the swap what
the rebuild already applied. Topics are read in phases: the directory (who the members and
liaisons are) up to its bound first, then the facts that refer to members. The projections are
meant not to depend on that order (the live consumer interleaves topics as Kafka hands them
out), but a rebuild that follows the order the facts happened in does not rely on it either.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from shared.contracts import topics
from shared.runtime import ConsumerSpec

DIRECTORY_TOPICS = frozenset(
    {topics.MEMBERS_MEMBER.name, topics.MEMBERS_LIAISON.name, topics.MEMBERS_WORKSTATION.name}
)


@dataclass(frozen=True)
class Stream:
    """One consumer group's topics within one phase."""

    spec: ConsumerSpec[Any]
    topics: tuple[str, ...]

    @property
    def group(self) -> str:
        return self.spec.group


def phases(specs: Sequence[ConsumerSpec[Any]]) -> list[list[Stream]]:
    """The directory topics of every group, then every group's other topics."""
    directory = [_stream(s, lambda t: t in DIRECTORY_TOPICS) for s in specs]
    facts = [_stream(s, lambda t: t not in DIRECTORY_TOPICS) for s in specs]
    return [[s for s in phase if s.topics] for phase in (directory, facts)]


def _stream(spec: ConsumerSpec[Any], keep: Callable[[str], bool]) -> Stream:
    return Stream(spec, tuple(t for t in spec.topics if keep(t)))
