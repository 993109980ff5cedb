"""The fulfilment functions, invoked with the events of sam/fulfilment/events/ against the tables
Terraform made: the consumer applies each orders event once and in any order, the API reads and
dispatches shipments, the relay announces each dispatch, from the real records of the table's
stream, on the bus (read back from the local event tap)."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pytest

from localcloud.events import drain
from scripts.capture_stream_event import stream_records
from tests.conftest import FakeLambdaContext, failed_messages, function_module, queue_message

if TYPE_CHECKING:
    from tests.conftest import Emulator, LocalPlatform

pytestmark = pytest.mark.emulator

EVENTS = Path(__file__).resolve().parents[2] / "sam" / "fulfilment" / "events"
PLACED, CANCELLED = json.loads((EVENTS / "consumer" / "orders-events.json").read_text())["Records"]


@pytest.fixture(scope="module")
def consumer(local_platform: LocalPlatform, emulator: Emulator) -> Iterator[ModuleType]:
    with function_module("ConsumerFunction", emulator, service="fulfilment") as module:
        yield module


@pytest.fixture(scope="module")
def relay(local_platform: LocalPlatform, emulator: Emulator) -> Iterator[ModuleType]:
    with function_module("RelayFunction", emulator, service="fulfilment") as module:
        yield module


@pytest.fixture(scope="module")
def api(local_platform: LocalPlatform, emulator: Emulator) -> Iterator[ModuleType]:
    with function_module("ApiFunction", emulator, service="fulfilment") as module:
        yield module


def order_id() -> str:
    return "01JD" + uuid.uuid4().hex.upper()[:22].translate(str.maketrans("ILOU", "JKMN"))


def message(template: dict[str, Any], tenant: str, order: str, event_id: str | None = None) -> dict[str, Any]:
    """A queue message of the sample, for another tenant, order and event id."""
    return queue_message(template, tenant, order, {"id": order}, event_id)


def request(api: ModuleType, name: str, tenant: str, order: str) -> tuple[int, Any]:
    event = json.loads((EVENTS / "api" / f"{name}.json").read_text())
    event["path"] = event["path"].replace(event["pathParameters"]["order_id"], order)
    event["pathParameters"] = {"order_id": order}
    event["requestContext"]["authorizer"]["claims"]["custom:tenant"] = tenant
    answer = api.lambda_handler(event, FakeLambdaContext())
    return answer["statusCode"], json.loads(answer["body"])


@pytest.fixture
def tenant() -> str:
    return f"t-{uuid.uuid4().hex[:10]}"


def test_a_placed_order_gets_a_pending_shipment_once(
    consumer: ModuleType, api: ModuleType, tenant: str
) -> None:
    order = order_id()
    placed = message(PLACED, tenant, order)
    assert failed_messages(consumer, placed) == []
    status, shipment = request(api, "get-shipment", tenant, order)
    assert (status, shipment["status"], shipment["placed_at"]) == (200, "PENDING", "2026-11-23T10:00:00Z")

    assert failed_messages(consumer, {**placed, "messageId": str(uuid.uuid4())}) == []  # a redelivery
    assert request(api, "get-shipment", tenant, order) == (status, shipment)


def test_a_cancellation_that_arrives_first_wins_over_the_placement(
    consumer: ModuleType, api: ModuleType, tenant: str
) -> None:
    order = order_id()
    assert failed_messages(consumer, message(CANCELLED, tenant, order)) == []
    assert failed_messages(consumer, message(PLACED, tenant, order)) == []
    status, shipment = request(api, "get-shipment", tenant, order)
    assert (status, shipment["status"], shipment["placed_at"]) == (200, "CANCELLED", None)
    status, refused = request(api, "dispatch", tenant, order)
    assert (status, refused["error"]["code"], refused["error"]["details"]["status"]) == (
        409,
        "not_dispatchable",
        "CANCELLED",
    )


def test_the_cancellation_of_a_draft_concerns_no_shipment(
    consumer: ModuleType, api: ModuleType, tenant: str
) -> None:
    order = order_id()
    draft_cancelled = message(CANCELLED, tenant, order)
    body = json.loads(draft_cancelled["body"])
    body["detail"]["data"]["previous_status"] = "DRAFT"
    assert failed_messages(consumer, {**draft_cancelled, "body": json.dumps(body)}) == []
    assert request(api, "get-shipment", tenant, order)[0] == 404


def test_a_dispatched_shipment_stays_dispatched_when_its_order_is_cancelled(
    consumer: ModuleType, api: ModuleType, tenant: str
) -> None:
    order = order_id()
    assert failed_messages(consumer, message(PLACED, tenant, order)) == []
    status, dispatched = request(api, "dispatch", tenant, order)
    assert (status, dispatched["status"]) == (200, "DISPATCHED")
    assert request(api, "dispatch", tenant, order)[0] == 409, "dispatched once"

    assert failed_messages(consumer, message(CANCELLED, tenant, order)) == []
    assert request(api, "get-shipment", tenant, order)[1]["status"] == "DISPATCHED"


def test_a_message_that_is_not_an_orders_event_fails_alone(
    consumer: ModuleType, api: ModuleType, tenant: str
) -> None:
    order = order_id()
    broken = {**message(PLACED, tenant, order), "body": "{not json"}
    fine = message(PLACED, tenant, order)
    assert failed_messages(consumer, broken, fine) == [broken["messageId"]]
    assert request(api, "get-shipment", tenant, order)[1]["status"] == "PENDING"


def test_another_tenant_sees_no_shipment_and_a_malformed_id_none_either(
    consumer: ModuleType, api: ModuleType, tenant: str
) -> None:
    order = order_id()
    assert failed_messages(consumer, message(PLACED, tenant, order)) == []
    status, answer = request(api, "get-shipment", f"{tenant}-other", order)
    assert (status, answer["error"]["code"]) == (404, "shipment_not_found")
    assert request(api, "dispatch", f"{tenant}-other", order)[0] == 404
    assert request(api, "get-shipment", tenant, "not-an-order")[0] == 404


def table_records(emulator: Emulator, tenant: str) -> list[dict[str, Any]]:
    """The tenant's records on the stream of the fulfilment table, as Lambda delivers them."""
    ssm = emulator.session.client("ssm", endpoint_url=emulator.endpoint)
    table = ssm.get_parameter(Name="/shop/local/fulfilment/data/table-name")["Parameter"]["Value"]
    dynamodb = emulator.session.client("dynamodb", endpoint_url=emulator.endpoint)
    streams = emulator.session.client("dynamodbstreams", endpoint_url=emulator.endpoint)
    return stream_records(dynamodb, streams, table, tenant)


def test_the_relay_announces_each_dispatch_once_and_nothing_else(
    consumer: ModuleType, api: ModuleType, relay: ModuleType, emulator: Emulator, tenant: str
) -> None:
    dispatched, cancelled = order_id(), order_id()
    assert (
        failed_messages(consumer, message(PLACED, tenant, dispatched), message(PLACED, tenant, cancelled))
        == []
    )
    assert failed_messages(consumer, message(CANCELLED, tenant, cancelled)) == []
    assert request(api, "dispatch", tenant, dispatched)[0] == 200
    records = table_records(emulator, tenant)
    assert len(records) == 7  # two shipments and three event markers written, one cancelled, one dispatched
    drain(emulator.endpoint)

    answer = relay.lambda_handler({"Records": records}, FakeLambdaContext())
    assert answer == {"batchItemFailures": []}
    [event] = [e for e in drain(emulator.endpoint) if e["detail"].get("tenant") == tenant]
    [dispatch] = [
        r for r in records if r["dynamodb"].get("NewImage", {}).get("status") == {"S": "DISPATCHED"}
    ]
    assert event["detail-type"] == "fulfilment.shipment.dispatched"
    assert event["source"] == "/shop/local/fulfilment"
    detail = event["detail"]
    assert (detail["specversion"], detail["id"], detail["subject"]) == (
        "1.0",
        dispatch["eventID"],
        dispatched,
    )
    assert detail["data"] == {
        "order_id": dispatched,
        "status": "DISPATCHED",
        "dispatched_at": dispatch["dynamodb"]["NewImage"]["dispatched_at"]["S"],
    }

    # A batch delivered again is published again under the same ids: consumers drop the copy.
    assert relay.lambda_handler({"Records": records}, FakeLambdaContext()) == answer
    assert [e["detail"]["id"] for e in drain(emulator.endpoint) if e["detail"].get("tenant") == tenant] == [
        dispatch["eventID"]
    ]


def test_an_unreadable_record_fails_alone_and_the_committed_sample_is_a_real_record(
    consumer: ModuleType, api: ModuleType, relay: ModuleType, emulator: Emulator, tenant: str
) -> None:
    order = order_id()
    assert failed_messages(consumer, message(PLACED, tenant, order)) == []
    assert request(api, "dispatch", tenant, order)[0] == 200
    [real] = [r for r in table_records(emulator, tenant) if r["eventName"] == "MODIFY"]
    sample = json.loads((EVENTS / "relay" / "shipment-dispatched.json").read_text())["Records"][0]

    def shape(value: Any, path: str = "") -> set[str]:
        if isinstance(value, dict):
            return {p for k, v in value.items() for p in shape(v, f"{path}/{k}")} | {path}
        return {path}

    assert shape(sample) == shape(real)
    broken = copy.deepcopy(real)
    del broken["dynamodb"]["NewImage"]["order_id"]
    broken["dynamodb"]["SequenceNumber"] = "1"
    drain(emulator.endpoint)
    answer = relay.lambda_handler({"Records": [broken, real]}, FakeLambdaContext())
    assert answer == {"batchItemFailures": [{"itemIdentifier": "1"}]}
    assert [
        e["detail"]["subject"] for e in drain(emulator.endpoint) if e["detail"].get("tenant") == tenant
    ] == [order]
