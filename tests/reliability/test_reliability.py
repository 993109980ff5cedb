"""The design's promises on the running local cloud (R1-R8): each test drives the system as a
client would, injects what goes wrong on AWS (a poison record, redelivery, races, forged tokens,
faults through the fault switch, a message a consumer cannot take) and ends with the consistency
check (the `consistent` fixture): every tenant's /stats equals its orders, every acknowledged
change reached the bus once, and every order has the shipment its state asks for."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from moto.utilities.utils import load_resource

from localcloud import faults
from tests.cloud import LocalCloud, Response, wait_until
from tests.reliability.conftest import ITEMS, Client, workload

if TYPE_CHECKING:
    from mypy_boto3_sqs.client import SQSClient

pytestmark = pytest.mark.usefixtures("consistent")
HERE = Path(__file__).parent
ROOT = HERE.parent.parent


def concurrently(count: int, call: Callable[[], Response]) -> list[Response]:
    """`count` calls released at the same moment, each on its own connection."""
    start = threading.Barrier(count)

    def one() -> Response:
        start.wait()
        return call()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return [f.result() for f in [pool.submit(one) for _ in range(count)]]


def parameter(cloud: LocalCloud, name: str) -> str:
    ssm = cloud.session.client("ssm", endpoint_url=cloud.endpoint)
    value: str = ssm.get_parameter(Name=f"/shop/local/orders/{name}")["Parameter"]["Value"]
    return value


def test_r1_a_poison_record_is_given_up_alone_and_located(local_cloud: LocalCloud, client: Client) -> None:
    """A record the processor cannot read, written straight into the table between good changes,
    with a later change of the same order: the poison record and that later change (which waits
    for it, to keep the order's changes in order) are given up (in one batch, or in two when the
    poller read them apart), the first on-failure message's range starts at the poison record, and
    every other change is applied and published once the shard moves on."""
    dynamodb = local_cloud.session.client("dynamodb", endpoint_url=local_cloud.endpoint)
    sqs = local_cloud.session.client("sqs", endpoint_url=local_cloud.endpoint)
    table = parameter(local_cloud, "data/table-name")
    queue = sqs.get_queue_url(QueueName=parameter(local_cloud, "processor/failure-queue-name"))["QueueUrl"]
    while sqs.receive_message(QueueUrl=queue).get("Messages"):
        pass  # an earlier test's messages are not this one's

    before = client.create()
    poison_tenant = f"poison-{uuid.uuid4().hex[:8]}"
    key = {"pk": {"S": f"TENANT#{poison_tenant}"}, "sk": {"S": f"ORDER#P{uuid.uuid4().hex[:12].upper()}"}}
    dynamodb.put_item(TableName=table, Item={**key, "status": {"S": "NOT-A-STATUS"}})
    dynamodb.put_item(TableName=table, Item={**key, "status": {"S": "STILL-NOT-ONE"}})
    after = client.create()
    client.transition(before, "PLACED")

    message = wait_until(
        lambda: (m := sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1).get("Messages")) and m[0],
        90,
        "on-failure",
    )
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
    info = json.loads(message["Body"])["DDBStreamBatchInfo"]
    streams = local_cloud.session.client("dynamodbstreams", endpoint_url=local_cloud.endpoint)
    iterator = streams.get_shard_iterator(
        StreamArn=info["streamArn"],
        ShardId=info["shardId"],
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        SequenceNumber=info["startSequenceNumber"],
    )["ShardIterator"]
    first = streams.get_records(ShardIterator=iterator, Limit=1)["Records"][0]
    assert first["dynamodb"]["Keys"] == key, "the range starts at the poison record"
    poison_events = [e for e in local_cloud.events() if e["detail"].get("tenant") == poison_tenant]
    assert poison_events == [], "neither the poison record nor the change that waited for it was published"
    published: set[str] = set()

    def both_published() -> bool:
        published.update(
            e["detail"]["subject"] for e in local_cloud.events() if e["detail"].get("tenant") == client.tenant
        )
        return {before["id"], after["id"]} <= published

    wait_until(both_published, 90, "the changes around the poison record published")


def test_r2_a_batch_delivered_three_times_counts_once(
    local_cloud: LocalCloud, client: Client, switch: str
) -> None:
    faults.add(
        switch, {"kind": "duplicate", "function": "shop-local-orders-processor", "copies": 2, "times": 50}
    )
    workload(client)
    # What the client was told, and the moves to SHIPPED its dispatches make in the orders table.
    changes = len(client.ledger.acknowledged) + len(client.ledger.dispatched)

    def delivered() -> dict[str, list[dict[str, Any]]]:
        """The orders events of the client's tenant (fulfilment's are not the processor's)."""
        by_id: dict[str, list[dict[str, Any]]] = {}
        for event in local_cloud.events():
            if event["detail"].get("tenant") == client.tenant and event["detail-type"].startswith("orders."):
                by_id.setdefault(event["detail"]["id"], []).append(event["detail"])
        return by_id

    def three_times() -> dict[str, list[dict[str, Any]]] | None:
        found = delivered()
        return found if len(found) == changes and all(len(c) >= 3 for c in found.values()) else None

    by_id = wait_until(three_times, 30, "each change published by each of the three deliveries")
    assert all(copy == copies[0] for copies in by_id.values() for copy in copies), (
        "a redelivery changed an event"
    )


def test_r3_concurrent_patches_of_one_version_let_exactly_one_win(
    local_cloud: LocalCloud, client: Client
) -> None:
    order = client.create()

    def patch() -> Response:
        items = [{"sku": f"SKU-{uuid.uuid4().hex[:6]}", "quantity": 1, "unit_price": 100}]
        return client.call(
            "PATCH", f"/orders/{order['id']}", {"currency": "EUR", "items": items}, {"If-Match": '"1"'}
        )

    answers = concurrently(20, patch)
    assert sorted(a.status for a in answers) == [200] + [412] * 19
    (winner,) = [a.body for a in answers if a.status == 200]
    assert client.call("GET", f"/orders/{order['id']}").body == winner, "the winner's items are the order's"
    assert winner["version"] == 2


def test_r4_concurrent_creates_with_one_key_make_one_order(local_cloud: LocalCloud, client: Client) -> None:
    key = f"key-{uuid.uuid4()}"
    body = {"currency": "EUR", "items": ITEMS}
    answers = concurrently(20, lambda: client.call("POST", "/orders", body, {"Idempotency-Key": key}))
    assert {a.status for a in answers} == {201}
    assert all(a.body == answers[0].body for a in answers), "every retry answers the first response"
    assert [o["id"] for o in client.call("GET", "/orders").body["orders"]] == [answers[0].body["id"]]
    other = client.call("POST", "/orders", {"currency": "USD", "items": ITEMS}, {"Idempotency-Key": key})
    assert (other.status, other.body["error"]["code"]) == (422, "idempotency_key_reused")


def _signed(claims: dict[str, Any], header: dict[str, Any] | None = None) -> str:
    """A token signed with the emulator's own Cognito key (moto's), so only the claims are wrong."""
    key = RSAKey.import_key(load_resource("cognitoidp/resources/jwks-private.json"))
    return jwt.encode(header or {"alg": "RS256", "kid": "dummy"}, claims, key)


def test_r5_tenants_are_isolated_and_bad_tokens_refused(local_cloud: LocalCloud, client: Client) -> None:
    good = client.token
    claims = json.loads(base64.urlsafe_b64decode(good.split(".")[1] + "=="))
    now = int(time.time())
    pool_id = claims["iss"].rsplit("/", 1)[1]
    unsigned = (
        ".".join(
            base64.urlsafe_b64encode(json.dumps(part).encode()).decode().rstrip("=")
            for part in ({"alg": "none", "typ": "JWT"}, claims)
        )
        + "."
    )
    forged = good.rsplit(".", 1)[0] + "." + base64.urlsafe_b64encode(b"x" * 256).decode().rstrip("=")
    refused = {
        "forged": forged,
        "expired": _signed({**claims, "iat": now - 7200, "exp": now - 3600}),
        "alg=none": unsigned,
        "wrong audience": _signed({**claims, "aud": "not-a-client-of-the-pool"}),
        "another pool": _signed({**claims, "iss": claims["iss"].replace(pool_id, f"{pool_id[:-4]}zzzz")}),
        "an access token": _signed({**claims, "token_use": "access"}),
    }
    for what, token in refused.items():
        answer = local_cloud.call("GET", "/orders", token)
        assert answer.status == 401, what
    assert local_cloud.call("GET", "/orders", _signed(claims)).status == 200, (
        "the control: only the claim differs"
    )

    mine = client.create()
    other = Client(local_cloud, client.ledger, f"rel-{uuid.uuid4().hex[:8]}")
    theirs = other.create()
    for method, path, body, headers in (
        ("GET", f"/orders/{mine['id']}", None, None),
        ("PATCH", f"/orders/{mine['id']}", {"currency": "EUR", "items": ITEMS}, {"If-Match": '"1"'}),
        ("POST", f"/orders/{mine['id']}/transitions", {"to": "CANCELLED"}, None),
        ("DELETE", f"/orders/{mine['id']}", None, None),
    ):
        answer = other.call(method, path, body, headers)
        assert (answer.status, answer.body["error"]["code"]) == (404, "order_not_found"), (method, path)
    assert [o["id"] for o in other.call("GET", "/orders").body["orders"]] == [theirs["id"]]
    wait_until(lambda: other.call("GET", "/stats").body["counts"]["DRAFT"] == 1, 30, "the other's stats")
    assert client.call("GET", f"/orders/{mine['id']}").body == mine, "untouched by the other tenant"


@pytest.mark.parametrize(
    ("service", "path"), [("orders", "/orders"), ("fulfilment", "/shipments/x/dispatch")]
)
def test_r6_each_api_is_what_its_openapi_document_says(
    local_cloud: LocalCloud, client: Client, service: str, path: str
) -> None:
    """schemathesis with every check, short (make test), on every service's API; its settings and
    why are in schemathesis.toml. The one check it leaves out, a method the API does not have, is
    asserted here as API Gateway answers it."""
    for method in ("TRACE", "PUT", "BREW"):
        answer = local_cloud.call(method, path, client.token, service=service)
        assert (answer.status, answer.body) == (403, {"message": "Missing Authentication Token"}), method
    examples = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "15")
    result = subprocess.run(
        [
            sys.executable, "-m", "schemathesis.cli", "--config-file", str(HERE / "schemathesis.toml"),
            "run", f"{local_cloud.url(service)}/openapi.json", "--url", local_cloud.url(service),
            "--header", f"Authorization: {client.token}", "--checks", "all",
            "--exclude-checks", "unsupported_method",
            "--max-examples", examples, "--seed", "1", "--no-color",
        ],
        env={**os.environ, "SCHEMATHESIS_HOOKS": "tests.reliability.schemathesis_hooks"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def test_r9_a_scheduled_run_that_keeps_failing_waits_in_its_on_failure_queue(
    local_cloud: LocalCloud, switch: str
) -> None:
    """The housekeeping function fails three times in a row (its invocations time out): Lambda's
    two retries, then the invocation record in the function's on-failure queue, with the
    schedule's input, for a person to replay (docs/operations.md)."""
    ssm = local_cloud.session.client("ssm", endpoint_url=local_cloud.endpoint)
    sqs = local_cloud.session.client("sqs", endpoint_url=local_cloud.endpoint)
    name = ssm.get_parameter(Name="/shop/local/orders/scheduled/on-failure-queue-name")["Parameter"]["Value"]
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    # A run takes 10-20 ms here: cut to 2 ms, each of the three attempts times out.
    timeout = {"kind": "timeout", "function": "shop-local-orders-scheduled", "seconds": 0.002, "times": 3}
    faults.add(switch, timeout)

    def record() -> dict[str, Any] | None:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1).get("Messages", [])
        for message in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        found: dict[str, Any] | None = json.loads(messages[0]["Body"]) if messages else None
        return found

    failed = wait_until(record, 60, "the failed run in the on-failure queue", interval=1)
    context = failed["requestContext"]
    assert (context["condition"], context["approximateInvokeCount"]) == ("RetriesExhausted", 3)
    assert context["functionArn"].endswith(":function:shop-local-orders-scheduled:live")
    assert {"scheduled_time", "execution_id", "schedule_arn"} <= set(failed["requestPayload"])
    assert "Task timed out" in failed["responsePayload"]["errorMessage"]
    assert faults.listing(switch) == []


class TestR7Faults:
    """Faults injected through the local cloud's fault switch (localcloud.faults), never by editing
    code; afterwards nothing is lost and nothing doubled."""

    def test_putevents_partial_failure(self, client: Client, switch: str) -> None:
        faults.add(switch, {"kind": "partial", "service": "events", "action": "PutEvents", "times": 5})
        workload(client)

    def test_throttling_of_the_processors_transaction(self, client: Client, switch: str) -> None:
        # The projection's transaction, and not the API's: only it updates the statistics item.
        throttle = {"kind": "error", "service": "dynamodb", "action": "TransactWriteItems",
                    "match": "SET #type = :type", "times": 12}  # fmt: skip
        faults.add(switch, throttle)
        workload(client)
        wait_until(lambda: faults.listing(switch) == [], 60, "the processor met every throttled call")

    def test_the_processor_timing_out_mid_batch(
        self, local_cloud: LocalCloud, client: Client, switch: str
    ) -> None:
        """The projection is written, then publishing hangs and the invocation is killed: the batch
        comes again, counts once, and its events are published."""
        faults.add(switch, {"kind": "delay", "service": "events", "action": "PutEvents", "seconds": 3})
        faults.add(switch, {"kind": "timeout", "function": "shop-local-orders-processor", "seconds": 1.5})
        workload(client)
        wait_until(
            lambda: (
                "Task timed out after 1.50 seconds" in local_cloud.started.log.read_text(errors="replace")
            ),
            60,
            "the processor timed out",
        )

    def test_a_schedule_slot_delivered_twice(
        self, local_cloud: LocalCloud, client: Client, switch: str
    ) -> None:
        workload(client)
        faults.add(switch, {"kind": "duplicate", "function": "shop-local-orders-scheduled", "copies": 1})
        wait_until(lambda: faults.listing(switch) == [], 60, "the schedule fired")


@dataclass(frozen=True)
class FulfilmentPoison:
    """A message the fulfilment consumer cannot read, sent to its queue, and where it ends up."""

    sqs: SQSClient
    queue: str
    dead_letter_queue: str
    body: str


@pytest.fixture(scope="module", autouse=True)
def fulfilment_poison(local_cloud: LocalCloud) -> FulfilmentPoison:
    """Sent as the first test of this module starts: its two receives, 30 s of visibility apart
    (seed 003), take a minute, which the tests up to R8, the last one, fill."""
    ssm = local_cloud.session.client("ssm", endpoint_url=local_cloud.endpoint)
    sqs = local_cloud.session.client("sqs", endpoint_url=local_cloud.endpoint)

    def queue(key: str) -> str:
        name = ssm.get_parameter(Name=f"/shop/local/fulfilment/consumer/{key}")["Parameter"]["Value"]
        url: str = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        return url

    body = json.dumps({"not": "an orders event", "id": uuid.uuid4().hex})
    poison = FulfilmentPoison(sqs, queue("queue-name"), queue("queue-dlq-name"), body)
    sqs.send_message(QueueUrl=poison.queue, MessageBody=poison.body)
    return poison


def test_r8_a_message_the_consumer_fails_twice_waits_alone_in_the_dead_letter_queue(
    client: Client, fulfilment_poison: FulfilmentPoison
) -> None:
    """The poison message of `fulfilment_poison`, sent when this module started, among the orders
    events of every test since, which the consumer can read: after two receives (the queue's
    maxReceiveCount) it is in the dead-letter queue, alone, and every order has its shipment
    meanwhile. The last test of the module, so that the others fill the minute it takes."""
    sqs, poison = fulfilment_poison.sqs, fulfilment_poison.body
    workload(client)
    dead_letters: list[str] = []

    def in_the_dead_letter_queue() -> bool:
        for message in sqs.receive_message(
            QueueUrl=fulfilment_poison.dead_letter_queue, MaxNumberOfMessages=10
        ).get("Messages", []):
            dead_letters.append(message["Body"])
            sqs.delete_message(
                QueueUrl=fulfilment_poison.dead_letter_queue, ReceiptHandle=message["ReceiptHandle"]
            )
        return poison in dead_letters

    wait_until(in_the_dead_letter_queue, 120, "the poison message in the dead-letter queue", interval=2)
    assert dead_letters == [poison], "nothing else gave up on"

    def left_on_the_queue() -> tuple[str, str]:
        attributes = sqs.get_queue_attributes(QueueUrl=fulfilment_poison.queue, AttributeNames=["All"])
        return (
            attributes["Attributes"]["ApproximateNumberOfMessages"],
            attributes["Attributes"]["ApproximateNumberOfMessagesNotVisible"],
        )

    # This test's own events may still be in the consumer's hands (not visible) for a moment.
    wait_until(lambda: left_on_the_queue() == ("0", "0"), 30, "the consumer's queue empty", interval=0.5)
