"""The one error shape of the API, {"error": {"code", "message", "details"}}, and the one place
that maps domain errors to HTTP statuses."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types

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


def problem(status: HTTPStatus, code: str, message: str, details: Any = None) -> Response[str]:
    body = {"error": {"code": code, "message": message, "details": details if details is not None else {}}}
    return Response(
        status_code=status, content_type=content_types.APPLICATION_JSON, body=json.dumps(body, default=str)
    )


def from_domain(error: DomainError) -> Response[str]:
    return problem(STATUS_OF.get(type(error), HTTPStatus.CONFLICT), error.code, error.message, error.details)
