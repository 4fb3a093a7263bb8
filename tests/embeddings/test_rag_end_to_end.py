"""Retrieval-augmented answers end to end on the loopback emulator, LlamaIndex and LangChain.

Documents are embedded with the Xiaohu embeddings, the closest one is retrieved for a question,
and the chat model answers from it. The prompt asks the model to repeat the retrieved context
(the emulator answers "repeat ..." requests verbatim), so the answer shows which text was
retrieved and that it reached the model intact.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from langchain_core.documents import Document as LCDocument
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnablePassthrough
from langchain_core.vectorstores import InMemoryVectorStore
from llama_index.core import Document, PromptTemplate, VectorStoreIndex

from langchain_xiaohu import ChatXiaohu, XiaohuEmbeddings
from llama_index_xiaohu import XiaohuEmbedding, XiaohuResponses

KEY = "sk-rag-test-0123456789"
DOCS = [
    "Cats purr when they are content and relaxed.",
    "The stock market fell sharply on Monday after the rate decision.",
    "小胡 relays the OpenAI Responses API for LangChain and LlamaIndex apps.",
]
QUESTIONS = [
    pytest.param("Why do cats purr?", DOCS[0], id="cats"),
    pytest.param("What happened to the stock market on Monday?", DOCS[1], id="stocks"),
    pytest.param("Which API does 小胡 relay for LlamaIndex apps?", DOCS[2], id="xiaohu"),
]
QA_PROMPT = 'Question: {question}\nRepeat exactly "{context}"'


# -- LlamaIndex --------------------------------------------------------------------------------


@pytest.fixture
def query_engine(emulator_url: str) -> Iterator[object]:
    embed_model = XiaohuEmbedding(api_key=KEY, base_url=emulator_url)
    index = VectorStoreIndex.from_documents(
        [Document(text=text) for text in DOCS], embed_model=embed_model
    )
    llm = XiaohuResponses(model="gpt-5-mini", api_key=KEY, api_base=emulator_url)
    template = PromptTemplate(QA_PROMPT.format(question="{query_str}", context="{context_str}"))
    yield index.as_query_engine(
        llm=llm, streaming=True, similarity_top_k=1, text_qa_template=template
    )
    llm.close()
    embed_model.close()


@pytest.mark.parametrize(("question", "source"), QUESTIONS)
def test_llama_index_streams_an_answer_from_the_retrieved_text(
    query_engine: object, question: str, source: str
) -> None:
    response = query_engine.query(question)  # type: ignore[attr-defined]
    pieces = list(response.response_gen)
    assert len(pieces) > 1  # streamed, not one block
    assert response.source_nodes[0].node.get_content() == source
    assert "".join(pieces) == source


@pytest.mark.parametrize(("question", "source"), QUESTIONS)
async def test_llama_index_async_streams_an_answer_from_the_retrieved_text(
    query_engine: object, question: str, source: str
) -> None:
    response = await query_engine.aquery(question)  # type: ignore[attr-defined]
    pieces = [piece async for piece in response.async_response_gen()]
    assert response.source_nodes[0].node.get_content() == source
    assert "".join(pieces) == source


# -- LangChain ---------------------------------------------------------------------------------


@pytest.fixture
def chain(emulator_url: str) -> Iterator[object]:
    with httpx.Client() as http:
        embeddings = XiaohuEmbeddings(api_key=KEY, base_url=emulator_url, http_client=http)
        store = InMemoryVectorStore.from_documents(
            [LCDocument(page_content=text) for text in DOCS], embedding=embeddings
        )
        retriever = store.as_retriever(search_kwargs={"k": 1})
        llm = ChatXiaohu(model="gpt-5-mini", api_key=KEY, base_url=emulator_url)
        prompt = ChatPromptTemplate.from_messages([("human", QA_PROMPT)])

        def first_text(docs: list[LCDocument]) -> str:
            return docs[0].page_content

        yield (
            {"context": retriever | first_text, "question": RunnablePassthrough()}
            | prompt
            | llm
            | StrOutputParser()
        )


@pytest.mark.parametrize(("question", "source"), QUESTIONS)
def test_langchain_chain_answers_from_the_retrieved_text(
    chain: object, question: str, source: str
) -> None:
    assert chain.invoke(question) == source  # type: ignore[attr-defined]
    streamed = list(chain.stream(question))  # type: ignore[attr-defined]
    assert "".join(streamed) == source


@pytest.mark.parametrize(("question", "source"), QUESTIONS)
async def test_langchain_chain_answers_async(chain: object, question: str, source: str) -> None:
    assert await chain.ainvoke(question) == source  # type: ignore[attr-defined]
