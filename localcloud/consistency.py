"""The consistency check of the running local cloud: what every reliability test and
`make bench-load` end with.

- **Read model**: for every tenant, `/stats` equals what its orders say (counts by status, and the
  revenue of placed and shipped orders by currency), recomputed from `GET /orders`.
- **Outbox**: every change the API acknowledged (an order id and version, or its removal) and every
  order's current version reached the bus, exactly once: counted on the local event tap, a queue
  that receives every event of the bus. A change is duplicated when it reached the bus under two
  event ids; the same event id again is a redelivery, which the relay and EventBridge are allowed
  (both are at-least-once, and consumers drop an id they have seen): it is counted, not failed.
- **Fulfilment**: every order the API acknowledged has the shipment its state asks for, in the
  fulfilment service's table, and the other way round: a placed order a pending one, a shipped
  order a dispatched one (a dispatched shipment's order is SHIPPED), an order cancelled after it
  was placed a cancelled one (or a dispatched one: its cancellation lost the race to the
  dispatch, orders.domain.shipping), a draft none.

The pipeline is asynchronous, so the check looks again until both hold or `settle_seconds` pass,
then reports what is still wrong. A `Ledger` records what the clients were told; a `Tap` keeps
every event the tap received (several callers share one: the queue hands each event out once).
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from localcloud.emulator import session
from localcloud.events import Tap
from localcloud.token import ApiClient
from scripts.contract import APP

# An order change as the bus sees it: (tenant, order id, version, removed).
ChangeKey = tuple[str, str, int, bool]
REVENUE_STATUSES = ("PLACED", "SHIPPED")


@dataclass
class Ledger:
    """The changes the API acknowledged, each with when its request was sent (epoch ms, the
    first time for a retried one); thread-safe."""

    acknowledged: dict[ChangeKey, float] = field(default_factory=dict)
    # When each order was placed (its PLACED answer's request), by (tenant, order id).
    placed: dict[tuple[str, str], float] = field(default_factory=dict)
    # When each order's shipment was dispatched (its 200 answer's request), by (tenant, order id).
    dispatched: dict[tuple[str, str], float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def order(self, tenant: str, order: dict[str, Any], sent_ms: float | None = None) -> None:
        """A 200/201 answer with an order: the change to this version happened."""
        key = (tenant, order["id"], int(order["version"]), False)
        self._add(key, sent_ms)
        if order["status"] == "PLACED":
            with self._lock:
                self.placed.setdefault((tenant, order["id"]), self.acknowledged[key])

    def dispatch(self, tenant: str, order_id: str, sent_ms: float | None = None) -> None:
        """A 200 answer of fulfilment's dispatch: the order is to become SHIPPED."""
        with self._lock:
            self.dispatched.setdefault((tenant, order_id), sent_ms or time.time() * 1000)

    def deleted(self, tenant: str, order_id: str, version: int, sent_ms: float | None = None) -> None:
        self._add((tenant, order_id, version, True), sent_ms)

    def _add(self, key: ChangeKey, sent_ms: float | None) -> None:
        with self._lock:
            self.acknowledged.setdefault(key, sent_ms if sent_ms is not None else time.time() * 1000)

    @property
    def tenants(self) -> set[str]:
        with self._lock:
            return {key[0] for key in self.acknowledged}


def shipped_arrivals(tap: Tap) -> dict[tuple[str, str], int]:
    """When the event of each order's move to SHIPPED first reached the tap (epoch ms)."""
    first: dict[tuple[str, str], int] = {}
    for event, at in tap.poll():
        detail = event.get("detail", {})
        if detail.get("type") == "orders.order.shipped":
            key = (detail["tenant"], detail["data"]["id"])
            first[key] = min(at, first.get(key, at))
    return first


def first_arrivals(tap: Tap) -> dict[ChangeKey, int]:
    """When each change first reached the tap (epoch ms)."""
    first: dict[ChangeKey, int] = {}
    for event, at in tap.poll():
        key = _key(event)
        if key is not None:
            first[key] = min(at, first.get(key, at))
    return first


def changes(tap: Tap, tenants: set[str]) -> dict[ChangeKey, Counter[str]]:
    """Each change of these tenants' orders that reached the bus: how often, under which event ids."""
    found: dict[ChangeKey, Counter[str]] = {}
    for event, _ in tap.poll():
        key = _key(event)
        if key is not None and key[0] in tenants:
            found.setdefault(key, Counter())[event["detail"]["id"]] += 1
    return found


def _key(event: dict[str, Any]) -> ChangeKey | None:
    """The change an event of the orders service tells of; None for any other event."""
    detail = event.get("detail", {})
    data = detail.get("data", {})
    if "tenant" not in detail or "version" not in data:
        return None
    return (detail["tenant"], data["id"], int(data["version"]), bool(data["removed"]))


class Shipments:
    """The fulfilment service's shipments, read from its table (named by the contract)."""

    def __init__(self, endpoint: str) -> None:
        aws = session()
        table = aws.client("ssm", endpoint_url=endpoint).get_parameter(
            Name=f"/{APP}/local/fulfilment/data/table-name"
        )
        self.table = table["Parameter"]["Value"]
        self.dynamodb = aws.client("dynamodb", endpoint_url=endpoint)

    def of(self, tenant: str) -> dict[str, dict[str, str]]:
        """The tenant's shipments by order id: status and created_at."""
        found: dict[str, dict[str, str]] = {}
        pages = self.dynamodb.get_paginator("query").paginate(
            TableName=self.table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :shipment)",
            ExpressionAttributeValues={":pk": {"S": f"TENANT#{tenant}"}, ":shipment": {"S": "SHIPMENT#"}},
            ConsistentRead=True,
        )
        for page in pages:
            for item in page["Items"]:
                found[item["order_id"]["S"]] = {
                    "status": item["status"]["S"],
                    "created_at": item["created_at"]["S"],
                }
        return found


def shipment_wanted(order_status: str | None, placed: bool) -> set[str | None]:
    """The shipment states an order's state allows once everything is delivered (None: no
    shipment)."""
    if order_status == "PLACED":
        return {"PENDING"}
    if order_status == "SHIPPED":
        return {"DISPATCHED"}
    if order_status == "CANCELLED":
        return {"CANCELLED", "DISPATCHED"} if placed else {None, "CANCELLED"}
    return {None}


@dataclass(frozen=True)
class Report:
    tenants: int
    acknowledged: int
    events: int
    redelivered: int
    lost: list[ChangeKey]
    duplicated: list[ChangeKey]
    drifted: dict[str, dict[str, Any]]
    shipments: int = 0
    # (tenant, order id) -> (the order's status, its shipment's status or None), where they disagree.
    unshipped: dict[tuple[str, str], tuple[str | None, str | None]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not (self.lost or self.duplicated or self.drifted or self.unshipped)

    def line(self) -> str:
        return (
            f"consistency: {self.tenants} tenants, {self.acknowledged} acknowledged changes, "
            f"{self.events} events ({self.redelivered} redelivered): {len(self.lost)} lost, "
            f"{len(self.duplicated)} duplicated, {len(self.drifted)} drifted tenants; "
            f"{self.shipments} shipments, {len(self.unshipped)} orders whose shipment disagrees"
        )

    def details(self) -> str:
        return json.dumps(
            {
                "lost": self.lost[:20],
                "duplicated": self.duplicated[:20],
                "drifted": self.drifted,
                "unshipped": [[*key, *states] for key, states in list(self.unshipped.items())[:20]],
            },
            indent=1,
        )


def all_orders(api: ApiClient, tenant: str) -> list[dict[str, Any]]:
    """Every order of the tenant, from the orders API, page by page."""
    found: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = urllib.parse.urlencode({"limit": 100, **({"cursor": cursor} if cursor else {})})
        page = api.get(tenant, f"/orders?{query}")
        found += page["orders"]
        cursor = page["next_cursor"]
        if cursor is None:
            return found


def expected_stats(orders: list[dict[str, Any]]) -> dict[str, Any]:
    counts: Counter[str] = Counter(o["status"] for o in orders)
    revenue: Counter[str] = Counter()
    for o in orders:
        if o["status"] in REVENUE_STATUSES:
            revenue[o["currency"]] += o["total"]
    return {"counts": dict(counts), "placed_revenue": {c: v for c, v in revenue.items() if v}}


def _without_zeros(stats: dict[str, Any]) -> dict[str, Any]:
    return {
        "counts": {s: n for s, n in stats["counts"].items() if n},
        "placed_revenue": {c: v for c, v in stats["placed_revenue"].items() if v},
    }


def look(
    api: ApiClient,
    ledger: Ledger,
    tap: Tap,
    tenants: set[str] | None = None,
    shipments: Shipments | None = None,
) -> Report:
    """The check, once."""
    tenants = tenants if tenants is not None else ledger.tenants
    shipments = shipments or Shipments(api.endpoint)
    drifted: dict[str, dict[str, Any]] = {}
    unshipped: dict[tuple[str, str], tuple[str | None, str | None]] = {}
    shipment_count = 0
    expected = dict.fromkeys(k for k in ledger.acknowledged if k[0] in tenants)
    acknowledged_orders = {(k[0], k[1]) for k in expected}
    for tenant in sorted(tenants):
        orders = all_orders(api, tenant)
        expected.update(dict.fromkeys((tenant, o["id"], int(o["version"]), False) for o in orders))
        stats, recomputed = _without_zeros(api.get(tenant, "/stats")), expected_stats(orders)
        if stats != recomputed:
            drifted[tenant] = {"stats": stats, "orders say": recomputed}
        status_of = {o["id"]: o["status"] for o in orders}
        shipped = shipments.of(tenant)
        shipment_count += len(shipped)
        for order_tenant, order_id in acknowledged_orders:
            if order_tenant != tenant:
                continue
            order_status, shipment = status_of.get(order_id), shipped.get(order_id, {}).get("status")
            if shipment not in shipment_wanted(order_status, (tenant, order_id) in ledger.placed):
                unshipped[(tenant, order_id)] = (order_status, shipment)
    events = changes(tap, tenants)
    return Report(
        tenants=len(tenants),
        acknowledged=sum(1 for k in ledger.acknowledged if k[0] in tenants),
        events=sum(n for ids in events.values() for n in ids.values()),
        redelivered=sum(n - 1 for ids in events.values() for n in ids.values()),
        lost=sorted(k for k in expected if k not in events),
        duplicated=sorted(k for k, ids in events.items() if len(ids) > 1),
        drifted=drifted,
        shipments=shipment_count,
        unshipped=unshipped,
    )


def check(
    api: ApiClient,
    ledger: Ledger,
    tap: Tap,
    tenants: set[str] | None = None,
    settle_seconds: float = 30,
    sleep: Callable[[float], None] = time.sleep,
) -> Report:
    """The check, repeated until it holds or `settle_seconds` pass; the last report."""
    deadline = time.monotonic() + settle_seconds
    shipments = Shipments(api.endpoint)
    while True:
        report = look(api, ledger, tap, tenants, shipments)
        if report.ok or time.monotonic() > deadline:
            return report
        sleep(0.5)
