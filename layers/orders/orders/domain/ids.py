"""ULIDs: 48-bit millisecond timestamp + 80 random bits, Crockford base32, sortable by time."""

from __future__ import annotations

import os
import re
import threading
import time

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ULID_PATTERN = re.compile(r"^[0-7][0-9A-HJKMNP-TV-Z]{25}$")


def encode(timestamp_ms: int, randomness: int) -> str:
    """Encode a 48-bit timestamp and 80 bits of randomness as a 26-character ULID."""
    if not 0 <= timestamp_ms < 1 << 48:
        raise ValueError("timestamp_ms must fit in 48 bits")
    if not 0 <= randomness < 1 << 80:
        raise ValueError("randomness must fit in 80 bits")
    value = (timestamp_ms << 80) | randomness
    return "".join(ALPHABET[(value >> shift) & 31] for shift in range(125, -1, -5))


def decode_timestamp(ulid: str) -> int:
    """The millisecond timestamp of a ULID."""
    if not ULID_PATTERN.match(ulid):
        raise ValueError(f"not a ULID: {ulid!r}")
    value = 0
    for char in ulid:
        value = (value << 5) | ALPHABET.index(char)
    return value >> 80


class MonotonicUlids:
    """ULIDs that sort in creation order even within one millisecond (the spec's monotonic mode):
    a second id in the same millisecond takes the previous randomness plus one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_ms = -1
        self._last_random = 0

    def __call__(self) -> str:
        with self._lock:
            now_ms = max(time.time_ns() // 1_000_000, self._last_ms)
            if now_ms == self._last_ms and self._last_random < (1 << 80) - 1:
                self._last_random += 1
            else:
                if now_ms == self._last_ms:  # 2**80 ids in one millisecond: borrow the next one
                    now_ms += 1
                # The top bit starts clear, so increments within a millisecond never run out.
                self._last_random = int.from_bytes(os.urandom(10), "big") >> 1
            self._last_ms = now_ms
            return encode(now_ms, self._last_random)


new_ulid = MonotonicUlids()


def is_ulid(text: str) -> bool:
    return bool(ULID_PATTERN.match(text))
