"""Issue 21: `JobLimits` (the job's budget and rate actor) as a plain class, on a fake clock.

No Ray cluster here: `JobLimits` is the actor's whole logic, and the workers take one in this
process too (`limits=JobLimits(...)`), so the budget-facing paths of `ResponsesBatch` run
against the emulator in-process, in a second or two.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import TEST_API_KEY
from xiaohu import ConfigurationError, CostLimitError

pytest.importorskip("ray", reason="the ray extra (pulled in by the test extra)")
from xiaohu.ray import JobLimits, ResponsesBatch
from xiaohu.ray import _Allowance as Allowance

MODEL = "gpt-5-mini"


class Clock:
    """Seconds that move only when a test says so."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


# -- the token buckets -------------------------------------------------------------------------


def test_request_bucket_refills_at_its_rate_from_a_clock_at_zero() -> None:
    clock = Clock(0.0)
    limits = JobLimits(requests=2, per_s=60.0, clock=clock)
    assert limits.reserve(0.0, 1).granted
    assert limits.reserve(0.0, 1).granted
    third = limits.reserve(0.0, 1)
    assert not third.granted
    assert third.refused is None
    assert third.wait_s == pytest.approx(30.0)  # one request refills in 60 s / 2
    clock.now = 29.0
    assert limits.reserve(0.0, 1).wait_s == pytest.approx(1.0)
    clock.now = 30.0
    assert limits.reserve(0.0, 1).granted
    clock.now = 1000.0  # a long pause refills to the bucket's size, not beyond
    assert [limits.reserve(0.0, 1).granted for _ in range(3)] == [True, True, False]


def test_requests_per_minute_are_held_over_ten_minutes_of_greedy_callers() -> None:
    clock = Clock(5.0)
    limits = JobLimits(requests=10, per_s=60.0, clock=clock)
    granted_at: list[float] = []
    while clock.now <= 5.0 + 600.5:  # ten minutes (and half a second of float slack)
        grant = limits.reserve(0.0, 1)
        if grant.granted:
            granted_at.append(clock.now)
        else:
            clock.now += grant.wait_s  # a worker sleeps as long as it is told
    # A full bucket of 10, then one every 6 s: 110 by t + 600, and no 60 s window holds
    # more than the bucket plus one minute's refill.
    assert len(granted_at) == 110
    for start in granted_at:
        assert sum(start <= t < start + 60.0 for t in granted_at) <= 20
    assert limits.report()["sent"] == 110


@settings(max_examples=60, deadline=None)
@given(
    capacity=st.integers(1, 20),
    steps=st.lists(st.tuples(st.floats(0.0, 30.0), st.integers(1, 5)), max_size=60),
)
def test_no_window_ever_gets_more_than_the_bucket_and_its_refill(
    capacity: int, steps: list[tuple[float, int]]
) -> None:
    clock = Clock(0.0)
    limits = JobLimits(requests=capacity, per_s=60.0, clock=clock)
    granted_at: list[float] = []
    for pause, attempts in steps:
        clock.now += pause
        for _ in range(attempts):
            if limits.reserve(0.0, 1).granted:
                granted_at.append(clock.now)
    for start in granted_at:
        in_window = sum(start <= t <= start + 60.0 for t in granted_at)
        assert in_window <= 2 * capacity + 1e-9


def test_tokens_per_minute_reserve_the_estimate_and_settle_to_the_bill() -> None:
    clock = Clock(100.0)
    limits = JobLimits(tokens=1000, per_s=60.0, clock=clock)
    leases = [limits.reserve(0.0, 300).lease for _ in range(3)]
    assert all(leases)
    fourth = limits.reserve(0.0, 300)
    assert fourth.wait_s == pytest.approx((300 - 100) * 60.0 / 1000)  # 100 left, 200 missing
    # The first call billed 100 tokens, not 300: the 200 it did not use go back.
    limits.settle(leases[0], MODEL, 0.0, 100)
    assert limits.reserve(0.0, 300).granted
    # A call given back unsent (its reservation released) returns its whole estimate.
    limits.release(leases[1])
    assert limits.reserve(0.0, 300).granted
    assert not limits.reserve(0.0, 1).granted


def test_a_call_larger_than_the_bucket_waits_for_a_full_bucket_then_goes() -> None:
    clock = Clock(0.0)
    limits = JobLimits(tokens=100, per_s=60.0, clock=clock)
    assert limits.reserve(0.0, 500).granted  # full bucket: it goes, and the bucket is in debt
    wait = limits.reserve(0.0, 500).wait_s
    assert wait == pytest.approx(500 * 60.0 / 100)  # 400 owed plus 100 refilled


# -- the budget: reservations, settling, refusals ----------------------------------------------


def test_reservations_and_bills_add_up() -> None:
    clock = Clock(0.0)
    limits = JobLimits(max_usd=1.0, clock=clock)
    first, second = limits.reserve(0.4, 10), limits.reserve(0.4, 10)
    assert first.allowance_usd == second.allowance_usd == 0.4
    assert limits.report()["reserved_usd"] == pytest.approx(0.8)
    third = limits.reserve(0.4, 10)
    assert third.wait_s > 0  # reserved calls may bill less: wait, do not refuse yet
    assert third.refused is None
    limits.settle(first.lease, MODEL, 0.1, 10, 4)
    report = limits.report()
    assert (report["spent_usd"], report["reserved_usd"]) == (pytest.approx(0.1), 0.4)
    assert (report["calls"], report["input_tokens"], report["output_tokens"]) == (1, 6, 4)
    assert limits.reserve(0.4, 10).granted  # 0.1 spent + 0.4 + 0.4 reserved fit in 1.0
    limits.settle(second.lease, MODEL, 0.5, 10)  # a bill above its estimate is charged whole
    assert limits.spent_usd() == pytest.approx(0.6)
    assert limits.report()["by_model"] == {MODEL: pytest.approx(0.6)}


def test_a_spent_budget_refuses_with_what_was_spent_and_sends_nothing() -> None:
    limits = JobLimits(max_usd=0.5, clock=Clock())
    limits.settle(limits.reserve(0.3, 1).lease, MODEL, 0.45, 1)
    refused = limits.reserve(0.1, 1)
    assert not refused.granted
    assert refused.refused is not None
    assert "$0.5000" in refused.refused
    assert "$0.4500 spent" in refused.refused
    assert "nothing was sent" in refused.refused
    assert limits.report()["sent"] == 1


def test_the_rest_of_the_budget_goes_to_one_streaming_call_that_can_afford_its_input() -> None:
    limits = JobLimits(max_usd=1.0, clock=Clock())
    limits.settle(limits.reserve(0.5, 1).lease, MODEL, 0.7, 1)  # 0.3 left
    # Too dear for its estimate, but its input fits: it goes with the rest as its allowance.
    last = limits.reserve(0.5, 1, least_usd=0.01)
    assert last.granted
    assert last.allowance_usd == pytest.approx(0.3)
    # While it runs, nothing else fits.
    assert limits.reserve(0.5, 1, least_usd=0.01).refused is None  # it may settle low: wait
    limits.settle(last.lease, MODEL, 0.29, 1)
    # 0.01 left: a call whose input alone costs more is refused, one that fits goes.
    assert limits.reserve(0.5, 1, least_usd=0.02).refused is not None
    assert limits.reserve(0.5, 1, least_usd=0.005).allowance_usd == pytest.approx(0.01)


def test_no_budget_means_no_allowance_and_no_refusal() -> None:
    limits = JobLimits(clock=Clock())
    grant = limits.reserve(1e6, 1)
    assert grant.granted
    assert grant.allowance_usd is None
    limits.settle(grant.lease, MODEL, 123.0, 1)
    assert limits.reserve(1e6, 1).granted


def test_extend_grows_an_allowance_only_into_what_others_have_not_reserved() -> None:
    clock = Clock(0.0)
    limits = JobLimits(max_usd=1.0, lease_s=10.0, clock=clock)
    mine, other = limits.reserve(0.2, 1), limits.reserve(0.3, 1)
    assert limits.extend(mine.lease or "", 0.4) == pytest.approx(0.4)
    assert limits.extend(mine.lease or "", 5.0) == pytest.approx(0.7)  # 1.0 - 0.3 reserved
    limits.settle(other.lease, MODEL, 0.25, 1)
    assert limits.extend(mine.lease or "", 5.0) == pytest.approx(0.75)
    # Asking renews the lease: a call that keeps streaming never expires.
    clock.now = 9.0
    limits.extend(mine.lease or "", 0.75)
    clock.now = 18.0
    assert limits.report()["open_leases"] == 1
    # A lease that did expire is taken up again by its (live) worker, within the budget.
    clock.now = 40.0
    assert limits.report()["expired_leases"] == 1
    assert limits.extend(mine.lease or "", 0.5) == pytest.approx(0.5)
    assert limits.report()["reserved_usd"] == pytest.approx(0.5)


def test_a_dead_workers_lease_expires_once_and_frees_its_reservation() -> None:
    clock = Clock(0.0)
    limits = JobLimits(max_usd=1.0, lease_s=10.0, clock=clock)
    dead = limits.reserve(0.8, 1)
    assert limits.reserve(0.5, 1).granted is False  # held by the dead worker's lease
    clock.now = 10.0
    report = limits.report()
    assert (report["open_leases"], report["reserved_usd"], report["expired_leases"]) == (0, 0, 1)
    assert limits.report()["expired_leases"] == 1  # counted once, however often it is looked at
    again = limits.reserve(0.5, 1)
    assert again.granted  # the budget it held is free again
    # Its worker was only slow: the late bill is charged, and the lease is not freed twice.
    limits.settle(dead.lease, MODEL, 0.2, 1)
    limits.release(dead.lease)
    report = limits.report()
    assert report["spent_usd"] == pytest.approx(0.2)
    assert report["calls"] == 1
    assert report["reserved_usd"] == pytest.approx(0.5)  # `again` still holds its own
    assert report["expired_leases"] == 1


def test_bad_limits_are_refused_before_anything_starts() -> None:
    for kwargs in ({"requests": 0}, {"tokens": 1.5}, {"requests": True}, {"per_s": 0}):
        with pytest.raises(ConfigurationError):
            JobLimits(**kwargs)
    with pytest.raises(ConfigurationError):
        JobLimits(lease_s=float("inf"))
    with pytest.raises(ConfigurationError):
        JobLimits(max_usd=-1.0)


def test_a_job_limits_refuses_to_travel_as_a_copy() -> None:
    with pytest.raises(TypeError, match="job_limits"):
        pickle.dumps(JobLimits(max_usd=1.0))


def test_a_worker_refuses_limits_that_are_neither_a_handle_nor_a_job_limits() -> None:
    with pytest.raises(ConfigurationError, match="job_limits"):
        ResponsesBatch(model=MODEL, api_key=TEST_API_KEY, limits={"max_usd": 1.0})


# -- a call's allowance --------------------------------------------------------------------------


def test_an_allowance_asks_for_more_only_when_passed_and_stops_when_refused() -> None:
    asked: list[float] = []
    room = [0.5]

    def grow(spent: float) -> float:
        asked.append(spent)
        return room[0]

    allowance = Allowance(0.1, grow)
    allowance.charge(MODEL, 0.1)
    assert not allowance.passed()
    assert asked == []  # at its allowance: no round trip
    allowance.charge(MODEL, 0.2)
    assert not allowance.passed()  # 0.3 > 0.1: it asked and got 0.5
    assert asked == [pytest.approx(0.3)]
    assert allowance.max_usd == 0.5
    room[0] = 0.4
    allowance.charge(MODEL, 0.3)
    assert allowance.passed()  # 0.6 > 0.5: it asked, and the job had only 0.4 for it
    assert allowance.job_stop


# -- the workers' budget paths, in this process, against the emulator ------------------------------


@pytest.fixture
def batch(emulator_url: str) -> Iterator[dict[str, object]]:
    made: list[ResponsesBatch] = []

    def kwargs(**more: object) -> dict[str, object]:
        return {"model": MODEL, "api_key": TEST_API_KEY, "base_url": emulator_url, **more}

    yield {"kwargs": kwargs, "made": made}
    for worker in made:
        worker.close()


def _worker(batch: dict[str, object], **kwargs: object) -> ResponsesBatch:
    make = batch["kwargs"]
    assert callable(make)
    worker = ResponsesBatch(**make(**kwargs))
    made = batch["made"]
    assert isinstance(made, list)
    made.append(worker)
    return worker


def test_a_spent_budget_gives_each_row_a_typed_error_or_stops_as_the_caller_chose(
    batch: dict[str, object],
) -> None:
    limits = JobLimits(max_usd=1e-9)
    rows = {"prompt": ["What is 1 + 1?", "What is 2 + 2?"]}
    out = _worker(batch, limits=limits, max_output_tokens=16)(rows)
    assert out["error_type"] == ["CostLimitError", "CostLimitError"]
    assert all("nothing was sent" in message for message in out["error_message"])
    assert out["prompt"] == rows["prompt"]
    with pytest.raises(CostLimitError, match="nothing was sent"):
        _worker(batch, limits=limits, on_budget="stop", max_output_tokens=16)(rows)
    assert limits.report()["sent"] == 0


def test_a_stream_passing_the_job_budget_stops_and_its_partial_cost_is_charged_once(
    batch: dict[str, object],
) -> None:
    # One web search costs $0.01: a $0.005 job can afford the call's input, not its search.
    limits = JobLimits(max_usd=0.005)
    worker = _worker(batch, limits=limits, tools=[{"type": "web_search"}], concurrency=1)
    out = worker({"prompt": ["What is new in Python 3.13?", "Who maintains httpx?"]})
    assert out["error_type"] == ["BudgetExceededError", "CostLimitError"]
    assert "mid-stream: the job budget ran out" in out["error_message"][0]
    assert out["response_id"][0]
    assert out["cost_usd"][0] > 0.005
    report = limits.report()
    assert report["spent_usd"] == pytest.approx(out["cost_usd"][0])
    assert (report["calls"], report["sent"], report["open_leases"]) == (1, 1, 0)
    with pytest.raises(Exception, match="mid-stream: the job budget ran out"):
        _worker(
            batch, limits=JobLimits(max_usd=0.005), tools=[{"type": "web_search"}], on_budget="stop"
        )({"prompt": ["What is new in Python 3.13?"]})


def test_a_call_within_its_allowance_is_billed_exactly(batch: dict[str, object]) -> None:
    limits = JobLimits(max_usd=1.0)
    out = _worker(batch, limits=limits)({"prompt": ["What is 3 + 3?", "What is 4 + 4?"]})
    assert out["error_type"] == [None, None]
    report = limits.report()
    assert report["spent_usd"] == pytest.approx(sum(out["cost_usd"]))
    assert (report["calls"], report["open_leases"], report["reserved_usd"]) == (2, 0, 0)
