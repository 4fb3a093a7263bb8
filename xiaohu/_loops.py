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
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from typing import Any, Generic, TypeVar

__all__ = ["PerLoop"]

T = TypeVar("T")


async def _close_at_shutdown(
    item: T, close: Callable[[T], Awaitable[None]]
) -> AsyncGenerator[None, None]:
    try:
        yield
    finally:
        await close(item)


Closer = AsyncGenerator[None, None]

#: Every loop's open closers, kept alive until they ran: an owner collected while its loop
#: runs must not take its pool's closer with it (the loop holds async generators weakly).
_OPEN: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, set[Any]] = weakref.WeakKeyDictionary()


def _forgotten(closers: Mapping[asyncio.AbstractEventLoop, Closer]) -> None:
    """An owner was collected: close its items in their running loops, now rather than later.

    An item of an idle loop stays open (and kept) until that loop shuts down.
    """
    for loop, closer in list(closers.items()):
        if loop.is_running() and not loop.is_closed():
            loop.call_soon_threadsafe(_close_soon, loop, closer)


def _close_soon(loop: asyncio.AbstractEventLoop, closer: Closer) -> None:
    _OPEN.setdefault(loop, set()).add(loop.create_task(_finish(closer)))


async def _finish(closer: Closer) -> None:
    try:
        await closer.aclose()
    finally:
        live = _OPEN.get(asyncio.get_running_loop(), set())
        live.discard(closer)
        live.discard(asyncio.current_task())


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
        weakref.finalize(self, _forgotten, self._closers)

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
            _OPEN.setdefault(loop, set()).add(closer)
        return item

    async def aclose(self) -> None:
        """Close every loop's item: the running loop's here, a running other loop's in that loop.

        An item of a loop that is neither running nor closed stays registered with it and
        closes at that loop's shutdown (or when it is collected).

        Example:
            >>> await per_loop.aclose()  # doctest: +SKIP
        """
        running = asyncio.get_running_loop()
        for loop, closer in list(self._closers.items()):
            if loop is not running and not (loop.is_running() and not loop.is_closed()):
                continue
            self._items.pop(loop, None)
            self._closers.pop(loop, None)
            if loop is running:
                await _finish(closer)
            else:  # closed in the loop that owns it; done when this returns
                await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(_finish(closer), loop))
