"""Background runs: start, follow with progress, resume a dropped stream, cancel, wait.

Deep research runs for minutes. `run_background(...)` starts it with `background: true` and
streams it; progress goes to a callback; a dropped connection resumes from the last sequence
number (`GET /v1/responses/{id}?stream=true&starting_after=N`) into the same fold, so nothing is
paid twice and no text is duplicated. `wait_response(...)` polls a background response with a
growing interval until it ends, and gives up at a timeout rather than poll forever.

The relay studied in the protocol reference drops `background` and does not route
`GET /v1/responses/{id}`. That is detected (no `response.queued`, `background` not echoed, a
synchronous final answer, or `404 Invalid URL`) and answered with a warning and a plain stream,
or a clear `BackgroundUnsupportedError` where nothing can be followed; never an endless poll.

Everything that does no I/O (the schedule, the progress, the detection) is shared; the mixins
hold only the blocking or awaited calls.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._events import ResponseStreamEvent
from ._exceptions import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    IncompleteStreamError,
    NotFoundError,
    ResponseFailedError,
)
from ._fold import ItemDone, ResponseState, StreamDelta
from ._guard import CostMeter
from ._models import Response, WebSearchCall
from ._pricing import Cost
from ._quota import (
    SUBSCRIPTION_PATH,
    USAGE_PATH,
    Quota,
    check_billing_answer,
    parse_quota,
    quota_error,
)

if TYPE_CHECKING:
    from ._background_stream import AsyncBackgroundStream, BackgroundStream
    from ._client import AsyncXiaohuClient, XiaohuClient

__all__ = [
    "PENDING_STATUSES",
    "TERMINAL_STATUSES",
    "AsyncBackgroundMixin",
    "BackgroundMixin",
    "BackgroundUnsupportedError",
    "PollSchedule",
    "Progress",
]

log = logging.getLogger("xiaohu")

TERMINAL_STATUSES = frozenset({"completed", "failed", "cancelled", "incomplete"})
"""A background response with one of these statuses will not change any more."""
PENDING_STATUSES = frozenset({"queued", "in_progress"})
"""A background response with one of these statuses is still running."""

_PROGRESS_EVENTS = frozenset(
    {
        "response.created",
        "response.queued",
        "response.in_progress",
        "response.output_item.added",
        "response.output_item.done",
        "response.completed",
        "response.incomplete",
    }
)
#: Streams broken by these can be resumed; a budget stop or a failed response cannot.
_RESUMABLE = (IncompleteStreamError, APIConnectionError)
_DROPPED_WARNING = (
    "the relay ignored background=True (it answered without a queued background run); "
    "continuing as a plain stream: a dropped connection cannot be resumed and the run cannot "
    "be cancelled"
)


_CALL_OPTIONS = ("extra_headers", "timeout", "max_retries")


def _call_options(params: dict[str, Any]) -> dict[str, Any]:
    """Take the per-call options (headers, timeout, retries) out of the request body."""
    return {name: params.pop(name) for name in _CALL_OPTIONS if name in params}


class BackgroundUnsupportedError(APIError):
    """Raised when a background run cannot be followed: the relay does not route it.

    Example:
        >>> str(BackgroundUnsupportedError("no GET /v1/responses/{id}"))
        'no GET /v1/responses/{id}'
    """


ProgressCallback = Callable[["Progress"], Any]


@dataclass(frozen=True)
class Progress:
    """A snapshot of a background run, for progress callbacks.

    Attributes:
        response_id: The response.
        status: `queued`, `in_progress`, `completed`, ...
        elapsed_s: Seconds since the run was started (or the wait began).
        web_searches: Web searches counted so far.
        output_chars: Answer characters received so far.
        cost: The running cost (an estimate until the bill).
        event: The stream event that caused this report (`None` when polling).

    Example:
        >>> Progress("resp_1", "queued", 0.0, 0, 0, Cost(model="m")).status
        'queued'
    """

    response_id: str
    status: str
    elapsed_s: float
    web_searches: int
    output_chars: int
    cost: Cost
    event: str | None = None


class PollSchedule:
    """When to poll next: a growing interval, capped, until a timeout.

    Args:
        interval: The first wait, in seconds.
        max_interval: The longest wait between polls.
        timeout: Give up after this many seconds (`None`: never; not recommended).
        factor: How much each wait grows.

    Example:
        >>> schedule = PollSchedule(interval=1.0, max_interval=2.0, timeout=None, factor=1.5)
        >>> [schedule.next_delay(0.0) for _ in range(4)]
        [1.0, 1.5, 2.0, 2.0]
    """

    def __init__(
        self,
        *,
        interval: float = 2.0,
        max_interval: float = 30.0,
        timeout: float | None = 3600.0,
        factor: float = 1.5,
    ) -> None:
        if interval <= 0 or max_interval < interval or factor < 1:
            raise ValueError("need 0 < interval <= max_interval and factor >= 1")
        if timeout is not None and timeout <= 0:
            raise ValueError(f"timeout must be > 0 seconds or None, got {timeout!r}")
        self.interval = interval
        self.max_interval = max_interval
        self.timeout = timeout
        self.factor = factor
        self._next = interval

    def next_delay(self, elapsed: float) -> float:
        """The next wait, never past the timeout.

        Raises:
            APITimeoutError: The timeout has passed.

        Example:
            >>> PollSchedule(timeout=1.0).next_delay(2.0)
            Traceback (most recent call last):
            ...
            xiaohu._exceptions.APITimeoutError: gave up waiting after 2 s (timeout 1.0 s)
        """
        if self.timeout is not None and elapsed >= self.timeout:
            raise APITimeoutError(
                f"gave up waiting after {elapsed:.0f} s (timeout {self.timeout} s)"
            )
        delay = self._next
        self._next = min(self._next * self.factor, self.max_interval)
        if self.timeout is not None:
            delay = min(delay, self.timeout - elapsed)
        return delay


def progress_of(
    state: ResponseState, meter: CostMeter, started: float, now: float, event: str | None
) -> Progress:
    """A `Progress` from the fold and the meter (no I/O).

    Example:
        >>> from xiaohu._pricing import PriceTable
        >>> meter = CostMeter(PriceTable(), "gpt-5", input_tokens=0, limit_usd=None)
        >>> progress_of(ResponseState(), meter, 0.0, 1.5, None).elapsed_s
        1.5
    """
    snapshot = state.snapshot
    cost = meter.running()
    return Progress(
        response_id=(snapshot.id if snapshot else "") or meter.response_id or "",
        status=(snapshot.status if snapshot else None) or "queued",
        elapsed_s=round(now - started, 3),
        web_searches=cost.web_search_calls,
        output_chars=len(state.text),
        cost=cost,
        event=event,
    )


def poll_progress(response: Response, meter: CostMeter, started: float, now: float) -> Progress:
    """A `Progress` from a polled response (no I/O).

    Example:
        >>> from xiaohu._pricing import PriceTable
        >>> meter = CostMeter(PriceTable(), "gpt-5", input_tokens=0, limit_usd=None)
        >>> poll_progress(Response(id="r", status="queued"), meter, 0.0, 0.0).status
        'queued'
    """
    searches = sum(1 for item in response.output if isinstance(item, WebSearchCall))
    return Progress(
        response_id=response.id,
        status=response.status or "queued",
        elapsed_s=round(now - started, 3),
        web_searches=searches,
        output_chars=len(response.output_text),
        cost=meter.running(),
    )


class _ResumableState(ResponseState):
    """The fold, skipping events a resumed stream sends again (sequence number <= the last)."""

    def __init__(self) -> None:
        super().__init__()
        self.resumed_after = -1

    def apply(self, event: ResponseStreamEvent) -> Sequence[StreamDelta]:
        if 0 <= event.sequence_number <= self.resumed_after:
            return ()
        return super().apply(event)


class _Follow:
    """What a followed background stream has learned (no I/O)."""

    def __init__(self, meter: CostMeter, on_progress: ProgressCallback | None) -> None:
        self.meter = meter
        self.on_progress = on_progress
        self.state = _ResumableState()
        self.started = time.monotonic()
        self.events = 0
        self.confirmed: bool | None = None
        """Whether the relay kept `background` (None until the second event)."""

    def see(self, event: ResponseStreamEvent, deltas: Sequence[StreamDelta]) -> None:
        self.events += 1
        if self.confirmed is None and event.type != "response.created":
            snapshot = self.state.snapshot
            self.confirmed = event.type == "response.queued" or bool(
                snapshot is not None and snapshot.background
            )
            if not self.confirmed:
                warnings.warn(_DROPPED_WARNING, UserWarning, stacklevel=4)
        if self.on_progress is not None and (
            event.type in _PROGRESS_EVENTS or any(isinstance(d, ItemDone) for d in deltas)
        ):
            self.on_progress(
                progress_of(self.state, self.meter, self.started, time.monotonic(), event.type)
            )

    def resume_point(self, exc: Exception) -> tuple[str, int]:
        """Where to resume after `exc`; re-raise it when the stream cannot be resumed."""
        response_id = self.meter.response_id
        if not isinstance(exc, _RESUMABLE) or not self.confirmed or not response_id:
            raise exc
        after = self.state.last_sequence_number
        self.state.resumed_after = after
        log.warning("background stream %s dropped after event %d; resuming", response_id, after)
        return response_id, after

    def unsupported(self, exc: NotFoundError, response_id: str) -> BackgroundUnsupportedError:
        return BackgroundUnsupportedError(
            f"the stream of background run {response_id} dropped and the relay does not route "
            f"GET /v1/responses/{{id}} to resume it ({exc.message}); "
            f"{len(self.state.text)} characters were received",
            body=exc.body,
        )


def _check_dropped(created: Response) -> None:
    if created.status in TERMINAL_STATUSES and not created.background:
        warnings.warn(
            "the relay ignored background=True and answered synchronously; "
            "here is its final answer",
            UserWarning,
            stacklevel=3,
        )


def _invalid_url(exc: NotFoundError, response_id: str) -> BackgroundUnsupportedError:
    return BackgroundUnsupportedError(
        f"the relay does not route GET /v1/responses/{response_id} ({exc.message}): a background "
        "run cannot be polled or cancelled there. Use run_background(...), which streams and "
        "falls back to a plain stream on such relays.",
        body=exc.body,
    )


def _finished(response: Response) -> Response:
    if response.status == "failed":
        error = response.error
        raise ResponseFailedError(
            f"background run {response.id} failed: "
            f"{(error.message if error else '') or 'no reason given'}",
            code=error.code if error else None,
        )
    return response


class _Waiter:
    """The I/O-free half of `wait_response`, shared by the sync and async twins."""

    def __init__(
        self,
        meter_for: Callable[[str, float | None], CostMeter],
        response: Response | str,
        on_progress: ProgressCallback | None,
        interval: float,
        max_interval: float,
        timeout: float | None,
        max_cost_usd: float | None,
    ) -> None:
        self.first = response if isinstance(response, Response) else None
        """The response to check before the first poll, when the caller passed one."""
        self.response_id = str(self.first.id if self.first is not None else response)
        self.meter = meter_for(self.first.model if self.first else "", max_cost_usd)
        self._schedule = PollSchedule(interval=interval, max_interval=max_interval, timeout=timeout)
        self._on_progress = on_progress
        self._started = time.monotonic()

    def settle(self, current: Response) -> Response | None:
        """The final response if `current` has ended (billed once), else `None`."""
        if current.status not in TERMINAL_STATUSES:  # pending, unknown ("paused") or none
            if current.status not in PENDING_STATUSES:
                log.warning("response %s has status %r; waiting on", current.id, current.status)
            return None
        _check_dropped(current)
        self.meter.finish(current)
        return _finished(current)

    def next_delay(self, current: Response) -> float:
        """Report progress on a pending `current`; seconds to wait before the next poll."""
        if self._on_progress is not None:
            now = time.monotonic()
            self._on_progress(poll_progress(current, self.meter, self._started, now))
        return self._schedule.next_delay(time.monotonic() - self._started)


class BackgroundMixin:
    """Background runs, cost and quota for `XiaohuClient`.

    Example:
        >>> client.run_background(
        ...     model="o3-deep-research",
        ...     input="...",
        ...     tools=[{"type": "web_search_preview"}],
        ...     max_cost_usd=5.0,
        ...     on_progress=print,
        ... )  # doctest: +SKIP
    """

    def _me(self) -> XiaohuClient:
        return self  # type: ignore[return-value]

    def run_background(
        self,
        *,
        on_progress: ProgressCallback | None = None,
        max_resumes: int = 5,
        **params: Any,
    ) -> Response:
        """Run a (long) response in background mode, streamed, and return the final Response.

        Progress (queued, in progress, each web search, ...) goes to `on_progress`. A dropped
        stream is resumed after the last event received, up to `max_resumes` times. On a relay
        that drops `background` this warns and reads the plain stream to its end.

        Raises:
            CostLimitError: Refused before sending, or stopped (`BudgetExceededError`, the run
                is then cancelled).
            BackgroundUnsupportedError: The stream dropped and the relay cannot resume it.

        Example:
            >>> client.run_background(
            ...     model="o4-mini-deep-research",
            ...     input="...",
            ...     tools=[{"type": "web_search_preview"}],
            ...     allow_expensive=True,
            ... ).output_text  # doctest: +SKIP
        """
        with self.stream_background(
            on_progress=on_progress, max_resumes=max_resumes, **params
        ) as stream:
            return stream.get_final_response()

    def stream_background(
        self,
        *,
        on_progress: ProgressCallback | None = None,
        max_resumes: int = 5,
        **params: Any,
    ) -> BackgroundStream:
        """Start a background run and stream it, resuming dropped connections.

        The same guard, progress and fallback as `run_background`; read it like a
        `ResponseStream` (`iter_pairs`, `iter_deltas`, `get_final_response`).

        Example:
            >>> with client.stream_background(model="o3", input="...") as stream:  # doctest: +SKIP
            ...     for delta in stream.iter_deltas():
            ...         print(delta)
        """
        from ._background_stream import BackgroundStream

        client = self._me()
        options = _call_options(params)
        body, meter = client.cost_guard.check({**params, "background": True, "store": True})
        response = client.request(
            "POST", "/responses", json=client._payload(body, stream=True), stream=True, **options
        )
        follow = _Follow(meter, on_progress)
        return BackgroundStream(client, response, follow, max_resumes, options)

    def _cancel_quietly(self, response_id: str) -> None:
        try:
            self._me().cancel_response(response_id)
        except APIError as exc:
            log.warning("could not cancel %s after the budget stop: %s", response_id, exc)

    def wait_response(
        self,
        response: Response | str,
        *,
        on_progress: ProgressCallback | None = None,
        interval: float = 2.0,
        max_interval: float = 30.0,
        timeout: float | None = 3600.0,
        max_cost_usd: float | None = None,
    ) -> Response:
        """Poll a background response until it ends; return it (completed, incomplete, cancelled).

        The interval grows from `interval` to `max_interval`; after `timeout` seconds this
        gives up (the run goes on: wait again, or cancel it). A budget (`max_cost_usd`, and
        what is left of the client's) applies: a run whose polled output passes it is cancelled.

        Raises:
            ResponseFailedError: The run failed.
            APITimeoutError: Still running at the timeout.
            BackgroundUnsupportedError: The relay does not route `GET /v1/responses/{id}`.
            BudgetExceededError: The client's budget was passed; the run was cancelled.

        Example:
            >>> queued = client.create_response(
            ...     model="o3", input="...", background=True
            ... )  # doctest: +SKIP
            >>> client.wait_response(queued, on_progress=print).status  # doctest: +SKIP
            'completed'
        """
        client = self._me()
        waiter = _Waiter(
            client.cost_guard.meter_for,
            response,
            on_progress,
            interval,
            max_interval,
            timeout,
            max_cost_usd,
        )
        current = waiter.first
        while True:
            if current is None:
                try:
                    current = client.retrieve_response(waiter.response_id)
                except NotFoundError as exc:
                    raise _invalid_url(exc, waiter.response_id) from exc
            final = waiter.settle(current)
            if final is not None:
                return final
            self._watch(waiter.meter, current)
            time.sleep(waiter.next_delay(current))
            current = None

    def _watch(self, meter: CostMeter, current: Response) -> None:
        try:
            meter.observe_response(current)
        except Exception:
            meter.stopped()
            self._cancel_quietly(current.id)
            raise

    def quota(self) -> Quota:
        """The key's balance: grant, used, remaining (relay billing endpoints).

        Raises:
            InsufficientQuotaError: The key's quota is used up.

        Example:
            >>> client.quota().remaining_usd  # doctest: +SKIP
            97.5
        """
        answers = [self._billing(path) for path in (SUBSCRIPTION_PATH, USAGE_PATH)]
        for http_response, data in answers:
            check_billing_answer(http_response, data)
        return parse_quota(answers[0][1], answers[1][1])

    def _billing(self, path: str) -> tuple[Any, Any]:
        client = self._me()
        try:
            http_response = client.request("GET", path)
        except AuthenticationError as exc:
            raise quota_error(exc) from exc
        return http_response, client._decode_json(http_response)


class AsyncBackgroundMixin:
    """Async twin of `BackgroundMixin`, for `AsyncXiaohuClient`.

    Example:
        >>> await client.run_background(
        ...     model="o3-deep-research",
        ...     input="...",
        ...     tools=[{"type": "web_search_preview"}],
        ...     max_cost_usd=5.0,
        ... )  # doctest: +SKIP
    """

    def _me(self) -> AsyncXiaohuClient:
        return self  # type: ignore[return-value]

    async def run_background(
        self,
        *,
        on_progress: ProgressCallback | None = None,
        max_resumes: int = 5,
        **params: Any,
    ) -> Response:
        """Async twin of `XiaohuClient.run_background`.

        Example:
            >>> (await client.run_background(model="o3", input="...")).status  # doctest: +SKIP
            'completed'
        """
        stream = await self.stream_background(
            on_progress=on_progress, max_resumes=max_resumes, **params
        )
        async with stream:
            return await stream.get_final_response()

    async def stream_background(
        self,
        *,
        on_progress: ProgressCallback | None = None,
        max_resumes: int = 5,
        **params: Any,
    ) -> AsyncBackgroundStream:
        """Async twin of `XiaohuClient.stream_background`.

        Example:
            >>> stream = await client.stream_background(model="o3", input="...")  # doctest: +SKIP
        """
        from ._background_stream import AsyncBackgroundStream

        client = self._me()
        options = _call_options(params)
        body, meter = client.cost_guard.check({**params, "background": True, "store": True})
        response = await client.request(
            "POST", "/responses", json=client._payload(body, stream=True), stream=True, **options
        )
        follow = _Follow(meter, on_progress)
        return AsyncBackgroundStream(client, response, follow, max_resumes, options)

    async def _cancel_quietly(self, response_id: str) -> None:
        try:
            await self._me().cancel_response(response_id)
        except APIError as exc:
            log.warning("could not cancel %s after the budget stop: %s", response_id, exc)

    async def wait_response(
        self,
        response: Response | str,
        *,
        on_progress: ProgressCallback | None = None,
        interval: float = 2.0,
        max_interval: float = 30.0,
        timeout: float | None = 3600.0,
        max_cost_usd: float | None = None,
    ) -> Response:
        """Async twin of `XiaohuClient.wait_response`.

        Example:
            >>> (await client.wait_response("resp_123")).status  # doctest: +SKIP
            'completed'
        """
        client = self._me()
        waiter = _Waiter(
            client.cost_guard.meter_for,
            response,
            on_progress,
            interval,
            max_interval,
            timeout,
            max_cost_usd,
        )
        current = waiter.first
        while True:
            if current is None:
                try:
                    current = await client.retrieve_response(waiter.response_id)
                except NotFoundError as exc:
                    raise _invalid_url(exc, waiter.response_id) from exc
            final = waiter.settle(current)
            if final is not None:
                return final
            try:
                waiter.meter.observe_response(current)
            except Exception:
                waiter.meter.stopped()
                await self._cancel_quietly(current.id)
                raise
            await asyncio.sleep(waiter.next_delay(current))
            current = None

    async def quota(self) -> Quota:
        """Async twin of `XiaohuClient.quota`.

        Example:
            >>> (await client.quota()).remaining_usd  # doctest: +SKIP
            97.5
        """
        answers = [await self._billing(path) for path in (SUBSCRIPTION_PATH, USAGE_PATH)]
        for http_response, data in answers:
            check_billing_answer(http_response, data)
        return parse_quota(answers[0][1], answers[1][1])

    async def _billing(self, path: str) -> tuple[Any, Any]:
        client = self._me()
        try:
            http_response = await client.request("GET", path)
        except AuthenticationError as exc:
            raise quota_error(exc) from exc
        return http_response, client._decode_json(http_response)
