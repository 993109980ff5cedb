"""The orders API's errors: what each status means, and the one place that maps domain errors to
HTTP statuses. The shape is every service's (splitstack.api.problems)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response

from orders.domain.errors import (
    DomainError,
    IdempotencyKeyReused,
    IllegalTransition,
    InvalidCursor,
    NotADraft,
    OrderNotFound,
    VersionConflict,
)
from splitstack.api.problems import ErrorCatalog, problem

STATUS_OF: dict[type[DomainError], HTTPStatus] = {
    OrderNotFound: HTTPStatus.NOT_FOUND,
    IllegalTransition: HTTPStatus.CONFLICT,
    NotADraft: HTTPStatus.CONFLICT,
    VersionConflict: HTTPStatus.PRECONDITION_FAILED,
    InvalidCursor: HTTPStatus.BAD_REQUEST,
    IdempotencyKeyReused: HTTPStatus.UNPROCESSABLE_ENTITY,
}


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


CATALOG = ErrorCatalog(DESCRIPTIONS)
errors = CATALOG.errors
answers = CATALOG.answers


def from_domain(error: DomainError) -> Response[dict[str, Any]]:
    return problem(STATUS_OF.get(type(error), HTTPStatus.CONFLICT), error.code, error.message, error.details)
