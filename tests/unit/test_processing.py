"""The stream processor's batch work: projection exactly once, relay in order, failures per record.

The read model is the in-memory reference adapter; the bus is a recording one that refuses
the events it is told to refuse, as EventBridge refuses entries of a PutEvents call.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from orders.adapters.memory import InMemoryOrderRepository
from orders.domain.changes import Change, stats_of
from orders.domain.ids import new_ulid
from orders.domain.model import LineItem, Order, OrderStatus
from orders.domain.processing import (
    BatchProcessing,
    Delivered,
    EarlierChangeFailed,
    ProjectionFailed,
    PublishFailed,
)
from splitstack.events import PUBLISH_BATCH

T0 = datetime(2026, 1, 1, tzinfo=UTC)
SOURCE = "/shop/test/orders"


class RecordingBus:
    """Keeps what it accepted, call by call; refuses the event ids in `refuse` once each, and
    fails the first `fail_calls` calls whole. Calls may come from several threads at once."""

    def __init__(self, refuse: Sequence[str] = (), fail_calls: int = 0) -> None:
        self.calls: list[list[dict[str, Any]]] = []
        self.failed_calls: list[list[dict[str, Any]]] = []
        self.accepted: list[dict[str, Any]] = []
        self.refuse = set(refuse)
        self.fail_calls = fail_calls
        self._lock = threading.Lock()

    def publish(self, events: Sequence[dict[str, Any]]) -> list[str | None]:
        with self._lock:
            return self._publish(events)

    def _publish(self, events: Sequence[dict[str, Any]]) -> list[str | None]:
        if self.fail_calls:
            self.fail_calls -= 1
            self.failed_calls.append(list(events))
            raise ConnectionError("bus unreachable")
        self.calls.append(list(events))
        results: list[str | None] = []
        for event in events:
            if event["id"] in self.refuse:
                self.refuse.discard(event["id"])
                results.append("ThrottlingException: Rate exceeded")
            else:
                self.accepted.append(event)
                results.append(None)
        return results


class BrokenReadModel:
    """Fails for one tenant, delegates the others."""

    def __init__(self, inner: InMemoryOrderRepository, broken_tenant: str) -> None:
        self.inner = inner
        self.broken_tenant = broken_tenant

    def apply(self, tenant: str, changes: Sequence[Change]) -> int:
        if tenant == self.broken_tenant:
            raise TimeoutError("read model unavailable")
        return self.inner.apply(tenant, changes)


def order(tenant: str = "acme", total: int = 1000) -> Order:
    return Order(tenant, new_ulid(), "EUR", (LineItem("A", 1, total),), T0, T0)


def life(tenant: str = "acme", total: int = 1000) -> list[tuple[Order | None, Order | None]]:
    """Created, placed, shipped: three changes of one order."""
    created = order(tenant, total)
    placed = created.move_to(OrderStatus.PLACED, T0 + timedelta(seconds=1))
    shipped = placed.move_to(OrderStatus.SHIPPED, T0 + timedelta(seconds=2))
    return [(None, created), (created, placed), (placed, shipped)]


def as_batch(changes: list[tuple[Order | None, Order | None]]) -> list[Delivered]:
    batch = []
    for n, (old, new) in enumerate(changes):
        change = Change(event_id=f"event-{n:03}", at=T0, old=old, new=new)
        key = f"TENANT#{change.order.tenant}|ORDER#{change.order.id}"
        batch.append(Delivered(record_id=f"{n:021}", item_key=key, change=change))
    return batch


def events_of_each_order(events: list[dict[str, Any]]) -> dict[str, list[str]]:
    of_order: dict[str, list[str]] = {}
    for event in events:
        of_order.setdefault(event["subject"], []).append(event["id"])
    return of_order


def test_every_change_is_projected_and_published_once_in_order_per_order() -> None:
    read_model, bus = InMemoryOrderRepository(), RecordingBus()
    lives = [life(total=100 * (n + 1)) for n in range(30)]
    batch = as_batch([change for n in range(3) for one in lives for change in one[n : n + 1]])
    result = BatchProcessing(read_model, bus, SOURCE).process(batch)

    assert result.failures == {}
    assert result.published == len(batch) == 90
    assert sorted(e["id"] for e in bus.accepted) == sorted(d.change.event_id for d in batch if d.change)
    sent = [d.change for d in batch if d.change]
    assert events_of_each_order(bus.accepted) == events_of_each_order(
        [{"subject": c.order.id, "id": c.event_id} for c in sent]
    )
    stats = read_model.stats("acme")
    assert stats.counts[OrderStatus.SHIPPED] == 30
    assert stats.placed_revenue == {"EUR": sum(100 * (n + 1) for n in range(30))}


def test_events_go_ten_per_call_and_never_two_of_one_order_in_a_call() -> None:
    bus = RecordingBus()
    changes = [c for _ in range(7) for c in life()]  # 21 changes, 3 per order, 7 orders
    BatchProcessing(InMemoryOrderRepository(), bus, SOURCE).process(as_batch(changes))

    assert all(len(call) <= PUBLISH_BATCH for call in bus.calls)
    for call in bus.calls:
        subjects = [e["subject"] for e in call]
        assert len(subjects) == len(set(subjects))
    assert sum(len(call) for call in bus.calls) == len(changes)


def test_a_redelivered_batch_changes_the_read_model_once_and_keeps_the_event_ids() -> None:
    read_model, bus = InMemoryOrderRepository(), RecordingBus()
    batch = as_batch(life())
    processing = BatchProcessing(read_model, bus, SOURCE)
    first = processing.process(batch)
    stats = read_model.stats("acme")
    again = processing.process(batch)

    assert (first.projected, again.projected) == (3, 0)
    assert read_model.stats("acme") == stats
    ids = [e["id"] for e in bus.accepted]
    assert ids[: len(batch)] == ids[len(batch) :]


def test_a_refused_event_holds_back_the_later_changes_of_its_order_only() -> None:
    mine, other = life(), life()
    batch = as_batch([mine[0], other[0], mine[1], other[1], mine[2], other[2]])
    refused = batch[2]  # "placed" of my order
    assert refused.change is not None
    bus = RecordingBus(refuse=[refused.change.event_id])
    result = BatchProcessing(InMemoryOrderRepository(), bus, SOURCE).process(batch)

    assert isinstance(result.failures[refused.record_id], PublishFailed)
    assert isinstance(result.failures[batch[4].record_id], EarlierChangeFailed)
    assert set(result.failures) == {batch[2].record_id, batch[4].record_id}
    my_id = batch[0].change.order.id if batch[0].change else ""
    assert [e["type"] for e in bus.accepted if e["subject"] == my_id] == ["orders.order.created"]
    assert len([e for e in bus.accepted if e["subject"] != my_id]) == 3


def test_a_failed_publish_call_fails_its_entries_and_the_rest_carry_on() -> None:
    bus = RecordingBus(fail_calls=1)
    batch = as_batch([life()[0] for _ in range(PUBLISH_BATCH + 3)])
    result = BatchProcessing(InMemoryOrderRepository(), bus, SOURCE).process(batch)

    (failed_call,) = bus.failed_calls
    by_event = {d.change.event_id: d.record_id for d in batch if d.change}
    assert set(result.failures) == {by_event[e["id"]] for e in failed_call}
    assert all(isinstance(e, PublishFailed) for e in result.failures.values())
    assert result.published == len(batch) - len(failed_call) == len(bus.accepted)


def test_a_tenant_whose_read_model_fails_does_not_fail_the_others() -> None:
    good = InMemoryOrderRepository()
    batch = as_batch(life("acme") + life("globex"))
    result = BatchProcessing(BrokenReadModel(good, "globex"), RecordingBus(), SOURCE).process(batch)

    failed = {d.record_id for d in batch[3:]}
    assert set(result.failures) == failed
    assert all(isinstance(e, ProjectionFailed) for e in result.failures.values())
    assert good.stats("acme").counts[OrderStatus.SHIPPED] == 1
    assert result.published == 3


def test_an_unreadable_record_fails_alone_and_holds_back_its_item() -> None:
    batch = as_batch(life())
    broken = Delivered(batch[0].record_id, batch[0].item_key, error=ValueError("bad image"))
    result = BatchProcessing(InMemoryOrderRepository(), RecordingBus(), SOURCE).process([broken, *batch[1:]])

    assert result.failures[broken.record_id] is broken.error
    assert {type(result.failures[d.record_id]) for d in batch[1:]} == {EarlierChangeFailed}


def test_records_that_are_not_orders_succeed_without_effect() -> None:
    bus = RecordingBus()
    result = BatchProcessing(InMemoryOrderRepository(), bus, SOURCE).process(
        [Delivered(record_id="1", item_key="TENANT#acme|STATS")]
    )
    assert (result.failures, result.published, bus.calls) == ({}, 0, [])


@given(
    st.lists(st.integers(1, 5_000), min_size=1, max_size=12),
    st.sets(st.integers(0, 35), max_size=8),
)
def test_redelivery_from_the_first_failure_converges(totals: list[int], refused: set[int]) -> None:
    """GIVEN orders going through their life, with some events refused on the first attempt,
    WHEN Lambda redelivers from the lowest failed record until none fails,
    THEN the read model equals recomputing from the orders, and each order's events were first
    published in the order of its changes."""
    lives = [life(total=t) for t in totals]
    changes = [c for step in range(3) for one in lives for c in [one[step]]]
    batch = as_batch(changes)
    refused_ids = [d.change.event_id for n, d in enumerate(batch) if n in refused and d.change]
    read_model, bus = InMemoryOrderRepository(), RecordingBus(refuse=refused_ids)
    processing = BatchProcessing(read_model, bus, SOURCE)

    remaining = batch
    for _ in range(len(batch) + 1):
        result = processing.process(remaining)
        if not result.failures:
            break
        first_failed = min(result.failures)
        remaining = [d for d in remaining if d.record_id >= first_failed]
    else:
        raise AssertionError("redelivery did not converge")

    final = [one[-1][1] for one in lives]
    assert read_model.stats("acme").counts == stats_of("acme", [o for o in final if o]).counts
    seen: dict[str, list[str]] = {}
    for event in bus.accepted:
        types = seen.setdefault(event["subject"], [])
        if event["type"] not in types:
            types.append(event["type"])
    in_order = ["orders.order.created", "orders.order.placed", "orders.order.shipped"]
    assert all(types == in_order for types in seen.values())
