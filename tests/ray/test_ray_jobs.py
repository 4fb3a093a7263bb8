"""Issue 21: Responses calls and embeddings on Ray Data, one budget and one rate limit per job.

One local Ray cluster (`local_cluster(num_cpus=2)`: loopback only, no dashboard) and one
emulator on 127.0.0.1 serve every test of this module; each job runs on 2 workers.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import TEST_API_KEY
from xiaohu import PriceTable, XiaohuClient
from xiaohu.emulator import serve

ray = pytest.importorskip("ray", reason="the ray extra (pulled in by the test extra)")
from xiaohu.ray import (  # noqa: E402 (after the importorskip)
    EmbeddingsBatch,
    ResponsesBatch,
    job_limits,
    local_cluster,
)

pytestmark = pytest.mark.ray

MODEL = "gpt-5-mini"
EMBED = "text-embedding-3-small"


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with serve(port=0) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def cluster() -> Iterator[None]:
    local_cluster(num_cpus=2)
    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = False
    ctx.execution_options.preserve_order = True
    yield
    ray.shutdown()


def _ask(url: str, **kwargs: Any) -> dict[str, Any]:
    return {"model": MODEL, "api_key": TEST_API_KEY, "base_url": url, **kwargs}


def _prompts(n: int) -> Any:
    return ray.data.from_items([{"i": i, "prompt": f"What is {i} + {i}?"} for i in range(n)])


def test_1000_embeddings_and_200_responses_every_row_once_in_order(cluster: None, url: str) -> None:
    texts = [f"chunk {i}: tea grows on hills number {i}" for i in range(1000)]
    embedded = (
        ray.data.from_items([{"i": i, "text": t} for i, t in enumerate(texts)])
        .map_batches(
            EmbeddingsBatch,
            fn_constructor_kwargs=_ask(url, model=EMBED),
            **EmbeddingsBatch.map_options(workers=2, batch_size=250),
        )
        .take_all()
    )
    assert [row["i"] for row in embedded] == list(range(1000))
    assert all(row["error_type"] is None for row in embedded)
    with XiaohuClient(api_key=TEST_API_KEY, base_url=url) as client:
        alone = client.embed([texts[0], texts[517], texts[999]], model=EMBED)
    for index, vector in zip((0, 517, 999), alone, strict=True):
        assert list(embedded[index]["embedding"]) == pytest.approx(vector)

    answered = (
        _prompts(200)
        .map_batches(
            ResponsesBatch,
            fn_constructor_kwargs=_ask(url),
            **ResponsesBatch.map_options(workers=2, batch_size=25),
        )
        .take_all()
    )
    assert [row["i"] for row in answered] == list(range(200))
    assert all(row["error_type"] is None for row in answered), answered[0]
    assert all(row["output_text"] and row["response_id"] for row in answered)
    assert len({row["response_id"] for row in answered}) == 200
    assert all(row["cost_usd"] > 0 for row in answered)


def test_structured_output_gives_parsed_json_per_row(cluster: None, url: str) -> None:
    schema = {
        "type": "object",
        "properties": {"answer": {"type": "string"}},
        "required": ["answer"],
        "additionalProperties": False,
    }
    fmt = {"type": "json_schema", "name": "answer", "schema": schema, "strict": True}
    rows = (
        _prompts(6)
        .map_batches(
            ResponsesBatch,
            fn_constructor_kwargs=_ask(url, text_format=fmt, reasoning={"effort": "low"}),
            **ResponsesBatch.map_options(workers=2, batch_size=3),
        )
        .take_all()
    )
    import json

    assert all(set(json.loads(row["output_json"])) == {"answer"} for row in rows)


def test_a_shared_budget_stops_the_job_within_one_call_across_workers(
    cluster: None, url: str
) -> None:
    params = {"model": MODEL, "input": "What is 1 + 1?", "max_output_tokens": 64}
    estimate = PriceTable().estimate(params).total_usd
    budget = 12.5 * estimate
    limits = job_limits(max_usd=budget)
    rows = (
        _prompts(60)
        .map_batches(
            ResponsesBatch,
            fn_constructor_kwargs=_ask(url, limits=limits, max_output_tokens=64),
            **ResponsesBatch.map_options(workers=2, batch_size=10),
        )
        .take_all()
    )
    report = ray.get(limits.report.remote())
    billed = [row for row in rows if row["error_type"] is None]
    refused = [row for row in rows if row["error_type"] is not None]
    assert len(rows) == 60
    assert billed
    assert refused
    # The last call may get only the rest of the budget and be stopped mid-stream (charged);
    # every later one is refused before sending.
    kinds = Counter(row["error_type"] for row in refused)
    assert set(kinds) <= {"CostLimitError", "BudgetExceededError"}
    assert kinds["BudgetExceededError"] <= 1
    assert all(
        "nothing was sent" in row["error_message"]
        for row in refused
        if row["error_type"] == "CostLimitError"
    )
    assert report["spent_usd"] == pytest.approx(sum(row["cost_usd"] or 0.0 for row in rows))
    one_call = max(row["cost_usd"] for row in billed)
    assert abs(budget - report["spent_usd"]) <= max(one_call, estimate)
    assert report["open_leases"] == 0

    # Rerunning over the output with a bigger budget redoes only the refused rows.
    more = job_limits(max_usd=100 * budget)
    again = (
        ray.data.from_items(rows)
        .map_batches(
            ResponsesBatch,
            fn_constructor_kwargs=_ask(url, limits=more, max_output_tokens=64),
            **ResponsesBatch.map_options(workers=2, batch_size=10),
        )
        .take_all()
    )
    assert [row["i"] for row in again] == list(range(60))
    assert all(row["error_type"] is None for row in again), [r for r in again if r["error_type"]][
        :2
    ]
    assert ray.get(more.report.remote())["calls"] == len(refused)
    kept = {row["i"]: row["response_id"] for row in billed}
    assert all(row["response_id"] == kept[row["i"]] for row in again if row["i"] in kept)


def test_a_stream_passing_the_job_budget_is_stopped_mid_way_and_charged_once(
    cluster: None, url: str
) -> None:
    # Each call makes one $0.01 web search (estimated $0.012): two fit in $0.025, the third
    # gets the rest and is stopped at its search, from the worker's meter through the actor.
    limits = job_limits(max_usd=0.025)
    questions = [f"What is new in Python 3.{i}?" for i in range(8)]
    rows = (
        ray.data.from_items([{"i": i, "prompt": q} for i, q in enumerate(questions)])
        .map_batches(
            ResponsesBatch,
            fn_constructor_kwargs=_ask(url, limits=limits, tools=[{"type": "web_search"}]),
            **ResponsesBatch.map_options(workers=2, batch_size=4),
        )
        .take_all()
    )
    report = ray.get(limits.report.remote())
    kinds = Counter(row["error_type"] for row in rows)
    assert kinds["BudgetExceededError"] == 1, kinds
    assert kinds[None] == 2
    assert kinds["CostLimitError"] == 5
    (stopped,) = (row for row in rows if row["error_type"] == "BudgetExceededError")
    assert "mid-stream: the job budget ran out" in stopped["error_message"]
    assert stopped["response_id"]
    assert stopped["cost_usd"] > 0.01  # its search and its input, charged once:
    assert report["spent_usd"] == pytest.approx(sum(row["cost_usd"] or 0.0 for row in rows))
    assert (report["calls"], report["sent"], report["open_leases"]) == (3, 3, 0)


def test_on_budget_stop_fails_the_job(cluster: None, url: str) -> None:
    limits = job_limits(max_usd=1e-9)
    dataset = _prompts(4).map_batches(
        ResponsesBatch,
        fn_constructor_kwargs=_ask(url, limits=limits, on_budget="stop"),
        **ResponsesBatch.map_options(workers=1, batch_size=4),
    )
    with pytest.raises(Exception, match="cannot cover this call"):
        dataset.take_all()
    assert ray.get(limits.report.remote())["sent"] == 0


def test_a_rate_limit_is_held_across_workers_at_the_emulator(cluster: None, url: str) -> None:
    per_s, allowed, n = 1.0, 8, 32
    limits = job_limits(requests_per_minute=allowed, per_s=per_s)
    rows = (
        _prompts(n)
        .map_batches(
            ResponsesBatch,
            fn_constructor_kwargs=_ask(url, limits=limits),
            **ResponsesBatch.map_options(workers=2, batch_size=8),
        )
        .take_all()
    )
    assert all(row["error_type"] is None for row in rows)
    # When the emulator created each response (whole seconds).
    with httpx.Client(headers={"Authorization": f"Bearer {TEST_API_KEY}"}) as http:
        created = [
            http.get(f"{url}/responses/{row['response_id']}").json()["created_at"] for row in rows
        ]
    per_second = Counter(created)
    # A bucket of `allowed`, refilled `allowed` per second: no second sees more than twice it
    # (plus one refill of slack: on a loaded machine requests granted a second apart can
    # arrive in the same second), and n requests need at least (n - allowed) / allowed s.
    assert max(per_second.values()) <= 3 * allowed, per_second
    assert max(created) - min(created) >= (n - allowed) / allowed - 1
    assert ray.get(limits.report.remote())["sent"] == n


class _DiesOnce(ResponsesBatch):
    """Dies (the whole worker process) the first time it sees the row "die", holding a lease."""

    def __init__(self, *, marker: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.marker = Path(marker)

    def __call__(self, batch: Mapping[str, Any]) -> dict[str, Any]:
        if "die" in list(batch["prompt"]) and not self.marker.exists():
            self.marker.write_text("died", encoding="utf-8")
            self._run(self._reserve(0.5, 100))  # a reservation its worker never settles
            os._exit(1)
        return super().__call__(batch)


def test_a_killed_workers_rows_are_redone_without_double_counting(
    cluster: None, url: str, tmp_path: Path
) -> None:
    limits = job_limits(max_usd=10.0, lease_s=2.0)
    items = [{"i": i, "prompt": "die" if i == 13 else f"What is {i}?"} for i in range(40)]
    rows = (
        ray.data.from_items(items)
        .map_batches(
            _DiesOnce,
            fn_constructor_kwargs=_ask(url, limits=limits, marker=str(tmp_path / "died")),
            **ResponsesBatch.map_options(workers=2, batch_size=10),
        )
        .take_all()
    )
    assert (tmp_path / "died").exists()
    assert [row["i"] for row in rows] == list(range(40))
    assert all(row["error_type"] is None for row in rows)
    report = ray.get(limits.report.remote())
    assert report["calls"] == 40
    assert report["spent_usd"] == pytest.approx(sum(row["cost_usd"] for row in rows))
    import time

    time.sleep(2.1)  # the dead worker's lease runs out
    report = ray.get(limits.report.remote())
    assert report["open_leases"] == 0
    assert report["reserved_usd"] == 0
    assert report["expired_leases"] == 1


def test_the_cluster_listens_and_talks_on_loopback_only(cluster: None, url: str) -> None:
    psutil = pytest.importorskip("psutil")
    import socket

    # A job first, so that the workers and the limits actor are up while we look.
    limits = job_limits(max_usd=1.0)
    rows = (
        _prompts(4)
        .map_batches(
            ResponsesBatch,
            fn_constructor_kwargs=_ask(url, limits=limits),
            **ResponsesBatch.map_options(workers=2, batch_size=2),
        )
        .take_all()
    )
    assert all(row["error_type"] is None for row in rows)
    me = psutil.Process()
    processes = [me, *me.children(recursive=True)]  # the GCS, the raylet, workers, agents
    bound: dict[str, set[str]] = {}
    peers: dict[str, set[str]] = {}
    for process in processes:
        try:
            name, connections = process.name(), process.net_connections(kind="inet")
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        for conn in connections:
            if conn.status == psutil.CONN_LISTEN or conn.type == socket.SOCK_DGRAM:
                bound.setdefault(conn.laddr.ip, set()).add(name)
            if conn.raddr:
                peers.setdefault(conn.raddr.ip, set()).add(name)
    assert len(processes) > 3, [p.name() for p in processes]
    assert bound, "no listening socket seen: psutil cannot see the Ray processes' sockets"
    assert all(_loopback(ip) for ip in bound), bound
    assert all(_loopback(ip) for ip in peers), peers


def _loopback(ip: str) -> bool:
    """127.0.0.1 or ::1, also written as an IPv4-mapped IPv6 address (::ffff:127.0.0.1)."""
    import ipaddress

    address = ipaddress.ip_address(ip)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return str(address) in {"127.0.0.1", "::1"}
