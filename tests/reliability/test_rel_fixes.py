"""Regression tests for two bugs the fault matrix found, faked at the transport.

1. A non-streamed Response with `status: "failed"` raised a bare `APIError` whose message lost
   the error code; it now raises `ResponseFailedError`, as the same failure does in a stream.
2. LangChain turned `APIResponseValidationError` (malformed SSE, bad JSON) into a plain
   `XiaohuAPIError`, so `except xiaohu.APIResponseValidationError` missed it.
"""

from __future__ import annotations

import httpx
import pytest
from langchain_core.exceptions import ModelAPIError

import xiaohu
from langchain_xiaohu import ChatXiaohu
from langchain_xiaohu._errors import to_langchain_error

FAILED = {
    "id": "resp_failed_1",
    "object": "response",
    "status": "failed",
    "model": "gpt-4.1-mini",
    "output": [],
    "error": {"code": "rate_limit_exceeded", "message": "Request too large for gpt-4.1-mini"},
}


def _failed(_: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=FAILED)


def test_failed_response_raises_response_failed_error() -> None:
    http = httpx.Client(transport=httpx.MockTransport(_failed))
    client = xiaohu.XiaohuClient(api_key="sk-x", base_url="http://relay.test/v1", http_client=http)
    with pytest.raises(xiaohu.ResponseFailedError) as info:
        client.create_response(model="gpt-4.1-mini", input="hi")
    assert info.value.response_id == "resp_failed_1"
    assert str(info.value) == "rate_limit_exceeded: Request too large for gpt-4.1-mini"


async def test_failed_response_raises_async() -> None:
    http = httpx.AsyncClient(transport=httpx.MockTransport(_failed))
    client = xiaohu.AsyncXiaohuClient(
        api_key="sk-x", base_url="http://relay.test/v1", http_client=http
    )
    with pytest.raises(xiaohu.ResponseFailedError, match="rate_limit_exceeded"):
        await client.create_response(model="gpt-4.1-mini", input="hi")
    await http.aclose()


def test_error_body_without_failed_status_stays_api_error() -> None:
    def handler(_: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"error": {"message": "bad", "type": "new_api_error"}})

    http = httpx.Client(transport=httpx.MockTransport(handler))
    client = xiaohu.XiaohuClient(api_key="sk-x", base_url="http://relay.test/v1", http_client=http)
    with pytest.raises(xiaohu.APIError) as info:
        client.create_response(model="gpt-4.1-mini", input="hi")
    assert not isinstance(info.value, xiaohu.ResponseFailedError)


def test_langchain_keeps_the_validation_error_class() -> None:
    converted = to_langchain_error(xiaohu.APIResponseValidationError("malformed stream event"))
    assert isinstance(converted, xiaohu.APIResponseValidationError)
    assert isinstance(converted, ModelAPIError)


def test_langchain_failed_response_is_response_failed() -> None:
    http = httpx.Client(transport=httpx.MockTransport(_failed))
    llm = ChatXiaohu(
        model="gpt-4.1-mini", api_key="sk-x", base_url="http://relay.test/v1", http_client=http
    )
    with pytest.raises(xiaohu.ResponseFailedError) as info:
        llm.invoke("hi")
    assert isinstance(info.value, ModelAPIError)


# -- structured output schemas the API rejects, caught before sending (lead's fixes) ---------


def test_langchain_array_schema_is_refused_before_sending() -> None:
    llm = ChatXiaohu(model="gpt-5", api_key="sk-test", base_url="http://127.0.0.1:9/v1")
    for method in ("json_schema", "function_calling"):
        with pytest.raises(xiaohu.ConfigurationError, match="root is an object"):
            llm.with_structured_output(
                {"title": "Names", "type": "array", "items": {"type": "string"}},
                method=method,
            )


def test_llama_index_strict_schema_is_closed() -> None:
    from pydantic import BaseModel

    from llama_index_xiaohu._messages import json_schema_format

    class Inner(BaseModel):
        x: int

    class Outer(BaseModel):
        name: str
        inner: Inner
        note: str | None = None

    schema = json_schema_format(Outer, strict=True)["format"]["schema"]
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["name", "inner", "note"]
    assert schema["$defs"]["Inner"]["additionalProperties"] is False
    loose = json_schema_format(Outer)["format"]["schema"]
    assert "additionalProperties" not in loose


def test_llama_index_strict_structured_predict_works_end_to_end(emulator_url: str) -> None:
    from llama_index.core.prompts import PromptTemplate
    from pydantic import BaseModel

    from llama_index_xiaohu import XiaohuResponses

    class City(BaseModel):
        name: str
        country: str

    llm = XiaohuResponses(model="gpt-5-mini", api_key="sk-test", api_base=emulator_url, strict=True)
    try:
        city = llm.structured_predict(City, PromptTemplate("Describe {city}."), city="Paris")
    finally:
        llm.close()
    assert isinstance(city, City)
    assert city.name
    assert city.country
