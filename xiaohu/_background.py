"""The I/O-free half of background runs: poll schedule, progress, resume state, the waiter.

Deep research runs for minutes. `client.run_background(...)` starts it with `background: true`
and streams it; progress goes to a callback; a dropped connection resumes from the last
sequence number (`GET /v1/responses/{id}?stream=true&starting_after=N`) into the same fold, so
nothing is paid twice and no text is duplicated. `client.wait_response(...)` polls a background
response with a growing interval until it ends, and gives up at a timeout rather than poll
forever.

The relay studied in the protocol reference drops `background` and does not route
`GET /v1/responses/{id}`. That is detected here (no `response.queued`, `background` not echoed,
a synchronous final answer, or `404 Invalid URL`) and answered with a warning and a plain
stream, or a clear `BackgroundUnsupportedError` where nothing can be followed; never an endless
poll.

This module does no I/O and imports neither the clients nor the streams: the clients
(`_client`) and the resumable streams (`_background_stream`) import it, never the reverse.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ._events import ResponseStreamEvent
from ._exceptions import (
    APIConnectionError,
    BackgroundUnsupportedError,
    BudgetExceededError,
    CostLimitError,
    DeadlineExceededError,
    IncompleteStreamError,
    NotFoundError,
    ResponseFailedError,
)
from ._fold import ItemDone, ResponseState, StreamDelta
from ._guard import Budget, CostMeter
from ._models import Response, WebSearchCall
from ._pricing import Cost

__all__ = [
    "PENDING_STATUSES",
    "TERMINAL_STATUSES",
    "BackgroundUnsupportedError",
    "PollSchedule",
    "PollStep",
    "Progress",
    "ProgressCallback",
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
        # Written so that NaN fails each test (every comparison with NaN is false).
        if not (0 < interval <= max_interval < float("inf")) or not factor >= 1:
            raise ValueError(
                "need 0 < interval <= max_interval (finite) and factor >= 1, got "
                f"interval={interval!r}, max_interval={max_interval!r}, factor={factor!r}"
            )
        if timeout is not None and not timeout > 0:
            raise ValueError(f"timeout must be > 0 seconds or None, got {timeout!r}")
        self.interval = interval
        self.max_interval = max_interval
        self.timeout = timeout
        self.factor = factor
        self._next = interval

    def steady(self) -> PollSchedule:
        """The same schedule without the growth: every wait is `interval`.

        Example:
            >>> schedule = PollSchedule(interval=1.0, max_interval=8.0).steady()
            >>> [schedule.next_delay(0.0) for _ in range(3)]
            [1.0, 1.0, 1.0]
        """
        return PollSchedule(
            interval=self.interval,
            max_interval=self.interval,
            timeout=self.timeout,
            factor=1.0,
        )

    def next_delay(self, elapsed: float) -> float:
        """The next wait, never past the timeout.

        Raises:
            DeadlineExceededError: The timeout (the wait's deadline) has passed.

        Example:
            >>> PollSchedule(timeout=1.0).next_delay(2.0)
            Traceback (most recent call last):
            ...
            xiaohu._exceptions.DeadlineExceededError: gave up waiting after 2 s (deadline 1.0 s)
        """
        if self.timeout is not None and elapsed >= self.timeout:
            raise DeadlineExceededError(
                f"gave up waiting after {elapsed:.0f} s (deadline {self.timeout} s)",
                deadline_s=self.timeout,
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


def _identity(event: ResponseStreamEvent) -> tuple[object, ...]:
    """Where an event belongs: its type, output item and part (what a blind replay repeats)."""
    return (
        event.type,
        getattr(event, "output_index", None),
        getattr(event, "content_index", None),
        getattr(event, "summary_index", None),
        getattr(event, "item_id", None),
    )


class _ResumableState(ResponseState):
    """The fold, skipping events a resumed stream sends again.

    With sequence numbers: those <= the last one before the drop. Without them (some relays
    strip them), a resume replays from the start, so the first N events of each identity
    (type, output index, content/summary index, item id) are the N already folded in.
    """

    def __init__(self) -> None:
        super().__init__()
        self.resumed_after = -1
        self._counts: dict[tuple[object, ...], int] = {}
        self._before: dict[tuple[object, ...], int] | None = None
        self._replayed: dict[tuple[object, ...], int] = {}
        self._last: tuple[ResponseStreamEvent, bool] | None = None

    def resume_blind(self) -> None:
        """A resume without sequence numbers: the server will replay from the start."""
        self._before = dict(self._counts)
        self._replayed = {}

    def stale(self, event: ResponseStreamEvent) -> bool:
        """Whether a resumed stream is sending `event` again (the one stale-event rule)."""
        if self._last is not None and self._last[0] is event:
            return self._last[1]  # asked again for the same event (fold, then the reader)
        if event.sequence_number >= 0:
            verdict = 0 <= event.sequence_number <= self.resumed_after
        elif self._before is None:
            verdict = False
        else:
            key = _identity(event)
            seen = self._replayed[key] = self._replayed.get(key, 0) + 1
            verdict = seen <= self._before.get(key, 0)
        self._last = (event, verdict)
        return verdict

    def apply(self, event: ResponseStreamEvent) -> Sequence[StreamDelta]:
        if self.stale(event):
            return ()
        if event.sequence_number < 0:
            key = _identity(event)
            self._counts[key] = self._counts.get(key, 0) + 1
        return super().apply(event)


def resume_params(starting_after: int) -> dict[str, Any]:
    """The query of `GET /v1/responses/{id}` that resumes a stream after a sequence number.

    Example:
        >>> resume_params(41), resume_params(-1)
        ({'stream': 'true', 'starting_after': 41}, {'stream': 'true'})
    """
    params: dict[str, Any] = {"stream": "true"}
    if starting_after >= 0:
        params["starting_after"] = starting_after
    return params


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
        if after < 0:
            self.state.resume_blind()
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
            stacklevel=4,
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


@dataclass(frozen=True)
class PollStep:
    """What `wait_response` does after one poll: exactly one field says it.

    Attributes:
        final: The run ended: return this response.
        stop: The budget was passed: cancel the run, then raise this.
        delay: Otherwise: wait this many seconds and poll again.
    """

    final: Response | None = None
    stop: Exception | None = None
    delay: float = 0.0


class _Waiter:
    """Every per-poll decision of `wait_response`, so each twin is a short I/O loop."""

    def __init__(
        self,
        meter_for: Callable[..., CostMeter],
        response: Response | str,
        on_progress: ProgressCallback | None,
        schedule: PollSchedule,
        max_cost_usd: float | None,
        clock: Callable[[], float] = time.monotonic,
        *,
        budget: Budget | None = None,
    ) -> None:
        self.first = response if isinstance(response, Response) else None
        """The response to check before the first poll, when the caller passed one."""
        self.response_id = str(self.first.id if self.first is not None else response)
        self.meter = meter_for(
            self.first.model if self.first else "",
            max_cost_usd,
            budget,
            response_id=self.response_id,
        )
        if self.meter.bounded:
            # A budget is checked only at each poll: keep them close (the interval does not
            # grow), so the run is seen, and stopped, soon after it passes the budget.
            schedule = schedule.steady()
        self._schedule = schedule
        self._on_progress = on_progress
        self._clock = clock
        self._started = clock()

    def step(self, current: Response) -> PollStep:
        """Decide what follows the poll that answered `current` (no I/O).

        An ended run is billed once and returned (a failed one raises `ResponseFailedError`);
        a pending run's output is metered against the budget, progress is reported, and the
        schedule says how long to wait (raising `DeadlineExceededError` past the deadline). A status
        that is neither (`"paused"`, or none in a `{}` poll) is waited on, never taken as the end.
        """
        if current.status not in TERMINAL_STATUSES:
            if current.status not in PENDING_STATUSES:
                log.warning("response %s has status %r; waiting on", current.id, current.status)
        else:
            _check_dropped(current)
            self.meter.finish(current)
            return PollStep(final=_finished(current))
        try:
            self.meter.observe_response(current)
        except (BudgetExceededError, CostLimitError) as exc:  # the twin cancels, then raises it
            self.meter.stopped()
            return PollStep(stop=exc)
        now = self._clock()
        if self._on_progress is not None:
            self._on_progress(poll_progress(current, self.meter, self._started, now))
        return PollStep(delay=self._schedule.next_delay(now - self._started))

    def unroutable(self, exc: NotFoundError) -> BackgroundUnsupportedError:
        """The error for a relay that answered the poll with 404: it does not route it."""
        return _invalid_url(exc, self.response_id)
