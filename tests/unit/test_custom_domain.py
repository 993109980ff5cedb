"""The same routes through a service's execute-api URL and through the app's custom domain, where
API Gateway adds the base path to the event's path (splitstack.api.app.ServiceResolver); a
service whose routes start with its own base path (catalog) included."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_lambda_powertools.event_handler.api_gateway import Router

from splitstack.api.app import rest_app
from splitstack.config import ApiGatewaySettings, load_settings
from tests.conftest import FakeLambdaContext

DOMAIN = "api.example.com"
router = Router()


@router.get("/catalog/<order_id>")
def get_order(order_id: str) -> dict[str, Any]:
    return {"id": order_id}


@router.get("/health")
def health() -> dict[str, Any]:
    return {"status": "ok"}


def app(custom_domain: str | None) -> Any:
    return rest_app(
        title="t",
        summary="s",
        routers=[router],
        domain_error=LookupError,
        from_domain=lambda _: None,  # type: ignore[arg-type,return-value]
        custom_domain=custom_domain,
        base_path="catalog",
    )


def call(resolver: Any, path: str, domain: str) -> tuple[int, Any]:
    event = {
        "httpMethod": "GET",
        "path": path,
        "resource": path,
        "headers": {},
        "requestContext": {"domainName": domain, "stage": "dev", "requestId": "r", "httpMethod": "GET"},
    }
    answer = resolver.resolve(event, FakeLambdaContext())
    return answer["statusCode"], json.loads(answer["body"])


@pytest.mark.parametrize(
    ("path", "domain", "status"),
    [
        ("/catalog/1", "abc123.execute-api.eu-west-1.amazonaws.com", 200),  # no base path there
        ("/catalog/catalog/1", DOMAIN, 200),  # https://api.example.com/catalog/catalog/1
        ("/catalog/health", DOMAIN, 200),
        ("/catalog/1", DOMAIN, 404),  # https://api.example.com/catalog/1 is /1 of the catalog API
        ("/catalog/catalog/1", "abc123.execute-api.eu-west-1.amazonaws.com", 404),
    ],
)
def test_the_base_path_is_removed_from_requests_through_the_domain_only(
    path: str, domain: str, status: int
) -> None:
    assert call(app(DOMAIN), path, domain)[0] == status


def test_without_a_domain_nothing_is_removed() -> None:
    assert call(app(None), "/catalog/1", DOMAIN) == (200, {"id": "1"})


def test_the_settings_read_none_as_no_domain() -> None:
    settings = load_settings(ApiGatewaySettings, {"API_DOMAIN_NAME": "none", "API_BASE_PATH": "catalog"})
    assert (settings.custom_domain, settings.base_path) == (None, "catalog")
    assert load_settings(ApiGatewaySettings, {"API_DOMAIN_NAME": DOMAIN}).custom_domain == DOMAIN
