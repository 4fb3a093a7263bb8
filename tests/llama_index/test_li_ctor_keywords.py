"""The LlamaIndex classes' constructor: `base_url=` works, an unknown keyword raises."""

from __future__ import annotations

from typing import Any

import pytest

from llama_index_xiaohu import XiaohuEmbedding, XiaohuResponses
from tests.conftest import TEST_API_KEY
from xiaohu import ConfigurationError

CLASSES = [XiaohuResponses, XiaohuEmbedding]


@pytest.mark.parametrize("cls", CLASSES)
def test_base_url_is_used_over_the_environment(cls: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XIAOHU_BASE_URL", "http://127.0.0.1:1/v1")
    with cls(api_key=TEST_API_KEY, base_url="http://127.0.0.1:2/v1") as made:
        assert made.api_base == "http://127.0.0.1:2/v1"
        assert made._client.base_url == "http://127.0.0.1:2/v1"


@pytest.mark.parametrize("cls", CLASSES)
def test_api_base_and_base_url_same_value_is_fine_different_raises(cls: Any) -> None:
    with cls(api_key=TEST_API_KEY, api_base="http://h/v1", base_url="http://h/v1") as made:
        assert made.api_base == "http://h/v1"
    with pytest.raises(ConfigurationError, match="same setting"):
        cls(api_key=TEST_API_KEY, api_base="http://a/v1", base_url="http://b/v1")


@pytest.mark.parametrize(
    ("cls", "keyword", "hint"),
    [
        (XiaohuResponses, "temprature", "temperature"),
        (XiaohuResponses, "max_token", "max_output_tokens"),
        (XiaohuEmbedding, "dimension", "dimensions"),
        (XiaohuEmbedding, "temprature", None),
    ],
)
def test_unknown_keyword_raises_naming_it(cls: Any, keyword: str, hint: str | None) -> None:
    with pytest.raises(ConfigurationError) as caught:
        cls(api_key=TEST_API_KEY, base_url="http://h/v1", **{keyword: 1})
    assert f"has no option {keyword}" in str(caught.value)
    if hint:
        assert f"did you mean {hint}?" in str(caught.value)


@pytest.mark.parametrize("cls", CLASSES)
def test_every_field_still_round_trips(cls: Any) -> None:
    """`to_dict`/`from_dict` and pickling pass fields only: none is taken for a typo."""
    import pickle

    with cls(api_key=TEST_API_KEY, base_url="http://h/v1") as made:
        copy = cls.from_dict(made.to_dict(), api_key=TEST_API_KEY)
        assert copy.api_base == "http://h/v1"
        copy.close()
        again = pickle.loads(pickle.dumps(made))  # noqa: S301 (our own pickle)
        assert again.api_base == "http://h/v1"
        again.close()
