"""Routes of the orders API, one Router per resource group. The handler module builds the app,
includes these routers and puts an ApiContext in the app context for each invocation.

Every route returns its response model and declares its error responses (one error shape,
orders.api.problems.ErrorOut), so /openapi.json describes what the API answers. Per-request
values (the service, the caller's tenant, the headers) come through `Depends`.
"""

# No `from __future__ import annotations` here: Powertools builds a route's `Depends` tree on every
# request with typing.get_type_hints, which compiles and evaluates string annotations each time
# (0.14-0.24 ms per request, measured; 18-29 us with the annotations evaluated once, at import).
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from typing import Annotated, Any, cast

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.request import Request
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from orders.api.problems import answers, errors
from orders.api.schemas import HealthOut, OrderIn, OrderOut, OrderPage, StatsOut, TransitionIn
from orders.config import ApiSettings
from orders.domain.model import IdempotencyClaim, OrderStatus
from orders.domain.service import MAX_PAGE, OrderService
from splitstack.api.problems import ApiProblem
from splitstack.api.tenancy import tenant_of

ORDER_ID = r"^[0-7][0-9A-HJKMNP-TV-Z]{25}$"
IF_MATCH = r'^(?:W/)?"?(\d{1,9})"?$'
IDEMPOTENCY_KEY = r"^[\x21-\x7e]{1,128}$"
# The headers the routes read, as OpenAPI parameters: Powertools' Header() matches names
# case-sensitively, which REST API events (headers as the client wrote them) do not allow.
HEADERS: dict[str, dict[str, Any]] = {
    "Idempotency-Key": {
        "description": "Makes the create safe to retry: the same key and body answer the first response",
        "schema": {"type": "string", "pattern": IDEMPOTENCY_KEY},
    },
    "If-Match": {
        "description": 'The version (ETag) of the order you read, such as "3"',
        "schema": {"type": "string", "pattern": IF_MATCH},
    },
}

metrics = Metrics()
health = Router()
orders = Router()
stats = Router()

OrderId = Annotated[str, Path(description="The order's id")]


@dataclass(frozen=True)
class ApiContext:
    service: OrderService
    settings: ApiSettings
    clock: Callable[[], datetime]


def api_context(request: Request) -> ApiContext:
    context: ApiContext = request.context["api"]
    return context


def order_service(context: Annotated[ApiContext, Depends(api_context)]) -> OrderService:
    return context.service


def tenant(request: Request, context: Annotated[ApiContext, Depends(api_context)]) -> str:
    # The app is an APIGatewayRestResolver, so the event is always the REST proxy event.
    event = cast(APIGatewayProxyEvent, request.resolved_event)
    return tenant_of(event, context.settings.auth_mode, context.settings.tenant_principals)


def expected_version(request: Request) -> int | None:
    header = request.headers.get("If-Match")
    if header is None:
        return None
    match = re.match(IF_MATCH, header.strip())
    if match is None:
        raise ApiProblem(HTTPStatus.BAD_REQUEST, "invalid_if_match", 'If-Match must be a version such as "3"')
    return int(match.group(1))


def required_version(version: Annotated[int | None, Depends(expected_version)]) -> int:
    if version is None:
        raise ApiProblem(
            HTTPStatus.PRECONDITION_REQUIRED,
            "if_match_required",
            "send If-Match with the version (ETag) of the order you read",
        )
    return version


def idempotency_key(request: Request) -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is not None and not re.match(IDEMPOTENCY_KEY, key):
        raise ApiProblem(
            HTTPStatus.BAD_REQUEST,
            "invalid_idempotency_key",
            "Idempotency-Key must be 1-128 visible ASCII characters",
        )
    return key


def order_id_of(order_id: str) -> str:
    """A malformed id cannot name an order: answer as for any missing one, without a read."""
    if not re.match(ORDER_ID, order_id):
        raise ApiProblem(
            HTTPStatus.NOT_FOUND, "order_not_found", f"order {order_id} not found", {"id": order_id}
        )
    return order_id


Service = Annotated[OrderService, Depends(order_service)]
Tenant = Annotated[str, Depends(tenant)]


def _order(
    order: OrderOut, status: HTTPStatus = HTTPStatus.OK, location: str | None = None
) -> Response[OrderOut]:
    headers = {"ETag": f'"{order.version}"'}
    if location is not None:
        headers["Location"] = location
    return Response(
        status_code=status, content_type=content_types.APPLICATION_JSON, body=order, headers=headers
    )


@health.get("/health", summary="Liveness; public", responses=answers(200, HealthOut, "Alive"))
def get_health() -> HealthOut:
    return HealthOut(status="ok")


@orders.post(
    "/orders",
    summary="Create a draft order",
    responses={
        201: {
            "description": "The draft, with its Location and ETag",
            "content": {"application/json": {"model": OrderOut}},
        },
        **errors(400, 403, 422),
    },
)
def create_order(
    body: OrderIn,
    service: Service,
    tenant: Tenant,
    context: Annotated[ApiContext, Depends(api_context)],
    key: Annotated[str | None, Depends(idempotency_key)],
) -> Response[OrderOut]:
    claim = None
    if key is not None:
        fingerprint = hashlib.sha256(body.model_dump_json().encode()).hexdigest()
        expires_at = int(context.clock().timestamp()) + context.settings.idempotency_ttl_seconds
        claim = IdempotencyClaim(key=key, fingerprint=fingerprint, expires_at=expires_at)
    order = service.create(tenant, body.currency, body.lines(), claim)
    metrics.add_metric(name="OrdersCreated", unit=MetricUnit.Count, value=1)
    return _order(OrderOut.of(order), HTTPStatus.CREATED, location=f"/orders/{order.id}")


@orders.get(
    "/orders", summary="List orders, newest first", responses=answers(200, OrderPage, "A page", 400, 403, 422)
)
def list_orders(
    service: Service,
    tenant: Tenant,
    status: Annotated[OrderStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> OrderPage:
    page = service.list(tenant, status, limit, cursor)
    return OrderPage(orders=[OrderOut.of(o) for o in page.orders], next_cursor=page.cursor)


@orders.get(
    "/orders/<order_id>", summary="Get an order", responses=answers(200, OrderOut, "The order", 403, 404)
)
def get_order(order_id: OrderId, service: Service, tenant: Tenant) -> Response[OrderOut]:
    return _order(OrderOut.of(service.get(tenant, order_id_of(order_id))))


@orders.patch(
    "/orders/<order_id>",
    summary="Replace the items of a draft (If-Match required)",
    responses=answers(200, OrderOut, "The revised draft", 400, 403, 404, 409, 412, 415, 422, 428),
)
def revise_order(
    order_id: OrderId,
    body: OrderIn,
    service: Service,
    tenant: Tenant,
    expected: Annotated[int, Depends(required_version)],
) -> Response[OrderOut]:
    order = service.revise(tenant, order_id_of(order_id), body.currency, body.lines(), expected)
    return _order(OrderOut.of(order))


@orders.post(
    "/orders/<order_id>/transitions",
    summary="Place or cancel an order (it becomes SHIPPED when fulfilment dispatches it)",
    responses=answers(200, OrderOut, "The order in its new state", 400, 403, 404, 409, 412, 415, 422),
)
def transition_order(
    order_id: OrderId,
    body: TransitionIn,
    service: Service,
    tenant: Tenant,
    expected: Annotated[int | None, Depends(expected_version)],
) -> Response[OrderOut]:
    order = service.transition(tenant, order_id_of(order_id), body.to, body.reason, expected)
    if order.status is OrderStatus.PLACED:
        metrics.add_metric(name="OrdersPlaced", unit=MetricUnit.Count, value=1)
    return _order(OrderOut.of(order))


@orders.delete(
    "/orders/<order_id>",
    summary="Delete a draft",
    responses={204: {"description": "Deleted"}, **errors(400, 403, 404, 409, 412)},
)
def delete_order(
    order_id: OrderId,
    service: Service,
    tenant: Tenant,
    expected: Annotated[int | None, Depends(expected_version)],
) -> Response[None]:
    service.delete(tenant, order_id_of(order_id), expected)
    return Response(status_code=HTTPStatus.NO_CONTENT)


@stats.get(
    "/stats",
    summary="The tenant's read model: counts by status and placed revenue",
    responses=answers(200, StatsOut, "The tenant's statistics", 403),
)
def get_stats(service: Service, tenant: Tenant) -> StatsOut:
    return StatsOut.of(service.stats(tenant))


# Which routes read which headers, for the OpenAPI document (see HEADERS).
HEADERS_OF: dict[tuple[str, str], dict[str, bool]] = {
    ("post", "/orders"): {"Idempotency-Key": False},
    ("patch", "/orders/{order_id}"): {"If-Match": True},
    ("post", "/orders/{order_id}/transitions"): {"If-Match": False},
    ("delete", "/orders/{order_id}"): {"If-Match": False},
}


def document(schema: dict[str, Any]) -> dict[str, Any]:
    """Finish the OpenAPI document Powertools makes of these routers: add the headers each route
    reads, and take the body off a 204 (Powertools gives `Response[None]` a JSON null body; a 204
    has none)."""
    for operation in (op for item in schema["paths"].values() for op in item.values()):
        operation["responses"].get("204", {}).pop("content", None)
    for (method, path), headers in HEADERS_OF.items():
        operation = schema["paths"][path][method]
        operation.setdefault("parameters", []).extend(
            {"name": name, "in": "header", "required": required, **HEADERS[name]}
            for name, required in headers.items()
        )
    return schema
