"""The API function, invoked with the events of sam/orders/events/api/ against the tables Terraform made.

Each test is a request a client would send and the answer it would see.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import FakeLambdaContext, function_module

if TYPE_CHECKING:
    from tests.conftest import Emulator, LocalPlatform

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "sam" / "orders" / "events" / "api"


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: Any


@pytest.fixture(scope="module")
def handler(local_platform: LocalPlatform, emulator: Emulator) -> Iterator[ModuleType]:
    """The template's ApiFunction, with the environment the template gives it."""
    with function_module("ApiFunction", emulator, service="orders") as module:
        yield module


@pytest.fixture
def tenant() -> str:
    return f"t-{uuid.uuid4().hex[:10]}"


def load(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text())
    return event


class Client:
    """Sends the events of sam/orders/events/api/ with the path, body, headers and tenant of a test."""

    def __init__(self, handler: ModuleType, tenant: str | None) -> None:
        self._handler = handler
        self.tenant = tenant

    def send(
        self,
        name: str,
        *,
        order_id: str | None = None,
        body: Any = None,
        raw_body: str | None = None,
        headers: dict[str, str] | None = None,
        query: dict[str, str] | None = None,
        path: str | None = None,
    ) -> Answer:
        event = copy.deepcopy(load(name))
        if order_id is not None:
            event["path"] = event["path"].replace(event["pathParameters"]["id"], order_id)
            event["pathParameters"] = {"id": order_id}
        if path is not None:
            event["path"] = path
        if body is not None or raw_body is not None:
            event["body"] = raw_body if raw_body is not None else json.dumps(body)
        for key, value in (headers or {}).items():
            event["headers"][key] = value
            event["multiValueHeaders"][key] = [value]
        if query is not None:
            event["queryStringParameters"] = query
            event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()}
        claims = event["requestContext"].get("authorizer", {}).get("claims")
        if claims is not None:
            if self.tenant is None:
                del claims["custom:tenant"]
            else:
                claims["custom:tenant"] = self.tenant
        response = self._handler.lambda_handler(event, FakeLambdaContext())
        text = response.get("body") or ""
        # REST (v1) proxy responses carry headers as lists in multiValueHeaders.
        headers = {k: v[-1] for k, v in (response.get("multiValueHeaders") or {}).items()}
        headers |= response.get("headers") or {}
        return Answer(response["statusCode"], headers, json.loads(text) if text else None)

    def create(self, **body: Any) -> Answer:
        draft = load("create-order")
        payload = json.loads(draft["body"]) | body
        return self.send("create-order", body=payload, headers={"Idempotency-Key": str(uuid.uuid4())})


@pytest.fixture
def client(handler: ModuleType, tenant: str) -> Client:
    return Client(handler, tenant)


def assert_error(answer: Answer, status: int, code: str) -> None:
    assert answer.status == status, answer.body
    assert set(answer.body) == {"error"}
    assert set(answer.body["error"]) == {"code", "message", "details"}
    assert answer.body["error"]["code"] == code


def test_health_is_public(handler: ModuleType) -> None:
    answer = Client(handler, None).send("health")
    assert (answer.status, answer.body) == (200, {"status": "ok"})


def test_create_returns_the_draft_with_its_location_and_version(client: Client) -> None:
    answer = client.create()
    assert answer.status == 201
    order = answer.body
    assert (order["status"], order["version"], order["total"]) == ("DRAFT", 1, 2 * 1250 + 899)
    assert answer.headers["Location"] == f"/orders/{order['id']}"
    assert answer.headers["ETag"] == '"1"'
    assert datetime.fromisoformat(order["created_at"]).utcoffset() == timedelta(0)


def test_a_retried_create_returns_the_first_response(client: Client) -> None:
    first = client.send("create-order")
    again = client.send("create-order")
    assert (first.status, again.status) == (201, 201)
    assert again.body == first.body


def test_the_same_key_with_another_body_is_422(client: Client) -> None:
    client.send("create-order")
    answer = client.send(
        "create-order", body={"currency": "USD", "items": [{"sku": "X", "quantity": 1, "unit_price": 1}]}
    )
    assert_error(answer, 422, "idempotency_key_reused")


def test_get_returns_the_order(client: Client) -> None:
    order = client.create().body
    answer = client.send("get-order", order_id=order["id"])
    assert (answer.status, answer.body) == (200, order)


def test_another_tenants_order_looks_exactly_like_a_missing_one(client: Client, handler: ModuleType) -> None:
    order = client.create().body
    intruder = Client(handler, "someone-else")
    theirs = intruder.send("get-order", order_id=order["id"])
    missing = client.send("get-order", order_id="01JD9999999999999999999999")
    assert_error(theirs, 404, "order_not_found")
    assert theirs.body["error"]["message"].replace(order["id"], "ID") == missing.body["error"][
        "message"
    ].replace("01JD9999999999999999999999", "ID")
    assert_error(intruder.send("transition-order", order_id=order["id"]), 404, "order_not_found")
    assert_error(
        intruder.send("delete-order", order_id=order["id"], headers={"If-Match": '"1"'}),
        404,
        "order_not_found",
    )


def test_a_malformed_id_is_not_found(client: Client) -> None:
    assert_error(client.send("get-order", order_id="not-an-id"), 404, "order_not_found")


def test_list_pages_with_an_opaque_cursor(client: Client) -> None:
    ids = [client.create().body["id"] for _ in range(3)]
    first = client.send("list-orders", query={"limit": "2"})
    assert first.status == 200
    assert [o["id"] for o in first.body["orders"]] == ids[::-1][:2]
    second = client.send("list-orders", query={"limit": "2", "cursor": first.body["next_cursor"]})
    assert ([o["id"] for o in second.body["orders"]], second.body["next_cursor"]) == ([ids[0]], None)


def test_list_filters_by_status(client: Client) -> None:
    kept, placed = client.create().body["id"], client.create().body["id"]
    client.send("transition-order", order_id=placed, body={"to": "PLACED"})
    answer = client.send("list-orders", query={"status": "PLACED"})
    assert [o["id"] for o in answer.body["orders"]] == [placed]
    assert kept not in {o["id"] for o in answer.body["orders"]}


@pytest.mark.parametrize("query", [{"limit": "101"}, {"limit": "0"}, {"limit": "many"}, {"status": "LOST"}])
def test_list_rejects_bad_parameters(client: Client, query: dict[str, str]) -> None:
    assert_error(client.send("list-orders", query=query), 422, "invalid_request")


def test_a_forged_cursor_is_400(client: Client) -> None:
    assert_error(client.send("list-orders", query={"cursor": "eyJ0IjoiYWNtZSJ9"}), 400, "invalid_cursor")


def test_update_needs_if_match(client: Client) -> None:
    order = client.create().body
    answer = client.send("update-order", order_id=order["id"], headers={"If-Match": ""})
    assert_error(answer, 400, "invalid_if_match")
    event_without = client.send("update-order", order_id=order["id"], headers={"If-Match": "abc"})
    assert_error(event_without, 400, "invalid_if_match")


def test_update_with_the_current_version_replaces_the_items(client: Client) -> None:
    order = client.create().body
    answer = client.send("update-order", order_id=order["id"], headers={"If-Match": '"1"'})
    assert answer.status == 200
    assert (answer.body["version"], answer.body["total"], answer.headers["ETag"]) == (2, 3750, '"2"')


def test_update_with_a_stale_version_is_412(client: Client) -> None:
    order = client.create().body
    client.send("update-order", order_id=order["id"], headers={"If-Match": '"1"'})
    answer = client.send("update-order", order_id=order["id"], headers={"If-Match": '"1"'})
    assert_error(answer, 412, "version_conflict")
    assert answer.body["error"]["details"]["actual"] == 2


def test_update_of_a_placed_order_is_409(client: Client) -> None:
    order = client.create().body
    client.send("transition-order", order_id=order["id"], body={"to": "PLACED"})
    assert_error(
        client.send("update-order", order_id=order["id"], headers={"If-Match": '"2"'}), 409, "not_a_draft"
    )


def test_transitions_follow_the_life_cycle(client: Client) -> None:
    order_id = client.create().body["id"]
    placed = client.send("transition-order", order_id=order_id, body={"to": "PLACED"})
    assert (placed.status, placed.body["status"], placed.body["placed_at"] is not None) == (
        200,
        "PLACED",
        True,
    )
    assert_error(
        client.send("transition-order", order_id=order_id, body={"to": "PLACED"}), 409, "illegal_transition"
    )
    cancelled = client.send("transition-order", order_id=order_id, body={"to": "CANCELLED"})
    assert cancelled.body["status"] == "CANCELLED"
    assert_error(
        client.send("transition-order", order_id=order_id, body={"to": "PLACED"}), 409, "illegal_transition"
    )


def test_cancel_keeps_the_reason(client: Client) -> None:
    order_id = client.create().body["id"]
    answer = client.send(
        "transition-order", order_id=order_id, body={"to": "CANCELLED", "reason": "changed my mind"}
    )
    assert (answer.body["status"], answer.body["cancel_reason"]) == ("CANCELLED", "changed my mind")


@pytest.mark.parametrize("target", ["DRAFT", "SHIPPED"])
def test_a_transition_to_draft_or_shipped_is_invalid_input(client: Client, target: str) -> None:
    """SHIPPED is fulfilment's to set, by dispatching the shipment (orders.domain.shipping)."""
    order_id = client.create().body["id"]
    client.send("transition-order", order_id=order_id, body={"to": "PLACED"})
    assert_error(
        client.send("transition-order", order_id=order_id, body={"to": target}), 422, "invalid_request"
    )


def test_delete_removes_a_draft_only(client: Client) -> None:
    draft_id, placed_id = client.create().body["id"], client.create().body["id"]
    client.send("transition-order", order_id=placed_id, body={"to": "PLACED"})
    assert_error(
        client.send("delete-order", order_id=placed_id, headers={"If-Match": '"2"'}), 409, "not_a_draft"
    )
    assert client.send("delete-order", order_id=draft_id).status == 204
    assert_error(client.send("get-order", order_id=draft_id), 404, "order_not_found")


@pytest.mark.parametrize(
    "body",
    [
        {"currency": "EUR", "items": []},
        {"currency": "eur", "items": [{"sku": "A", "quantity": 1, "unit_price": 1}]},
        {"currency": "EUR", "items": [{"sku": "A", "quantity": 1.5, "unit_price": 1}]},
        {"currency": "EUR", "items": [{"sku": "A", "quantity": 1, "unit_price": "1"}]},
        {"currency": "EUR", "items": [{"sku": "A", "quantity": 1, "unit_price": -1}]},
        {
            "currency": "EUR",
            "items": [
                {"sku": "A", "quantity": 1, "unit_price": 1},
                {"sku": "A", "quantity": 2, "unit_price": 1},
            ],
        },
        {
            "currency": "EUR",
            "items": [{"sku": "A", "quantity": 1, "unit_price": 1}],
            "tenant": "someone-else",
        },
        [],
    ],
)
def test_invalid_bodies_are_422(client: Client, body: Any) -> None:
    assert_error(
        client.send("create-order", body=body, headers={"Idempotency-Key": str(uuid.uuid4())}),
        422,
        "invalid_request",
    )


def test_a_body_that_is_not_json_is_a_client_error(client: Client) -> None:
    answer = client.send("create-order", raw_body="{not json", headers={"Idempotency-Key": str(uuid.uuid4())})
    assert 400 <= answer.status < 500
    assert set(answer.body["error"]) == {"code", "message", "details"}


def test_a_caller_without_a_tenant_is_403(handler: ModuleType) -> None:
    assert_error(Client(handler, None).send("stats"), 403, "no_tenant")


def test_stats_of_a_new_tenant_are_zero(client: Client) -> None:
    answer = client.send("stats")
    assert answer.status == 200
    assert answer.body == {
        "counts": {"DRAFT": 0, "PLACED": 0, "SHIPPED": 0, "CANCELLED": 0},
        "placed_revenue": {},
    }


def test_openapi_describes_every_route(client: Client) -> None:
    answer = client.send("health", path="/openapi.json")
    assert answer.status == 200
    assert {"/health", "/orders", "/orders/{order_id}", "/orders/{order_id}/transitions", "/stats"} <= set(
        answer.body["paths"]
    )


def test_an_unknown_route_is_404_in_the_error_shape(client: Client) -> None:
    assert_error(client.send("health", path="/nowhere"), 404, "route_not_found")
