"""API function: AWS glue only. Wires settings, the DynamoDB adapter and the routers."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from orders.adapters.dynamodb import DynamoDBOrderRepository
from orders.api import routes
from orders.api.problems import ApiProblem, from_domain, problem
from orders.config import ApiSettings, load_settings
from orders.domain.errors import DomainError
from orders.domain.ids import new_ulid
from orders.domain.service import OrderService

logger = Logger()
tracer = Tracer()
metrics = Metrics()

settings = load_settings(ApiSettings, os.environ)
repository = DynamoDBOrderRepository(
    boto3.client("dynamodb"), settings.table_name, settings.gsi1_name, settings.idempotency_table_name
)


def utc_now() -> datetime:
    return datetime.now(UTC)


context = routes.ApiContext(
    service=OrderService(repository, clock=utc_now, new_id=new_ulid), settings=settings, clock=utc_now
)

app = APIGatewayRestResolver(enable_validation=True)
app.include_router(routes.health)
app.include_router(routes.orders)
app.include_router(routes.stats)


OPENAPI = routes.document(
    app.get_openapi_schema(
        title="orders", version="1.0.0", summary="The splitstack sample service"
    ).model_dump(mode="json", by_alias=True, exclude_none=True)
)


@app.get("/openapi.json", include_in_schema=False)
def openapi() -> dict[str, Any]:
    return OPENAPI


@app.exception_handler(DomainError)
def domain_error(error: DomainError) -> Response[dict[str, Any]]:
    return from_domain(error)


@app.exception_handler(ApiProblem)
def api_problem(error: ApiProblem) -> Response[dict[str, Any]]:
    return problem(error.status, error.code, error.message, error.details)


@app.exception_handler(RequestValidationError)
def invalid_request(error: RequestValidationError) -> Response[dict[str, Any]]:
    details = [
        {"location": list(e.get("loc", ())), "message": e.get("msg", ""), "type": e.get("type", "")}
        for e in error.errors()
    ]
    return problem(
        HTTPStatus.UNPROCESSABLE_ENTITY, "invalid_request", "the request does not match the API", details
    )


def _unsupported_media_type() -> Response[dict[str, Any]]:
    return problem(
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "send the body as Content-Type: application/json",
    )


def _internal_error(error: Exception) -> Response[dict[str, Any]]:
    logger.exception("unhandled error", extra={"error_type": type(error).__name__})
    return problem(HTTPStatus.INTERNAL_SERVER_ERROR, "internal_error", "something went wrong on our side")


@app.exception_handler(RequestUnsupportedContentType)
def unsupported_media_type(_: RequestUnsupportedContentType) -> Response[dict[str, Any]]:
    return _unsupported_media_type()


@app.exception_handler(ValueError)
def unreadable_multipart(error: ValueError) -> Response[dict[str, Any]]:
    """Powertools parses any multipart/form-data body, and raises ValueError for one it cannot
    read (no boundary); the API takes JSON only. Any other ValueError is a defect."""
    if app.current_event.headers.get("Content-Type", "").lower().startswith("multipart/form-data"):
        return _unsupported_media_type()
    return _internal_error(error)


@app.not_found
def not_found(_: Exception) -> Response[dict[str, Any]]:
    return problem(
        HTTPStatus.NOT_FOUND,
        "route_not_found",
        f"no route for {app.current_event.http_method} {app.current_event.path}",
    )


@app.exception_handler(Exception)
def unexpected(error: Exception) -> Response[dict[str, Any]]:
    return _internal_error(error)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], lambda_context: LambdaContext) -> dict[str, Any]:
    app.append_context(api=context)
    return app.resolve(event, lambda_context)
