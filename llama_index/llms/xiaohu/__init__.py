"""`llama_index.llms.xiaohu`: LlamaIndex's conventional import path for `XiaohuResponses`.

Example:
    >>> from llama_index.llms.xiaohu import XiaohuResponses
    >>> XiaohuResponses.class_name()
    'xiaohu_responses_llm'
"""

from llama_index_xiaohu.base import XiaohuResponses

__all__ = ["XiaohuResponses"]
