"""The one error shape of the API, {"error": {"code", "message", "details"}}, and the one place
that maps domain errors to HTTP statuses."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import BaseModel, Field

from orders.domain.errors import (
    DomainError,
    IdempotencyKeyReused,
    IllegalTransition,
    InvalidCursor,
    NotADraft,
    OrderNotFound,
    VersionConflict,
)

STATUS_OF: dict[type[DomainError], HTTPStatus] = {
    OrderNotFound: HTTPStatus.NOT_FOUND,
    IllegalTransition: HTTPStatus.CONFLICT,
    NotADraft: HTTPStatus.CONFLICT,
    VersionConflict: HTTPStatus.PRECONDITION_FAILED,
    InvalidCursor: HTTPStatus.BAD_REQUEST,
    IdempotencyKeyReused: HTTPStatus.UNPROCESSABLE_ENTITY,
}


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable, machine-readable, e.g. order_not_found")
    message: str = Field(description="For people")
    details: Any = Field(description="What the code needs to say more: ids, versions, invalid fields")


class ErrorOut(BaseModel):
    """Every 4xx and 5xx the API itself answers."""

    error: ErrorDetail


DESCRIPTIONS = {
    400: "A header or cursor that cannot be read",
    403: "The caller is not bound to a tenant",
    404: "No such order for this tenant",
    409: "The order's state does not allow it",
    412: "If-Match names another version than the order's",
    415: "The body is not application/json",
    422: "The body or a query parameter does not match the API, or an Idempotency-Key was reused",
    428: "If-Match is required",
}


def errors(*statuses: int) -> dict[int, OpenAPIResponse]:
    """The OpenAPI `responses` of a route's error statuses, all with the one error shape."""
    return {
        status: {"description": DESCRIPTIONS[status], "content": {"application/json": {"model": ErrorOut}}}
        for status in statuses
    }


def answers(
    status: int, model: type[BaseModel], description: str, *error_statuses: int
) -> dict[int, OpenAPIResponse]:
    """A route's OpenAPI `responses`: its success with its model, and its errors."""
    success: OpenAPIResponse = {"description": description, "content": {"application/json": {"model": model}}}
    return {status: success, **errors(*error_statuses)}


class ApiProblem(Exception):
    """A 4xx the API layer itself decides (headers, tenancy), outside the domain."""

    def __init__(
        self, status: HTTPStatus, code: str, message: str, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}


def problem(status: HTTPStatus, code: str, message: str, details: Any = None) -> Response[dict[str, Any]]:
    body = ErrorOut(
        error=ErrorDetail(code=code, message=message, details=details if details is not None else {})
    )
    return Response(
        status_code=status, content_type=content_types.APPLICATION_JSON, body=body.model_dump(mode="json")
    )


def from_domain(error: DomainError) -> Response[dict[str, Any]]:
    return problem(STATUS_OF.get(type(error), HTTPStatus.CONFLICT), error.code, error.message, error.details)
