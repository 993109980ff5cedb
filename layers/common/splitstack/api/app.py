"""A service's REST API resolver with what every service's API answers the same way: its OpenAPI
document at /openapi.json, the one error shape for the API's own refusals (tenancy, headers), for
the service's domain errors, for requests that do not match the API (422), bodies that are not
JSON (415), paths no route has (404) and defects (500, logged, nothing leaked); and the same
routes whether a request came through the API's execute-api URL or the app's custom domain."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from splitstack.api.problems import ApiProblem, problem

logger = Logger(child=True)

Answer = Response[dict[str, Any]]


class ServiceResolver(APIGatewayRestResolver):
    """API Gateway puts a custom domain's base path into the event's `path` (https://<domain>/billing/x
    arrives as `/billing/x` with base path `billing`; through execute-api it is `/x`). The base path
    is removed from requests that came through the app's domain only: Powertools' `strip_prefixes`
    removes a prefix from every request, and a service's own routes may start with its base path
    (a service named after its resource, with routes under `/<service>`)."""

    def __init__(self, custom_domain: str | None, base_path: str, **options: Any) -> None:
        super().__init__(**options)
        self._custom_domain = custom_domain
        self._prefix = f"/{base_path}" if base_path else ""

    def resolve(self, event: Mapping[str, Any], context: LambdaContext) -> dict[str, Any]:
        path = str(event.get("path", ""))
        through_domain = event.get("requestContext", {}).get("domainName") == self._custom_domain
        under_base_path = path == self._prefix or path.startswith(f"{self._prefix}/")
        if self._custom_domain and self._prefix and through_domain and under_base_path:
            event = {**event, "path": path.removeprefix(self._prefix) or "/"}
        return super().resolve(event, context)


def rest_app(  # one handler per kind of answer, registered on the one app
    *,
    title: str,
    summary: str,
    routers: Iterable[Router],
    domain_error: type[Exception],
    from_domain: Callable[[Any], Answer],
    document: Callable[[dict[str, Any]], dict[str, Any]] = lambda schema: schema,
    custom_domain: str | None = None,
    base_path: str = "",
) -> ServiceResolver:
    app = ServiceResolver(custom_domain, base_path, enable_validation=True)
    for router in routers:
        app.include_router(router)
    openapi_document = document(
        app.get_openapi_schema(title=title, version="1.0.0", summary=summary).model_dump(
            mode="json", by_alias=True, exclude_none=True
        )
    )

    @app.get("/openapi.json", include_in_schema=False)
    def openapi() -> dict[str, Any]:
        return openapi_document

    @app.exception_handler(domain_error)
    def on_domain_error(error: Exception) -> Answer:
        return from_domain(error)

    @app.exception_handler(ApiProblem)
    def api_problem(error: ApiProblem) -> Answer:
        return problem(error.status, error.code, error.message, error.details)

    @app.exception_handler(RequestValidationError)
    def invalid_request(error: RequestValidationError) -> Answer:
        details = [
            {"location": list(e.get("loc", ())), "message": e.get("msg", ""), "type": e.get("type", "")}
            for e in error.errors()
        ]
        return problem(
            HTTPStatus.UNPROCESSABLE_ENTITY, "invalid_request", "the request does not match the API", details
        )

    @app.exception_handler(RequestUnsupportedContentType)
    def unsupported_media_type(_: RequestUnsupportedContentType) -> Answer:
        return _unsupported_media_type()

    @app.exception_handler(ValueError)
    def unreadable_multipart(error: ValueError) -> Answer:
        """Powertools parses any multipart/form-data body, and raises ValueError for one it cannot
        read (no boundary); the API takes JSON only. Any other ValueError is a defect."""
        if app.current_event.headers.get("Content-Type", "").lower().startswith("multipart/form-data"):
            return _unsupported_media_type()
        return _internal_error(error)

    @app.not_found
    def not_found(_: Exception) -> Answer:
        return problem(
            HTTPStatus.NOT_FOUND,
            "route_not_found",
            f"no route for {app.current_event.http_method} {app.current_event.path}",
        )

    @app.exception_handler(Exception)
    def unexpected(error: Exception) -> Answer:
        return _internal_error(error)

    return app


def _unsupported_media_type() -> Answer:
    return problem(
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "send the body as Content-Type: application/json",
    )


def _internal_error(error: Exception) -> Answer:
    logger.exception("unhandled error", extra={"error_type": type(error).__name__})
    return problem(HTTPStatus.INTERNAL_SERVER_ERROR, "internal_error", "something went wrong on our side")
