"""The local cloud's own rules, without an emulator: event filters, schedule expressions, proxy
responses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from localcloud.apigateway import base_path, proxy_response
from localcloud.scheduler import Schedule
from localcloud.streams import EventFilter
from localcloud.template import TemplateError

ORDER_ONLY = {"Filters": [{"Pattern": '{"dynamodb": {"Keys": {"sk": {"S": [{"prefix": "ORDER#"}]}}}}'}]}


def record(sk: str, event_name: str = "INSERT") -> dict[str, object]:
    return {"eventName": event_name, "dynamodb": {"Keys": {"pk": {"S": "TENANT#a"}, "sk": {"S": sk}}}}


def test_the_templates_filter_passes_orders_and_drops_the_read_model() -> None:
    orders_only = EventFilter(ORDER_ONLY)
    assert orders_only.matches(record("ORDER#01H"))
    assert not orders_only.matches(record("STATS"))
    assert not orders_only.matches({"eventName": "INSERT"})


def test_filters_are_or_and_know_the_documented_operators() -> None:
    names = EventFilter(
        {
            "Filters": [
                {"Pattern": '{"eventName": ["REMOVE"]}'},
                {"Pattern": '{"dynamodb": {"Keys": {"sk": {"S": [{"anything-but": ["STATS"]}]}}}}'},
            ]
        }
    )
    assert names.matches(record("STATS", "REMOVE"))
    assert names.matches(record("ORDER#1"))
    assert not names.matches(record("STATS"))
    exists = EventFilter({"Filters": [{"Pattern": '{"dynamodb": {"OldImage": [{"exists": false}]}}'}]})
    assert exists.matches(record("ORDER#1"))
    numeric = EventFilter({"Filters": [{"Pattern": '{"size": [{"numeric": [">", 10, "<=", 20]}]}'}]})
    assert numeric.matches({"size": 20})
    assert not numeric.matches({"size": 10})
    assert EventFilter(None).matches({})


def test_a_filter_that_cannot_be_reproduced_is_refused() -> None:
    with pytest.raises(TemplateError, match="not JSON"):
        EventFilter({"Filters": [{"Pattern": "{not json"}]})
    with pytest.raises(TemplateError, match="not reproduced"):
        EventFilter({"Filters": [{"Pattern": '{"a": [{"cidr": "10.0.0.0/8"}]}'}]}).matches({"a": "10.0.0.1"})


START = datetime(2026, 11, 23, 14, 7, 30, tzinfo=UTC)


def test_a_rate_fires_every_period_after_its_creation() -> None:
    hourly = Schedule.parse("rate(1 hour)")
    first = hourly.next_after(START, START)
    assert first == START + timedelta(hours=1)
    assert hourly.next_after(first, START) == START + timedelta(hours=2)
    assert Schedule.parse("rate(5 minutes)").next_after(START, START) == START + timedelta(minutes=5)


def test_a_cron_fires_on_its_fields_in_utc() -> None:
    top_of_hour = Schedule.parse("cron(0 * * * ? *)")
    assert top_of_hour.next_after(START, START) == datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    weekdays = Schedule.parse("cron(30 2 ? * MON-FRI *)")
    assert weekdays.next_after(datetime(2026, 11, 27, 3, 0, tzinfo=UTC), START) == datetime(
        2026, 11, 30, 2, 30, tzinfo=UTC
    )  # Friday 03:00 -> Monday 02:30
    quarter = Schedule.parse("cron(0/15 * * * ? *)")
    assert quarter.next_after(START, START) == datetime(2026, 11, 23, 14, 15, tzinfo=UTC)
    once = Schedule.parse("at(2026-12-01T08:00:00)")
    assert once.next_after(START, START) == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert once.next_after(datetime(2026, 12, 2, tzinfo=UTC), START) is None


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("every hour", "is not rate"),
        ("cron(0 12 * * * *)", "must be \\?"),
        ("cron(0 12 L * ? *)", "not reproduced"),
        ("cron(0 25 * * ? *)", "outside 0-23"),
    ],
)
def test_an_expression_the_local_scheduler_cannot_honour_is_refused(expression: str, message: str) -> None:
    with pytest.raises(TemplateError, match=message):
        Schedule.parse(expression)


def test_a_proxy_response_becomes_http() -> None:
    status, headers, body = proxy_response(
        {
            "statusCode": 201,
            "headers": {"Location": "/catalog/1"},
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
            "body": '{"id": "1"}',
        }
    )
    assert (status, body) == (201, b'{"id": "1"}')
    assert headers == {"Set-Cookie": ["a=1", "b=2"], "Location": ["/catalog/1"]}
    assert proxy_response({"statusCode": 200, "body": "aGk=", "isBase64Encoded": True})[2] == b"hi"


@pytest.mark.parametrize(
    "result", [None, "ok", {"body": "x"}, {"statusCode": "200"}, {"statusCode": 200, "body": 1}]
)
def test_a_malformed_proxy_response_is_an_error(result: object) -> None:
    with pytest.raises(TypeError):
        proxy_response(result)


@pytest.mark.parametrize(
    ("path", "service", "seen"),
    [
        ("/catalog/catalog/1", "catalog", "/catalog/1"),
        ("/catalog", "catalog", "/"),
        ("/catalog/", "catalog", "/"),
        ("/delivery/shipments/a/dispatch", "delivery", "/shipments/a/dispatch"),
        ("/", "", "/"),
    ],
)
def test_the_first_segment_names_the_service_and_its_api_sees_the_rest(
    path: str, service: str, seen: str
) -> None:
    assert base_path(path) == (service, seen)
