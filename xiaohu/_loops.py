"""One async client per event loop, closed when that loop shuts down.

An `httpx.AsyncClient` pool belongs to the loop that opened its connections, and framework
code runs calls in many loops (`asyncio.run` per call, LlamaIndex's sync wrappers, a loop per
test). Keeping one client per loop keeps connection reuse inside a loop; tying its close to
the loop's own shutdown (`asyncio.run` and `asyncio.Runner` call `shutdown_asyncgens()` before
closing) means no socket outlives the loop that owns it.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Generic, TypeVar

__all__ = ["PerLoop"]

T = TypeVar("T")


async def _close_at_shutdown(
    item: T, close: Callable[[T], Awaitable[None]]
) -> AsyncGenerator[None, None]:
    try:
        yield
    finally:
        await close(item)


class PerLoop(Generic[T]):
    """Lazily make one `T` per running event loop; close it when the loop shuts down.

    Example:
        >>> import asyncio
        >>> closed = []
        >>> async def close(item):
        ...     closed.append(item)
        >>> clients = PerLoop(lambda: object(), close)
        >>> async def main():
        ...     return (await clients.get()) is (await clients.get())
        >>> asyncio.run(main()), len(closed)
        (True, 1)
    """

    def __init__(self, factory: Callable[[], T], close: Callable[[T], Awaitable[None]]) -> None:
        self._factory = factory
        self._close = close
        self._items: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, T] = (
            weakref.WeakKeyDictionary()
        )
        self._closers: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, AsyncGenerator[None, None]
        ] = weakref.WeakKeyDictionary()

    async def get(self) -> T:
        """The running loop's item, made on first use.

        Example:
            >>> client = await per_loop.get()  # doctest: +SKIP
        """
        loop = asyncio.get_running_loop()
        item = self._items.get(loop)
        if item is None:
            item = self._items[loop] = self._factory()
            closer = _close_at_shutdown(item, self._close)
            # Starting the generator registers it with the loop, whose shutdown_asyncgens()
            # then runs its `finally`: the close happens inside the loop that owns the pool.
            await closer.__anext__()
            self._closers[loop] = closer
        return item

    async def aclose(self) -> None:
        """Close the running loop's item now, if there is one.

        Example:
            >>> await per_loop.aclose()  # doctest: +SKIP
        """
        loop = asyncio.get_running_loop()
        self._items.pop(loop, None)
        closer = self._closers.pop(loop, None)
        if closer is not None:
            await closer.aclose()
