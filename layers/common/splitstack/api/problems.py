"""The one error shape of every service's API, {"error": {"code", "message", "details"}}, and the
OpenAPI `responses` that declare it."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import BaseModel, Field


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable, machine-readable, e.g. order_not_found")
    message: str = Field(description="For people")
    details: Any = Field(description="What the code needs to say more: ids, versions, invalid fields")


class ErrorOut(BaseModel):
    """Every 4xx and 5xx the API itself answers."""

    error: ErrorDetail


class ErrorCatalog:
    """What each error status means in one API, for its OpenAPI document."""

    def __init__(self, descriptions: Mapping[int, str]) -> None:
        self.descriptions = dict(descriptions)

    def errors(self, *statuses: int) -> dict[int, OpenAPIResponse]:
        """The OpenAPI `responses` of a route's error statuses, all with the one error shape."""
        return {
            status: {
                "description": self.descriptions[status],
                "content": {"application/json": {"model": ErrorOut}},
            }
            for status in statuses
        }

    def answers(
        self, status: int, model: type[BaseModel], description: str, *error_statuses: int
    ) -> dict[int, OpenAPIResponse]:
        """A route's OpenAPI `responses`: its success with its model, and its errors."""
        success: OpenAPIResponse = {
            "description": description,
            "content": {"application/json": {"model": model}},
        }
        return {status: success, **self.errors(*error_statuses)}


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
