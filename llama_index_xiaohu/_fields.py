"""Refuse keyword arguments a LlamaIndex model has no field for (pydantic would drop them).

LlamaIndex's base classes ignore unknown keywords, so `XiaohuEmbedding(dimension=64)` (for
`dimensions`) or `XiaohuResponses(max_cost=1.0)` (for `max_cost_usd`) ran without the setting.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from pydantic import BaseModel

from xiaohu import ConfigurationError

__all__ = ["refuse_unknown"]


def refuse_unknown(model: type[BaseModel], given: Iterable[str], extra: Iterable[str] = ()) -> None:
    """Raise if a keyword in `given` is neither a field (or alias) of `model` nor in `extra`.

    Raises:
        ConfigurationError: An unknown keyword, named with the closest field (nothing sent).

    Example:
        >>> class M(BaseModel):
        ...     dimensions: int | None = None
        >>> refuse_unknown(M, ["dimension"])
        Traceback (most recent call last):
        ...
        xiaohu._exceptions.ConfigurationError: M has no option dimension (did you mean dimensions?)
    """
    known = set(extra)
    for name, field in model.model_fields.items():
        known.add(name)
        if field.alias:
            known.add(field.alias)
    unknown = [key for key in given if key not in known]
    if not unknown:
        return
    hints = []
    for key in unknown:
        close = difflib.get_close_matches(key, sorted(known), n=1)
        hints.append(f"{key} (did you mean {close[0]}?)" if close else key)
    raise ConfigurationError(f"{model.__name__} has no option {', '.join(hints)}")
