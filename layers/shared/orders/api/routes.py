"""Routes of the orders API, one Router per resource group. The handler module builds the app,
includes these routers and puts an ApiContext in the app context for each invocation."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from typing import Annotated, cast

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from orders.api.problems import ApiProblem
from orders.api.schemas import OrderIn, OrderOut, OrderPage, StatsOut, TransitionIn
from orders.api.tenancy import tenant_of
from orders.config import ApiSettings
from orders.domain.model import IdempotencyClaim, Order, OrderStatus
from orders.domain.service import MAX_PAGE, OrderService

ORDER_ID = r"[0-7][0-9A-HJKMNP-TV-Z]{25}"
IF_MATCH = re.compile(r'^(?:W/)?"?(\d{1,9})"?$')
IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,128}$")

metrics = Metrics()
health = Router()
orders = Router()
stats = Router()


@dataclass(frozen=True)
class ApiContext:
    service: OrderService
    settings: ApiSettings
    clock: Callable[[], datetime]


def _context(router: Router) -> ApiContext:
    context: ApiContext = router.context["api"]
    return context


def _tenant(router: Router) -> str:
    settings = _context(router).settings
    # The app is an APIGatewayRestResolver, so the event is always the REST proxy event.
    event = cast(APIGatewayProxyEvent, router.current_event)
    return tenant_of(event, settings.auth_mode, settings.tenant_principals)


def _json(
    status: HTTPStatus, body: str, order: Order | None = None, location: str | None = None
) -> Response[str]:
    headers: dict[str, str] = {}
    if order is not None:
        headers["ETag"] = f'"{order.version}"'
    if location is not None:
        headers["Location"] = location
    return Response(
        status_code=status, content_type=content_types.APPLICATION_JSON, body=body, headers=headers
    )


def _order_response(
    order: Order, status: HTTPStatus = HTTPStatus.OK, location: str | None = None
) -> Response[str]:
    return _json(status, OrderOut.of(order).model_dump_json(), order, location)


def _expected_version(router: Router, required: bool) -> int | None:
    header = router.current_event.headers.get("If-Match")
    if header is None:
        if required:
            raise ApiProblem(
                HTTPStatus.PRECONDITION_REQUIRED,
                "if_match_required",
                "send If-Match with the version (ETag) of the order you read",
            )
        return None
    match = IF_MATCH.match(header.strip())
    if match is None:
        raise ApiProblem(HTTPStatus.BAD_REQUEST, "invalid_if_match", 'If-Match must be a version such as "3"')
    return int(match.group(1))


@health.get("/health", summary="Liveness; public")
def get_health() -> dict[str, str]:
    return {"status": "ok"}


@orders.post("/orders", summary="Create a draft order")
def create_order(body: OrderIn) -> Response[str]:
    context = _context(orders)
    tenant = _tenant(orders)
    claim = None
    key = orders.current_event.headers.get("Idempotency-Key")
    if key is not None:
        if not IDEMPOTENCY_KEY.match(key):
            raise ApiProblem(
                HTTPStatus.BAD_REQUEST,
                "invalid_idempotency_key",
                "Idempotency-Key must be 1-128 visible ASCII characters",
            )
        fingerprint = hashlib.sha256(body.model_dump_json().encode()).hexdigest()
        expires_at = int(context.clock().timestamp()) + context.settings.idempotency_ttl_seconds
        claim = IdempotencyClaim(key=key, fingerprint=fingerprint, expires_at=expires_at)
    order = context.service.create(tenant, body.currency, body.lines(), claim)
    metrics.add_metric(name="OrdersCreated", unit=MetricUnit.Count, value=1)
    return _order_response(order, HTTPStatus.CREATED, location=f"/orders/{order.id}")


@orders.get("/orders", summary="List orders, newest first")
def list_orders(
    status: Annotated[OrderStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> Response[str]:
    page = _context(orders).service.list(_tenant(orders), status, limit, cursor)
    body = OrderPage(orders=[OrderOut.of(o) for o in page.orders], next_cursor=page.cursor)
    return _json(HTTPStatus.OK, body.model_dump_json())


@orders.get("/orders/<order_id>", summary="Get an order")
def get_order(order_id: str) -> Response[str]:
    _check_id(order_id)
    return _order_response(_context(orders).service.get(_tenant(orders), order_id))


@orders.patch("/orders/<order_id>", summary="Replace the items of a draft (If-Match required)")
def revise_order(order_id: str, body: OrderIn) -> Response[str]:
    _check_id(order_id)
    expected = _expected_version(orders, required=True)
    order = _context(orders).service.revise(_tenant(orders), order_id, body.currency, body.lines(), expected)
    return _order_response(order)


@orders.post("/orders/<order_id>/transitions", summary="Move an order: PLACED, SHIPPED or CANCELLED")
def transition_order(order_id: str, body: TransitionIn) -> Response[str]:
    _check_id(order_id)
    expected = _expected_version(orders, required=False)
    order = _context(orders).service.transition(_tenant(orders), order_id, body.to, body.reason, expected)
    if order.status is OrderStatus.PLACED:
        metrics.add_metric(name="OrdersPlaced", unit=MetricUnit.Count, value=1)
    return _order_response(order)


@orders.delete("/orders/<order_id>", summary="Delete a draft")
def delete_order(order_id: str) -> Response[str]:
    _check_id(order_id)
    expected = _expected_version(orders, required=False)
    _context(orders).service.delete(_tenant(orders), order_id, expected)
    return Response(status_code=HTTPStatus.NO_CONTENT, content_type=content_types.APPLICATION_JSON, body="")


@stats.get("/stats", summary="The tenant's read model: counts by status and placed revenue")
def get_stats() -> Response[str]:
    return _json(HTTPStatus.OK, StatsOut.of(_context(stats).service.stats(_tenant(stats))).model_dump_json())


def _check_id(order_id: str) -> None:
    """A malformed id cannot name an order: answer as for any missing one, without a read."""
    if not re.fullmatch(ORDER_ID, order_id):
        raise ApiProblem(
            HTTPStatus.NOT_FOUND, "order_not_found", f"order {order_id} not found", {"id": order_id}
        )
