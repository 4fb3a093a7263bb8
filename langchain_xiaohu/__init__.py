"""LangChain on the 小胡 relay through the OpenAI Responses API.

Example:
    >>> from langchain_xiaohu import ChatXiaohu
    >>> ChatXiaohu(model="gpt-5", api_key="sk-...", base_url="http://127.0.0.1:8000/v1").model
    'gpt-5'
"""

from langchain_xiaohu.chat_models import ChatXiaohu
from langchain_xiaohu.embeddings import XiaohuEmbeddings

__all__ = [
    "ChatXiaohu",
    "XiaohuEmbeddings",
]
