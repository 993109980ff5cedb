"""The read-model delta and the CloudEvent of each change of an order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orders.domain.changes import Change, apply_delta, event_type, stats_delta, stats_of, to_cloud_event
from orders.domain.ids import new_ulid
from orders.domain.model import TRANSITIONS, LineItem, Order, OrderStatus, TenantStats

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def draft(price: int = 1000, currency: str = "EUR") -> Order:
    return Order(
        tenant="acme",
        id=new_ulid(),
        currency=currency,
        items=(LineItem("A", 2, price),),
        created_at=T0,
        updated_at=T0,
    )


# An operation on a list of orders: create one, move one, revise one or delete a draft.
operations = st.lists(
    st.tuples(
        st.sampled_from(["create", "move", "revise", "delete"]),
        st.integers(0, 5),
        st.sampled_from(list(OrderStatus)),
        st.integers(0, 10_000),
        st.sampled_from(["EUR", "USD"]),
    ),
    max_size=40,
)


@given(operations)
def test_folding_every_delta_equals_recomputing_from_the_orders(
    ops: list[tuple[str, int, OrderStatus, int, str]],
) -> None:
    orders: list[Order] = []
    stats = TenantStats.empty("acme")
    for n, (op, pick, target, price, currency) in enumerate(ops):
        now = T0 + timedelta(seconds=n)
        old: Order | None = orders[pick % len(orders)] if orders else None
        new: Order | None
        if op == "create" or old is None:
            old, new = None, draft(price, currency)
        elif op == "move" and target in TRANSITIONS[old.status]:
            new = old.move_to(target, now)
        elif op == "revise" and old.status is OrderStatus.DRAFT:
            new = old.revise((LineItem("B", 1, price),), currency, now, None)
        elif op == "delete" and old.status is OrderStatus.DRAFT:
            new = None
        else:
            continue
        if old is not None:
            orders = [o for o in orders if o.id != old.id]
        if new is not None:
            orders.append(new)
        stats = apply_delta(stats, stats_delta(Change(event_id=str(n), at=now, old=old, new=new)))
    assert stats == stats_of("acme", orders)


def test_placing_counts_the_total_as_revenue_and_cancelling_takes_it_back() -> None:
    order = draft(price=1500)
    placed = order.move_to(OrderStatus.PLACED, T0)
    delta = stats_delta(Change("e1", T0, order, placed))
    assert delta.counts == {OrderStatus.DRAFT: -1, OrderStatus.PLACED: 1}
    assert delta.placed_revenue == {"EUR": 3000}
    cancelled = stats_delta(Change("e2", T0, placed, placed.move_to(OrderStatus.CANCELLED, T0)))
    assert cancelled.placed_revenue == {"EUR": -3000}


def test_a_revision_of_a_draft_changes_no_statistic() -> None:
    order = draft()
    assert stats_delta(
        Change("e", T0, order, order.revise((LineItem("Z", 9, 9),), "EUR", T0, None))
    ).is_empty()


@pytest.mark.parametrize(
    ("old_status", "new_status", "removed", "ttl", "expected"),
    [
        (None, OrderStatus.DRAFT, False, False, "orders.order.created"),
        (OrderStatus.DRAFT, OrderStatus.PLACED, False, False, "orders.order.placed"),
        (OrderStatus.PLACED, OrderStatus.SHIPPED, False, False, "orders.order.shipped"),
        (OrderStatus.DRAFT, OrderStatus.CANCELLED, False, False, "orders.order.cancelled"),
        (OrderStatus.DRAFT, OrderStatus.DRAFT, False, False, "orders.order.updated"),
        (OrderStatus.DRAFT, None, True, False, "orders.order.deleted"),
        (OrderStatus.CANCELLED, None, True, True, "orders.order.expired"),
    ],
)
def test_event_type_per_change(
    old_status: OrderStatus | None, new_status: OrderStatus | None, removed: bool, ttl: bool, expected: str
) -> None:
    base = draft()
    old = Order(**{**base.__dict__, "status": old_status}) if old_status else None
    new = None if removed else Order(**{**base.__dict__, "status": new_status or OrderStatus.DRAFT})
    assert event_type(Change("e", T0, old, new, expired_by_ttl=ttl)) == expected


def test_cloud_event_keeps_the_stream_record_id_and_carries_the_tenant() -> None:
    order = draft()
    event: dict[str, Any] = to_cloud_event(Change("a1b2c3", T0, None, order), source="splitstack.orders")
    assert {k: event[k] for k in ("specversion", "id", "source", "type", "subject", "tenant")} == {
        "specversion": "1.0",
        "id": "a1b2c3",
        "source": "splitstack.orders",
        "type": "orders.order.created",
        "subject": order.id,
        "tenant": "acme",
    }
    assert event["data"]["total"] == 2000
    assert datetime.fromisoformat(event["time"]) == T0


def test_a_change_needs_an_order() -> None:
    with pytest.raises(ValueError, match="old or a new"):
        Change("e", T0, None, None)
