"""Clients of the running local cloud that write down what the API acknowledged, so that every
reliability test can end with the consistency check (localcloud.consistency)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from localcloud import faults
from localcloud.consistency import Ledger, Report, check
from tests.cloud import LocalCloud, Response, connect, wait_until

ITEMS = [{"sku": "SKU-1", "quantity": 2, "unit_price": 1250}]


@pytest.fixture(scope="session")
def local_cloud(pytestconfig: pytest.Config) -> LocalCloud:
    """The local cloud the session started, calling the orders API."""
    return connect(pytestconfig, "orders")


@dataclass
class Client:
    """One tenant's user of the API; every acknowledged change goes into the ledger."""

    cloud: LocalCloud
    ledger: Ledger
    tenant: str

    @property
    def token(self) -> str:
        return self.cloud.api_client.token(self.tenant)

    def call(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> Response:
        answer = self.cloud.call(method, path, self.token, body, headers)
        if answer.status in (200, 201) and isinstance(answer.body, dict) and "version" in answer.body:
            self.ledger.order(self.tenant, answer.body)
        return answer

    def create(self, currency: str = "EUR", key: str | None = None) -> dict[str, Any]:
        headers = {"Idempotency-Key": key} if key else None
        answer = self.call("POST", "/orders", {"currency": currency, "items": ITEMS}, headers)
        assert answer.status == 201, answer.body
        order: dict[str, Any] = answer.body
        return order

    def transition(self, order: dict[str, Any], to: str) -> dict[str, Any]:
        answer = self.call("POST", f"/orders/{order['id']}/transitions", {"to": to})
        assert answer.status == 200, answer.body
        moved: dict[str, Any] = answer.body
        return moved

    def dispatch(self, order: dict[str, Any]) -> None:
        """Dispatches the shipment of a placed order, once fulfilment has it."""

        def dispatched() -> bool:
            answer = self.cloud.call(
                "POST", f"/shipments/{order['id']}/dispatch", self.token, service="fulfilment"
            )
            assert answer.status in (200, 404), answer.body  # 404: the shipment is on its way
            return answer.status == 200

        wait_until(dispatched, 30, f"the shipment of {order['id']} dispatched", interval=0.2)
        self.ledger.dispatch(self.tenant, order["id"])

    def delete(self, order: dict[str, Any]) -> None:
        answer = self.call("DELETE", f"/orders/{order['id']}", headers={"If-Match": f'"{order["version"]}"'})
        assert answer.status == 204, answer.body
        self.ledger.deleted(self.tenant, order["id"], order["version"])


@pytest.fixture
def ledger() -> Ledger:
    return Ledger()


@pytest.fixture
def client(local_cloud: LocalCloud, ledger: Ledger) -> Client:
    return Client(local_cloud, ledger, f"rel-{uuid.uuid4().hex[:8]}")


@pytest.fixture
def consistent(local_cloud: LocalCloud, ledger: Ledger) -> Iterator[None]:
    """After the test: every tenant the test acknowledged changes for holds the consistency check."""
    yield
    report: Report = check(local_cloud.api_client, ledger, local_cloud.tap)
    assert report.ok, f"{report.line()}\n{report.details()}"


@pytest.fixture
def switch(local_cloud: LocalCloud) -> Iterator[str]:
    """The fault switch of the running local cloud, with no fault left behind."""
    faults.clear(local_cloud.endpoint)
    yield local_cloud.endpoint
    faults.clear(local_cloud.endpoint)


def workload(client: Client) -> None:
    """Every kind of change once: creations, a revision, placing, shipping (fulfilment dispatches,
    the order becomes SHIPPED), cancelling, deleting."""
    client.dispatch(client.transition(client.create(), "PLACED"))
    client.transition(client.create(currency="USD"), "CANCELLED")
    revised = client.call(
        "PATCH", f"/orders/{client.create()['id']}", {"currency": "EUR", "items": ITEMS}, {"If-Match": '"1"'}
    )
    assert revised.status == 200, revised.body
    client.delete(client.create())
