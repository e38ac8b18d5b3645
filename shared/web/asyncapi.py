"""Serving AsyncAPI documents: a service's at `/asyncapi.json`, the data platform's with its feed.

The documents are made once, on the first request, from the contracts, the service's consumer
groups and its Kafka settings (shared/contracts/asyncapi.py); like `/openapi.json` they need no
token (they describe the interface, not data).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import cache
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from shared.contracts.asyncapi import Broker, Receiver, data_platform_document, service_document
from shared.contracts.base import IntegrationEvent
from shared.settings import ServiceSettings

SERVICE_PATH = "/asyncapi.json"
DATA_PLATFORM_PATH = "/v1/feed/asyncapi.json"


def asyncapi_router(path: str, document: Callable[[], dict[str, Any]]) -> APIRouter:
    """`GET path` answers `document()`, made on the first request and kept."""
    router = APIRouter(tags=["operations"])
    made = cache(document)

    @router.get(path, summary="AsyncAPI 3.0 document", include_in_schema=False)
    async def asyncapi() -> JSONResponse:
        return JSONResponse(made())

    return router


def broker_of(settings: ServiceSettings) -> Broker:
    return Broker(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        topic_prefix=settings.kafka_topic_prefix,
        security_protocol=settings.kafka_security_protocol,
        sasl_mechanism=settings.kafka_sasl_mechanism,
    )


def service_asyncapi(
    settings: ServiceSettings, groups: Iterable[tuple[str, Mapping[type[IntegrationEvent], Any]]]
) -> APIRouter:
    """`/asyncapi.json` of a service whose consumer groups are `(group, handler map)` pairs."""
    receivers = [
        Receiver(group, settings.kafka_group_id(group), tuple(handlers))
        for group, handlers in groups
    ]
    return asyncapi_router(
        SERVICE_PATH,
        lambda: service_document(settings.service_name, broker_of(settings), receivers),
    )


def data_platform_asyncapi(settings: ServiceSettings) -> APIRouter:
    """The data platform's document, served with the feed (by reporting)."""
    return asyncapi_router(DATA_PLATFORM_PATH, lambda: data_platform_document(broker_of(settings)))
