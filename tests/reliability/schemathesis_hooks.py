"""schemathesis hooks of R6 (tests/reliability/test_reliability.py), loaded by SCHEMATHESIS_HOOKS.
Both mend a generated request just before it is sent, whatever the phase that made it."""

from __future__ import annotations

import uuid
from typing import Any

import schemathesis


@schemathesis.hook
def before_call(_context: Any, case: Any, **_kwargs: Any) -> None:
    """A fresh Idempotency-Key for every request: the fuzzer draws one key for different bodies,
    which the API answers 422 by design (R4 tests it). And each sku once per order: a rule JSON
    Schema cannot state for an array of objects (the API answers 422, as its document says)."""
    if case.headers and "Idempotency-Key" in case.headers:
        case.headers["Idempotency-Key"] = str(uuid.uuid4())
    items = case.body.get("items") if isinstance(case.body, dict) else None
    if isinstance(items, list):
        seen: set[str] = set()
        for n, item in enumerate(items):
            if isinstance(item, dict) and isinstance(item.get("sku"), str):
                if item["sku"] in seen:
                    item["sku"] = f"{item['sku'][:58]}-{n}"
                seen.add(item["sku"])
