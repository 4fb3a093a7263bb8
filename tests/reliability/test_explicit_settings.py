"""A setting given explicitly is used or refused, never swapped for the environment's.

`api_key=""` (an unset variable interpolated into a config) used to fall back to
`XIAOHU_API_KEY` silently; now the core and every adapter refuse it at construction, with a
`ConfigurationError` that shows no key (neither the blank one nor the environment's).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pydantic import SecretStr

import xiaohu
from langchain_xiaohu import ChatXiaohu, XiaohuEmbeddings
from llama_index_xiaohu import XiaohuEmbedding, XiaohuResponses
from xiaohu import ConfigurationError

ENV_KEY = "sk-env-0123456789abcdef0123456789abcdef"
URL = "http://127.0.0.1:9/v1"

MAKERS: dict[str, Callable[[object], object]] = {
    "XiaohuClient": lambda key: xiaohu.XiaohuClient(api_key=key, base_url=URL),  # type: ignore[arg-type]
    "AsyncXiaohuClient": lambda key: xiaohu.AsyncXiaohuClient(api_key=key, base_url=URL),  # type: ignore[arg-type]
    "ChatXiaohu": lambda key: ChatXiaohu(model="gpt-5-mini", api_key=key, base_url=URL),
    "XiaohuEmbeddings": lambda key: XiaohuEmbeddings(api_key=key, base_url=URL),
    "XiaohuResponses": lambda key: XiaohuResponses(api_key=key, api_base=URL),  # type: ignore[arg-type]
    "XiaohuEmbedding": lambda key: XiaohuEmbedding(api_key=key, api_base=URL),  # type: ignore[arg-type]
}


@pytest.fixture(autouse=True)
def _env_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XIAOHU_API_KEY", ENV_KEY)
    monkeypatch.setenv("XIAOHU_BASE_URL", URL)


@pytest.mark.parametrize("blank", ["", "   ", "\t\n", SecretStr(""), SecretStr("  ")])
@pytest.mark.parametrize("maker", MAKERS, ids=list(MAKERS))
def test_a_blank_explicit_key_is_refused_not_replaced_by_the_env(maker: str, blank: object) -> None:
    with pytest.raises(ConfigurationError, match="api_key is empty") as caught:
        MAKERS[maker](blank)
    assert ENV_KEY not in str(caught.value)
    assert ENV_KEY not in repr(caught.value)


@pytest.mark.parametrize("maker", MAKERS, ids=list(MAKERS))
def test_no_key_given_still_uses_the_env_and_no_repr_shows_it(maker: str) -> None:
    made = MAKERS[maker](None)
    assert ENV_KEY not in repr(made)
    assert ENV_KEY not in str(made)
    close = getattr(made, "close", None)
    if callable(close) and not isinstance(made, xiaohu.AsyncXiaohuClient):
        close()


def test_a_secretstr_key_is_taken_by_the_core() -> None:
    with xiaohu.XiaohuClient(api_key=SecretStr("sk-abcdefgh12345678"), base_url=URL) as client:  # type: ignore[arg-type]
        assert client.api_key_hint == "sk-************5678"


def test_a_non_string_key_is_refused_by_type_only() -> None:
    with pytest.raises(ConfigurationError, match="api_key must be a str, got int"):
        xiaohu.XiaohuClient(api_key=12345, base_url=URL)  # type: ignore[arg-type]


def test_a_blank_env_key_says_no_key_in_every_adapter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XIAOHU_API_KEY", "  ")
    for name in ("XiaohuClient", "XiaohuEmbeddings", "XiaohuResponses", "XiaohuEmbedding"):
        with pytest.raises(ConfigurationError, match="no API key"):
            MAKERS[name](None)
    with pytest.raises(ConfigurationError, match="no API key"):
        ChatXiaohu(model="gpt-5-mini", base_url=URL).invoke("hi")


@pytest.mark.parametrize("blank", ["", "  "])
def test_a_blank_explicit_base_url_is_refused(blank: str) -> None:
    with pytest.raises(ConfigurationError, match="base_url is empty"):
        xiaohu.XiaohuClient(api_key=ENV_KEY, base_url=blank)


@pytest.mark.parametrize(
    ("make", "words"),
    [
        pytest.param(
            lambda: XiaohuResponses(api_key=ENV_KEY, api_base=URL, max_cost=1.0),
            "XiaohuResponses has no option max_cost (did you mean max_cost_usd?)",
            id="responses",
        ),
        pytest.param(
            lambda: XiaohuEmbedding(api_key=ENV_KEY, api_base=URL, dimension=64),
            "XiaohuEmbedding has no option dimension (did you mean dimensions?)",
            id="embedding",
        ),
    ],
)
def test_a_misspelt_llama_index_option_is_refused_not_dropped(
    make: Callable[[], object], words: str
) -> None:
    # LlamaIndex's base classes drop unknown keywords; the setting would silently not apply.
    with pytest.raises(ConfigurationError) as caught:
        make()
    assert words in str(caught.value)


def test_every_llama_index_field_is_still_accepted_by_name() -> None:
    llm = XiaohuResponses(
        api_key=ENV_KEY,
        api_base=URL,
        system_prompt="Be brief.",
        max_cost_usd=1.0,
        callback_manager=None,
    )
    assert llm.max_cost_usd == 1.0
    embed = XiaohuEmbedding(api_key=ENV_KEY, api_base=URL, embed_batch_size=10, dimensions=64)
    assert (embed.embed_batch_size, embed.dimensions) == (10, 64)
