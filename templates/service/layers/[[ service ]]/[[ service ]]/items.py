"""The service's items: what a tenant creates, lists and reads. A starting point: replace the
fields with your domain's, keep the shape (a frozen model, errors that carry a code, a message and
details for the API's one error body)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Item:
    tenant: str
    id: str
    name: str
    created_at: datetime


class ItemError(Exception):
    """A request the items do not allow; `code` is stable, for the API's error body."""

    code = "item_error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class ItemNotFound(ItemError):
    code = "item_not_found"


class ItemExists(ItemError):
    code = "item_exists"
