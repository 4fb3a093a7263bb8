"""langchain-tests' standard suites for XiaohuEmbeddings: unit, and integration from cassettes.

The cassettes in `cassettes/test_lc_embeddings_standard/` were recorded against the loopback
emulator (`pytest tests/embeddings/test_lc_embeddings_standard.py --record-mode=rewrite`);
replaying needs no network. The `relay` fixture gives the emulator while recording and a dead
loopback address while replaying.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from langchain_tests.integration_tests import EmbeddingsIntegrationTests
from langchain_tests.unit_tests import EmbeddingsUnitTests

from langchain_xiaohu import XiaohuEmbeddings

UNIT_PARAMS = {"api_key": "sk-unit-test", "base_url": "http://127.0.0.1:9/v1"}


class TestXiaohuEmbeddingsUnit(EmbeddingsUnitTests):
    @property
    def embeddings_class(self) -> type[XiaohuEmbeddings]:
        return XiaohuEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"model": "text-embedding-3-small", **UNIT_PARAMS}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {"XIAOHU_API_KEY": "sk-from-env", "XIAOHU_BASE_URL": "http://127.0.0.1:9/v1"},
            {"model": "text-embedding-3-large"},
            {"api_key": "sk-from-env", "base_url": "http://127.0.0.1:9/v1"},
        )


@pytest.mark.vcr
class TestXiaohuEmbeddingsIntegration(EmbeddingsIntegrationTests):
    @property
    def embeddings_class(self) -> type[XiaohuEmbeddings]:
        return XiaohuEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"model": "text-embedding-3-small", "dimensions": 256, "max_retries": 0}

    @pytest.fixture
    def model(self, relay: dict[str, str]) -> Iterator[XiaohuEmbeddings]:
        # Our own pool, closed after the test: no socket left for the garbage collector.
        with httpx.Client() as http:
            yield XiaohuEmbeddings(**self.embedding_model_params, **relay, http_client=http)
