"""`UsageTally` (what LlamaIndex's `track_xiaohu_usage()` yields) shows its totals in `repr`."""

from __future__ import annotations

from xiaohu import Usage, UsageTally


def test_usage_tally_repr_shows_the_totals() -> None:
    tally = UsageTally()
    tally.add("gpt-5-mini", Usage(input_tokens=1000, output_tokens=1000, total_tokens=2000), 2)
    assert repr(tally) == (
        "UsageTally(requests=1, total_tokens=2000, input_tokens=1000, output_tokens=1000, "
        f"web_searches=2, cost_usd={tally.total_cost_usd})"
    )


def test_usage_tally_repr_names_unpriced_models() -> None:
    tally = UsageTally()
    tally.add("my-own-model", Usage(input_tokens=3, output_tokens=4, total_tokens=7))
    assert repr(tally).endswith("cost_usd=0.0, unpriced_models=['my-own-model'])")


def test_track_xiaohu_usage_yields_a_readable_tally() -> None:
    from llama_index_xiaohu.callbacks import track_xiaohu_usage

    with track_xiaohu_usage() as tally:
        assert repr(tally).startswith("UsageTally(requests=0, total_tokens=0")
