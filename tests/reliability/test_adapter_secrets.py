"""The key never shows: not in `repr`/`str`, DEBUG logs, exceptions, serialized models or
results, LangSmith params, or a freshly recorded cassette, for both adapters, on both wires
(Responses and Chat Completions) where a request is made.

The core's own client is covered in `tests/core/test_secrets.py`; this proves the adapters do
not leak what the core keeps hidden.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
import vcr  # type: ignore[import-untyped]
from langchain_core.load import dumpd, dumps
from llama_index.core.base.llms.types import ChatMessage

import xiaohu
from langchain_xiaohu import ChatXiaohu
from llama_index_xiaohu import XiaohuResponses
from tests.wires import over_wires, over_wires_and_auto

KEY = "sk-secret-9f8e7d6c5b4a39281706f5e4d3c2b1a0"
MODEL = "gpt-4.1-mini"


def _lc(url: str, **kwargs: Any) -> ChatXiaohu:
    kwargs.setdefault("model", MODEL)
    return ChatXiaohu(api_key=KEY, base_url=url, **kwargs)


_OPEN: list[XiaohuResponses] = []


def _li(url: str, **kwargs: Any) -> XiaohuResponses:
    kwargs.setdefault("model", MODEL)
    llm = XiaohuResponses(api_key=KEY, api_base=url, **kwargs)
    _OPEN.append(llm)
    return llm


@pytest.fixture(autouse=True)
def _close_llama_index_clients() -> Any:
    """`XiaohuResponses` holds a connection pool until `close()`; close every one made here."""
    yield
    while _OPEN:
        _OPEN.pop().close()


def _fault(name: str) -> dict[str, str]:
    return {"X-Emulator-Fault": name}


def test_repr_and_str(emulator_url: str) -> None:
    for obj in (_lc(emulator_url), _li(emulator_url)):
        assert KEY not in repr(obj)
        assert KEY not in str(obj)


def test_serialized_models(emulator_url: str) -> None:
    lc, li = _lc(emulator_url), _li(emulator_url)
    texts = [
        json.dumps(dumpd(lc)),
        dumps(lc),
        lc.model_dump_json(),
        str(lc.model_dump()),
        json.dumps(li.to_dict()),
        li.to_json(),
        li.model_dump_json(),
        str(li.model_dump()),
    ]
    for text in texts:
        assert KEY not in text
    assert lc.api_key is not None
    assert lc.api_key.get_secret_value() == KEY  # the key is there, just never shown


def test_langsmith_params(emulator_url: str) -> None:
    lc = _lc(emulator_url, temperature=0.2)
    params = lc._get_ls_params(temperature=0.3)
    assert KEY not in json.dumps(params, default=str)
    assert KEY not in json.dumps(lc._identifying_params, default=str)


@over_wires_and_auto
def test_results_hold_no_key(emulator_url: str, model: str, api: str) -> None:
    message = _lc(emulator_url, model=model, api=api).invoke("hi")
    assert KEY not in json.dumps(dumpd(message))
    response = _li(emulator_url, model=model, api=api).chat(
        [ChatMessage(role="user", content="hi")]
    )
    assert KEY not in response.model_dump_json()
    assert KEY not in json.dumps(response.raw, default=str)


def _raised(fn: Any) -> BaseException:
    with pytest.raises(xiaohu.XiaohuError) as info:
        fn()
    return info.value


@over_wires
def test_exceptions_hold_no_key(emulator_url: str, model: str, api: str) -> None:
    headers = _fault("invalid_key")
    wire = {"model": model, "api": api, "max_retries": 0}
    errors = [
        _raised(lambda: _lc(emulator_url, default_headers=headers, **wire).invoke("hi")),
        _raised(lambda: list(_lc(emulator_url, default_headers=headers, **wire).stream("hi"))),
        _raised(
            lambda: _li(emulator_url, default_headers=headers, **wire).chat(
                [ChatMessage(role="user", content="hi")]
            )
        ),
        _raised(
            lambda: list(
                _lc(emulator_url, default_headers=_fault("drop_stream"), **wire).stream("hi")
            )
        ),
        _raised(
            lambda: list(
                _lc(emulator_url, default_headers=_fault("error_event"), **wire).stream("hi")
            )
        ),
    ]
    for error in errors:
        for text in (str(error), repr(error), repr(error.args), repr(getattr(error, "body", ""))):
            assert KEY not in text


@over_wires
def test_debug_logs_over_retries_errors_and_streams(
    emulator_url: str, caplog: pytest.LogCaptureFixture, model: str, api: str
) -> None:
    caplog.set_level(logging.DEBUG)  # root: xiaohu, httpx, httpcore, langchain, llama_index
    wire = {"model": model, "api": api}
    retried = _fault(f"rate_limit_retry_after;ms=10;times=1;id=secrets-{api}")
    _lc(emulator_url, default_headers=retried, **wire).invoke("hi")
    list(_lc(emulator_url, **wire).stream("hi"))
    _raised(lambda: _lc(emulator_url, default_headers=_fault("quota"), **wire).invoke("hi"))
    li = _li(emulator_url, default_headers=_fault("server_error"), max_retries=1, **wire)
    _raised(lambda: li.chat([ChatMessage(role="user", content="hi")]))
    list(_li(emulator_url, **wire).stream_chat([ChatMessage(role="user", content="hi")]))
    assert any("retry" in r.getMessage() for r in caplog.records), "retries were logged"
    assert caplog.records, "DEBUG logging was captured"
    assert KEY not in caplog.text
    for record in caplog.records:
        assert KEY not in repr(record.args)


def test_a_recorded_cassette_holds_no_key(
    emulator_url: str, vcr_config: dict[str, Any], tmp_path: Path
) -> None:
    """Record with the project's vcr settings: the Authorization header is filtered out."""
    cassette = tmp_path / "record.yaml"
    recorder = vcr.VCR(**vcr_config)
    with recorder.use_cassette(str(cassette), record_mode="all"):
        _lc(emulator_url).invoke("hi")
        _li(emulator_url).chat([ChatMessage(role="user", content="hi")])
    text = cassette.read_text(encoding="utf-8")
    assert "/v1/responses" in text  # something was recorded
    assert KEY not in text
    assert "authorization" not in text.lower()
