"""Error bodies the emulator answers with: the relay's own, and OpenAI's passed through it.

Two producers exist on a real new-api relay (protocol reference B.3):

* the relay itself: ``{"error": {"message": "<msg> (request id: <id>)", "type": "new_api_error",
  "code": "<code>"}}``, with ``"param": ""`` as well when raised while relaying rather than by a
  middleware;
* the upstream (OpenAI): ``{"error": {"message", "type", "param", "code"}}`` copied as-is, with the
  upstream status.

Everything here builds an :class:`EmulatorError`; the app turns it into an HTTP response.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from starlette.responses import Response

__all__ = [
    "EmulatorError",
    "Lang",
    "invalid_token",
    "invalid_url",
    "language_of",
    "not_found",
    "openai_error",
    "relay_error",
]

Lang = Literal["en", "zh"]


class EmulatorError(Exception):
    """An HTTP error answer: status, body and headers.

    Args:
        status: HTTP status code.
        body: a JSON-able object, or raw ``str``/``bytes`` sent as they are.
        headers: extra response headers.
        media_type: content type for a raw body.

    Example:
        >>> err = openai_error(404, "Response with id 'resp_1' not found.")
        >>> err.status
        404
    """

    def __init__(
        self,
        status: int,
        body: Any,
        *,
        headers: dict[str, str] | None = None,
        media_type: str = "application/json",
    ) -> None:
        super().__init__(f"{status}: {body!r}")
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        self.media_type = media_type

    def to_response(self) -> Response:
        """Render this error as a starlette response."""
        if isinstance(self.body, (bytes, str)):
            content: bytes | str = self.body
            media_type = self.media_type
        else:
            content = json.dumps(self.body, ensure_ascii=False)
            media_type = "application/json"
        return Response(
            content, status_code=self.status, headers=self.headers, media_type=media_type
        )


def language_of(accept_language: str | None) -> Lang:
    """Pick the relay's message language from an ``Accept-Language`` header (default English).

    Example:
        >>> language_of("zh-CN,zh;q=0.9"), language_of("en-US"), language_of(None)
        ('zh', 'en', 'en')
    """
    if accept_language and accept_language.strip().lower().startswith("zh"):
        return "zh"
    return "en"


def relay_error(
    status: int,
    message: str,
    request_id: str,
    *,
    code: str = "",
    with_param: bool = False,
    headers: dict[str, str] | None = None,
) -> EmulatorError:
    """Build an error raised by the relay itself (``type: new_api_error``).

    Args:
        status: HTTP status.
        message: the message without the request-id suffix.
        request_id: the ``X-Oneapi-Request-Id`` of this request, appended to the message.
        code: the relay's error code (empty string when it has none).
        with_param: add ``"param": ""`` as errors raised while relaying carry it.
        headers: extra response headers.

    Example:
        >>> relay_error(401, "Invalid token", "2025").body["error"]["message"]
        'Invalid token (request id: 2025)'
    """
    error: dict[str, Any] = {
        "message": f"{message} (request id: {request_id})",
        "type": "new_api_error",
    }
    if with_param:
        error["param"] = ""
    error["code"] = code
    return EmulatorError(status, {"error": error}, headers=headers)


def openai_error(
    status: int,
    message: str,
    *,
    type_: str = "invalid_request_error",
    param: str | None = None,
    code: str | None = None,
    headers: dict[str, str] | None = None,
) -> EmulatorError:
    """Build an upstream OpenAI error body, passed through by the relay unchanged.

    Example:
        >>> openai_error(400, "bad", param="input").body["error"]["param"]
        'input'
    """
    body = {"error": {"message": message, "type": type_, "param": param, "code": code}}
    return EmulatorError(status, body, headers=headers)


def invalid_token(lang: Lang, request_id: str) -> EmulatorError:
    """Return the relay's 401 for a missing, unknown or exhausted token.

    Example:
        >>> invalid_token("zh", "1").body["error"]["message"]
        '无效的令牌 (request id: 1)'
    """
    return relay_error(401, "无效的令牌" if lang == "zh" else "Invalid token", request_id)


def invalid_url(method: str, path: str) -> EmulatorError:
    """Return the relay's 404 for a route it does not have (no auth check happens first).

    Example:
        >>> invalid_url("GET", "/v1/nope").body["error"]["message"]
        'Invalid URL (GET /v1/nope)'
    """
    message = f"Invalid URL ({method} {path})"
    body = {"error": {"message": message, "type": "invalid_request_error", "param": "", "code": ""}}
    return EmulatorError(404, body)


def not_found(response_id: str) -> EmulatorError:
    """Return OpenAI's 404 for an unknown (or unstored, or deleted) response id.

    Example:
        >>> not_found("resp_x").status
        404
    """
    return openai_error(404, f"Response with id '{response_id}' not found.")
