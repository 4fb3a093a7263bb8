"""`xiaohu models`: the relay's model list, marking which models speak the Responses API."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from .common import guarded, make_client
from .render import make_console

__all__ = ["RESPONSES_ENDPOINT_TYPE", "models_command", "speaks_responses"]

RESPONSES_ENDPOINT_TYPE = "openai-response"
"""The `supported_endpoint_types` entry new-api gives models that serve `/v1/responses`."""


def speaks_responses(model: dict[str, Any]) -> bool | None:
    """Whether the relay says the model serves the Responses API (`None`: it does not say).

    Example:
        >>> speaks_responses({"id": "gpt-5", "supported_endpoint_types": ["openai-response"]})
        True
        >>> speaks_responses({"id": "gpt-5"}) is None
        True
    """
    types = model.get("supported_endpoint_types")
    if not isinstance(types, list):
        return None
    return RESPONSES_ENDPOINT_TYPE in types


@guarded
def models_command(
    responses_only: Annotated[
        bool, typer.Option("--responses-only", help="Only models that speak the Responses API.")
    ] = False,
) -> None:
    """List the models your key (令牌) may use; "yes" marks those that speak the Responses API.

    \f
    Example:
        $ xiaohu models --responses-only
    """
    with make_client() as client:
        listed = client.list_models()
    table = Table("model", "Responses API", "owned by", "endpoint types")
    shown = 0
    for model in sorted(listed, key=lambda m: str(m.get("id"))):
        speaks = speaks_responses(model)
        if responses_only and not speaks:
            continue
        mark = {True: "yes", False: "no", None: "unknown"}[speaks]
        types = model.get("supported_endpoint_types") or []
        table.add_row(
            str(model.get("id")), mark, str(model.get("owned_by", "")), ", ".join(map(str, types))
        )
        shown += 1
    console = make_console()
    console.print(table)
    console.print(f"{shown} of {len(listed)} models shown", style="dim")
