"""The orders domain: state machine, money, versions, ULIDs and cursors, as properties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orders.domain import ids
from orders.domain.cursor import decode_cursor, encode_cursor
from orders.domain.errors import IllegalTransition, InvalidCursor, NotADraft, VersionConflict
from orders.domain.model import (
    MAX_QUANTITY,
    MAX_UNIT_PRICE,
    TRANSITIONS,
    LineItem,
    Order,
    OrderStatus,
    sources_of,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
skus = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,20}", fullmatch=True)
lines = st.builds(
    LineItem,
    sku=skus,
    quantity=st.integers(1, MAX_QUANTITY),
    unit_price=st.integers(0, MAX_UNIT_PRICE),
)
line_lists = st.lists(lines, min_size=1, max_size=20, unique_by=lambda i: i.sku).map(tuple)


def draft(items: tuple[LineItem, ...] = (LineItem("SKU-1", 2, 1250),)) -> Order:
    return Order(tenant="t1", id=ids.new_ulid(), currency="EUR", items=items, created_at=T0, updated_at=T0)


@given(st.lists(st.sampled_from(list(OrderStatus)), max_size=8))
def test_only_listed_transitions_succeed_and_each_bumps_the_version(moves: list[OrderStatus]) -> None:
    order = draft()
    for n, target in enumerate(moves):
        now = T0 + timedelta(seconds=n + 1)
        if target in TRANSITIONS[order.status]:
            moved = order.move_to(target, now)
            assert (moved.status, moved.version, moved.updated_at) == (target, order.version + 1, now)
            order = moved
        else:
            with pytest.raises(IllegalTransition):
                order.move_to(target, now)


def test_shipped_and_cancelled_are_final() -> None:
    assert TRANSITIONS[OrderStatus.SHIPPED] == frozenset()
    assert TRANSITIONS[OrderStatus.CANCELLED] == frozenset()


def test_sources_are_the_inverse_of_transitions() -> None:
    assert sources_of(OrderStatus.CANCELLED) == {OrderStatus.DRAFT, OrderStatus.PLACED}
    assert sources_of(OrderStatus.SHIPPED) == {OrderStatus.PLACED}
    assert sources_of(OrderStatus.DRAFT) == frozenset()


def test_cancel_keeps_its_reason_and_placing_records_when() -> None:
    placed = draft().move_to(OrderStatus.PLACED, T0)
    assert placed.placed_at == T0
    cancelled = placed.move_to(OrderStatus.CANCELLED, T0, reason="expired")
    assert cancelled.cancel_reason == "expired"
    assert cancelled.placed_at == T0


@given(line_lists)
def test_total_is_the_exact_sum_in_minor_units(items: tuple[LineItem, ...]) -> None:
    order = draft(items)
    assert order.total == sum(i.quantity * i.unit_price for i in items)
    assert isinstance(order.total, int)


@pytest.mark.parametrize(
    ("sku", "quantity", "unit_price"),
    [("", 1, 1), ("a b", 1, 1), ("SKU", 0, 1), ("SKU", MAX_QUANTITY + 1, 1), ("SKU", 1, -1)],
)
def test_line_item_rejects_bad_values(sku: str, quantity: int, unit_price: int) -> None:
    with pytest.raises(ValueError, match="must be"):
        LineItem(sku, quantity, unit_price)


def test_order_rejects_duplicate_skus_and_bad_currency() -> None:
    with pytest.raises(ValueError, match="once per order"):
        draft((LineItem("A", 1, 1), LineItem("A", 2, 1)))
    with pytest.raises(ValueError, match="ISO 4217"):
        Order(tenant="t", id="x", currency="euro", items=(LineItem("A", 1, 1),), created_at=T0, updated_at=T0)


def test_revise_needs_a_draft_and_the_current_version() -> None:
    order = draft()
    revised = order.revise((LineItem("B", 1, 5),), "USD", T0, expected=1)
    assert (revised.version, revised.total, revised.currency) == (2, 5, "USD")
    with pytest.raises(VersionConflict):
        revised.revise((LineItem("B", 1, 5),), "USD", T0, expected=1)
    with pytest.raises(NotADraft):
        revised.move_to(OrderStatus.PLACED, T0).revise((LineItem("B", 1, 5),), "USD", T0, expected=None)


@given(st.integers(0, (1 << 48) - 1), st.integers(0, (1 << 80) - 1))
def test_ulid_round_trips_its_timestamp(timestamp_ms: int, randomness: int) -> None:
    ulid = ids.encode(timestamp_ms, randomness)
    assert ids.is_ulid(ulid)
    assert ids.decode_timestamp(ulid) == timestamp_ms


@given(
    st.integers(0, (1 << 47)),
    st.integers(1, 10**6),
    st.integers(0, (1 << 80) - 1),
    st.integers(0, (1 << 80) - 1),
)
def test_ulids_sort_by_time(t: int, gap: int, r1: int, r2: int) -> None:
    assert ids.encode(t, r1) < ids.encode(t + gap, r2)


def test_cursor_round_trips_for_its_tenant_and_filter() -> None:
    last = ids.new_ulid()
    cursor = encode_cursor("t1", OrderStatus.PLACED, last)
    assert decode_cursor(cursor, "t1", OrderStatus.PLACED) == last


@pytest.mark.parametrize(
    ("tenant", "status"),
    [("t2", OrderStatus.PLACED), ("t1", None), ("t1", OrderStatus.DRAFT)],
)
def test_cursor_is_refused_for_another_tenant_or_filter(tenant: str, status: OrderStatus | None) -> None:
    cursor = encode_cursor("t1", OrderStatus.PLACED, ids.new_ulid())
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, tenant, status)


@given(st.text(max_size=60))
def test_any_garbage_cursor_is_an_invalid_cursor(garbage: str) -> None:
    try:
        decode_cursor(garbage, "t1", None)
    except InvalidCursor:
        return
    pytest.fail("garbage decoded")  # pragma: no cover


def test_ulids_made_in_a_burst_are_strictly_increasing() -> None:
    burst = [ids.new_ulid() for _ in range(2000)]
    assert burst == sorted(burst)
    assert len(set(burst)) == len(burst)
