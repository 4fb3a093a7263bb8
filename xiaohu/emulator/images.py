"""The ``image_generation`` tool: a tiny, valid, deterministic image per prompt.

The emulator draws no picture: a PNG is one pixel whose colour comes from the prompt (each
partial image a lighter shade of it), and the other formats are fixed one-pixel files. Partial
images are streamed only when the tool asks for them (``partial_images``: 0 to 3), as the real
service does; the final image is the item's base64 ``result``.
"""

from __future__ import annotations

import base64
import hashlib
import struct
import zlib
from typing import Any

from xiaohu.emulator.errors import openai_error
from xiaohu.emulator.ids import item_id

__all__ = ["check_image_tool", "image_call", "image_tool", "png", "wants_image"]

_FORMATS = ("png", "webp", "jpeg", "gif", "svg")
_QUALITIES = ("low", "medium", "high", "xhigh", "max", "auto")
_BACKGROUNDS = ("transparent", "opaque", "auto")
_FIXED = {
    "webp": "UklGRjoAAABXRUJQVlA4IC4AAACQAQCdASoBAAEAAUAmJaACdLoAA5gA/vCbQ/4DdfFtMv/ucD/uyf/2yf+pAAAA",
    "gif": "R0lGODdhAQABAIEAAMgoKAAAAAAAAAAAACwAAAAAAQABAAAIBAABBAQAOw==",
    "jpeg": (
        "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwc"
        "KDcpLDAxNDQ0Hyc5PTgyPC4zNDL/2wBDAQkJCQwLDBgNDRgyIRwhMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIy"
        "MjIyMjIyMjIyMjIyMjIyMjL/wAARCAABAAEDASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL"
        "/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJico"
        "KSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKz"
        "tLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAEC"
        "AwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYk"
        "NOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJma"
        "oqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwDl"
        "6KKK8c/Rz//Z"
    ),
}
_WORDS = ("image", "picture", "draw", "drawing", "paint", "illustrat", "sketch", "logo", "photo")


def png(seed: str, shade: int = 0) -> str:
    """A valid one-pixel PNG, base64: its colour comes from ``seed``, lightened by ``shade``.

    Example:
        >>> base64.b64decode(png("a red dot"))[:8]
        b'\\x89PNG\\r\\n\\x1a\\n'
        >>> png("a red dot") == png("a red dot") != png("a red dot", 1)
        True
    """
    red, green, blue = hashlib.sha256(seed.encode()).digest()[:3]
    pixel = bytes(min(255, c + 40 * shade) for c in (red, green, blue))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit RGB
    raw = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
    raw += chunk(b"IDAT", zlib.compress(b"\x00" + pixel)) + chunk(b"IEND", b"")
    return base64.b64encode(raw).decode()


def _image(fmt: str, seed: str, shade: int) -> str:
    if fmt == "png":
        return png(seed, shade)
    if fmt == "svg":
        colour = hashlib.sha256(f"{seed}/{shade}".encode()).hexdigest()[:6]
        svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1" fill="#{colour}"/>'
        return base64.b64encode(svg.encode()).decode()
    return _FIXED[fmt]


def image_tool(tools: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The request's ``image_generation`` tool, if it offers one.

    Example:
        >>> image_tool([{"type": "image_generation"}])
        {'type': 'image_generation'}
    """
    return next((t for t in tools if t.get("type") == "image_generation"), None)


def _enum(tool: dict[str, Any], where: str, key: str, allowed: tuple[str, ...]) -> None:
    value = tool.get(key)
    if value is not None and value not in allowed:
        listed = ", ".join(f"'{a}'" for a in allowed)
        raise openai_error(
            400,
            f"Invalid value: '{value}'. Supported values are: {listed}.",
            param=f"{where}.{key}",
            code="invalid_value",
        )


def check_image_tool(tool: dict[str, Any], index: int) -> None:
    """Reject what the API rejects in an ``image_generation`` tool (the tool at ``index``).

    Raises:
        EmulatorError: 400 for a ``partial_images`` outside 0..3 (or with GIF output), and an
            unknown ``output_format``, ``quality`` or ``background``.

    Example:
        >>> check_image_tool({"type": "image_generation", "partial_images": 4}, 0)
        Traceback (most recent call last):
        ...
        xiaohu.emulator.errors.EmulatorError: 400: ...
    """
    where = f"tools[{index}]"
    partial = tool.get("partial_images")
    if partial is not None:
        if not isinstance(partial, int) or isinstance(partial, bool):
            raise openai_error(
                400,
                f"Invalid type for '{where}.partial_images': expected an integer, but got "
                f"{type(partial).__name__} instead.",
                param=f"{where}.partial_images",
                code="invalid_type",
            )
        if not 0 <= partial <= 3:
            above = partial > 3
            side, bound = ("above maximum", "<= 3") if above else ("below minimum", ">= 0")
            raise openai_error(
                400,
                f"Invalid '{where}.partial_images': integer {side} value. Expected a value "
                f"{bound}, but got {partial} instead.",
                param=f"{where}.partial_images",
                code="integer_above_max_value" if above else "integer_below_min_value",
            )
    _enum(tool, where, "output_format", _FORMATS)
    _enum(tool, where, "quality", _QUALITIES)
    _enum(tool, where, "background", _BACKGROUNDS)
    if tool.get("output_format") == "gif" and partial:
        raise openai_error(
            400,
            "GIF output does not support partial image streaming: set "
            f"'{where}.partial_images' to 0.",
            param=f"{where}.partial_images",
            code="invalid_value",
        )


def wants_image(tool_choice: Any, question: str) -> bool:
    """Whether the model draws: the tool is forced (or some tool is), or the message asks.

    Example:
        >>> wants_image("auto", "Draw a red dot"), wants_image("auto", "What is 2 + 2?")
        (True, False)
        >>> wants_image("required", "What is 2 + 2?"), wants_image("none", "Draw a dot")
        (True, False)
    """
    if isinstance(tool_choice, dict) and tool_choice.get("type") == "image_generation":
        return True
    if tool_choice == "required":
        return True
    if tool_choice == "none" or isinstance(tool_choice, dict):
        return False
    lowered = question.lower()
    return any(word in lowered for word in _WORDS)


def image_call(tool: dict[str, Any], prompt: str) -> tuple[dict[str, Any], list[str]]:
    """The finished ``image_generation_call`` item and the partial images streamed before it.

    Example:
        >>> item, partials = image_call({"type": "image_generation", "partial_images": 2}, "dot")
        >>> item["type"], item["status"], len(partials), item["result"] == png("dot")
        ('image_generation_call', 'completed', 2, True)
    """
    fmt = tool.get("output_format") or "png"
    count = tool.get("partial_images") or 0
    item = {
        "id": item_id("ig"),
        "type": "image_generation_call",
        "status": "completed",
        "result": _image(fmt, prompt, 0),
        "output_format": fmt,
        "quality": tool.get("quality") or "medium",
        "size": tool.get("size") if tool.get("size") not in (None, "auto") else "1024x1024",
        "background": tool.get("background") or "opaque",
        "revised_prompt": prompt.strip() or "An image.",
    }
    partials = [_image(fmt, prompt, count - n) for n in range(count)]
    return item, partials
