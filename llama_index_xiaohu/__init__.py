"""LlamaIndex on the 小胡 relay through the OpenAI Responses API.

Example:
    >>> from llama_index_xiaohu import XiaohuResponses
    >>> XiaohuResponses.class_name()
    'xiaohu_responses_llm'
"""

from .base import XiaohuResponses
from .embedding import XiaohuEmbedding

__all__ = ["XiaohuEmbedding", "XiaohuResponses"]
