"""`llama_index.embeddings.xiaohu`: the LlamaIndex integration path for `XiaohuEmbedding`.

An alias of `llama_index_xiaohu.XiaohuEmbedding`, following LlamaIndex's namespace-package
layout (no `__init__.py` in `llama_index/` or `llama_index/embeddings/`).

Example:
    >>> from llama_index.embeddings.xiaohu import XiaohuEmbedding
    >>> XiaohuEmbedding.class_name()
    'XiaohuEmbedding'
"""

from llama_index_xiaohu.embedding import XiaohuEmbedding

__all__ = ["XiaohuEmbedding"]
