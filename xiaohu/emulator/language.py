"""Words in, words out: the emulator model's tiny language toolkit.

Keyword extraction, a token estimate, and the sentences the deterministic model answers with. No
randomness except the ``random.Random`` the caller seeds from the request.
"""

from __future__ import annotations

import math
import random
import re

__all__ = [
    "count_tokens",
    "has_cjk",
    "human_join",
    "is_stop_word",
    "keywords",
    "numbers",
    "proper_nouns",
    "prose_answer",
    "search_query",
    "search_terms",
    "split_words",
]

_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "just",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "please",
        "should",
        "so",
        "some",
        "tell",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "us",
        "use",
        "using",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "about",
        "can't",
        "don't",
        "i'm",
        "it's",
        "what's",
        "let's",
        "give",
        "get",
        "make",
        "also",
        "any",
        "all",
        "more",
        "most",
        "very",
        "much",
        "many",
        "one",
        "two",
        "need",
        "want",
        "know",
        "like",
        "yes",
        "no",
        "not",
        "only",
        "call",
        "tool",
        "tools",
        "function",
        "explain",
        "describe",
        "tell",
        "show",
        "briefly",
    ]
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*|\d+(?:\.\d+)?|[\u3400-\u9fff]+")
_TOKEN = re.compile(r"[A-Za-z]+|\d{1,3}|[\u3400-\u9fff]|[^\sA-Za-z\d]")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_CJK = re.compile(r"[\u3400-\u9fff]")
_NOUN = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]+(?:\s+[A-Z][a-z]+)*)|([\u3400-\u9fff]+)")


def has_cjk(text: str) -> bool:
    """Say whether ``text`` contains Chinese characters.

    Example:
        >>> has_cjk("天气"), has_cjk("weather")
        (True, False)
    """
    return bool(_CJK.search(text))


def is_stop_word(word: str) -> bool:
    """Say whether ``word`` is a function word (``the``, ``on``) that carries no topic.

    Example:
        >>> is_stop_word("On"), is_stop_word("Python")
        (True, False)
    """
    return word.lower() in _STOP


def split_words(text: str) -> list[str]:
    """Split text, identifiers included (``get_weather``, ``getWeather``), into lower-case words.

    Example:
        >>> split_words("getWeather for new_york")
        ['get', 'weather', 'for', 'new', 'york']
    """
    spaced = _CAMEL.sub(" ", text.replace("_", " "))
    return [w.lower() for w in _WORD.findall(spaced)]


def _stem(word: str) -> str:
    for suffix in ("ing", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def keywords(text: str, *, stems: bool = False) -> list[str]:
    """Return the content words of ``text`` in order, without stop words or repeats.

    Args:
        text: any text.
        stems: strip a plural/-ing suffix, for matching words against tool descriptions.

    Example:
        >>> keywords("What is the weather in Paris today?")
        ['weather', 'paris', 'today']
    """
    out: list[str] = []
    for word in split_words(text):
        if word in _STOP or (len(word) < 3 and not has_cjk(word) and not word.isdigit()):
            continue
        word = _stem(word) if stems else word
        if word not in out:
            out.append(word)
    return out


_ASKING = frozenset(
    (
        "search", "web", "internet", "online", "google", "look", "find", "cite", "citing",
        "cited", "citation", "citations", "source", "sources", "link", "links", "reference",
        "references", "latest", "current", "recent", "today", "research", "report",
    )
)  # fmt: skip


def search_terms(text: str) -> list[str]:
    """Return the keywords of a request without the words that only ask for a search.

    Example:
        >>> search_terms("What is new in Python 3.13? Search the web and cite your sources.")
        ['new', 'python', '3.13']
    """
    return [w for w in keywords(text) if w not in _ASKING] or keywords(text)


def search_query(text: str, *, limit: int = 6) -> str:
    """Return the query a person would type for ``text`` ("what's new in ..." stays a question).

    Example:
        >>> search_query("What is new in Python 3.13? Search the web and cite your sources.")
        "what's new in python 3.13"
        >>> search_query("What changed in Python 3.13?")
        'what changed in python 3.13'
        >>> search_query("Search the web: solar power in Kenya")
        'solar power kenya'
    """
    terms = search_terms(text)[:limit]
    lead = {"new": "what's new in ", "changed": "what changed in "}.get(terms[0] if terms else "")
    if lead and len(terms) > 1 and re.search(rf"\b{terms[0]} in\b", text, re.IGNORECASE):
        return lead + " ".join(terms[1:])
    return " ".join(terms)


def proper_nouns(text: str) -> list[str]:
    """Return names and places, in order.

    Those are capitalised words that do not start a sentence, and runs of CJK characters in a
    text that also has Latin words (a Chinese name in an English prompt: CJK has no capitals).

    Example:
        >>> proper_nouns("What is the weather in Paris and New York?")
        ['Paris', 'New York']
        >>> proper_nouns("Create a customer named '你好啊集团' (Hello Group)")
        ['你好啊集团', 'Hello Group']
    """
    found: list[str] = []
    mixed = bool(re.search(r"[A-Za-z]", text))
    for match in _NOUN.finditer(text):
        phrase = match.group(1) or (match.group(2) if mixed else None)
        if phrase and phrase.lower() not in _STOP and phrase not in found:
            found.append(phrase)
    return found


def numbers(text: str) -> list[float]:
    """Return the numbers written in ``text``, in order.

    Example:
        >>> numbers("add 3 and 4.5")
        [3.0, 4.5]
    """
    return [float(n) for n in re.findall(r"(?<![\w.])-?\d+(?:\.\d+)?", text)]


def count_tokens(text: str) -> int:
    """Estimate the token count of ``text`` (about four letters per token, CJK one per character).

    Example:
        >>> count_tokens("Hello, world!")
        4
    """
    total = 0
    for piece in _TOKEN.findall(text):
        total += max(1, math.ceil(len(piece) / 5)) if piece.isalpha() else 1
    return total


def human_join(words: list[str], *, conj: str = "and") -> str:
    """Join words as a person would: ``a``, ``a and b``, ``a, b and c``.

    Example:
        >>> human_join(["tea", "coffee", "milk"])
        'tea, coffee and milk'
    """
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + f" {conj} " + words[-1]


_ARITH = re.compile(
    r"(-?\d+(?:\.\d+)?)\s*(\+|-|\*|/|×|x|÷|plus|minus|times|multiplied by|divided by)\s*(-?\d+(?:\.\d+)?)"
)
_SAY = re.compile(
    r"\b(?:say|reply with|respond with|answer with|repeat)\s+(?:exactly\s+|only\s+|just\s+)?"
    r"[\"'“‘]?(.+?)[\"'”’]?\s*[.!]?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_NAME_FACT = re.compile(r"\bmy name is\s+([A-Z][\w-]*)", re.IGNORECASE)


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.6g}"


def _arithmetic(question: str) -> str | None:
    match = _ARITH.search(question)
    if not match:
        return None
    a, op, b = float(match.group(1)), match.group(2).lower(), float(match.group(3))
    if op in {"+", "plus"}:
        result = a + b
    elif op in {"-", "minus"}:
        result = a - b
    elif op in {"*", "×", "x", "times", "multiplied by"}:
        result = a * b
    elif b != 0:
        result = a / b
    else:
        return "Division by zero is undefined."
    return f"{_fmt(a)} {op} {_fmt(b)} = {_fmt(result)}."


def _directed(question: str) -> str | None:
    match = _SAY.search(question.strip())
    if match and len(match.group(1)) <= 200:
        return match.group(1).strip()
    return None


def _recall(question: str, history: list[str]) -> str | None:
    if "my name" not in question.lower() or _NAME_FACT.search(question):
        return None
    for earlier in reversed(history):
        fact = _NAME_FACT.search(earlier)
        if fact:
            return f"Your name is {fact.group(1)}."
    return None


_QUERY = re.compile(
    r"(?:^|\n)[ \t]*(?:query|question|问题)[ \t]*[:：][ \t]*(?P<query>.+?)"
    r"(?:\n[ \t]*(?:answer|回答)[ \t]*[:：]?[ \t]*)?$",
    re.IGNORECASE | re.DOTALL,
)
_BOILERPLATE = re.compile(
    r"context information|given the context|not prior knowledge|^-{3,}$|following context|"
    r"^answer the question|^use the following",
    re.IGNORECASE,
)


def _terms(text: str) -> set[str]:
    """Stemmed keywords, plus character bigrams of CJK words (which have no spaces)."""
    terms: set[str] = set()
    for word in keywords(text, stems=True):
        terms.add(word)
        if has_cjk(word):
            terms.update(word[i : i + 2] for i in range(len(word) - 1))
    return terms


def _grounded(question: str) -> str | None:
    """Answer a retrieval prompt ("context ... Query: q") from its best-matching sentence."""
    match = _QUERY.search(question)
    if match is None or match.start() == 0:
        return None
    query = match.group("query").strip()
    wanted = _terms(query)
    # Paragraphs, not lines: retrieved markdown wraps its sentences across lines.
    paragraphs: list[list[str]] = [[]]
    for line in question[: match.start()].splitlines():
        line = line.strip()
        if not line or _BOILERPLATE.search(line):
            paragraphs.append([])
        else:
            paragraphs[-1].append(line)
    best, best_overlap = "", 0
    for paragraph in filter(None, paragraphs):
        for sentence in re.split(r"(?<=[.!?。！？])\s+", " ".join(paragraph)):
            overlap = len(wanted & _terms(sentence))
            if overlap > best_overlap:
                best, best_overlap = sentence.strip(), overlap
    if not best:
        return None
    if has_cjk(query):
        return f"根据提供的资料：{best}"
    return f"According to the provided context: {best}"


_OPENINGS = (
    "You asked about {topic}.",
    "Here is a short answer about {topic}.",
    "Good question about {topic}.",
    "Let me explain {topic}.",
)
_BODIES = (
    "In short, {a} is closely tied to {b}, and the details depend on your context.",
    "The key point is how {a} relates to {b}; start there and the rest follows.",
    "Most people approach {a} by first looking at {b}, then refining step by step.",
    "Think of {a} in terms of {b}: that framing usually answers the question.",
)
_CLOSINGS = (
    "Let me know if you want more detail.",
    "I can go deeper on any part of this.",
    "Happy to expand on {a} if useful.",
)


def _styled(text: str, guidance: str) -> str:
    lowered = guidance.lower()
    if "one word" in lowered or "single word" in lowered:
        return re.split(r"\W+", text.strip())[0] or text
    if any(k in lowered for k in ("brief", "concise", "short", "one sentence")):
        text = re.split(r"(?<=[.!?。])\s*", text.strip())[0]
    if "uppercase" in lowered or "all caps" in lowered or "shout" in lowered:
        text = text.upper()
    if "pirate" in lowered:
        text = "Arr! " + text
    return text


def prose_answer(question: str, *, guidance: str, history: list[str], rng: random.Random) -> str:
    """Answer ``question`` in a sentence or three derived from its words.

    Handles simple arithmetic, "say X" requests, recalling a name given earlier, and retrieval
    prompts ("context ... Query: q", as LlamaIndex and LangChain RAG send them), which it answers
    with the context sentence sharing most words with the query; otherwise it
    names the question's key words. ``guidance`` (instructions, system and developer messages)
    visibly shapes the answer: "be brief", "one word", "uppercase", "pirate", or Chinese.

    Args:
        question: the last user message.
        guidance: instructions and system/developer text.
        history: earlier user messages, oldest first.
        rng: seeded by the request, so the same request gives the same answer.

    Example:
        >>> prose_answer("What is 2 + 3?", guidance="", history=[], rng=random.Random(0))
        '2 + 3 = 5.'
    """
    direct = (
        _arithmetic(question)
        or _directed(question)
        or _recall(question, history)
        or _grounded(question)
    )
    if direct is not None:
        return _styled(direct, guidance)
    words = keywords(question)
    chinese = has_cjk(question) or "chinese" in guidance.lower() or has_cjk(guidance)
    if not words:
        text = "你好！有什么可以帮你的吗？" if chinese else "Hello! How can I help you today?"
        return _styled(text, guidance)
    topic = "、".join(words[:3]) if chinese else human_join(words[:3])
    a, b = words[0], (words[1] if len(words) > 1 else "its context")
    if chinese:
        text = f"关于「{topic}」：{a}与{b}密切相关，具体取决于你的情况。需要的话我可以详细说明。"
        return _styled(text, guidance)
    parts = [
        rng.choice(_OPENINGS).format(topic=topic),
        rng.choice(_BODIES).format(a=a, b=b),
    ]
    if len(words) > 3:
        parts.append(f"It also touches on {human_join(words[3:6])}.")
    parts.append(rng.choice(_CLOSINGS).format(a=a))
    text = " ".join(parts)
    return _styled(text, guidance)
