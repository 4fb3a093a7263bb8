"""Values that satisfy a JSON schema, drawn from the user's words.

Used for function-call arguments and for ``text.format`` json_schema output. Handles the subset of
JSON Schema that tool and structured-output schemas use: ``type`` (also lists), ``properties``,
``required``, ``items``, ``enum``, ``const``, ``anyOf``/``oneOf``/``allOf``, ``$ref`` into
``$defs``/``definitions``, ``format``, ``minimum``/``maximum``, ``minItems``/``maxItems``,
``minLength``/``maxLength``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from xiaohu.emulator.language import is_stop_word, keywords, numbers, proper_nouns

__all__ = ["Hints", "generate", "schema_in_text"]

_MAX_DEPTH = 6
_PLACE = ("city", "location", "place", "country", "region", "where", "destination", "address")
_PROSE = ("answer", "response", "reply", "summary", "explanation", "reason", "content", "body")
_PHRASE = ("query", "search", "topic", "question", "text", "prompt", "input", "message", "term")
_PERSON = ("name", "person", "user", "author", "who")
_THING = ("product", "title", "brand", "company", "project", "software", "library", "package")
_DATE = ("date", "released", "published", "when", "day", "deadline", "birthday")
_MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip
_VERSION = re.compile(r"(?<![\w.])v?(\d+(?:\.\d+){1,3})(?![\w.]*\d)")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DAY_MONTH_YEAR = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})\b")
_MONTH_DAY_YEAR = re.compile(r"\b([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")
_CJK_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_CLAUSE_SPLIT = re.compile(r"[,;:]|\s(?:with|including|and|plus|featuring)\s", re.IGNORECASE)
_LEADING = re.compile(r"^(?:a|an|the|its|their|new:)\s+", re.IGNORECASE)
_FORMATS = {
    "date-time": "2025-01-01T12:00:00Z",
    "date": "2025-01-01",
    "time": "12:00:00",
    "email": "user@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "uuid": "00000000-0000-4000-8000-000000000000",
}


@dataclass
class Hints:
    """What the generator may draw values from: the user's message and a prose answer.

    Example:
        >>> h = Hints.from_text("weather in Paris for 3 days")
        >>> h.nouns, h.numbers
        (['Paris'], [3.0])
    """

    text: str
    phrase: str
    nouns: list[str]
    numbers: list[float]
    words: list[str]
    prose: str = ""
    _next_number: int = field(default=0, repr=False)

    @classmethod
    def from_text(cls, text: str, *, prose: str = "") -> Hints:
        """Build hints from a user message (and an optional prose answer for long text fields)."""
        words = keywords(text)
        phrase = " ".join(words[:6]) or text.strip()[:60] or "example"
        return cls(
            text=text, phrase=phrase, nouns=proper_nouns(text), numbers=numbers(text),
            words=words, prose=prose,
        )  # fmt: skip

    def version(self) -> str:
        """Return the first version number written in the message (``3.13``), else ``1.0``.

        Example:
            >>> Hints.from_text("Python 3.13 is out").version()
            '3.13'
        """
        match = _VERSION.search(self.text)
        return match.group(1) if match else "1.0"

    def date(self) -> str:
        """Return the first date written in the message as ISO 8601, else a fixed date.

        Reads ``2024-10-07``, ``7 October 2024``, ``October 7, 2024`` and ``2024年10月7日``.

        Example:
            >>> Hints.from_text("released on 7 October 2024").date()
            '2024-10-07'
        """
        found = self._dates(self.text)
        return min(found)[1] if found else _FORMATS["date"]

    def _date_in(self, text: str) -> bool:
        return bool(self._dates(text))

    @staticmethod
    def _dates(text: str) -> list[tuple[int, str]]:
        found: list[tuple[int, str]] = []
        for pattern, order in (
            (_ISO_DATE, "ymd"),
            (_CJK_DATE, "ymd"),
            (_DAY_MONTH_YEAR, "dmy"),
            (_MONTH_DAY_YEAR, "mdy"),
        ):
            for match in pattern.finditer(text):
                parts = dict(zip(order, match.groups(), strict=True))
                month = parts["m"]
                if not month.isdigit():
                    names = [m for m in _MONTHS if m.startswith(month.lower()[:3])]
                    if len(month) < 3 or not names:
                        continue
                    month = str(_MONTHS.index(names[0]) + 1)
                year, month_n, day = int(parts["y"]), int(month), int(parts["d"])
                if 1 <= month_n <= 12 and 1 <= day <= 31:
                    found.append((match.start(), f"{year:04d}-{month_n:02d}-{day:02d}"))
        return found

    def subject(self) -> str:
        """Return what the message is about: its first capitalised name, else its first keyword.

        Example:
            >>> Hints.from_text("Python 3.13 was released").subject()
            'Python'
        """
        for match in re.finditer(r"\b[A-Z][\w+#-]*", self.text):
            word = match.group(0)
            if word.lower() not in _MONTHS and not is_stop_word(word):
                return word
        return self.nouns[0] if self.nouns else (self.words[0] if self.words else "Example")

    def items(self) -> list[str]:
        """Return the things the message lists (``with a JIT, a new shell and ...``), in order.

        Example:
            >>> Hints.from_text(
            ...     "Python 3.13 has a JIT compiler, a new shell and faster startup."
            ... ).items()
            ['JIT compiler', 'new shell', 'faster startup']
        """
        out: list[str] = []
        pieces = _CLAUSE_SPLIT.split(self.text.strip().rstrip(".!?。"))
        for index, piece in enumerate(pieces):
            piece = _LEADING.sub("", piece.strip())
            # The first clause is the sentence's subject and verb ("Python 3.13 has ...").
            if index == 0 and len(pieces) > 1:
                tail = re.split(
                    r"\s(?:has|have|had|adds|added|brings|ships|offers|includes)\s", piece
                )
                piece = _LEADING.sub("", tail[-1].strip()) if len(tail) > 1 else ""
            # A clause that dates or numbers the subject is a fact about it, not a listed item.
            factual = _VERSION.search(piece) or self._date_in(piece)
            if 0 < len(piece.split()) <= 8 and not factual and piece not in out:
                out.append(piece)
        return out

    def number(self, default: float) -> float:
        """Return the next number from the message, or ``default`` once they run out."""
        if self._next_number < len(self.numbers):
            self._next_number += 1
            return self.numbers[self._next_number - 1]
        return default


def _resolve(schema: Any, root: dict[str, Any]) -> dict[str, Any]:
    seen = 0
    while isinstance(schema, dict) and "$ref" in schema and seen < 32:
        ref = str(schema["$ref"])
        target: Any = root
        for part in ref.lstrip("#/").split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        extra = {k: v for k, v in schema.items() if k != "$ref"}
        schema = {**target, **extra} if isinstance(target, dict) else extra
        seen += 1
    return schema if isinstance(schema, dict) else {}


def _string(schema: dict[str, Any], name: str, hints: Hints) -> str:
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        lowered = hints.text.lower()
        return str(next((e for e in enum if str(e).lower() in lowered), enum[0]))
    key = name.lower()
    fmt = schema.get("format")
    described = str(schema.get("description") or "").lower()
    if fmt in ("date", "date-time"):
        value = hints.date() + ("T00:00:00Z" if fmt == "date-time" else "")
    elif isinstance(fmt, str) and fmt in _FORMATS:
        value = _FORMATS[fmt]
    elif "version" in key:
        value = hints.version()
    elif any(p in key for p in _DATE) or "iso 8601" in described or " date" in f" {described}":
        value = hints.date()
    elif any(p in key for p in _THING):
        value = hints.subject()
    elif any(p in key for p in _PLACE):
        value = hints.nouns[0] if hints.nouns else (hints.words[-1] if hints.words else "Paris")
    elif any(p in key for p in _PROSE) and hints.prose:
        value = hints.prose
    elif any(p in key for p in _PHRASE):
        value = hints.phrase
    elif any(p in key for p in _PERSON):
        value = hints.nouns[0] if hints.nouns else "Alex"
    elif "unit" in key:
        value = "fahrenheit" if "fahrenheit" in hints.text.lower() else "celsius"
    elif "lang" in key:
        value = "en"
    else:
        value = hints.phrase
    low, high = schema.get("minLength"), schema.get("maxLength")
    if isinstance(low, int) and len(value) < low:
        value = value + "x" * (low - len(value))
    if isinstance(high, int) and len(value) > high:
        value = value[:high]
    return value


def _number(schema: dict[str, Any], hints: Hints, *, integer: bool) -> float | int:
    value = hints.number(1.0)
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    high = schema.get("maximum", schema.get("exclusiveMaximum"))
    if isinstance(low, (int, float)) and value < low:
        value = float(low) + (1 if "exclusiveMinimum" in schema and "minimum" not in schema else 0)
    if isinstance(high, (int, float)) and value > high:
        value = float(high) - (1 if "exclusiveMaximum" in schema and "maximum" not in schema else 0)
    return round(value) if integer else value


def _array(
    schema: dict[str, Any], name: str, hints: Hints, root: dict[str, Any], depth: int
) -> Any:
    low = schema.get("minItems")
    high = schema.get("maxItems")
    count = max(low if isinstance(low, int) else 1, 1 if depth < _MAX_DEPTH else 0)
    if isinstance(high, int):
        count = min(count, high)
    items = schema.get("items", {})
    singular = name[:-1] if name.endswith("s") else name
    out: list[Any] = []
    item = _resolve(items, root)
    listed = hints.items() if item.get("type") == "string" and "enum" not in item else []
    listed = listed if len(listed) > 1 else []
    if listed and depth < _MAX_DEPTH:
        count = max(count, min(len(listed), high if isinstance(high, int) else len(listed)))
    for i in range(count):
        if i < len(listed):
            out.append(listed[i])
        elif item.get("type") == "string" and "enum" not in item and i < len(hints.words):
            out.append(hints.words[i])
        else:
            out.append(generate(item, name=singular, hints=hints, root=root, depth=depth + 1))
    return out


def _object(schema: dict[str, Any], hints: Hints, root: dict[str, Any], depth: int) -> Any:
    props = schema.get("properties")
    if not isinstance(props, dict):
        return {}
    required = schema.get("required")
    names = list(props) if depth < _MAX_DEPTH else list(required or [])
    return {
        key: generate(props[key], name=key, hints=hints, root=root, depth=depth + 1)
        for key in names
    }


def generate(
    schema: Any,
    *,
    hints: Hints,
    name: str = "",
    root: dict[str, Any] | None = None,
    depth: int = 0,
) -> Any:
    """Return a value valid against ``schema``, using ``hints`` for its content.

    Args:
        schema: a JSON schema (dict); ``{}`` or ``True`` accept anything.
        hints: the user's words, numbers and names.
        name: the property name the value is for (``city`` gets a place, ``query`` a phrase).
        root: the document ``$ref`` pointers resolve against (defaults to ``schema``).
        depth: nesting depth; deep optional properties are dropped to stop recursion.

    Example:
        >>> schema = {
        ...     "type": "object",
        ...     "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
        ...     "required": ["city", "days"],
        ... }
        >>> generate(schema, hints=Hints.from_text("Forecast for Paris, next 3 days"))
        {'city': 'Paris', 'days': 3}
    """
    root = root if root is not None else (schema if isinstance(schema, dict) else {})
    schema = _resolve(schema, root)
    if "const" in schema:
        return schema["const"]
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list) and options:
            resolved = [_resolve(o, root) for o in options]
            chosen = next((o for o in resolved if o.get("type") != "null"), resolved[0])
            return generate(chosen, hints=hints, name=name, root=root, depth=depth)
    if isinstance(schema.get("allOf"), list):
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            merged.update(_resolve(part, root))
        return generate(merged, hints=hints, name=name, root=root, depth=depth)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        if "properties" in schema:
            kind = "object"
        elif "items" in schema:
            kind = "array"
        elif isinstance(schema.get("enum"), list) and schema["enum"]:
            return schema["enum"][0]
        else:
            kind = "string"
    if kind == "object":
        return _object(schema, hints, root, depth)
    if kind == "array":
        return _array(schema, name, hints, root, depth)
    if kind == "integer":
        return _number(schema, hints, integer=True)
    if kind == "number":
        return _number(schema, hints, integer=False)
    if kind == "boolean":
        return " not " not in f" {hints.text.lower()} "
    if kind == "null":
        return None
    return _string(schema, name, hints)


_FIELD_LIST = re.compile(
    r"\b(?:json|object)\b[^.\n]*?\b(?:with|having|containing|keys?|fields?|properties)\b"
    r"(?:\s+(?:the\s+)?(?:keys?|fields?|properties))?\s*:?\s*([^.\n]+)",
    re.IGNORECASE,
)
_FIELD_SPLIT = re.compile(r",|\s(?:and|or|plus)\s|/", re.IGNORECASE)
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_NUMERIC = ("year", "born", "age", "count", "number", "total", "price", "amount", "quantity")
_LISTS = ("tags", "keywords", "items", "highlights", "list", "names", "topics", "labels")


def _embedded_json(text: str) -> list[dict[str, Any]]:
    decoder = json.JSONDecoder()
    found: list[dict[str, Any]] = []
    start = text.find("{")
    while start != -1:
        try:
            value, end = decoder.raw_decode(text, start)
        except ValueError:
            start = text.find("{", start + 1)
            continue
        if isinstance(value, dict) and value:
            found.append(value)
        start = text.find("{", end)
    return found


def _field_schema(name: str, example: Any = None) -> dict[str, Any]:
    if isinstance(example, bool):
        return {"type": "boolean"}
    if isinstance(example, int) or (example is None and name.lower() in _NUMERIC):
        return {"type": "integer"}
    if isinstance(example, float):
        return {"type": "number"}
    if isinstance(example, list) or (example is None and name.lower() in _LISTS):
        return {"type": "array", "items": {"type": "string"}}
    if isinstance(example, dict):
        return {
            "type": "object",
            "properties": {k: _field_schema(k, v) for k, v in example.items()},
        }
    return {"type": "string"}


def schema_in_text(text: str) -> dict[str, Any] | None:
    """The JSON schema a prompt asks for in JSON mode (``json_object``), or ``None``.

    A JSON schema written in the text is used as it is; a JSON example object gives its keys
    (typed by their values); else field names after "JSON with ..." / "keys ..." give the keys
    (``born``, ``year``, ``age`` ... integers; ``tags``, ``keywords`` ... lists of strings).

    Example:
        >>> schema_in_text("Ada was born in 1815. Answer as JSON with name and born.")["properties"]
        {'name': {'type': 'string'}, 'born': {'type': 'integer'}}
        >>> schema_in_text('Reply with {"type": "object", "properties": {"x": {}}}')["properties"]
        {'x': {}}
        >>> schema_in_text("Just answer.") is None
        True
    """
    for value in _embedded_json(text):
        if isinstance(value.get("properties"), dict) or value.get("type") == "object":
            return value
        if isinstance(value.get("schema"), dict):  # {"name": ..., "schema": {...}}
            return dict(value["schema"])
        if all(_IDENTIFIER.match(str(k)) for k in value):
            props = {str(k): _field_schema(str(k), v) for k, v in value.items()}
            return {"type": "object", "properties": props, "required": list(props)}
    for match in _FIELD_LIST.finditer(text):
        names = [part.strip().strip("`'\"*").strip() for part in _FIELD_SPLIT.split(match.group(1))]
        names = [re.sub(r"^(?:the|a|an)\s+", "", n, flags=re.IGNORECASE) for n in names if n]
        keys = [n for n in names if _IDENTIFIER.match(n) and not is_stop_word(n.lower())]
        if keys:
            props = {k: _field_schema(k) for k in dict.fromkeys(keys)}
            return {"type": "object", "properties": props, "required": list(props)}
    return None
