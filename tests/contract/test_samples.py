"""The sample services, orders and fulfilment, are the template's services with the functions
their code expects (a project made without the samples has none of this file)."""

from __future__ import annotations

from scripts.contract import template_functions
from scripts.sam_template import SERVICES, load_template, template_path


def test_the_samples_are_the_services() -> None:
    assert {"fulfilment", "orders"} <= set(SERVICES)
    assert template_functions(load_template(template_path("orders"))) == {
        "api": "api",
        "processor": "stream",
        "scheduled": "schedule",
        "shipping": "queue",
    }
    assert template_functions(load_template(template_path("fulfilment"))) == {
        "api": "api",
        "consumer": "queue",
        "relay": "stream",
    }
