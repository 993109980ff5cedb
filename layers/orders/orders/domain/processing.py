"""What the stream processor does with one batch of changes: project, then relay.

Delivery is at-least-once: a batch may come again, whole or from its first failed record on.
 - Projection: the changes of one tenant are applied to its read model in one atomic step that
   also remembers which changes it applied, so a change delivered twice counts once.
 - Relay: each change becomes one CloudEvent, published in batches of PUBLISH_BATCH. The event id
   is the stream record's, so a republished change keeps its id and consumers drop the duplicate.
 - Order per item: once a record of an item fails (unreadable, not projected or not published),
   the later changes of that item in the batch are not published either (they fail with it), and
   a publish batch never holds two changes of one item, whose relative order EventBridge would not
   keep.

Calls that the promises let be independent are made side by side (the processor waits on the
network, not on its CPU): the projection's, one per tenant, and the relay's in lanes. A lane
holds every change of its items in batch order and publishes them as above, ten at a time; lanes
do not wait for each other. EventBridge keeps no order between events anyway; per item it is kept.

The result names the failed records; everything else succeeded.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from orders.domain.changes import Change, to_cloud_event
from orders.domain.ports import EventBus, ReadModel
from splitstack.events import PUBLISH_BATCH

CONCURRENT_CALLS = 8  # calls to the read model or the bus in flight at once


class ProjectionFailed(RuntimeError):
    """The read model of the change's tenant could not be updated."""


class PublishFailed(RuntimeError):
    """The bus refused the change's event."""


class EarlierChangeFailed(RuntimeError):
    """An earlier change of the same order failed, so this one waits for it."""


@dataclass(frozen=True)
class Delivered:
    """One record of the batch: its id (the sequence number), the key of the item it changed, and
    its change, or None for an item that is not an order, or the error that made it unreadable."""

    record_id: str
    item_key: str
    change: Change | None = None
    error: Exception | None = None


@dataclass
class BatchResult:
    failures: dict[str, Exception] = field(default_factory=dict)
    projected: int = 0
    published: int = 0


def _lanes(batch: Sequence[Delivered]) -> list[list[Delivered]]:
    """The batch in lanes of about PUBLISH_BATCH records, every change of an item in one lane, in
    batch order (so a batch of distinct items takes no more PutEvents calls than in one lane)."""
    changes_of = Counter(d.item_key for d in batch)
    lanes: list[list[Delivered]] = [[] for _ in range(max(1, math.ceil(len(batch) / PUBLISH_BATCH)))]
    loads = [0] * len(lanes)
    lane_of: dict[str, int] = {}
    for delivered in batch:
        if delivered.item_key not in lane_of:
            lane = lane_of[delivered.item_key] = loads.index(min(loads))
            loads[lane] += changes_of[delivered.item_key]
        lanes[lane_of[delivered.item_key]].append(delivered)
    return lanes


class BatchProcessing:
    def __init__(self, read_model: ReadModel, bus: EventBus, source: str) -> None:
        self._read_model = read_model
        self._bus = bus
        self._source = source
        self._pool = ThreadPoolExecutor(max_workers=CONCURRENT_CALLS, thread_name_prefix="processing")

    def process(self, batch: Sequence[Delivered]) -> BatchResult:
        result = BatchResult()
        for delivered in batch:
            if delivered.error is not None:
                result.failures[delivered.record_id] = delivered.error
        self._project(batch, result)
        self._relay(batch, result)
        return result

    def _project(self, batch: Sequence[Delivered], result: BatchResult) -> None:
        by_tenant: dict[str, list[tuple[str, Change]]] = {}
        unreadable: set[str] = set()
        for delivered in batch:
            if delivered.error is not None:
                unreadable.add(delivered.item_key)
            elif delivered.item_key in unreadable:
                waiting = EarlierChangeFailed(f"an earlier change of {delivered.item_key} is unreadable")
                result.failures[delivered.record_id] = waiting
            elif delivered.change is not None:
                by_tenant.setdefault(delivered.change.order.tenant, []).append(
                    (delivered.record_id, delivered.change)
                )
        outcomes = self._pool.map(self._apply, by_tenant.items())
        for (tenant, entries), (applied, error) in zip(by_tenant.items(), outcomes, strict=True):
            result.projected += applied
            if error is not None:  # one tenant's failure must not fail the others
                for record_id, _ in entries:
                    result.failures[record_id] = ProjectionFailed(f"read model of tenant {tenant}: {error!r}")

    def _apply(self, tenant_entries: tuple[str, list[tuple[str, Change]]]) -> tuple[int, Exception | None]:
        tenant, entries = tenant_entries
        try:
            return self._read_model.apply(tenant, [change for _, change in entries]), None
        except Exception as error:  # reported per record by _project
            return 0, error

    def _relay(self, batch: Sequence[Delivered], result: BatchResult) -> None:
        lanes = _lanes(batch)
        failed_before = frozenset(result.failures)
        for published, failures in self._pool.map(lambda lane: self._relay_lane(lane, failed_before), lanes):
            result.published += published
            result.failures.update(failures)

    def _relay_lane(
        self, lane: Sequence[Delivered], failed_before: frozenset[str]
    ) -> tuple[int, dict[str, Exception]]:
        """Publishes a lane's changes in order: how many were published, and which failed."""
        published = 0
        failures: dict[str, Exception] = {}
        blocked: set[str] = set()
        pending: list[Delivered] = []

        def flush() -> None:
            nonlocal published
            if not pending:
                return
            errors = self._publish([d.change for d in pending if d.change])
            for delivered, error in zip(pending, errors, strict=True):
                if error is None:
                    published += 1
                else:
                    failures[delivered.record_id] = PublishFailed(error)
                    blocked.add(delivered.item_key)
            pending.clear()

        for delivered in lane:
            if delivered.record_id in failed_before:
                blocked.add(delivered.item_key)
                continue
            if delivered.change is None:
                continue
            if delivered.item_key in {d.item_key for d in pending} or len(pending) == PUBLISH_BATCH:
                flush()
            if delivered.item_key in blocked:
                waiting = EarlierChangeFailed(f"an earlier change of {delivered.item_key} failed")
                failures[delivered.record_id] = waiting
                continue
            pending.append(delivered)
        flush()
        return published, failures

    def _publish(self, changes: list[Change]) -> list[str | None]:
        try:
            return self._bus.publish([to_cloud_event(c, self._source) for c in changes])
        except Exception as error:  # the whole call failed: every entry of it failed
            return [repr(error)] * len(changes)
