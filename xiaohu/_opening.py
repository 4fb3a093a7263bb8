"""`StreamOpening`: an async stream call that is both awaitable and an async context manager.

`await client.stream_response(...)` gives the stream; `async with client.stream_response(...)
as stream` opens it, hands it over and closes it at the block's end (the sync client's
`with client.stream_response(...)` form, ported as one would expect). `async with await ...`
keeps working. Nothing is sent until the opening is awaited or entered.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from types import TracebackType
from typing import Any, Generic, Protocol, TypeVar

__all__ = ["StreamOpening"]


class _AsyncStream(Protocol):
    async def __aenter__(self) -> Any: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> Any: ...


S = TypeVar("S", bound=_AsyncStream, covariant=True)


class StreamOpening(Generic[S]):
    """An async stream about to be opened: `await` it, or use it in `async with`.

    Example:
        >>> import asyncio
        >>> class Stream:
        ...     async def __aenter__(self):
        ...         return self
        ...
        ...     async def __aexit__(self, *exc):
        ...         print("closed")
        >>> async def open_stream():
        ...     return Stream()
        >>> async def main():
        ...     async with StreamOpening(open_stream) as stream:
        ...         print(type(stream).__name__)
        ...     print(type(await StreamOpening(open_stream)).__name__)
        >>> asyncio.run(main())
        Stream
        closed
        Stream
    """

    __slots__ = ("_open", "_stream")

    def __init__(self, open_: Callable[[], Awaitable[S]]) -> None:
        self._open = open_
        self._stream: S | None = None

    def __await__(self) -> Generator[Any, None, S]:
        return self._open().__await__()

    async def __aenter__(self) -> S:
        self._stream = await self._open()
        await self._stream.__aenter__()
        return self._stream

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            await stream.__aexit__(exc_type, exc, tb)

    def __repr__(self) -> str:
        return f"<StreamOpening of {getattr(self._open, '__name__', 'a stream')}>"
