"""Domain errors. The API maps each code to one HTTP status in one place."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A request the domain refuses; `code` is stable and part of the API's error shape."""

    code = "domain_error"

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class OrderNotFound(DomainError):
    """No such order for this tenant; another tenant's order is reported the same way."""

    code = "order_not_found"

    def __init__(self, order_id: str) -> None:
        super().__init__(f"order {order_id} not found", {"id": order_id})


class IllegalTransition(DomainError):
    """The order's status does not allow the requested move."""

    code = "illegal_transition"

    def __init__(self, order_id: str, current: str, target: str) -> None:
        super().__init__(
            f"order {order_id} cannot go from {current} to {target}",
            {"id": order_id, "status": current, "to": target},
        )


class NotADraft(DomainError):
    """Only drafts can be changed or deleted."""

    code = "not_a_draft"

    def __init__(self, order_id: str, current: str) -> None:
        super().__init__(
            f"order {order_id} is {current}, only drafts can change", {"id": order_id, "status": current}
        )


class VersionConflict(DomainError):
    """The caller's version (If-Match) is not the order's current version."""

    code = "version_conflict"

    def __init__(self, order_id: str, expected: int, actual: int) -> None:
        super().__init__(
            f"order {order_id} is at version {actual}, not {expected}",
            {"id": order_id, "expected": expected, "actual": actual},
        )


class InvalidCursor(DomainError):
    """The list cursor was not produced by this service for this tenant and query."""

    code = "invalid_cursor"

    def __init__(self) -> None:
        super().__init__("the cursor is not valid for this list; start again without it")


class IdempotencyKeyReused(DomainError):
    """The same Idempotency-Key came back with a different request body."""

    code = "idempotency_key_reused"

    def __init__(self, key: str) -> None:
        super().__init__(
            "this Idempotency-Key was used with a different request; use a new key for a new order",
            {"idempotency_key": key},
        )
