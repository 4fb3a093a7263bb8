"""Faults on demand: parse a fault request, count it, and build the error it stands for.

A fault is asked for by the request header ``X-Emulator-Fault: NAME;param=value;...`` or by a model
name suffix ``MODEL@NAME;param=value``. ``times=N`` makes only the first ``N`` requests carrying the
same spec fail; later ones succeed (the counter is keyed by the whole spec string). The table of
names is in the package docstring (:mod:`xiaohu.emulator`).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field

from xiaohu.emulator.errors import EmulatorError, Lang, invalid_token, openai_error, relay_error
from xiaohu.emulator.habits import HABIT_FAULTS

__all__ = [
    "ERROR_FAULTS",
    "FAULT_NAMES",
    "Fault",
    "FaultCounter",
    "fault_error",
    "no_channel_error",
    "parse_fault",
    "split_model",
]

FAULT_HEADER = "x-emulator-fault"

#: Faults answered with an HTTP error before any work is done.
ERROR_FAULTS = frozenset(
    {
        "invalid_key",
        "quota",
        "token_quota",
        "no_channel",
        "rate_limit",
        "rate_limit_retry_after",
        "rate_limit_empty",
        "server_error",
        "bad_gateway",
        "unavailable",
        "codeless_token_quota",
        "codeless_user_quota",
        "codeless_no_channel",
    }
)
#: Faults that change how a response is produced or delivered.
BEHAVIOUR_FAULTS = frozenset(
    {
        "drop_stream",
        "malformed_sse",
        "slow_first_byte",
        "error_event",
        "incomplete",
        "drop_background",
    }
)
FAULT_NAMES = ERROR_FAULTS | BEHAVIOUR_FAULTS | HABIT_FAULTS

NGINX_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


@dataclass(frozen=True)
class Fault:
    """One requested fault.

    Attributes:
        name: the fault name, e.g. ``rate_limit``.
        params: the ``key=value`` parameters after the name.
        spec: the whole spec string, the key of the ``times`` counter.

    Example:
        >>> f = parse_fault("rate_limit_retry_after;ms=500;times=2")
        >>> f.name, f.number("ms", 200), f.number("times", 0)
        ('rate_limit_retry_after', 500.0, 2.0)
    """

    name: str
    params: dict[str, str] = field(default_factory=dict)
    spec: str = ""

    def number(self, key: str, default: float) -> float:
        """Return parameter ``key`` as a float, or ``default`` when absent or not a number."""
        try:
            return float(self.params[key])
        except (KeyError, ValueError):
            return default


def parse_fault(spec: str) -> Fault:
    """Parse ``NAME;key=value;...`` into a :class:`Fault` (the name is lower-cased).

    Example:
        >>> parse_fault("drop_stream").params
        {}
    """
    name, *rest = (part.strip() for part in spec.strip().split(";"))
    params: dict[str, str] = {}
    for part in rest:
        key, _, value = part.partition("=")
        if key:
            params[key.strip().lower()] = value.strip()
    return Fault(name=name.lower(), params=params, spec=spec.strip())


def no_channel_error(model: str, lang: Lang, request_id: str) -> EmulatorError:
    """The relay's 503 for a model no channel of the group serves (new-api's distributor).

    Example:
        >>> no_channel_error("gpt-9", "zh", "2025").body["error"]["message"]
        '分组 default 下模型 gpt-9 无可用渠道（distributor） (request id: 2025)'
    """
    message = (
        f"分组 default 下模型 {model} 无可用渠道（distributor）"
        if lang == "zh"
        else f"No available channel for model {model} under group default (distributor)"
    )
    return relay_error(503, message, request_id, code="model_not_found")


def split_model(model: str) -> tuple[str, str | None]:
    """Split ``MODEL@FAULT`` into the real model and the fault spec (``None`` without one).

    Example:
        >>> split_model("gpt-5@rate_limit;times=1")
        ('gpt-5', 'rate_limit;times=1')
        >>> split_model("gpt-5")
        ('gpt-5', None)
    """
    base, sep, spec = model.partition("@")
    return (base, spec) if sep and spec else (model, None)


class FaultCounter:
    """Thread-safe count of requests per fault spec, for ``times=N``.

    Example:
        >>> counter = FaultCounter()
        >>> f = parse_fault("server_error;times=1")
        >>> counter.fires(f), counter.fires(f)
        (True, False)
    """

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}
        self._lock = threading.Lock()

    def fires(self, fault: Fault) -> bool:
        """Count one request carrying ``fault`` and say whether it should fail."""
        with self._lock:
            seen = self._seen.get(fault.spec, 0) + 1
            self._seen[fault.spec] = seen
        times = fault.params.get("times")
        if times is None:
            return True
        try:
            return seen <= int(times)
        except ValueError:
            return True


def fault_error(fault: Fault, *, model: str, lang: Lang, request_id: str) -> EmulatorError | None:
    """Return the HTTP error an error fault stands for, or ``None`` for a behaviour fault.

    Raises:
        EmulatorError: 400 for an unknown fault name, listing the known ones.

    Example:
        >>> err = fault_error(parse_fault("quota"), model="gpt-5", lang="zh", request_id="1")
        >>> err.status, err.body["error"]["code"]
        (403, 'insufficient_user_quota')
    """
    name = fault.name
    if name not in FAULT_NAMES:
        known = ", ".join(sorted(FAULT_NAMES))
        raise openai_error(
            400, f"Unknown emulator fault '{name}'. Known faults: {known}.", code="unknown_fault"
        )
    if name == "invalid_key":
        return invalid_token(lang, request_id)
    if name == "quota":
        return relay_error(
            403, "用户额度不足, 剩余额度: ＄0.000000", request_id,
            code="insufficient_user_quota", with_param=True,
        )  # fmt: skip
    if name == "token_quota":
        message = (
            "token quota is not enough, token remain quota: ＄0.000000, need quota: ＄0.002000"
        )
        return relay_error(
            403, message, request_id, code="pre_consume_token_quota_failed", with_param=True
        )
    if name == "no_channel":
        return no_channel_error(model, lang, request_id)
    if name == "codeless_token_quota":
        return relay_error(403, "[sk-emu***key] 该令牌额度已用尽", request_id)
    if name == "codeless_user_quota":
        return relay_error(429, "用户额度不足, 剩余额度: ＄0.000000", request_id)
    if name == "codeless_no_channel":
        return relay_error(503, f"当前分组 default 下对于模型 {model} 无可用渠道", request_id)
    if name == "rate_limit":
        return relay_error(429, "您已达到请求数限制：1分钟内最多请求60次", request_id)
    if name == "rate_limit_retry_after":
        ms = max(0.0, fault.number("ms", 200))
        headers = {"Retry-After": str(max(1, math.ceil(ms / 1000))), "retry-after-ms": f"{ms:g}"}
        message = (
            f"Rate limit reached for {model} in organization org-emulator on requests per min "
            f"(RPM): Limit 3, Used 3, Requested 1. Please try again in {ms:g}ms."
        )
        return openai_error(
            429, message, type_="requests", code="rate_limit_exceeded", headers=headers
        )
    if name == "rate_limit_empty":
        return EmulatorError(429, b"", media_type="text/plain")
    if name == "server_error":
        message = "The server had an error while processing your request. Sorry about that!"
        return openai_error(500, message, type_="server_error")
    if name == "bad_gateway":
        return EmulatorError(502, NGINX_502, media_type="text/html")
    if name == "unavailable":
        return EmulatorError(503, "Service Unavailable", media_type="text/plain")
    return None
