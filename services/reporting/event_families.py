"""The consumed event families reporting handles as one (one handler per aggregate)."""

from __future__ import annotations

from shared.contracts import visits as v

ObligationEvent = (
    v.ObligationOpenedV1
    | v.ObligationFulfilledV1
    | v.ObligationOverdueV1
    | v.ObligationEscalatedV1
    | v.ObligationWithdrawnV1
)
OBLIGATION_EVENTS: tuple[type[ObligationEvent], ...] = (
    v.ObligationOpenedV1,
    v.ObligationFulfilledV1,
    v.ObligationOverdueV1,
    v.ObligationEscalatedV1,
    v.ObligationWithdrawnV1,
)
ConcernEvent = (
    v.ConcernSubmittedV1
    | v.ConcernAcceptedV1
    | v.ConcernRejectedV1
    | v.ConcernMergedV1
    | v.ConcernAssignedV1
    | v.ConcernRepliedV1
    | v.ConcernRatedV1
    | v.ConcernReopenedV1
    | v.ConcernClosedV1
    | v.ConcernUpgradedV1
)
CONCERN_EVENTS: tuple[type[ConcernEvent], ...] = (
    v.ConcernSubmittedV1,
    v.ConcernAcceptedV1,
    v.ConcernRejectedV1,
    v.ConcernMergedV1,
    v.ConcernAssignedV1,
    v.ConcernRepliedV1,
    v.ConcernRatedV1,
    v.ConcernReopenedV1,
    v.ConcernClosedV1,
    v.ConcernUpgradedV1,
)
