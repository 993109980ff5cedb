"""The whole system through HTTP on the running local cloud (`make local`): the real Terraform
applied to the emulator, the real template's functions behind the local API Gateway, the stream
poller and the scheduler. Tests run in file order; the last one stops the cloud as Ctrl-C does."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from scripts import smoke
from tests.cloud import LocalCloud, _alive, _port_free, wait_until

ITEMS = [{"sku": "SKU-1", "quantity": 2, "unit_price": 1250}]


def tenant() -> str:
    return f"e2e-{uuid.uuid4().hex[:8]}"


def create(cloud: LocalCloud, token: str, currency: str = "EUR") -> dict[str, Any]:
    response = cloud.call("POST", "/orders", token, {"currency": currency, "items": ITEMS})
    assert response.status == 201, response.body
    order: dict[str, Any] = response.body
    return order


def test_the_gateway_answers_for_itself_like_api_gateway(local_cloud: LocalCloud) -> None:
    assert local_cloud.call("GET", "/health").body == {"status": "ok"}

    no_route = local_cloud.call("GET", "/nowhere")
    assert (no_route.status, no_route.body) == (403, {"message": "Missing Authentication Token"})
    assert no_route.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    wrong_method = local_cloud.call("PUT", "/orders")
    assert wrong_method.status == 403
    request = urllib.request.Request(f"http://127.0.0.1:{local_cloud.started.api_port}/nowhere/health")
    with pytest.raises(urllib.error.HTTPError) as no_service:
        urllib.request.urlopen(request, timeout=10)  # noqa: S310  # loopback
    assert (no_service.value.code, json.loads(no_service.value.read())) == (403, {"message": "Forbidden"})

    assert local_cloud.call("GET", "/orders").status == 401
    token = local_cloud.token(tenant())
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["custom:tenant"] = "someone-else"
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    for bad in ("not-a-jwt", f"{header}.{forged_payload}.{signature}"):
        refused = local_cloud.call("GET", "/orders", bad)
        assert (refused.status, refused.body) == (401, {"message": "Unauthorized"})
    assert local_cloud.call("GET", "/orders", f"Bearer {token}").status == 200


def test_an_order_lives_its_life_through_the_api(local_cloud: LocalCloud) -> None:
    token = local_cloud.token(tenant())
    order = create(local_cloud, token)
    assert order["status"] == "DRAFT"

    got = local_cloud.call("GET", f"/orders/{order['id']}", token)
    assert got.status == 200
    assert got.body == order
    assert got.headers["ETag"] == '"1"'

    others = [create(local_cloud, token)["id"] for _ in range(4)]
    seen, cursor = [], None
    while True:
        page = local_cloud.call(
            "GET", "/orders?limit=2" + (f"&cursor={cursor}" if cursor else ""), token
        ).body
        assert len(page["orders"]) <= 2
        seen += [o["id"] for o in page["orders"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted([order["id"], *others])

    revised_items = [{"sku": "SKU-2", "quantity": 1, "unit_price": 999}]
    revision = {"currency": "EUR", "items": revised_items}
    assert local_cloud.call("PATCH", f"/orders/{order['id']}", token, revision).status == 428
    revised = local_cloud.call("PATCH", f"/orders/{order['id']}", token, revision, {"If-Match": '"1"'})
    assert (revised.status, revised.body["version"], revised.body["total"]) == (200, 2, 999)
    stale = local_cloud.call("PATCH", f"/orders/{order['id']}", token, revision, {"If-Match": '"1"'})
    assert stale.status == 412

    placed = local_cloud.call("POST", f"/orders/{order['id']}/transitions", token, {"to": "PLACED"})
    assert placed.body["status"] == "PLACED"
    assert (
        local_cloud.call("POST", f"/orders/{order['id']}/transitions", token, {"to": "SHIPPED"}).status == 422
    )

    assert (
        local_cloud.call("DELETE", f"/orders/{others[0]}", token, headers={"If-Match": '"1"'}).status == 204
    )
    assert local_cloud.call("GET", f"/orders/{others[0]}", token).status == 404


def shipment(local_cloud: LocalCloud, token: str, order_id: str, status: str) -> dict[str, Any]:
    """The order's shipment once it has this status, through the fulfilment API."""

    def current() -> dict[str, Any] | None:
        answer = local_cloud.call("GET", f"/shipments/{order_id}", token, service="fulfilment")
        found: dict[str, Any] | None = answer.body if answer.status == 200 else None
        return found if found is not None and found["status"] == status else None

    found: dict[str, Any] = wait_until(current, 10, f"shipment of {order_id} {status}", interval=0.1)
    return found


def order_status(local_cloud: LocalCloud, token: str, order_id: str, status: str) -> dict[str, Any]:
    """The order once it has this status."""

    def current() -> dict[str, Any] | None:
        found: dict[str, Any] = local_cloud.call("GET", f"/orders/{order_id}", token).body
        return found if found["status"] == status else None

    found: dict[str, Any] = wait_until(current, 10, f"order {order_id} {status}", interval=0.1)
    return found


def test_a_placed_order_is_shipped_by_fulfilment_and_a_cancelled_one_never(local_cloud: LocalCloud) -> None:
    """orders -> its outbox on the stream -> the bus -> the fulfilment queue -> its consumer, and
    back: the dispatch -> fulfilment's outbox -> the bus -> the orders shipping queue -> SHIPPED."""
    token = local_cloud.token(tenant())
    placed = create(local_cloud, token)
    assert local_cloud.call("GET", f"/shipments/{placed['id']}", token, service="fulfilment").status == 404
    local_cloud.call("POST", f"/orders/{placed['id']}/transitions", token, {"to": "PLACED"})
    assert shipment(local_cloud, token, placed["id"], "PENDING")["placed_at"] is not None
    dispatched = local_cloud.call("POST", f"/shipments/{placed['id']}/dispatch", token, service="fulfilment")
    assert (dispatched.status, dispatched.body["status"]) == (200, "DISPATCHED")
    shipped = order_status(local_cloud, token, placed["id"], "SHIPPED")
    assert shipped["version"] == 3  # created, placed, shipped: once, whatever the deliveries
    refused = local_cloud.call("POST", f"/orders/{placed['id']}/transitions", token, {"to": "CANCELLED"})
    assert (refused.status, refused.body["error"]["code"]) == (409, "illegal_transition")

    # Placed and cancelled at once: whichever event the consumer sees first, the shipment ends
    # cancelled and cannot be dispatched.
    cancelled = create(local_cloud, token)
    local_cloud.call("POST", f"/orders/{cancelled['id']}/transitions", token, {"to": "PLACED"})
    local_cloud.call("POST", f"/orders/{cancelled['id']}/transitions", token, {"to": "CANCELLED"})
    shipment(local_cloud, token, cancelled["id"], "CANCELLED")
    refused = local_cloud.call("POST", f"/shipments/{cancelled['id']}/dispatch", token, service="fulfilment")
    assert (refused.status, refused.body["error"]["code"]) == (409, "not_dispatchable")

    other = local_cloud.token(tenant())
    assert local_cloud.call("GET", f"/shipments/{placed['id']}", other, service="fulfilment").status == 404


def test_a_cancellation_racing_the_dispatch_never_ships_a_cancelled_order(local_cloud: LocalCloud) -> None:
    """The dispatch and the cancellation at once, each in its own service: either the dispatch's
    event reached orders first (the order is SHIPPED, the cancellation refused), or the
    cancellation won there (the order stays CANCELLED, the shipping consumer says so in its log
    and fulfilment keeps its shipment DISPATCHED): never a cancelled order that ships."""
    token = local_cloud.token(tenant())
    order = create(local_cloud, token)
    local_cloud.call("POST", f"/orders/{order['id']}/transitions", token, {"to": "PLACED"})
    shipment(local_cloud, token, order["id"], "PENDING")
    dispatched = local_cloud.call("POST", f"/shipments/{order['id']}/dispatch", token, service="fulfilment")
    cancelled = local_cloud.call("POST", f"/orders/{order['id']}/transitions", token, {"to": "CANCELLED"})
    assert dispatched.status == 200
    if cancelled.status == 409:  # the dispatch got there first
        order_status(local_cloud, token, order["id"], "SHIPPED")
        return
    assert cancelled.status == 200, cancelled.body

    def warned() -> bool:
        lines = local_cloud.started.log.read_text(errors="replace").splitlines()
        return any(
            "a cancelled order's shipment was dispatched" in line and order["id"] in line for line in lines
        )

    wait_until(warned, 10, "the shipping consumer's warning")
    final = local_cloud.call("GET", f"/orders/{order['id']}", token).body
    assert (final["status"], final["version"]) == ("CANCELLED", 3)
    assert local_cloud.call("GET", f"/shipments/{order['id']}", token, service="fulfilment").body[
        "status"
    ] == ("DISPATCHED")


def test_a_tenant_cannot_reach_another_tenants_orders(local_cloud: LocalCloud) -> None:
    alice, bob = local_cloud.token(tenant()), local_cloud.token(tenant())
    order = create(local_cloud, alice)
    for method, path, body in (
        ("GET", f"/orders/{order['id']}", None),
        ("PATCH", f"/orders/{order['id']}", {"currency": "EUR", "items": ITEMS}),
        ("POST", f"/orders/{order['id']}/transitions", {"to": "CANCELLED"}),
        ("DELETE", f"/orders/{order['id']}", None),
    ):
        headers = {"If-Match": '"1"'} if method == "PATCH" else None
        assert local_cloud.call(method, path, bob, body, headers).status == 404, (method, path)
    assert local_cloud.call("GET", "/orders", bob).body["orders"] == []
    assert local_cloud.call("GET", f"/orders/{order['id']}", alice).body["status"] == "DRAFT"


def test_the_read_model_converges_and_each_change_arrives_once_on_the_tap(local_cloud: LocalCloud) -> None:
    name = tenant()
    token = local_cloud.token(name)
    kept = create(local_cloud, token)
    placed = create(local_cloud, token, currency="USD")
    local_cloud.call("POST", f"/orders/{placed['id']}/transitions", token, {"to": "PLACED"})
    gone = create(local_cloud, token)
    local_cloud.call("DELETE", f"/orders/{gone['id']}", token)

    expected = {
        "counts": {"DRAFT": 1, "PLACED": 1, "SHIPPED": 0, "CANCELLED": 0},
        "placed_revenue": {"USD": 2500},
    }
    wait_until(
        lambda: local_cloud.call("GET", "/stats", token).body == expected, 30, "the read model converges"
    )

    def tenant_events() -> list[dict[str, Any]]:
        return [e["detail"] for e in local_cloud.events() if e["detail"].get("tenant") == name]

    changes = 5  # three creations, one placement, one deletion
    events = wait_until(
        lambda: len({e["id"] for e in tenant_events()}) >= changes and tenant_events(), 30, "events"
    )
    by_id: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        by_id.setdefault(event["id"], []).append(event)
    assert len(by_id) == changes
    assert all(copy == copies[0] for copies in by_id.values() for copy in copies), (
        "a redelivery changed an event"
    )
    assert sorted(e[0]["type"] for e in by_id.values()) == sorted(
        ["orders.order.created"] * 3 + ["orders.order.placed", "orders.order.deleted"]
    )
    assert {e[0]["subject"] for e in by_id.values()} == {kept["id"], placed["id"], gone["id"]}


def test_a_poison_record_ends_in_the_on_failure_queue_and_its_neighbours_are_applied(
    local_cloud: LocalCloud,
) -> None:
    aws = local_cloud.session
    ssm = aws.client("ssm", endpoint_url=local_cloud.endpoint)
    table = ssm.get_parameter(Name="/shop/local/orders/data/table-name")["Parameter"]["Value"]
    failure_queue = ssm.get_parameter(Name="/shop/local/orders/processor/failure-queue-name")["Parameter"][
        "Value"
    ]
    dynamodb = aws.client("dynamodb", endpoint_url=local_cloud.endpoint)
    sqs = aws.client("sqs", endpoint_url=local_cloud.endpoint)

    name = tenant()
    token = local_cloud.token(name)
    before = create(local_cloud, token)
    poison_key = {"pk": {"S": f"TENANT#{name}"}, "sk": {"S": f"ORDER#POISON{uuid.uuid4().hex[:10].upper()}"}}
    dynamodb.put_item(TableName=table, Item={**poison_key, "status": {"S": "NOT-A-STATUS"}})
    after = create(local_cloud, token)

    queue_url = sqs.get_queue_url(QueueName=failure_queue)["QueueUrl"]

    def in_range_of(info: dict[str, Any]) -> list[dict[str, Any]]:
        records = _stream_records(local_cloud, info["streamArn"], info["shardId"])
        first, last = int(info["startSequenceNumber"]), int(info["endSequenceNumber"])
        return [
            r for r in records
            if first <= int(r["dynamodb"]["SequenceNumber"]) <= last
            and r["dynamodb"]["Keys"]["sk"]["S"].startswith("ORDER#")
        ]  # fmt: skip

    def failure_message() -> dict[str, Any] | None:
        """This test's on-failure message: the one whose range starts at its poison record (an
        earlier test's poison may still be on its way to the same queue)."""
        for received in sqs.receive_message(
            QueueUrl=queue_url, WaitTimeSeconds=1, MaxNumberOfMessages=10
        ).get("Messages", []):
            body: dict[str, Any] = json.loads(received["Body"])
            if in_range_of(body["DDBStreamBatchInfo"])[0]["dynamodb"]["Keys"] == poison_key:
                return body
        return None

    message = wait_until(failure_message, 60, "the on-failure message of the poison record")
    info = message["DDBStreamBatchInfo"]
    in_range = in_range_of(info)
    assert info["batchSize"] == len(in_range)
    assert message["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert (
        message["requestContext"]["approximateInvokeCount"] == 6
    )  # the first try and MaximumRetryAttempts 5
    assert message["requestContext"]["functionArn"].endswith(":function:shop-local-orders-processor")

    expected = {"counts": {"DRAFT": 2, "PLACED": 0, "SHIPPED": 0, "CANCELLED": 0}, "placed_revenue": {}}
    wait_until(
        lambda: local_cloud.call("GET", "/stats", token).body == expected, 30, "the neighbours applied"
    )
    subjects = {e["detail"]["subject"] for e in local_cloud.events() if e["detail"].get("tenant") == name}
    assert subjects == {before["id"], after["id"]}


def _stream_records(cloud: LocalCloud, stream_arn: str, shard_id: str) -> list[dict[str, Any]]:
    streams = cloud.session.client("dynamodbstreams", endpoint_url=cloud.endpoint)
    iterator = streams.get_shard_iterator(
        StreamArn=stream_arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records: list[dict[str, Any]] = []
    while iterator:
        page = streams.get_records(ShardIterator=iterator, Limit=1000)
        records += [dict(r) for r in page["Records"]]
        iterator = page.get("NextShardIterator", "") if page["Records"] else ""
    return records


def test_the_schedule_expires_an_old_draft(local_cloud: LocalCloud) -> None:
    aws = local_cloud.session
    ssm = aws.client("ssm", endpoint_url=local_cloud.endpoint)
    table = ssm.get_parameter(Name="/shop/local/orders/data/table-name")["Parameter"]["Value"]
    name = tenant()
    token = local_cloud.token(name)
    old, fresh = create(local_cloud, token), create(local_cloud, token)
    eight_days_ago = (datetime.now(UTC) - timedelta(days=8)).isoformat()
    aws.client("dynamodb", endpoint_url=local_cloud.endpoint).update_item(
        TableName=table,
        Key={"pk": {"S": f"TENANT#{name}"}, "sk": {"S": f"ORDER#{old['id']}"}},
        UpdateExpression="SET updated_at = :then",
        ExpressionAttributeValues={":then": {"S": eight_days_ago}},
    )

    expired = wait_until(
        lambda: (
            (o := local_cloud.call("GET", f"/orders/{old['id']}", token).body)["status"] == "CANCELLED" and o
        ),
        60,
        "the housekeeping schedule expires the old draft",
    )
    assert expired["cancel_reason"] == "expired"
    assert local_cloud.call("GET", f"/orders/{fresh['id']}", token).body["status"] == "DRAFT"


def test_the_deploy_workflows_smoke_test_passes_on_the_local_cloud(
    local_cloud: LocalCloud, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """scripts/smoke.py, as deploy.yml runs it after `sam deploy`, with a user of a smoke tenant."""
    local_cloud.token("smoke")  # creates the user; its password is set again below
    pool, client_id = local_cloud.user_pool()
    password = f"Smoke-{uuid.uuid4().hex}1!"
    cognito = local_cloud.session.client("cognito-idp", endpoint_url=local_cloud.endpoint)
    cognito.admin_set_user_password(
        UserPoolId=pool, Username="smoke-user@example.com", Password=password, Permanent=True
    )
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")  # deploy.yml's credentials step sets it
    monkeypatch.setenv("SMOKE_USERNAME", "smoke-user@example.com")
    monkeypatch.setenv("SMOKE_PASSWORD", password)
    arguments = [
        "--api-url",
        local_cloud.api,
        "--client-id",
        client_id,
        "--cognito-endpoint",
        local_cloud.endpoint,
    ]

    smoke.main(arguments)
    assert "smoke test passed" in capsys.readouterr().out

    monkeypatch.setenv("SMOKE_PASSWORD", "wrong-Password-1!")
    with pytest.raises(SystemExit) as failed:
        smoke.main(arguments)
    assert failed.value.code == 1
    out = capsys.readouterr().out
    assert "smoke test failed: the smoke user could not sign in" in out
    assert "How this deployment rolls back" in out


def test_ctrl_c_stops_every_process_and_frees_the_ports(local_cloud: LocalCloud) -> None:
    code, started = local_cloud.stop()
    assert code == 0
    assert started, "the local cloud had started the emulator and the functions"
    assert not [pid for pid in started if _alive(pid)]
    assert _port_free(local_cloud.started.api_port)
    assert _port_free(local_cloud.started.aws_port)
