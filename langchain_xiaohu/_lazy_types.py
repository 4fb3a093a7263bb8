"""Field types of ChatXiaohu whose classes are not imported to define it (issue 20).

`from langchain_xiaohu import ChatXiaohu` paid for importing httpx (~130 ms, most of it
`httpx._main` pulling rich, click and pygments when they are installed) and the core's stream
and guard modules, only because pydantic needs the field types `httpx.Client`,
`httpx.AsyncClient`, `httpx.Timeout` and `xiaohu.Budget` when the class is built. At run time
these aliases are instance checks that import the class when a value (never `None`) is
checked: by then the caller has imported it to make that value, so the import is free. Type
checkers see the real classes.

Example:
    >>> import httpx
    >>> from pydantic import TypeAdapter
    >>> TypeAdapter(HttpTimeout).validate_python(httpx.Timeout(5.0))
    Timeout(timeout=5.0)
    >>> TypeAdapter(HttpTimeout).validate_python(5.0)
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for function-plain[check()]
    ...
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import PlainValidator

__all__ = ["Budget", "HttpAsyncClient", "HttpClient", "HttpTimeout"]

if TYPE_CHECKING:
    from httpx import AsyncClient as HttpAsyncClient
    from httpx import Client as HttpClient
    from httpx import Timeout as HttpTimeout

    from xiaohu import Budget
else:

    def _instance_of(module: str, name: str) -> Any:
        """`Annotated[Any, ...]` accepting only instances of `module.name`, imported on use."""

        def check(value: object) -> object:
            cls: Callable[..., object] = getattr(import_module(module), name)
            if isinstance(value, cls):  # type: ignore[arg-type]
                return value
            raise ValueError(f"Input should be an instance of {module}.{name}")

        return Annotated[Any, PlainValidator(check)]

    HttpClient = _instance_of("httpx", "Client")
    HttpAsyncClient = _instance_of("httpx", "AsyncClient")
    HttpTimeout = _instance_of("httpx", "Timeout")
    Budget = _instance_of("xiaohu", "Budget")
