"""Batch Responses calls and embeddings on Ray Data, with one budget and one rate limit per job.

Needs the `ray` extra (`pip install "xiaohu[ray]"`). Three pieces:

* `ResponsesBatch` and `EmbeddingsBatch`: callable classes for
  `Dataset.map_batches(Cls, fn_constructor_kwargs=..., compute=ActorPoolStrategy(size=N))`.
  Each worker (a Ray actor) keeps one `AsyncXiaohuClient` on its own event loop and runs at
  most `concurrency` calls of a batch at once; the core retries relay faults as it always does.
* `JobLimits`, run as one Ray actor (`job_limits(...)`): the job's `Budget` and a token bucket
  of requests and tokens per period. A worker reserves a call's estimate before sending and
  settles the bill after. A reservation is a lease: if its worker dies, it expires after
  `lease_s`, so a dead worker does not hold budget or rate forever. It is a plain class (the
  actor is `ray.remote(JobLimits)`); a worker also takes one of this process as `limits=`
  (a single machine, tests), but it does not travel: each copy would count alone.
* `local_cluster()`: `ray.init` for one machine that binds and contacts only 127.0.0.1.

Budget semantics (a reservation, unlike a client's streaming `Budget`): a call is sent only
if the spend, plus what running calls reserved, plus its own estimate fits in `max_usd` (when
nothing else runs, the last call may take the rest, if the rest covers its input); the job
therefore stops within one call's estimate of the budget. Under a budget every Responses call
streams with its reservation as its allowance, metered as a client's `Budget` meters a stream:
past its allowance it asks `JobLimits.extend` for more, and when the job has none left the
stream is stopped, the row gets `BudgetExceededError` (with the partial answer in
`output_text`) and its cost so far is charged once. A refused row gets the typed error
`CostLimitError` in its `error_type` column (`on_budget="error"`), or the job fails with it
(`on_budget="stop"`); no row is skipped silently.

A failed row keeps its error (`error_type`, `error_message`, `error_status`) and the batch goes
on. Running the same callable over a job's own output redoes only the rows with an error.

The key: pass `api_key=` (kept as a `pydantic.SecretStr`, which shows as `**********`) or set
`XIAOHU_API_KEY` on the workers (e.g. `runtime_env={"env_vars": ...}`). The constructor
arguments travel in Ray's object store, never in the dataset; nothing here logs them.

Example:
    >>> import ray  # doctest: +SKIP
    >>> from xiaohu.ray import ResponsesBatch, job_limits, local_cluster
    >>> local_cluster(num_cpus=2)  # doctest: +SKIP
    >>> limits = job_limits(max_usd=1.0, requests_per_minute=600)  # doctest: +SKIP
    >>> out = ray.data.from_items([{"prompt": "hi"}]).map_batches(
    ...     ResponsesBatch,
    ...     fn_constructor_kwargs={"model": "gpt-5-mini", "limits": limits},
    ...     **ResponsesBatch.map_options(workers=2),
    ... )  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import SecretStr

from ._client import AsyncXiaohuClient
from ._exceptions import (
    APIStatusError,
    BudgetExceededError,
    ConfigurationError,
    CostLimitError,
    MissingExtraError,
    XiaohuError,
)
from ._guard import Budget
from ._models import Usage
from ._options import split_options
from ._params import build_payload
from ._pricing import Cost, PriceTable, estimate_tokens, typical_run

try:
    import ray
except ImportError as exc:  # pragma: no cover - the extra is missing
    raise MissingExtraError("ray", "ray") from exc

__all__ = [
    "EMBEDDING_COLUMNS",
    "RESPONSE_COLUMNS",
    "EmbeddingsBatch",
    "Grant",
    "JobLimits",
    "ResponsesBatch",
    "job_limits",
    "local_cluster",
]

OnBudget = Literal["error", "stop"]

RESPONSE_COLUMNS = (
    "output_text",
    "output_json",
    "response_id",
    "input_tokens",
    "output_tokens",
    "cost_usd",
    "error_type",
    "error_message",
    "error_status",
)
"""Columns `ResponsesBatch` adds (`output_json`: the JSON answer, checked to parse, or null)."""

EMBEDDING_COLUMNS = (
    "embedding",
    "input_tokens",
    "cost_usd",
    "error_type",
    "error_message",
    "error_status",
)
"""Columns `EmbeddingsBatch` adds (`embedding`: the row's vector, or null with an error)."""

_LOOPBACK_ENV = {
    # Ray's public switch for a machine that is no cluster node: with it, Ray takes 127.0.0.1
    # as the node's address; without it (the Linux default) it swaps 127.0.0.1 for the address
    # other machines reach, and listens there. Ray reads it once, when it is imported.
    "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
    "RAY_USAGE_STATS_ENABLED": "0",
}


def local_cluster(num_cpus: int = 2, **kwargs: Any) -> Any:
    """Start a Ray cluster on this machine that binds and contacts only 127.0.0.1.

    No dashboard, no usage statistics, the node's address pinned to loopback. Extra keyword
    arguments go to `ray.init`; `runtime_env={"env_vars": ...}` is merged with the loopback
    settings (e.g. to give the workers `XIAOHU_API_KEY` on a machine whose Ray processes do not
    inherit your environment).

    Ray keeps to loopback through its `RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0` setting, which it
    reads when it is imported: set here for every Ray process this starts. When this
    interpreter imported Ray before the setting was made (the usual `import ray` first), the
    value Ray read is corrected in place: Ray has no public call for it after import. Set the
    variable before Python starts to leave Ray untouched.

    Example:
        >>> local_cluster(num_cpus=2)  # doctest: +SKIP
    """
    os.environ.update(_LOOPBACK_ENV)
    from ray._private import ray_constants

    if ray_constants.ENABLE_RAY_CLUSTER:  # Ray was imported before the setting was made
        ray_constants.ENABLE_RAY_CLUSTER = False
    runtime_env = dict(kwargs.pop("runtime_env", None) or {})
    runtime_env["env_vars"] = {**dict(runtime_env.get("env_vars") or {}), **_LOOPBACK_ENV}
    options: dict[str, Any] = {
        "address": "local",
        "num_cpus": num_cpus,
        "include_dashboard": False,
        "_node_ip_address": "127.0.0.1",
        "log_to_driver": False,
        "configure_logging": False,
        "runtime_env": runtime_env,
    }
    options.update(kwargs)
    return ray.init(**options)


# -- the job's budget and rate limit --------------------------------------------------------------


@dataclass(frozen=True)
class Grant:
    """The answer to a reservation: a lease, or how long to wait, or a refusal.

    Example:
        >>> Grant(lease="l1").granted
        True
    """

    lease: str | None = None
    """The lease to settle, when granted."""
    wait_s: float = 0.0
    """Seconds to wait before asking again (the rate limit), when not granted."""
    refused: str | None = None
    """Why the budget cannot take this call, when refused (the job's budget is spent)."""
    allowance_usd: float | None = None
    """When granted under a job budget: what the call may spend before it asks for more
    (`JobLimits.extend`); `None` when the job has no budget."""

    @property
    def granted(self) -> bool:
        """Whether the call may be sent now.

        Example:
            >>> Grant(wait_s=0.5).granted
            False
        """
        return self.lease is not None


@dataclass
class _Bucket:
    """`capacity` units, refilled at `capacity` per `per_s` seconds (starts full)."""

    capacity: float
    per_s: float
    level: float = field(init=False)
    at: float | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.level = self.capacity

    def refill(self, now: float) -> None:
        if self.at is not None:
            self.level = min(
                self.capacity, self.level + (now - self.at) * self.capacity / self.per_s
            )
        self.at = now

    def wait_for(self, amount: float) -> float:
        need = min(amount, self.capacity) - self.level
        return 0.0 if need <= 0 else need * self.per_s / self.capacity


class JobLimits:
    """A job's `Budget` and its token buckets, with leased reservations (run it as one actor).

    Args:
        max_usd: The job's budget in US dollars, or `None` to only count.
        requests: Requests allowed per `per_s` seconds (a bucket of that size), or `None`.
        tokens: Tokens (input + output) allowed per `per_s` seconds, or `None`.
        per_s: The period of the rate limits (60 for "per minute").
        lease_s: How long a reservation is held for a worker that never settles it.
        clock: Seconds, monotonic (for tests).

    Example:
        >>> limits = JobLimits(max_usd=1.0, requests=2, per_s=60.0, clock=lambda: 100.0)
        >>> first = limits.reserve(0.4, 10)
        >>> limits.settle(first.lease, "gpt-5", 0.3, 10)
        >>> limits.reserve(0.8, 10).refused is not None, limits.spent_usd()
        (True, 0.3)
    """

    def __init__(
        self,
        max_usd: float | None = None,
        *,
        requests: int | None = None,
        tokens: int | None = None,
        per_s: float = 60.0,
        lease_s: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.budget = Budget(max_usd)
        for name, value in (("requests", requests), ("tokens", tokens)):
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or value < 1
            ):
                raise ConfigurationError(f"{name} must be an int >= 1 or None, got {value!r}")
        for name, seconds in (("per_s", per_s), ("lease_s", lease_s)):
            if not isinstance(seconds, (int, float)) or not math.isfinite(seconds) or seconds <= 0:
                raise ConfigurationError(
                    f"{name} must be a finite number of seconds > 0, got {seconds!r}"
                )
        self._clock = clock
        self._lease_s = float(lease_s)
        self._requests = _Bucket(requests, per_s) if requests else None
        self._tokens = _Bucket(tokens, per_s) if tokens else None
        self._leases: dict[str, tuple[float, int, float]] = {}  # lease: (usd, tokens, expiry)
        self._lock = threading.Lock()
        self.expired = 0
        """Leases that expired unsettled (their worker died or hung)."""
        self.sent = 0
        """Reservations granted."""

    def __reduce__(self) -> Any:
        raise TypeError(
            "a JobLimits does not travel to workers (each would count alone): start one for "
            "the job with xiaohu.ray.job_limits(...) and pass its handle"
        )

    def reserve(self, usd: float, tokens: int, least_usd: float | None = None) -> Grant:
        """Reserve one call's estimate: a lease, a wait (rate limit) or a refusal (budget).

        Under a budget, a call is granted its estimate `usd` when that fits what is neither
        spent nor reserved. When it does not fit and no other call is running, a call that
        can stream (it gives `least_usd`, what it costs if sent at all) is granted the rest
        of the budget as its allowance, if the rest covers `least_usd`: its stream is then
        stopped where the job's budget runs out, as a client's budget stops a stream.
        Otherwise it is refused (or waits, while running calls may settle below their
        estimates).

        Example:
            >>> JobLimits(max_usd=0.1).reserve(0.5, 1).refused
            'the job budget of $0.1000 cannot cover this call (~$0.5000; $0.0000 spent, $0.0000 reserved); nothing was sent'
            >>> JobLimits(max_usd=0.1).reserve(0.5, 1, least_usd=0.01).allowance_usd
            0.1
        """
        with self._lock:
            now = self._clock()
            self._expire(now)
            reserved = sum(u for u, _, _ in self._leases.values())
            limit = self.budget.max_usd
            allowance: float | None = None
            if limit is not None:
                free = round(limit - self.budget.spent_usd - reserved, 12)
                allowance = usd
                if usd > free:
                    need = usd if least_usd is None else least_usd
                    if self._leases and self.budget.spent_usd + need <= limit:
                        return Grant(wait_s=0.05)  # running calls may settle below estimates
                    if self._leases or least_usd is None or free <= 0 or least_usd > free:
                        return Grant(
                            refused=f"the job budget of ${limit:.4f} cannot cover this call "
                            f"(~${usd:.4f}; ${self.budget.spent_usd:.4f} spent, "
                            f"${reserved:.4f} reserved); nothing was sent"
                        )
                    allowance = free
            waits = [0.0]
            for bucket, amount in ((self._requests, 1), (self._tokens, tokens)):
                if bucket is not None:
                    bucket.refill(now)
                    waits.append(bucket.wait_for(amount))
            if max(waits) > 0:
                return Grant(wait_s=max(waits))
            if self._requests is not None:
                self._requests.level -= 1
            if self._tokens is not None:
                self._tokens.level -= tokens
            lease = uuid.uuid4().hex
            self._leases[lease] = (
                usd if allowance is None else allowance,
                tokens,
                now + self._lease_s,
            )
            self.sent += 1
            return Grant(lease=lease, allowance_usd=allowance)

    def extend(self, lease: str, usd: float) -> float:
        """Grow a running call's reservation to `usd`, as far as the budget allows; renew it.

        A streaming call asks when its running cost passes its allowance. It gets `usd`, or
        what is left of the budget for it when that is less (its current reservation plus
        what is neither spent nor reserved by others); a lease that expired is taken up
        again (its worker is alive after all). The answer is the call's new allowance: a
        call whose running cost is above it is stopped.

        Example:
            >>> limits = JobLimits(max_usd=1.0)
            >>> lease = limits.reserve(0.25, 10).lease
            >>> limits.extend(lease, 0.5), limits.extend(lease, 2.0)
            (0.5, 1.0)
        """
        with self._lock:
            now = self._clock()
            self._expire(now)
            held = self._leases.get(lease)
            tokens = held[1] if held is not None else 0
            limit = self.budget.max_usd
            grown = float(usd)
            if limit is not None:
                others = sum(u for k, (u, _, _) in self._leases.items() if k != lease)
                grown = max(min(grown, round(limit - self.budget.spent_usd - others, 12)), 0.0)
            self._leases[lease] = (grown, tokens, now + self._lease_s)
            return grown

    def settle(
        self, lease: str | None, model: str, usd: float, tokens: int, output_tokens: int = 0
    ) -> None:
        """Replace a reservation with the bill (`usd` 0 and `tokens` 0 when nothing was billed).

        A lease that expired is settled all the same: the bill is what was spent.

        Example:
            >>> limits = JobLimits()
            >>> limits.settle(limits.reserve(0.1, 5).lease, "m", 0.05, 5)
            >>> limits.spent_usd()
            0.05
        """
        with self._lock:
            held = self._leases.pop(lease, None) if lease else None
            if self._tokens is not None and held is not None:
                self._tokens.level -= tokens - held[1]
            if usd:
                self.budget.charge(model, usd)
            self.budget.count_call(_cost(model, tokens - output_tokens, output_tokens))

    def release(self, lease: str | None) -> None:
        """Give a reservation back unused (the call was never sent).

        Example:
            >>> JobLimits().release(None)
        """
        with self._lock:
            held = self._leases.pop(lease, None) if lease else None
            if held is not None and self._tokens is not None:
                self._tokens.level = min(self._tokens.capacity, self._tokens.level + held[1])

    def _expire(self, now: float) -> None:
        for lease, (_, _, expiry) in list(self._leases.items()):
            if expiry <= now:
                del self._leases[lease]
                self.expired += 1

    def spent_usd(self) -> float:
        """Dollars billed so far.

        Example:
            >>> JobLimits().spent_usd()
            0.0
        """
        return self.budget.spent_usd

    def report(self) -> dict[str, Any]:
        """The job's figures: spend (total and by model), calls, tokens, open and expired leases.

        Example:
            >>> JobLimits(max_usd=2.0).report()["max_usd"]
            2.0
        """
        with self._lock:
            self._expire(self._clock())
            return {
                "max_usd": self.budget.max_usd,
                "spent_usd": self.budget.spent_usd,
                "by_model": self.budget.by_model,
                "calls": self.budget.calls,
                "input_tokens": self.budget.input_tokens,
                "output_tokens": self.budget.output_tokens,
                "reserved_usd": round(sum(u for u, _, _ in self._leases.values()), 10),
                "open_leases": len(self._leases),
                "expired_leases": self.expired,
                "sent": self.sent,
            }


def _cost(model: str, input_tokens: int, output_tokens: int) -> Cost:
    return Cost(model=model, input_tokens=max(input_tokens, 0), output_tokens=output_tokens)


def job_limits(
    max_usd: float | None = None,
    *,
    requests_per_minute: int | None = None,
    tokens_per_minute: int | None = None,
    per_s: float = 60.0,
    lease_s: float = 300.0,
) -> Any:
    """Start the job's `JobLimits` as a Ray actor (no CPU of its own) and return its handle.

    `requests_per_minute` and `tokens_per_minute` count per `per_s` seconds (60 by default).
    Bad values raise `ConfigurationError` here, before any worker starts.

    Example:
        >>> limits = job_limits(max_usd=5.0, requests_per_minute=600)  # doctest: +SKIP
        >>> ray.get(limits.report.remote())["spent_usd"]  # doctest: +SKIP
        0.0
    """
    # Checked here, in the caller, not first in the actor.
    JobLimits(
        max_usd,
        requests=requests_per_minute,
        tokens=tokens_per_minute,
        per_s=per_s,
        lease_s=lease_s,
    )
    actor: Any = ray.remote(JobLimits)
    return actor.options(num_cpus=0, max_concurrency=64).remote(
        max_usd,
        requests=requests_per_minute,
        tokens=tokens_per_minute,
        per_s=per_s,
        lease_s=lease_s,
    )


# -- the workers ------------------------------------------------------------------------------------


class _Allowance(Budget):
    """One streaming call's share of the job budget, grown from the job's limits as it streams.

    The call's meter charges it on every event and asks `passed()`; past the allowance it asks
    the limits for more (`grow`: the new allowance) and is stopped when the job has none left.
    """

    def __init__(self, usd: float, grow: Callable[[float], float]) -> None:
        super().__init__(max(usd, 1e-9))
        self._grow = grow
        self.job_stop = False
        """Whether the job's limits refused more (the stop is the job budget's)."""

    def passed(self) -> bool:
        spent = self.spent_usd
        if self.max_usd is None or spent <= self.max_usd:
            return False
        self.max_usd = max(self._grow(spent), 1e-9)
        self.job_stop = spent > self.max_usd
        return self.job_stop


class _Worker:
    """What both callables share: one async client on the worker's own loop, the limits."""

    columns: tuple[str, ...] = ()

    def __init__(
        self,
        *,
        model: str,
        limits: Any = None,
        api_key: str | SecretStr | None = None,
        base_url: str | None = None,
        concurrency: int = 8,
        on_budget: OnBudget = "error",
        client_options: Mapping[str, Any] | None = None,
    ) -> None:
        if not isinstance(model, str) or not model:
            raise ConfigurationError(f"model must be a non-empty string, got {model!r}")
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise ConfigurationError(f"concurrency must be an int >= 1, got {concurrency!r}")
        if on_budget not in ("error", "stop"):
            raise ConfigurationError(f'on_budget must be "error" or "stop", got {on_budget!r}')
        if limits is not None and not isinstance(limits, (JobLimits, ray.actor.ActorHandle)):
            raise ConfigurationError(
                "limits must be the handle job_limits(...) returns (or a JobLimits of this "
                f"process), got {type(limits).__name__}"
            )
        key = api_key.get_secret_value() if isinstance(api_key, SecretStr) else api_key
        self.model = model
        self.limits = limits
        self.concurrency = concurrency
        self.on_budget = on_budget
        self.table = PriceTable()
        self.client = AsyncXiaohuClient(
            api_key=key, base_url=base_url, **dict(client_options or {})
        )
        self._loop = asyncio.new_event_loop()

    def close(self) -> None:
        """Close the worker's client and its event loop (Ray does it when the actor ends).

        Example:
            >>> worker = EmbeddingsBatch(
            ...     model="text-embedding-3-small", api_key="sk-x", base_url="http://127.0.0.1:9/v1"
            ... )
            >>> worker.close()
        """
        loop = getattr(self, "_loop", None)
        if loop is not None and not loop.is_closed():
            try:
                loop.run_until_complete(self.client.aclose())
            finally:
                loop.close()

    def __del__(self) -> None:
        if not sys.is_finalizing():
            self.close()

    def _run(self, coroutine: Any) -> Any:
        return self._loop.run_until_complete(coroutine)

    async def _ask(self, method: str, *args: Any) -> Any:
        """Call the job's limits: the actor (awaited) or a `JobLimits` in this process."""
        if isinstance(self.limits, JobLimits):
            return getattr(self.limits, method)(*args)
        return await getattr(self.limits, method).remote(*args)

    def _ask_now(self, method: str, *args: Any) -> Any:
        """The same, blocking: from inside a stream's meter, which cannot await."""
        if isinstance(self.limits, JobLimits):
            return getattr(self.limits, method)(*args)
        return ray.get(getattr(self.limits, method).remote(*args))

    async def _reserve(self, usd: float, tokens: int, least_usd: float | None = None) -> Grant:
        if self.limits is None:
            return Grant(lease="")
        while True:
            grant: Grant = await self._ask("reserve", usd, tokens, least_usd)
            if grant.granted or grant.refused:
                return grant
            await asyncio.sleep(grant.wait_s)

    async def _settle(self, grant: Grant, usd: float, tokens: int, output_tokens: int) -> None:
        if self.limits is not None:
            await self._ask("settle", grant.lease, self.model, usd, tokens, output_tokens)

    async def _release(self, grant: Grant) -> None:
        if self.limits is not None and grant.lease:
            await self._ask("release", grant.lease)

    def _refused(self, grant: Grant) -> CostLimitError:
        error = CostLimitError(grant.refused or "the job budget is spent")
        if self.on_budget == "stop":
            raise error
        return error

    result_column = ""

    def _done(self, row: Mapping[str, Any]) -> bool:
        """A row of an earlier run that succeeded (it is kept as it is): a result, no error."""
        error = row.get("error_type")
        result = row.get(self.result_column)
        return not (isinstance(error, str) and error) and result is not None and len(result) > 0


def _error_fields(exc: BaseException) -> dict[str, Any]:
    status = exc.status_code if isinstance(exc, APIStatusError) else None
    return {"error_type": type(exc).__name__, "error_message": str(exc), "error_status": status}


def _rows(batch: Mapping[str, Any], ours: Sequence[str]) -> list[dict[str, Any]]:
    """The rows of a column batch; in our own columns (an earlier run's), NaN is a null."""
    names = list(batch)
    size = len(batch[names[0]]) if names else 0
    rows = [{name: _plain(batch[name][i]) for name in names} for i in range(size)]
    for row in rows:
        for name in ours:
            value = row.get(name)
            if isinstance(value, float) and math.isnan(value):
                row[name] = None
    return rows


def _plain(value: Any) -> Any:
    """NumPy scalars and arrays (how Ray hands columns over) as Python values."""
    if hasattr(value, "tolist"):
        return value.tolist()
    return value


def _columns(rows: Sequence[Mapping[str, Any]], names: Sequence[str]) -> dict[str, list[Any]]:
    return {name: [row.get(name) for row in rows] for name in names}


class ResponsesBatch(_Worker):
    """A `map_batches` callable: one Responses call per row, each row keeps its answer or error.

    Args:
        model: The model.
        prompt_column: The column holding each row's prompt text (used when present).
        input_column: The column holding each row's `input` (a string or a list of input
            items), used when `prompt_column` is not in the data.
        tools: Tools for every call (function tools, `{"type": "web_search"}`, ...).
        reasoning: The `reasoning` object, e.g. `{"effort": "low"}`.
        text_format: `text.format`, e.g. a `json_schema` format; the answer is then checked
            to be JSON and put in `output_json`.
        instructions: A system message for every call.
        max_output_tokens: Cap on each call's output (it also makes the estimate exact).
        params: Any other request parameters, checked before anything is sent.
        limits: The job's `JobLimits` actor (`job_limits(...)`), a `JobLimits` of this process
            (one worker, tests), or `None` for no shared limit.
        api_key: The key (default: `XIAOHU_API_KEY` on the worker).
        base_url: The relay (default: `XIAOHU_BASE_URL` on the worker).
        concurrency: Calls in flight per worker.
        on_budget: `"error"`: rows past the budget get `CostLimitError`; `"stop"`: the job fails.
        client_options: More `AsyncXiaohuClient` arguments (`max_retries`, `timeout`, ...).

    Example:
        >>> ResponsesBatch.map_options(workers=2)["batch_size"]
        32
    """

    columns = RESPONSE_COLUMNS
    result_column = "response_id"

    def __init__(
        self,
        *,
        model: str,
        prompt_column: str = "prompt",
        input_column: str = "input",
        tools: list[dict[str, Any]] | None = None,
        reasoning: dict[str, Any] | None = None,
        text_format: dict[str, Any] | None = None,
        instructions: str | None = None,
        max_output_tokens: int | None = None,
        params: Mapping[str, Any] | None = None,
        limits: Any = None,
        api_key: str | SecretStr | None = None,
        base_url: str | None = None,
        concurrency: int = 8,
        on_budget: OnBudget = "error",
        client_options: Mapping[str, Any] | None = None,
    ) -> None:
        request: dict[str, Any] = {
            **dict(params or {}),
            "model": model,
            "tools": tools,
            "reasoning": reasoning,
            "text": {"format": text_format} if text_format is not None else None,
            "instructions": instructions,
            "max_output_tokens": max_output_tokens,
        }
        self.request = build_payload({**request, "input": "x"})  # bad options fail here
        del self.request["input"]
        self.prompt_column = prompt_column
        self.input_column = input_column
        self.wants_json = text_format is not None and text_format.get("type") in (
            "json_schema",
            "json_object",
        )
        super().__init__(
            model=model,
            limits=limits,
            api_key=api_key,
            base_url=base_url,
            concurrency=concurrency,
            on_budget=on_budget,
            client_options=client_options,
        )

    @staticmethod
    def map_options(workers: int = 2, batch_size: int = 32) -> dict[str, Any]:
        """`map_batches` options for API calls: `workers` actors, a fraction of a CPU each.

        A worker waits on the network, so it must not hold a whole CPU: with `num_cpus=2`
        and two one-CPU workers the dataset's read tasks would never get a CPU.

        Example:
            >>> ResponsesBatch.map_options(workers=4)["num_cpus"]
            0.25
        """
        return {
            "compute": ray.data.ActorPoolStrategy(size=workers),
            "batch_size": batch_size,
            "num_cpus": 0.25,
            "batch_format": "numpy",
        }

    def __call__(self, batch: Mapping[str, Any]) -> dict[str, Any]:
        """Answer every row of `batch` (rows already answered in an earlier run are kept).

        Example:
            >>> worker(batch)["output_text"]  # doctest: +SKIP
        """
        rows = _rows(batch, self.columns)
        for row in rows:
            if self.prompt_column not in row and self.input_column not in row:
                raise ConfigurationError(
                    f"the batch has neither a {self.prompt_column!r} nor an "
                    f"{self.input_column!r} column: it has {sorted(row)}"
                )
        results = self._run(self._all(rows))
        kept = _columns(rows, [k for k in batch if k not in self.columns])
        return {**kept, **_columns(results, self.columns)}

    async def _all(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        gate = asyncio.Semaphore(self.concurrency)

        async def one(row: dict[str, Any]) -> dict[str, Any]:
            if self._done(row):
                return row
            async with gate:
                return await self._answer(row)

        return list(await asyncio.gather(*(one(row) for row in rows)))

    def _least_usd(self, estimate: Cost) -> float:
        """What a call costs if sent at all: its own input (no typical run's extra input)."""
        tokens = max(estimate.input_tokens - typical_run(self.model).input_tokens, 0)
        return self.table.cost(
            self.model, Usage(input_tokens=tokens, total_tokens=tokens)
        ).total_usd

    async def _give_back(self, grant: Grant, allowance: _Allowance | None) -> None:
        """A call that failed: what its stream ran up is charged, as the core counts it."""
        if allowance is not None and allowance.spent_usd > 0:
            await self._settle(grant, allowance.spent_usd, 0, 0)
        else:
            await self._release(grant)

    async def _stopped(
        self,
        grant: Grant,
        allowance: _Allowance | None,
        exc: BudgetExceededError,
        out: dict[str, Any],
    ) -> dict[str, Any]:
        """A stream stopped by a budget: its cost so far is charged once, the row keeps it."""
        cost = exc.cost
        usd = float(cost.total_usd) if cost is not None else float(exc.spent_usd or 0.0)
        tokens = (cost.input_tokens, cost.output_tokens) if cost is not None else (0, 0)
        await self._settle(grant, usd, sum(tokens), tokens[1])
        if allowance is not None and allowance.job_stop:
            exc = BudgetExceededError(
                f"stopped {self.model} run {exc.response_id or ''} mid-stream: the job budget "
                f"ran out (this call's share ${allowance.max_usd or 0.0:.6f}, its cost so far "
                f"${usd:.6f}); the partial answer is in output_text",
                cost=cost,
                limit_usd=exc.limit_usd,
                spent_usd=exc.spent_usd,
                response_id=exc.response_id,
                partial_text=exc.partial_text,
            )
            if self.on_budget == "stop":
                raise exc
        return {
            **out,
            **_error_fields(exc),
            "output_text": exc.partial_text,
            "response_id": exc.response_id,
            "input_tokens": tokens[0],
            "output_tokens": tokens[1],
            "cost_usd": usd,
        }

    async def _answer(self, row: Mapping[str, Any]) -> dict[str, Any]:
        value = row[self.prompt_column] if self.prompt_column in row else row[self.input_column]
        params = {**self.request, "input": value}
        out: dict[str, Any] = dict.fromkeys(self.columns)
        try:  # a bad row (an empty prompt) is its own error, before any budget is reserved
            build_payload(split_options(params)[0])
        except ConfigurationError as exc:
            return {**out, **_error_fields(exc)}
        estimate = self.table.estimate(params)
        grant = await self._reserve(
            estimate.total_usd,
            estimate.input_tokens + estimate.output_tokens,
            self._least_usd(estimate),
        )
        if not grant.granted:
            return {**out, **_error_fields(self._refused(grant))}
        allowance = None
        if grant.allowance_usd is not None:  # a job budget: the call streams, metered
            lease = grant.lease or ""
            allowance = _Allowance(
                grant.allowance_usd,
                lambda spent: float(
                    self._ask_now("extend", lease, max(2 * spent, spent + estimate.total_usd))
                ),
            )
            params["budget"] = allowance
        try:
            response = await self.client.create_response(**params)
        except BudgetExceededError as exc:
            return await self._stopped(grant, allowance, exc, out)
        except XiaohuError as exc:
            await self._give_back(grant, allowance)
            return {**out, **_error_fields(exc)}
        except BaseException:
            await self._give_back(grant, allowance)
            raise
        cost = self.client.cost_of(response)
        usage = response.usage or Usage()
        await self._settle(
            grant, cost.total_usd, usage.input_tokens + usage.output_tokens, usage.output_tokens
        )
        out.update(
            output_text=response.output_text,
            response_id=response.id,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cost_usd=cost.total_usd,
        )
        if self.wants_json:
            try:
                out["output_json"] = json.dumps(
                    json.loads(response.output_text), ensure_ascii=False
                )
            except ValueError as exc:
                out.update(
                    error_type="ValueError",
                    error_message=f"the answer of {response.id} is not JSON: {exc}",
                )
        return out


class EmbeddingsBatch(_Worker):
    """A `map_batches` callable: one vector per row, in row order, batched by the relay's limits.

    Each worker sends its batch through the core's `embed` (split by the relay's count and
    size limits, at most `concurrency` requests in flight). A request that fails gives every
    row it carried the error.

    Args:
        model: The embedding model.
        text_column: The column of texts.
        dimensions: Shorter vectors, where the model supports it.
        chunk_size: Texts per request (the relay's limit is 2,048).
        limits, api_key, base_url, concurrency, on_budget, client_options: As `ResponsesBatch`.

    Example:
        >>> EmbeddingsBatch.map_options(workers=2, batch_size=500)["batch_size"]
        500
    """

    columns = EMBEDDING_COLUMNS
    result_column = "embedding"
    map_options = staticmethod(ResponsesBatch.map_options)

    def __init__(
        self,
        *,
        model: str,
        text_column: str = "text",
        dimensions: int | None = None,
        chunk_size: int = 256,
        limits: Any = None,
        api_key: str | SecretStr | None = None,
        base_url: str | None = None,
        concurrency: int = 4,
        on_budget: OnBudget = "error",
        client_options: Mapping[str, Any] | None = None,
    ) -> None:
        if (
            isinstance(chunk_size, bool)
            or not isinstance(chunk_size, int)
            or not 1 <= chunk_size <= 2048
        ):
            raise ConfigurationError(
                f"chunk_size must be an int from 1 to 2048, got {chunk_size!r}"
            )
        self.text_column = text_column
        self.dimensions = dimensions
        self.chunk_size = chunk_size
        super().__init__(
            model=model,
            limits=limits,
            api_key=api_key,
            base_url=base_url,
            concurrency=concurrency,
            on_budget=on_budget,
            client_options=client_options,
        )

    def __call__(self, batch: Mapping[str, Any]) -> dict[str, Any]:
        """Embed the rows of `batch` that have no vector yet; every row gets one or an error.

        Example:
            >>> worker(batch)["embedding"]  # doctest: +SKIP
        """
        if self.text_column not in batch:
            raise ConfigurationError(
                f"the batch has no {self.text_column!r} column: it has {sorted(batch)}"
            )
        rows = _rows(batch, self.columns)
        todo = [i for i, row in enumerate(rows) if not self._done(row)]
        chunks = [todo[i : i + self.chunk_size] for i in range(0, len(todo), self.chunk_size)]
        self._run(self._all(rows, chunks))
        return _columns(rows, [*(k for k in batch if k not in self.columns), *self.columns])

    async def _all(self, rows: list[dict[str, Any]], chunks: list[list[int]]) -> None:
        gate = asyncio.Semaphore(self.concurrency)

        async def one(chunk: list[int]) -> None:
            async with gate:
                await self._embed(rows, chunk)

        await asyncio.gather(*(one(chunk) for chunk in chunks))

    async def _embed(self, rows: list[dict[str, Any]], chunk: list[int]) -> None:
        texts = [str(rows[i][self.text_column]) for i in chunk]
        tokens = sum(estimate_tokens(t) for t in texts)
        grant = await self._reserve(0.0, tokens)
        if not grant.granted:
            fields = _error_fields(self._refused(grant))
            for i in chunk:
                rows[i].update(dict.fromkeys(self.columns), **fields)
            return
        try:
            answer = await self.client.create_embeddings(
                input=texts, model=self.model, dimensions=self.dimensions
            )
            vectors = answer.vectors(expected=len(texts), dimensions=self.dimensions)
        except XiaohuError as exc:
            await self._release(grant)
            fields = _error_fields(exc)
            for i in chunk:
                rows[i].update(dict.fromkeys(self.columns), **fields)
            return
        used = answer.usage.prompt_tokens if answer.usage is not None else tokens
        cost = self.table.cost(self.model, Usage(input_tokens=used, total_tokens=used))
        await self._settle(grant, cost.total_usd, used, 0)
        share = round(cost.total_usd / len(chunk), 12)
        for i, text, vector in zip(chunk, texts, vectors, strict=True):
            rows[i].update(
                dict.fromkeys(self.columns),
                embedding=vector,
                input_tokens=estimate_tokens(text),
                cost_usd=share,
            )
