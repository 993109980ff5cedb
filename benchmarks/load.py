"""`make bench-load`: concurrent clients of many tenants against the running local cloud, then the
consistency check (localcloud.consistency).

Starts `make local` (localcloud.up) on free ports of 127.0.0.1, waits for READY, then runs locust
headless, in this process: CLIENTS users (default 20) spread over TENANTS tenants (default 10), for
SECONDS (default 60), after WARMUP seconds (default 30) of the same load that are not measured: the
figures are those of warm functions, as in production under a steady load; a cold start's cost is
`make bench`'s (benchmarks/cold_start.py). The consistency check covers the warm-up's changes too,
and every 5xx of the run is counted. Each user creates orders (half of them with an
Idempotency-Key, a fifth of those sent twice, as a client that lost the answer retries), lists,
reads one, reads the stats, revises drafts with If-Match, places and cancels orders (drafts and
placed ones), dispatches the shipments of placed orders through the fulfilment API (the order
becomes SHIPPED through the fulfilment events) and deletes drafts. Afterwards every tenant's /stats
must equal its orders, every acknowledged change must have reached the bus exactly once, seen on
the local event tap, and every order must have the shipment its state asks for in the fulfilment
service.

Prints one line and saves the figures as JSON (.local/bench-load-<clients>.json): requests/s, API
p50/p95/p99, the emulator's DynamoDB calls per API request (and every operation it answered in the
measured time, in the JSON), write->event p50/p95 (from sending the write to the tap queue getting
its event), placed->shipment p50/p95 (from sending the placement to the fulfilment consumer writing
the shipment), dispatch->shipped p50/p95 (from sending the dispatch to the tap getting the order's
orders.order.shipped event: two services' outboxes and queues), 5xx, lost, duplicated and
redelivered events, drifted tenants, orders whose shipment disagrees. It is a benchmark: it
reports, and exits non-zero only when the consistency check fails or a 5xx was answered.

    python -m benchmarks.load [--clients 20] [--tenants 10] [--seconds 60] [--warmup 30]
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402  # after gevent's patching, as locust requires
import json  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Mapping  # noqa: E402
from datetime import datetime  # noqa: E402
from itertools import count  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, ClassVar  # noqa: E402

import gevent  # noqa: E402
import gevent.event  # noqa: E402
from locust import between, task  # noqa: E402
from locust.contrib.fasthttp import FastHttpUser  # noqa: E402
from locust.env import Environment  # noqa: E402

from localcloud.consistency import Ledger, Shipments, check, first_arrivals, shipped_arrivals  # noqa: E402
from localcloud.emulator import die_with_parent, free_port, requests_answered  # noqa: E402
from localcloud.events import Tap  # noqa: E402
from localcloud.token import ApiClient  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ITEMS = [
    {"sku": "SKU-1", "quantity": 2, "unit_price": 1250},
    {"sku": "SKU-2", "quantity": 1, "unit_price": 990},
]
READY_TIMEOUT = 300


class Orders(FastHttpUser):
    """One client of one tenant, keeping the orders it made and their last known versions."""

    wait_time = between(0.0, 0.05)
    api: ClassVar[ApiClient]
    fulfilment_url: ClassVar[str]
    ledger: ClassVar[Ledger]
    tenants: ClassVar[list[str]]
    numbers: ClassVar[count[int]] = count()
    server_errors: ClassVar[int] = 0

    def on_start(self) -> None:
        self.tenant = self.tenants[next(self.numbers) % len(self.tenants)]
        self.headers = {"Authorization": self.api.token(self.tenant)}
        self.orders: dict[str, dict[str, Any]] = {}

    def send(self, method: str, path: str, name: str, body: Any = None, **headers: str) -> tuple[int, Any]:
        sent_ms = time.time() * 1000
        with self.client.request(
            method, path, name=name, json=body, headers={**self.headers, **headers}, catch_response=True
        ) as answer:
            status = answer.status_code
            if status >= 500 or status == 0:
                Orders.server_errors += status >= 500
                answer.failure(f"{status}")
                return status, None
            answer.success()  # a 4xx of a lost race is an answer, not a failure of the API
            data = answer.json() if answer.text else None
        if status in (200, 201) and isinstance(data, dict) and "version" in data:
            self.ledger.order(self.tenant, data, sent_ms)
            self.orders[data["id"]] = data
        if status == 204 and method == "DELETE":
            deleted = self.orders.pop(path.rsplit("/", 1)[1])
            self.ledger.deleted(self.tenant, deleted["id"], deleted["version"], sent_ms)
        return status, data

    def pick(self, status: str) -> dict[str, Any] | None:
        matching = [o for o in self.orders.values() if o["status"] == status]
        return random.choice(matching) if matching else None  # noqa: S311  # a workload, not a secret

    @task(6)
    def create(self) -> None:
        body = {"currency": random.choice(["EUR", "USD"]), "items": ITEMS}  # noqa: S311
        if random.random() < 0.5:  # noqa: S311
            self.send("POST", "/orders", "POST /orders", body)
            return
        key = str(uuid.uuid4())
        first = self.send("POST", "/orders", "POST /orders (key)", body, **{"Idempotency-Key": key})
        if random.random() < 0.2:  # noqa: S311  # the answer was lost: the client sends it again
            again = self.send("POST", "/orders", "POST /orders (retry)", body, **{"Idempotency-Key": key})
            if first[0] == 201 and again != first:
                raise AssertionError(f"a retried create answered {again} after {first}")

    @task(3)
    def list_orders(self) -> None:
        self.send("GET", "/orders?limit=20", "GET /orders")

    @task(2)
    def stats(self) -> None:
        self.send("GET", "/stats", "GET /stats")

    @task(2)
    def get(self) -> None:
        if self.orders:
            order_id = random.choice(list(self.orders))  # noqa: S311
            self.send("GET", f"/orders/{order_id}", "GET /orders/{id}")

    @task(2)
    def revise(self) -> None:
        if order := self.pick("DRAFT"):
            items = [{"sku": "SKU-3", "quantity": random.randint(1, 9), "unit_price": 500}]  # noqa: S311
            body = {"currency": order["currency"], "items": items}
            self.send(
                "PATCH",
                f"/orders/{order['id']}",
                "PATCH /orders/{id}",
                body,
                **{"If-Match": f'"{order["version"]}"'},
            )

    @task(3)
    def move(self) -> None:
        step = random.choice(  # noqa: S311
            [("DRAFT", "PLACED"), ("DRAFT", "CANCELLED"), ("PLACED", "CANCELLED")]
        )
        if order := self.pick(step[0]):
            self.send(
                "POST", f"/orders/{order['id']}/transitions", "POST /orders/{id}/transitions", {"to": step[1]}
            )

    @task(2)
    def dispatch(self) -> None:
        """Fulfilment dispatches a placed order's shipment (404 while the shipment is on its way,
        409 when the order's cancellation got there first)."""
        if order := self.pick("PLACED"):
            sent_ms = time.time() * 1000
            path = f"{self.fulfilment_url}/shipments/{order['id']}/dispatch"
            status, _ = self.send("POST", path, "POST /shipments/{id}/dispatch")
            if status == 200:
                self.ledger.dispatch(self.tenant, order["id"], sent_ms)
                order["status"] = "DISPATCHED"  # SHIPPED once the event gets there; not moved again

    @task(1)
    def delete(self) -> None:
        if order := self.pick("DRAFT"):
            self.send(
                "DELETE",
                f"/orders/{order['id']}",
                "DELETE /orders/{id}",
                **{"If-Match": f'"{order["version"]}"'},
            )


def start_cloud(work: Path) -> tuple[subprocess.Popen[bytes], str, str]:
    api_port, aws_port = free_port(), free_port()
    log = work / "local-cloud.log"
    command = [sys.executable, "-m", "localcloud.up", "--aws-port", str(aws_port), "--port", str(api_port),
               "--work-dir", str(work)]  # fmt: skip
    with log.open("wb") as out:  # stopped at the end, or when this process is killed
        process = subprocess.Popen(  # noqa: S603
            command,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent,  # noqa: PLW1509  # only prctl, safe after fork
        )
    ready = re.compile(rf"^READY http://127\.0\.0\.1:{api_port}$", re.MULTILINE)
    deadline = time.monotonic() + READY_TIMEOUT
    print(f"starting make local (log {log})", flush=True)
    while not ready.search(log.read_text(errors="replace")):
        if process.poll() is not None or time.monotonic() > deadline:
            process.terminate()
            sys.exit(f"make local did not reach READY:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.5)
    return process, f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{aws_port}"


def p50_p95(values: list[float]) -> dict[str, int | None]:
    """The median and 95th percentile in whole milliseconds; None when nothing was measured (a
    short run may see no shipment, for one)."""
    ordered = sorted(values)
    return {
        q: round(ordered[min(len(ordered) - 1, int(f * len(ordered)))]) if ordered else None
        for q, f in (("p50", 0.5), ("p95", 0.95))
    }


def run(
    clients: int, tenants: int, seconds: int, warmup: int, base_url: str, endpoint: str
) -> dict[str, Any]:
    api_url = f"{base_url}/orders"
    api, ledger, tap = ApiClient(api_url, endpoint), Ledger(), Tap(endpoint)
    tap.poll()  # whatever was there before is not this run's
    tap.events.clear()
    Orders.api, Orders.ledger, Orders.fulfilment_url = api, ledger, f"{base_url}/fulfilment"
    Orders.tenants = [f"load-{uuid.uuid4().hex[:6]}-{n}" for n in range(tenants)]
    for tenant in Orders.tenants:
        api.token(tenant)  # users exist before the clock starts
    environment = Environment(user_classes=[Orders], host=api_url)
    runner = environment.create_local_runner()
    runner.start(clients, spawn_rate=clients)
    # The tap is a subscriber: it takes its events as they come, as a consumer would (moto's SQS
    # grows slower with every message a queue holds). It is stopped between two polls, never in
    # one: a poll cut short would lose the events it had taken off the queue.
    load_over = gevent.event.Event()

    def subscribe() -> None:
        while not load_over.wait(0.5):
            tap.poll()

    subscriber = gevent.spawn(subscribe)
    measured_from = time.time() * 1000  # epoch ms, as the ledger's
    if warmup:
        gevent.sleep(warmup)
        environment.stats.reset_all()
        measured_from = time.time() * 1000
    answered_before = requests_answered(endpoint)
    gevent.spawn_later(seconds, runner.quit)
    runner.greenlet.join()
    answered = requests_answered(endpoint)
    load_over.set()
    subscriber.join()
    total = environment.stats.total
    emulator_requests = {k: n - answered_before.get(k, 0) for k, n in answered.items()}
    dynamodb_calls = sum(n for k, n in emulator_requests.items() if k.startswith("dynamodb:"))
    report = check(api, ledger, tap, set(Orders.tenants), settle_seconds=60)

    def delays(sent_at: Mapping[Any, float], arrived_at: Mapping[Any, float]) -> list[float]:
        """From each request sent in the measured time to what it caused arriving, in ms."""
        measured = [(k, sent) for k, sent in sent_at.items() if sent >= measured_from]
        return [arrived_at[k] - sent for k, sent in measured if k in arrived_at]

    shipments = Shipments(endpoint)
    created = {
        (tenant, order_id): datetime.fromisoformat(shipment["created_at"]).timestamp() * 1000
        for tenant in Orders.tenants
        for order_id, shipment in shipments.of(tenant).items()
    }
    event_delays = delays(ledger.acknowledged, first_arrivals(tap))
    return {
        "clients": clients,
        "tenants": tenants,
        "seconds": seconds,
        "warmup_seconds": warmup,
        "requests": total.num_requests,
        "requests_per_second": round(
            total.num_requests
            / max((total.last_request_timestamp or total.start_time) - total.start_time, 1e-9),
            1,
        ),
        "api_ms": {
            q: total.get_response_time_percentile(f) for q, f in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))
        },
        "dynamodb_calls_per_request": round(dynamodb_calls / max(total.num_requests, 1), 2),
        "emulator_requests": {k: n for k, n in emulator_requests.items() if n},
        "write_to_event_ms": p50_p95(event_delays),
        "placed_to_shipment_ms": p50_p95(delays(ledger.placed, created)),
        "dispatch_to_shipped_ms": p50_p95(delays(ledger.dispatched, shipped_arrivals(tap))),
        "placed_orders": len(ledger.placed),
        "dispatched": len(ledger.dispatched),
        "shipments": report.shipments,
        "unshipped": len(report.unshipped),
        "server_errors_5xx": Orders.server_errors,
        "failed_requests": total.num_failures,
        "acknowledged_changes": report.acknowledged,
        "events": report.events,
        "lost": len(report.lost),
        "duplicated": len(report.duplicated),
        "redelivered": report.redelivered,
        "drifted_tenants": len(report.drifted),
        "consistent": report.ok,
        "details": json.loads(report.details()) if not report.ok else None,
        "mean_event_delay_ms": round(statistics.fmean(event_delays)) if event_delays else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--tenants", type=int, default=10)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=30, help="seconds of load before the measured ones")
    parser.add_argument(
        "--api",
        help="a running local cloud's APIs instead of a new one, e.g. http://127.0.0.1:3000",
    )
    parser.add_argument("--endpoint", default="http://127.0.0.1:5050", help="its emulator (with --api)")
    parser.add_argument(
        "--out", type=Path, default=None, help="JSON file (default .local/bench-load-<clients>.json)"
    )
    args = parser.parse_args()
    bounded = 1 <= args.clients <= 200 and 1 <= args.seconds <= 600 and 0 <= args.warmup <= 120
    if not (bounded and args.tenants >= 1):
        sys.exit("--clients 1..200, --tenants >= 1, --seconds 1..600, --warmup 0..120: bounded load")
    process = None
    api_url, endpoint = args.api, args.endpoint
    if api_url is None:
        process, api_url, endpoint = start_cloud(Path(tempfile.mkdtemp(prefix="splitstack-bench-")))
    try:
        print(
            f"load: {args.clients} clients of {args.tenants} tenants for {args.seconds} s "
            f"after {args.warmup} s of warm-up",
            flush=True,
        )
        result = run(args.clients, args.tenants, args.seconds, args.warmup, api_url, endpoint)
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=60)
    out = args.out or ROOT / ".local" / f"bench-load-{args.clients}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    api_ms, event_ms = result["api_ms"], result["write_to_event_ms"]
    ship_ms, shipped_ms = result["placed_to_shipment_ms"], result["dispatch_to_shipped_ms"]
    print(
        f"bench-load: {args.clients} clients, {result['requests_per_second']} requests/s, "
        f"API p50/p95/p99 {api_ms['p50']}/{api_ms['p95']}/{api_ms['p99']} ms, "
        f"{result['dynamodb_calls_per_request']} DynamoDB calls per request, "
        f"write->event p50/p95 {event_ms['p50']}/{event_ms['p95']} ms, "
        f"placed->shipment p50/p95 {ship_ms['p50']}/{ship_ms['p95']} ms, "
        f"dispatch->shipped p50/p95 {shipped_ms['p50']}/{shipped_ms['p95']} ms, "
        f"{result['server_errors_5xx']} 5xx, "
        f"{result['lost']} lost, {result['duplicated']} duplicated ({result['redelivered']} redelivered), "
        f"{result['drifted_tenants']} drifted tenants, {result['shipments']} shipments of "
        f"{result['placed_orders']} placed orders ({result['dispatched']} dispatched), "
        f"{result['unshipped']} disagreeing ({out})"
    )
    if not result["consistent"] or result["server_errors_5xx"]:
        sys.exit(json.dumps(result["details"], indent=1))


if __name__ == "__main__":
    main()
