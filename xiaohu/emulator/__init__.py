"""A local stand-in for the 小胡 relay: the OpenAI Responses API as new-api serves it.

It runs a deterministic model behind the relay's endpoints, so tests, cassette recording, the
offline demo and users' own apps can work without a key or a network. It needs the ``emulator``
extra (starlette and uvicorn) and does not import the xiaohu client.

Run it from a shell with ``xiaohu emulator --port 8000`` (``--port 0`` picks a free port), or in
Python::

    import httpx
    from xiaohu.emulator import serve

    with serve() as base_url:  # "http://127.0.0.1:PORT/v1"
        r = httpx.post(
            f"{base_url}/responses",
            headers={"Authorization": "Bearer sk-anything"},
            json={"model": "gpt-5-mini", "input": "What is 2 + 2?"},
        )

Endpoints
---------
``POST /v1/responses`` (JSON; SSE with ``stream: true``; ``background: true``),
``GET /v1/responses/{id}`` (``?stream=true&starting_after=N`` resumes a background stream),
``POST /v1/responses/{id}/cancel``, ``DELETE /v1/responses/{id}``, ``POST /v1/chat/completions``
(JSON; SSE with ``stream: true``), ``GET /v1/models``,
``GET /v1/models/{id}``, ``POST /v1/embeddings``, ``GET /v1/dashboard/billing/subscription``,
``GET /v1/dashboard/billing/usage``, ``GET /api/usage/token/``. Any other path answers the relay's
``404 Invalid URL (METHOD /path)``.

A Bearer key is required; any non-empty key works unless ``api_key`` names one. Relay error
messages are Chinese when ``Accept-Language`` starts with ``zh``, else English.

The model
---------
Same request, same output (ids aside). It answers the last user message from its words (and
does simple arithmetic, "say X", and recalls a name given earlier); ``instructions`` such as "be
brief", "one word", "uppercase" or "answer in Chinese" show in the answer. It calls offered
function tools that share words with the message, with arguments valid against their schemas
(parallel calls when several fit), and quotes ``function_call_output`` results when they come
back. With a web search tool it searches and cites ``example.*`` sources with exact
``url_citation`` offsets. Reasoning models (gpt-5*, o3, o4-mini, deep research, or any request with
``reasoning``) emit a reasoning item first, with streamed summaries when ``reasoning.summary`` is set,
reasoning tokens growing with ``reasoning.effort``, and ``encrypted_content`` when included;
open-weight ``gpt-oss-*`` models also stream their raw reasoning (``reasoning_text``). An
``image_generation`` tool draws when asked (a one-pixel image, ``partial_images`` partial ones
first); an ``mcp`` tool lists its tools and calls ``search``, first asking with an
``mcp_approval_request`` unless ``require_approval`` is ``"never"`` (answer with an
``mcp_approval_response`` input item). ``include: ["message.output_text.logprobs"]`` adds token
logprobs (``top_logprobs`` alternatives) to every text delta and part.
``text.format`` json_schema/json_object give JSON. Deep research models require a data-source tool,
run 8-12 searches (at most ``max_tool_calls``) and write a long cited report.
``max_output_tokens`` cuts the answer (``response.incomplete``); ``previous_response_id``
continues a stored response, with cached tokens reported. Known aliases report their dated
snapshot as ``model`` (``gpt-4.1`` → ``gpt-4.1-2025-04-14``).

Faults
------
Ask for a fault with the header ``X-Emulator-Fault: NAME[;key=value...]`` or a model suffix
``MODEL@NAME[;key=value...]`` (e.g. ``gpt-5@rate_limit``; the real model is used otherwise).
``times=N`` fails only the first N requests carrying the same spec; later ones succeed. Other
parameters (e.g. ``id=abc``) only make a spec, and so its counter, unique. ``A+B`` asks for several
faults at once, each counted on its own (``drop_stream;times=1+no_sequence``). An unknown name
answers 400 listing the known ones.

========================  =====================================================================
name                      effect
========================  =====================================================================
invalid_key               401 ``{"error":{"message":"Invalid token (request id: …)",
                          "type":"new_api_error","code":""}}`` (``无效的令牌`` for zh)
quota                     403 ``insufficient_user_quota`` "用户额度不足, 剩余额度: ＄0.000000
                          (request id: …)"
token_quota               403 ``pre_consume_token_quota_failed`` "token quota is not enough, …"
no_channel                503 ``model_not_found`` "分组 default 下模型 X 无可用渠道（distributor）"
                          (English for non-zh)
rate_limit                429 relay body "您已达到请求数限制：1分钟内最多请求60次 (request id: …)",
                          no ``Retry-After``
rate_limit_retry_after    429 OpenAI ``rate_limit_exceeded`` body with ``Retry-After`` (seconds,
                          at least 1) and ``retry-after-ms`` (param ``ms``, default 200)
rate_limit_empty          429 with an empty body (the relay's in-memory limiter)
server_error              500 OpenAI ``server_error`` body
bad_gateway               502 nginx HTML page
unavailable               503 ``text/plain`` "Service Unavailable"
drop_stream               SSE ends cleanly after about half the events, no terminal event
                          (a background job keeps running, so a resume can recover)
malformed_sse             a ``data:`` line that is not JSON in the middle of the stream
slow_first_byte           sleeps ``seconds`` (default 2) before sending the status and headers
error_event               SSE ``response.created``, ``response.in_progress``, ``error`` (the real
                          nested shape ``{"type":"error","sequence_number":2,"error":{"type":
                          "tokens","code":"rate_limit_exceeded","message":…,"param":null}}``),
                          then ``response.failed``; without ``stream`` a 200 Response with
                          ``status: "failed"``
incomplete                ``response.incomplete`` (``max_output_tokens``), the answer cut in half
drop_background           this request behaves as ``relay_mode="new-api"``: ``background``
                          dropped
codeless_token_quota      403 "该令牌额度已用尽" with ``code: ""``
codeless_user_quota       429 "用户额度不足, 剩余额度: ＄0.000000" with ``code: ""``
codeless_no_channel       503 "当前分组 default 下对于模型 X 无可用渠道" with ``code: ""``
json_error_stream         HTTP 200 ``application/json`` ``{"error":{…,"type":"new_api_error",
                          "code":"bad_response_status_code"}}`` (stream or not)
completed_failed          a failed Response inside ``response.completed`` (a 200 failed
                          Response without ``stream``)
quota_event               like ``error_event`` with ``insufficient_quota``
blank_data                blank ``data:`` and ``data: `` frames after every event
done_after                ``data: [DONE]`` after the terminal event
linger                    the connection stays open ``seconds`` (default 8) after the end
keepalive_forever         ``: ping`` every ``interval`` s (default 0.05) instead of the second
                          half of the stream
no_sequence               events without ``sequence_number``
replay_from_start         a resume ignores ``starting_after`` and replays everything
gzip                      ``Content-Encoding: gzip`` (SSE flushed per event, and JSON)
no_event_lines            SSE frames with ``data:`` only, no ``event:`` line
real_traffic              what real captures omit: no ``cache_write_tokens``, no ``action`` on
                          an added ``web_search_call``, ``obfuscation`` on every other delta
no_done                   (chat) the stream ends without ``data: [DONE]``
no_usage                  (chat) no usage chunk, though ``stream_options.include_usage`` asked
========================  =====================================================================

On ``POST /v1/chat/completions`` the faults take the Chat Completions shape
(:mod:`xiaohu.emulator.chat_faults`): a failure mid-answer is an ``{"error": {...}}`` chunk, then
``data: [DONE]``, and without ``stream`` the upstream's error as a 200 JSON body;
``drop_stream`` cuts the chunks before the ``finish_reason`` but still sends the relay's usage
chunk and ``[DONE]``, as new-api does.

Deep research also opens some results (``open_page``) and searches in them (``find_in_page``),
as real runs do (not under ``max_tool_calls``).

Bounds: a body over 8 MB answers 413 at once, JSON nested deeper than 64 levels 400, a body
that stalls for 10 s 408, a conversation over 4 M characters 400 ``context_length_exceeded``;
``X-Emulator-Delay`` above 10 s (or ``inf``) answers 400; a connection that sends no request
within 1 s is closed (served by :class:`EmulatorServer`); no fault holds a connection more than
30 s. A stored response belongs to the key that created it: any other key gets 404.

Other knobs: ``X-Emulator-Delay: SECONDS`` sets the pace of one request's stream or background job.

Deviations, on purpose: the ``error`` event nests its details under ``error`` as real streams do,
while the ``openai`` package's ``ResponseErrorEvent`` declares them at top level; ``usage`` carries
``input_tokens_details.cache_write_tokens`` (0), which the ``openai`` types require and real
payloads so far omit. Cancelling a running background job ends its event stream without a
terminal event; cancelling a finished one returns it unchanged. ``GET ?stream=true`` replays any
background response (real reports mention only background+stream ones).
"""

from __future__ import annotations

from xiaohu.emulator.app import RelayMode, create_app
from xiaohu.emulator.server import EmulatorServer, main, run_forever, serve

__all__ = ["EmulatorServer", "RelayMode", "create_app", "main", "run_forever", "serve"]
