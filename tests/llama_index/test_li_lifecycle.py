"""`XiaohuResponses` as LlamaIndex code holds it: pickled to workers, closed, collected, sized.

Against a loopback emulator that accepts only one key, so a key swapped on the way (from
the environment of the unpickling process) shows as a 401, not as a quiet success.
"""

from __future__ import annotations

import gc
import pickle
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.constants import DEFAULT_NUM_OUTPUTS

from llama_index_xiaohu import XiaohuResponses
from tests.conftest import ROOT
from xiaohu import ClientClosedError, ConfigurationError

OWN_KEY = "sk-own-0123456789abcdef0123456789ab"
OTHER_KEY = "sk-other-0123456789abcdef01234567"
USER = [ChatMessage(role="user", content="What is 2 + 2?")]


@pytest.fixture(scope="module")
def keyed_url() -> Iterator[str]:
    """An emulator that accepts only `OWN_KEY`."""
    from xiaohu.emulator import serve

    with serve(port=0, api_key=OWN_KEY) as url:
        yield url


def _resource_warnings_on_collect() -> list[str]:
    # Sockets only: a loop leaked by LlamaIndex's sync wrappers elsewhere is not ours.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        gc.collect()
    return [
        str(w.message)
        for w in caught
        if issubclass(w.category, ResourceWarning) and "event loop" not in str(w.message)
    ]


# -- 1. pickling keeps the key it was made with ------------------------------------------------


def test_unpickled_llm_uses_its_own_key_without_one_in_the_environment(
    keyed_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("XIAOHU_API_KEY", raising=False)
    with XiaohuResponses(model="gpt-4.1", api_key=OWN_KEY, api_base=keyed_url) as llm:
        data = pickle.dumps(llm)
    with pickle.loads(data) as copy:  # noqa: S301 - our own bytes
        assert copy.complete("What is 2 + 2?").text == "2 + 2 = 4."
        assert copy.model == "gpt-4.1"
        assert copy.api_base == keyed_url


def test_unpickled_llm_ignores_a_different_key_in_the_environment(
    keyed_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    llm = XiaohuResponses(model="gpt-4.1", api_key=OWN_KEY, api_base=keyed_url, temperature=0.5)
    data = pickle.dumps(llm)
    llm.close()
    monkeypatch.setenv("XIAOHU_API_KEY", OTHER_KEY)
    with pickle.loads(data) as copy:  # noqa: S301 - our own bytes
        assert copy.chat(USER).message.content == "2 + 2 = 4."
        assert copy.temperature == 0.5


def test_pickled_llm_round_trips_in_a_subprocess_with_another_environment(
    keyed_url: str, tmp_path: Path
) -> None:
    with XiaohuResponses(model="gpt-4.1", api_key=OWN_KEY, api_base=keyed_url) as llm:
        (tmp_path / "llm.pkl").write_bytes(pickle.dumps(llm))
    code = (
        "import pathlib, pickle, sys\n"
        "llm = pickle.loads(pathlib.Path(sys.argv[1]).read_bytes())\n"
        "print(llm.complete('What is 2 + 2?').text)\n"
        "print(''.join(c.delta for c in llm.stream_complete('What is 2 + 2?')))\n"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "XIAOHU_API_KEY": OTHER_KEY}
    done = subprocess.run(  # noqa: S603 - a fixed argv
        [sys.executable, "-W", "error::ResourceWarning", "-c", code, str(tmp_path / "llm.pkl")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["2 + 2 = 4.", "2 + 2 = 4."]
    assert "ResourceWarning" not in done.stderr


def test_the_key_stays_out_of_repr_and_serialized_forms(keyed_url: str) -> None:
    with XiaohuResponses(api_key=OWN_KEY, api_base=keyed_url) as llm:
        assert OWN_KEY not in repr(llm)
        assert OWN_KEY not in llm.to_json()
        assert OWN_KEY not in str(llm.to_dict())


def test_pickling_with_your_own_http_client_fails_at_once_saying_why(keyed_url: str) -> None:
    with httpx.Client() as http:
        llm = XiaohuResponses(api_key=OWN_KEY, api_base=keyed_url, http_client=http)
        with pytest.raises(TypeError, match="http_client"):
            pickle.dumps(llm)


def test_no_key_anywhere_is_a_clear_error_at_construction(
    keyed_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("XIAOHU_API_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="XIAOHU_API_KEY"):
        XiaohuResponses(api_base=keyed_url)


# -- 2. closing, context managers, garbage collection ------------------------------------------


def test_a_collected_llm_leaves_no_open_socket_after_sync_calls(keyed_url: str) -> None:
    llm = XiaohuResponses(model="gpt-4.1", api_key=OWN_KEY, api_base=keyed_url)
    assert llm.complete("What is 2 + 2?").text
    assert [c.delta for c in llm.stream_chat(USER)]
    del llm
    assert _resource_warnings_on_collect() == []


def test_a_call_after_close_raises_a_typed_readable_error(keyed_url: str) -> None:
    with XiaohuResponses(model="gpt-4.1", api_key=OWN_KEY, api_base=keyed_url) as llm:
        assert llm.chat(USER).message.content
    with pytest.raises(ClientClosedError, match="XiaohuResponses is closed"):
        llm.chat(USER)
    with pytest.raises(ClientClosedError, match="XiaohuResponses is closed"):
        list(llm.stream_chat(USER))
    llm.close()  # twice is fine


async def test_async_with_closes_and_later_calls_raise_typed_errors(keyed_url: str) -> None:
    async with XiaohuResponses(model="gpt-4.1", api_key=OWN_KEY, api_base=keyed_url) as llm:
        assert (await llm.achat(USER)).message.content
        assert [c.delta async for c in await llm.astream_chat(USER)]
    with pytest.raises(ClientClosedError, match="XiaohuResponses is closed"):
        await llm.achat(USER)
    with pytest.raises(ClientClosedError, match="XiaohuResponses is closed"):
        await llm.astream_complete("hi")
    with pytest.raises(ClientClosedError):
        llm.complete("hi")  # aclose closes the sync side too


def test_sync_close_also_refuses_async_calls(keyed_url: str) -> None:
    import asyncio

    llm = XiaohuResponses(model="gpt-4.1", api_key=OWN_KEY, api_base=keyed_url)
    llm.close()
    with pytest.raises(ClientClosedError):
        asyncio.run(llm.acomplete("hi"))


# -- 3. metadata per known model -------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "context_window", "num_output"),
    [
        ("gpt-5", 400_000, 128_000),
        ("gpt-5-mini-2025-08-07", 400_000, 128_000),
        ("gpt-4.1", 1_047_576, 32_768),
        ("gpt-4o-mini", 128_000, 16_384),
        ("o3", 200_000, 100_000),
        ("my-relay-alias", 128_000, DEFAULT_NUM_OUTPUTS),
    ],
)
def test_metadata_has_the_models_own_figures(
    model: str, context_window: int, num_output: int
) -> None:
    with XiaohuResponses(model=model, api_key=OWN_KEY, api_base="http://x/v1") as llm:
        assert llm.metadata.context_window == context_window
        assert llm.metadata.num_output == num_output
        assert llm.metadata.model_name == model


def test_metadata_overrides_win_over_the_table() -> None:
    with XiaohuResponses(
        model="my-relay-alias", api_key=OWN_KEY, api_base="http://x/v1", context_window=32_000
    ) as llm:
        assert llm.metadata.context_window == 32_000
    with XiaohuResponses(
        model="gpt-5", api_key=OWN_KEY, api_base="http://x/v1", max_output_tokens=2_000
    ) as llm:
        assert llm.metadata.num_output == 2_000
        assert llm.metadata.context_window == 400_000
    with XiaohuResponses(
        model="gpt-5", api_key=OWN_KEY, api_base="http://x/v1", num_output=4_000
    ) as llm:
        assert llm.metadata.num_output == 4_000
        assert llm._model_params()["max_output_tokens"] is None  # metadata only, not sent
