"""The emulator answers retrieval prompts from the context it was given, as a RAG test needs."""

from __future__ import annotations

import random

import pytest

from xiaohu.emulator.language import prose_answer

LLAMA_INDEX_PROMPT = """Context information is below.
---------------------
file_path: relay.md

The relay bills in dollars. Deep research costs tens of dollars a call.
Group ratios multiply the list price.
---------------------
Given the context information and not prior knowledge, answer the query.
Query: {query}
Answer: """

LANGCHAIN_PROMPT = """Answer the question based only on the following context:
Paris is the capital of France.
Berlin is the capital of Germany.

Question: {query}"""


@pytest.mark.parametrize(
    ("template", "query", "expected"),
    [
        pytest.param(
            LLAMA_INDEX_PROMPT,
            "How much does deep research cost?",
            "According to the provided context: Deep research costs tens of dollars a call.",
            id="llama-index-template",
        ),
        pytest.param(
            LLAMA_INDEX_PROMPT,
            "What multiplies the list price?",
            "According to the provided context: Group ratios multiply the list price.",
            id="second-sentence-wins-on-overlap",
        ),
        pytest.param(
            LANGCHAIN_PROMPT,
            "Which city is the capital of Germany?",
            "According to the provided context: Berlin is the capital of Germany.",
            id="langchain-template",
        ),
    ],
)
def test_retrieval_prompt_is_answered_from_its_context(
    template: str, query: str, expected: str
) -> None:
    answer = prose_answer(
        template.format(query=query), guidance="", history=[], rng=random.Random(0)
    )
    assert answer == expected


def test_chinese_query_gets_a_chinese_lead_in() -> None:
    prompt = "资料如下：\n深度研究每次调用要花几十美元。\n\n问题：深度研究每次调用多少钱？"
    answer = prose_answer(prompt, guidance="", history=[], rng=random.Random(0))
    assert answer.startswith("根据提供的资料：")


def test_prompt_without_matching_context_falls_back_to_a_plain_answer() -> None:
    prompt = "Context: bananas are yellow.\nQuestion: how do rockets fly?"
    answer = prose_answer(prompt, guidance="", history=[], rng=random.Random(0))
    assert not answer.startswith("According to the provided context")
    assert "rocket" in answer


def test_a_sentence_wrapped_across_lines_is_answered_whole() -> None:
    prompt = (
        "Context information is below.\n---------------------\n"
        "Deep research models search the web many times and\n"
        "write a long cited report.\n"
        "---------------------\nQuery: What do deep research models write?\nAnswer: "
    )
    answer = prose_answer(prompt, guidance="", history=[], rng=random.Random(0))
    assert answer == (
        "According to the provided context: Deep research models search the web many times "
        "and write a long cited report."
    )
