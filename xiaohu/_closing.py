"""`with` and `async with` for objects that have `close()` and `aclose()`, written once."""

from __future__ import annotations

from types import TracebackType
from typing import Any

from typing_extensions import Self

__all__ = ["Closing"]


class Closing:
    """Mixin: `with obj:` calls `obj.close()` at the end, `async with obj:` awaits `obj.aclose()`.

    The class it is mixed into defines `close()` and `aclose()`.

    Example:
        >>> class Pool(Closing):
        ...     def close(self) -> None:
        ...         print("closed")
        >>> with Pool():
        ...     pass
        closed
    """

    def close(self) -> None:
        """Release what the object holds (defined by the class this is mixed into)."""
        raise NotImplementedError

    async def aclose(self) -> None:
        """Async `close` (defined by the class this is mixed into)."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.aclose()
