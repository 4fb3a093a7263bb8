"""Web search: search call items, made-up sources, and text that cites them exactly.

Sources live on reserved ``example.*`` domains, so nothing the emulator says points at a real site.
Citations are markdown links ``([site](url))`` inside the text, with a ``url_citation`` annotation
whose ``start_index``/``end_index`` are the link's character offsets in the Python string.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from xiaohu.emulator.ids import item_id
from xiaohu.emulator.language import keywords, search_query, search_terms

__all__ = [
    "CitedText",
    "Source",
    "browse_calls",
    "cited_answer",
    "research_queries",
    "research_report",
    "search_call",
]

_SITES = (
    ("encyclopedia.example.org", "Example Encyclopedia"),
    ("news.example.com", "Example News"),
    ("research.example.net", "Example Research"),
    ("data.example.org", "Example Data"),
    ("guides.example.com", "Example Guides"),
)
_ANGLES = (
    "overview", "latest developments", "statistics", "expert analysis", "history",
    "criticism", "case studies", "future outlook", "definition", "comparison",
    "regulation", "costs and benefits",
)  # fmt: skip


_CITED_VERBS = (
    "gives an overview of {query}",
    "walks through {query} step by step",
    "lists the main changes in {query}",
    "compares {query} with earlier versions",
    "collects figures on {query}",
)


@dataclass(frozen=True)
class Source:
    """A search result: where it lives and what it is called."""

    url: str
    title: str
    site: str


@dataclass
class CitedText:
    """Text under construction whose citations know their exact offsets.

    Example:
        >>> t = CitedText()
        >>> t.add("Water boils at 100 °C. ")
        >>> t.cite(Source("https://a.example.org/x", "X", "a.example.org"))
        >>> a = t.annotations[0]
        >>> t.text[a["start_index"] : a["end_index"]]
        '([a.example.org](https://a.example.org/x))'
    """

    parts: list[str] = field(default_factory=list)
    annotations: list[dict[str, Any]] = field(default_factory=list)
    length: int = 0

    def add(self, text: str) -> None:
        """Append plain text."""
        self.parts.append(text)
        self.length += len(text)

    def cite(self, source: Source) -> None:
        """Append a markdown citation of ``source`` and record its annotation."""
        link = f"([{source.site}]({source.url}))"
        start = self.length
        self.add(link)
        self.annotations.append(
            {
                "type": "url_citation",
                "start_index": start,
                "end_index": start + len(link),
                "title": source.title,
                "url": source.url,
            }
        )

    @property
    def text(self) -> str:
        """The text so far."""
        return "".join(self.parts)


def _sources(query: str, rng: random.Random, count: int) -> list[Source]:
    slug = "-".join(keywords(query)[:7]) or "topic"
    sites = rng.sample(_SITES, k=min(count, len(_SITES)))
    return [
        Source(
            url=f"https://{domain}/{slug}?utm_source=openai",
            title=f"{query.strip().capitalize()} – {name}",
            site=domain,
        )
        for domain, name in sites
    ]


def search_call(
    query: str, rng: random.Random, *, include_sources: bool, count: int = 2
) -> tuple[dict[str, Any], list[Source]]:
    """Return a completed ``web_search_call`` item for ``query`` and the sources it found.

    Example:
        >>> item, found = search_call("paris weather", random.Random(0), include_sources=True)
        >>> item["action"]["query"], len(item["action"]["sources"]) == len(found)
        ('paris weather', True)
    """
    found = _sources(query, rng, count)
    action: dict[str, Any] = {"type": "search", "query": query}
    if include_sources:
        action["sources"] = [{"type": "url", "url": s.url} for s in found]
    item = {"id": item_id("ws"), "type": "web_search_call", "status": "completed", "action": action}
    return item, found


def browse_calls(query: str, found: list[Source], rng: random.Random) -> list[dict[str, Any]]:
    """Return what deep research does after a search: ``open_page``, then ``find_in_page``.

    Example:
        >>> _, found = search_call("tides", random.Random(0), include_sources=False)
        >>> [c["action"]["type"] for c in browse_calls("tides", found, random.Random(0))]
        ['open_page', 'find_in_page']
    """
    if not found:
        return []
    page = rng.choice(found).url
    pattern = (keywords(query)[:1] or [query.strip()[:20] or "topic"])[0]
    return [
        {
            "id": item_id("ws"),
            "type": "web_search_call",
            "status": "completed",
            "action": {"type": "open_page", "url": page},
        },
        {
            "id": item_id("ws"),
            "type": "web_search_call",
            "status": "completed",
            "action": {"type": "find_in_page", "url": page, "pattern": pattern},
        },
    ]


def research_queries(question: str, rng: random.Random, count: int) -> list[str]:
    """Return ``count`` distinct search queries a researcher would run for ``question``.

    Example:
        >>> len(research_queries("solar power in Kenya", random.Random(1), 9))
        9
    """
    topic = " ".join(search_terms(question)[:4]) or question.strip()[:40] or "the topic"
    angles = list(_ANGLES)
    rng.shuffle(angles)
    return [f"{topic} {angle}" for angle in angles[:count]]


def cited_answer(
    question: str, searches: list[tuple[str, list[Source]]], rng: random.Random
) -> CitedText:
    """Write a short answer to ``question`` citing the sources of each search.

    Example:
        >>> _, found = search_call("tides", random.Random(0), include_sources=False)
        >>> text = cited_answer("Why are there tides?", [("tides", found)], random.Random(0))
        >>> len(text.annotations)
        2
    """
    topic = search_query(question) or "your question"
    out = CitedText()
    out.add(f"Here is what current sources say about {topic}:\n\n")
    number = 0
    for query, found in searches:
        for source in found:
            name = source.title.split(" – ")[-1]
            out.add(f"- {name} {_CITED_VERBS[number % len(_CITED_VERBS)].format(query=query)} ")
            out.cite(source)
            out.add("\n")
            number += 1
    out.add("\n")
    out.add(
        rng.choice(("Sources may update over time.", "Check the links for the latest details."))
    )
    return out


def research_report(
    question: str, searches: list[tuple[str, list[Source]]], rng: random.Random
) -> CitedText:
    """Write a long, sectioned research report citing every search.

    Example:
        >>> q = "battery recycling"
        >>> runs = [(s, search_call(s, random.Random(0), include_sources=False)[1]) for s in [q, q]]
        >>> report = research_report(q, runs, random.Random(0))
        >>> report.text.startswith("# Research report"), len(report.annotations)
        (True, 4)
    """
    words = search_terms(question)
    topic = " ".join(words[:4]) or "the question"
    out = CitedText()
    out.add(f"# Research report: {topic}\n\n## Summary\n\n")
    out.add(
        f"This report reviews {len(searches)} searches on {topic}. The evidence points in a "
        "consistent direction, with open questions noted at the end.\n\n"
    )
    for number, (query, found) in enumerate(searches, start=1):
        angle = query.removeprefix(" ".join(words[:4])).strip() or "findings"
        out.add(f"## {number}. {angle.capitalize()}\n\n")
        out.add(
            f"Searching for “{query}” surfaced material from {len(found)} sources. "
            f"{rng.choice(('They agree', 'Most agree', 'Several note'))} that {topic} depends on "
            f"{angle}, and that the picture is changing. "
        )
        for source in found:
            out.add(f"{source.site} gives a detailed account ")
            out.cite(source)
            out.add(". ")
        out.add("\n\n")
    out.add(
        "## Open questions\n\nData gaps remain; treat the figures above as indicative, and "
        "follow the cited sources for primary data."
    )
    return out
