"""Opaque list cursors: which tenant and filter they belong to, and the last id returned.

A cursor is only accepted back for the same tenant and filter, so it can never open another
tenant's list; anything else is InvalidCursor (400), never a server error.
"""

from __future__ import annotations

import base64
import binascii
import json

from orders.domain.errors import InvalidCursor
from orders.domain.ids import is_ulid
from orders.domain.model import OrderStatus


def encode_cursor(tenant: str, status: OrderStatus | None, last_id: str) -> str:
    raw = json.dumps({"t": tenant, "s": status, "id": last_id}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, tenant: str, status: OrderStatus | None) -> str:
    """The last id of the previous page; InvalidCursor unless made for this tenant and filter."""
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        last_id = data["id"]
        belongs = data["t"] == tenant and data["s"] == status
    except (ValueError, KeyError, TypeError, binascii.Error) as error:
        raise InvalidCursor from error
    if not belongs or not isinstance(last_id, str) or not is_ulid(last_id):
        raise InvalidCursor
    return last_id
