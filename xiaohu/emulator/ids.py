"""Identifiers the emulator hands out: response and item ids, relay request ids, padding.

Ids are random (as the real API's are); everything a model *says* is seeded by the request instead,
see :mod:`xiaohu.emulator.model`.
"""

from __future__ import annotations

import random
import secrets
import string
import time
from datetime import datetime, timezone

__all__ = ["item_id", "obfuscation", "openai_request_id", "relay_request_id", "response_id"]

_ALNUM = string.ascii_letters + string.digits


def response_id() -> str:
    """Return a fresh ``resp_…`` id: 48 hex characters, like the real API's."""
    return "resp_" + secrets.token_hex(24)


def item_id(prefix: str) -> str:
    """Return a fresh output item id such as ``msg_…``, ``fc_…``, ``rs_…``, ``ws_…`` or ``call_…``."""
    if prefix == "call":
        return "call_" + "".join(secrets.choice(_ALNUM) for _ in range(24))
    return f"{prefix}_" + secrets.token_hex(24)


def relay_request_id() -> str:
    """Return an ``X-Oneapi-Request-Id`` value in new-api's format.

    UTC ``YYYYMMDDhhmmss``, then the 9-digit nanosecond part, 8 hex digits and 8 random letters or
    digits (``common/utils.go`` in new-api).
    """
    now_ns = time.time_ns()
    stamp = datetime.fromtimestamp(now_ns // 1_000_000_000, tz=timezone.utc).strftime(
        "%Y%m%d%H%M%S"
    )
    tail = "".join(secrets.choice(_ALNUM) for _ in range(8))
    return f"{stamp}{now_ns % 1_000_000_000:09d}{secrets.token_hex(4)}{tail}"


def openai_request_id() -> str:
    """Return an upstream ``x-request-id`` value (``req_`` and 32 hex digits)."""
    return "req_" + secrets.token_hex(16)


def obfuscation(rng: random.Random, delta: str) -> str:
    """Return padding for a delta event so that payload sizes do not leak the token length.

    Real streams pad each delta event with 1-16 random characters, fewer for longer deltas.
    """
    length = max(1, 16 - len(delta) % 16)
    return "".join(rng.choice(_ALNUM) for _ in range(length))
