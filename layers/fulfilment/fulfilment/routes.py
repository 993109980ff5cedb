"""Routes of the fulfilment API. The handler module builds the app (splitstack.api.app.rest_app)
and puts an ApiContext in the app context for each invocation; the caller's tenant comes from
what API Gateway verified (splitstack.api.tenancy), as in every service."""

# No `from __future__ import annotations`: Powertools evaluates a route's annotations per request
# (see orders.api.routes).
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from typing import Annotated, Any, Literal, cast

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.request import Request
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent
from pydantic import BaseModel, Field

from fulfilment.config import ApiSettings
from fulfilment.dynamodb import ShipmentTable
from fulfilment.shipments import NotDispatchable, Shipment, ShipmentError, ShipmentNotFound, ShipmentStatus
from splitstack.api.problems import ApiProblem, ErrorCatalog, problem
from splitstack.api.tenancy import tenant_of

ORDER_ID = r"^[0-7][0-9A-HJKMNP-TV-Z]{25}$"
CATALOG = ErrorCatalog(
    {
        403: "The caller is not bound to a tenant",
        404: "No shipment for this order in this tenant (yet: it appears once the order is placed)",
        409: "The shipment's state does not allow it",
        422: "The request does not match the API",
    }
)
STATUS_OF: dict[type[ShipmentError], HTTPStatus] = {
    ShipmentNotFound: HTTPStatus.NOT_FOUND,
    NotDispatchable: HTTPStatus.CONFLICT,
}

metrics = Metrics()
health = Router()
shipments = Router()

OrderId = Annotated[str, Path(description="The id of the order the shipment is for")]


class HealthOut(BaseModel):
    status: Literal["ok"]


class ShipmentOut(BaseModel):
    order_id: str = Field(description="The order the shipment is for")
    status: ShipmentStatus
    updated_at: datetime
    placed_at: datetime | None = Field(description="When the order was placed")
    dispatched_at: datetime | None
    cancelled_at: datetime | None = Field(description="When the order was cancelled")

    @classmethod
    def of(cls, shipment: Shipment) -> "ShipmentOut":
        return cls(
            order_id=shipment.order_id,
            status=shipment.status,
            updated_at=shipment.updated_at,
            placed_at=shipment.placed_at,
            dispatched_at=shipment.dispatched_at,
            cancelled_at=shipment.cancelled_at,
        )


@dataclass(frozen=True)
class ApiContext:
    table: ShipmentTable
    settings: ApiSettings
    clock: Callable[[], datetime]


def api_context(request: Request) -> ApiContext:
    context: ApiContext = request.context["api"]
    return context


def tenant(request: Request, context: Annotated[ApiContext, Depends(api_context)]) -> str:
    event = cast(APIGatewayProxyEvent, request.resolved_event)
    return tenant_of(event, context.settings.auth_mode, context.settings.tenant_principals)


def order_id_of(order_id: str) -> str:
    """A malformed id cannot name an order: answer as for any missing shipment, without a read."""
    if not re.match(ORDER_ID, order_id):
        raise ApiProblem(
            HTTPStatus.NOT_FOUND, "shipment_not_found", "no shipment for this order", {"order_id": order_id}
        )
    return order_id


Context = Annotated[ApiContext, Depends(api_context)]
Tenant = Annotated[str, Depends(tenant)]


def from_domain(error: ShipmentError) -> Response[dict[str, Any]]:
    return problem(STATUS_OF.get(type(error), HTTPStatus.CONFLICT), error.code, error.message, error.details)


@health.get("/health", summary="Liveness; public", responses=CATALOG.answers(200, HealthOut, "Alive"))
def get_health() -> HealthOut:
    return HealthOut(status="ok")


@shipments.get(
    "/shipments/<order_id>",
    summary="The shipment of an order",
    responses=CATALOG.answers(200, ShipmentOut, "The shipment", 403, 404, 422),
)
def get_shipment(order_id: OrderId, context: Context, caller: Tenant) -> ShipmentOut:
    return ShipmentOut.of(context.table.get(caller, order_id_of(order_id)))


@shipments.post(
    "/shipments/<order_id>/dispatch",
    summary="Dispatch a pending shipment",
    responses=CATALOG.answers(200, ShipmentOut, "Dispatched", 403, 404, 409, 422),
)
def dispatch(order_id: OrderId, context: Context, caller: Tenant) -> ShipmentOut:
    shipment = context.table.dispatch(caller, order_id_of(order_id), context.clock())
    metrics.add_metric(name="ShipmentsDispatched", unit=MetricUnit.Count, value=1)
    return ShipmentOut.of(shipment)
