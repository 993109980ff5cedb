"""Each service's app and its template's REST API have the same routes: a route the app has but no
`Api` event gives it is a 403 from API Gateway (on AWS and locally) with no trace in the function's
logs; an event without a route is a 404 from the app. Nothing else compares them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from localcloud.template import Template
from scripts.sam_template import SERVICES, template_path
from tests.conftest import function_module

if TYPE_CHECKING:
    from tests.conftest import Emulator, LocalPlatform

pytestmark = pytest.mark.emulator

# Served by every app (splitstack.api.app), outside its OpenAPI document.
UNDOCUMENTED = {("GET", "/openapi.json")}


@pytest.mark.parametrize("service", SERVICES)
def test_every_route_is_an_api_event_and_every_api_event_a_route(
    service: str, local_platform: LocalPlatform, emulator: Emulator
) -> None:
    ssm = emulator.session.client("ssm", endpoint_url=emulator.endpoint)
    [api] = Template(ssm, template_path(service)).rest_apis()
    events = {(m.method, m.path) for m in api.methods}
    with function_module("ApiFunction", emulator, service=service) as module:
        schema = module.app.get_openapi_schema()
    routes = {
        (method.upper(), path)
        for path, item in (schema.paths or {}).items()
        for method in item.model_dump(exclude_none=True)
    }
    routes |= UNDOCUMENTED
    assert sorted(routes - events) == [], "routes of the app without an Api event in the template"
    assert sorted(events - routes) == [], "Api events of the template without a route in the app"
