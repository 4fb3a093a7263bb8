"""Rows of a `ResponsesBatch` batch, called directly (no cluster): mixed columns, bad rows.

A dataset may mix `prompt` rows and `input` rows (Ray fills the other column with nulls): each
row uses the one it has. A row with neither value, or a value of the wrong type, gets its own
error in the dataset's terms, before any budget is asked (so it is never a `CostLimitError`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tests.conftest import TEST_API_KEY
from xiaohu.ray import Grant, JobLimits, ResponsesBatch


class _CountingLimits(JobLimits):
    """A spent-out job budget (of this process) that counts the reservations asked of it."""

    def __init__(self) -> None:
        super().__init__(max_usd=1e-9)
        self.reservations = 0

    def reserve(self, usd: float, tokens: int, least_usd: float | None = None) -> Grant:
        self.reservations += 1
        return super().reserve(usd, tokens, least_usd)


def _batch(prompts: list[Any], inputs: list[Any]) -> dict[str, Any]:
    return {"prompt": np.array(prompts, dtype=object), "input": np.array(inputs, dtype=object)}


def test_mixed_prompt_and_input_rows_are_each_answered(emulator_url: str) -> None:
    worker = ResponsesBatch(model="gpt-5-mini", api_key=TEST_API_KEY, base_url=emulator_url)
    out = worker(_batch(["What is 2 + 2?", None], [None, "What is 3 + 3?"]))
    assert out["error_type"] == [None, None], out["error_message"]
    assert "4" in out["output_text"][0]
    assert "6" in out["output_text"][1]


def test_a_row_without_either_value_has_its_own_error(emulator_url: str) -> None:
    worker = ResponsesBatch(model="gpt-5-mini", api_key=TEST_API_KEY, base_url=emulator_url)
    out = worker(_batch(["hi", None, 5], [None, None, None]))
    assert out["error_type"] == [None, "ConfigurationError", "ConfigurationError"]
    assert out["error_message"][1] == (
        "this row has no 'prompt' or 'input' value (both are null); nothing was sent"
    )
    assert out["error_message"][2].startswith(
        "this row's 'prompt' must be text (or a list of input items), got int"
    )
    assert "Input should be" not in " ".join(m or "" for m in out["error_message"])


def test_malformed_rows_are_reported_before_any_budget_check(emulator_url: str) -> None:
    limits = _CountingLimits()
    worker = ResponsesBatch(
        model="gpt-5-mini", api_key=TEST_API_KEY, base_url=emulator_url, limits=limits
    )
    out = worker(_batch([None, "hi"], [None, None]))
    assert out["error_type"] == ["ConfigurationError", "CostLimitError"]
    assert limits.reservations == 1  # only the well-formed row asked the budget
