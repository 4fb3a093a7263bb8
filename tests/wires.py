"""The two wires as test parameters: the same test runs on the Responses API with an OpenAI
model and on Chat Completions with a Claude one (and, where it is cheap, DeepSeek's by `auto`).

Each parameter is `(model, api)`: the adapters and the core take both as settings.
"""

from __future__ import annotations

import pytest

#: `(model, api)` per wire id.
WIRES = {
    "responses": ("gpt-5-mini", "responses"),
    "chat": ("claude-sonnet-4-5", "chat"),
}
#: `WIRES` plus DeepSeek's model on `api="auto"` (the relay's model list sends it to chat).
WIRES_AND_AUTO = {**WIRES, "chat-auto": ("deepseek-chat", "auto")}

over_wires = pytest.mark.parametrize(("model", "api"), list(WIRES.values()), ids=list(WIRES))
"""Run a test on both wires (it takes `model` and `api`)."""

over_wires_and_auto = pytest.mark.parametrize(
    ("model", "api"), list(WIRES_AND_AUTO.values()), ids=list(WIRES_AND_AUTO)
)
"""`over_wires`, and DeepSeek's model chosen by `api="auto"`."""
