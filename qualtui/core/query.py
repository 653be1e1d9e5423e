"""The query engine: coding queries (AND, OR, NOT, WITHIN n, SAME TURN) with filters.

Pure Python, no Textual: :func:`run_query` works on a :class:`QueryData` built by hand (tests)
or from a project by :func:`data_from_project`. The TUI's retrieval screen and
``qualtui query`` share it.

Semantics (see ``docs/codebook-and-retrieval.md``)
--------------------------------------------------
A code reference stands for the text its segments cover: per document, the segments of the
code (and its sub-codes, unless the reference starts with ``=``) are merged into maximal runs
of characters ("coverage"), as NVivo does. Overlapping segments by two coders give one run.

* ``A AND B`` — the intersection: the characters coded with both (only the overlap).
* ``A OR B`` — the union: characters coded with either; touching or overlapping runs merge.
* ``NOT A`` — every character of a document in scope not coded with ``A``; normally used as
  ``A AND NOT B`` (text coded ``A`` but not ``B``).
* ``A WITHIN n B`` — ``A``'s runs that start or end at most ``n`` characters from a ``B`` run
  (overlap counts as distance 0). The passage returned is ``A``'s run; the ``B`` segments that
  satisfied the condition are listed as its partners.
* ``A SAME TURN B`` — ``A``'s runs that share a speaker turn with a ``B`` run (documents
  without turns give none); ``B``'s segments are listed as partners.

Each hit lists the segments that justify it: for AND/OR/NOT the operands' segments that
overlap the hit, for WITHIN/SAME TURN also the partners. With ``extent="segments"`` a hit is
widened to span all those segments (whole coded passages, like MAXQDA's "overlapping" mode).

Filters restrict documents (names, cases, attribute conditions) and segments (coders)
*before* evaluation, so ``NOT`` and ``WITHIN`` only see the filtered coding.

Syntax::

    query     := or [WHERE condition (AND condition)*]
    or        := and ((OR | "|") and)*
    and       := unary ((AND | "&") unary)*
    unary     := NOT unary | relation
    relation  := primary ((WITHIN n | SAME TURN | SAMETURN) primary)*
    primary   := code | "(" or ")"
    code      := ["="] ("quoted path" | bare words)
    condition := name op value     op: = == != <> < <= > >= ≠ ≤ ≥ ~ (contains)

Keywords are upper case, so bare code paths may contain lower-case "and"/"or"
(``Risks and barriers/Security``). Values may list alternatives with ``|``. The pseudo
attributes ``document``, ``case`` and ``coder`` filter documents, cases and coders.
"""

from __future__ import annotations

import difflib
import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from qualtui.core.codetree import children_index, descendants
from qualtui.core.errors import QualtuiError

if TYPE_CHECKING:
    from qualtui.core.project import Project

__all__ = [
    "And",
    "CodeRef",
    "Condition",
    "EXTENTS",
    "Filters",
    "Not",
    "Or",
    "QCode",
    "QDoc",
    "QSeg",
    "Query",
    "QueryData",
    "QueryHit",
    "QueryResult",
    "SameTurn",
    "Within",
    "data_from_project",
    "make_filters",
    "parse_condition",
    "parse_query",
    "retrieve",
    "run_query",
    "scope",
]

Span = tuple[int, int]
EXTENTS = ("passage", "segments")
PSEUDO_ATTRIBUTES = ("document", "case", "coder")


# --------------------------------------------------------------------------- input data


@dataclass(frozen=True)
class QCode:
    """A code: ``path`` is ``"Parent/Child"``."""

    id: str
    path: str
    parent_id: str | None = None

    @property
    def name(self) -> str:
        return self.path.rpartition("/")[2]


@dataclass(frozen=True)
class QDoc:
    """A document: its length in code points, case name, attributes and turn spans."""

    id: str
    name: str
    chars: int
    case: str = ""
    attributes: Mapping[str, Any] = field(default_factory=dict)
    turns: tuple[Span, ...] = ()
    position: int = 0

    @property
    def case_name(self) -> str:
        return self.case or self.name


@dataclass(frozen=True)
class QSeg:
    """A coded segment, ``[start, end)`` in code points."""

    id: str
    document_id: str
    code_id: str
    start: int
    end: int
    coder: str = ""


class _Named(Protocol):
    @property
    def name(self) -> str: ...


class _Pathed(_Named, Protocol):
    @property
    def path(self) -> str: ...


CodeT = TypeVar("CodeT", bound=_Pathed)
DocT = TypeVar("DocT", bound=_Named)


def resolve_code(codes: Sequence[CodeT], ref: str) -> CodeT:
    """The code ``ref`` names: its exact path, else the path in any case, else a unique
    tail (``Security``, ``barriers/Security``). Queries and analyses resolve codes so."""
    wanted = "/".join(p.strip() for p in ref.strip().strip("/").split("/"))
    for code in codes:
        if code.path == wanted:
            return code
    folded = wanted.casefold()
    matches = [c for c in codes if c.path.casefold() == folded]
    if not matches:
        matches = [c for c in codes if c.path.casefold().endswith("/" + folded)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise QualtuiError(f"code '{ref}' is ambiguous: "
                           + ", ".join(sorted(c.path for c in matches)))
    close = difflib.get_close_matches(wanted, [c.path for c in codes] + [c.name for c in codes],
                                      n=3, cutoff=0.6)
    hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
    raise QualtuiError(f"no code '{ref}' in the codebook{hint}")


def resolve_document(documents: Sequence[DocT], name: str) -> DocT:
    """The document called ``name`` (exactly, else unique in any case)."""
    for doc in documents:
        if doc.name == name:
            return doc
    matches = [d for d in documents if d.name.casefold() == name.casefold()]
    if len(matches) == 1:
        return matches[0]
    names = ", ".join(d.name for d in documents[:8]) or "none"
    raise QualtuiError(f"no document named '{name}' (documents: {names})")


@dataclass
class QueryData:
    """Everything a query reads. ``attribute_types`` maps names to text/number/date/category."""

    codes: list[QCode]
    documents: list[QDoc]
    segments: list[QSeg]
    attribute_types: dict[str, str] = field(default_factory=dict)

    def code_by_id(self) -> dict[str, QCode]:
        return {c.id: c for c in self.codes}

    def subtree(self, code_id: str) -> set[str]:
        """``code_id`` and every code below it."""
        children = children_index((c.id, c.parent_id) for c in self.codes)
        return {code_id, *descendants(children, code_id)}

    def find_code(self, ref: str) -> QCode:
        """Resolve a path (see :func:`resolve_code`)."""
        return resolve_code(self.codes, ref)

    def find_document(self, name: str) -> QDoc:
        return resolve_document(self.documents, name)

    def attribute_names(self) -> list[str]:
        names = dict.fromkeys(self.attribute_types)
        for doc in self.documents:
            names.update(dict.fromkeys(doc.attributes))
        return list(names)


# --------------------------------------------------------------------------- query AST


@dataclass(frozen=True)
class CodeRef:
    """A code; with ``subcodes`` (the default) its whole subtree."""

    path: str
    subcodes: bool = True

    def __str__(self) -> str:
        plain = re.fullmatch(r"[^\s()\"'&|=]+(?: [^\s()\"'&|=]+)*", self.path) and not any(
            w in _KEYWORDS for w in self.path.split())
        text = self.path if plain else '"' + self.path.replace('"', '\\"') + '"'
        return text if self.subcodes else "=" + text


@dataclass(frozen=True)
class And:
    left: Node
    right: Node

    def __str__(self) -> str:
        return f"{_wrap(self.left, 1)} AND {_wrap(self.right, 2)}"


@dataclass(frozen=True)
class Or:
    left: Node
    right: Node

    def __str__(self) -> str:
        return f"{_wrap(self.left, 0)} OR {_wrap(self.right, 1)}"


@dataclass(frozen=True)
class Not:
    operand: Node

    def __str__(self) -> str:
        return f"NOT {_wrap(self.operand, 2)}"


@dataclass(frozen=True)
class Within:
    left: Node
    right: Node
    chars: int

    def __str__(self) -> str:
        return f"{_wrap(self.left, 3)} WITHIN {self.chars} {_wrap(self.right, 4)}"


@dataclass(frozen=True)
class SameTurn:
    left: Node
    right: Node

    def __str__(self) -> str:
        return f"{_wrap(self.left, 3)} SAME TURN {_wrap(self.right, 4)}"


Node = CodeRef | And | Or | Not | Within | SameTurn


_RANK: dict[type, int] = {Or: 0, And: 1, Not: 2, Within: 3, SameTurn: 3, CodeRef: 4}


def _wrap(node: Node, minimum: int) -> str:
    """``node`` as text, in parentheses when it binds less tightly than ``minimum``."""
    return str(node) if _RANK[type(node)] >= minimum else f"({node})"


# --------------------------------------------------------------------------- conditions

_OPS = {"=": "=", "==": "=", "!=": "!=", "<>": "!=", "≠": "!=", "<": "<", "<=": "<=",
        "≤": "<=", ">": ">", ">=": ">=", "≥": ">=", "~": "~"}
_OP_RE = re.compile(r"(==|!=|<>|<=|>=|[=<>≠≤≥~])")
_DATE_PREFIX = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass(frozen=True)
class Condition:
    """``attribute op value``; ``values`` are alternatives (``a|b``) for = != and ~.

    Text compares case-insensitively; numbers numerically; dates by their ISO prefix
    (``interview_date <= 2025-04`` includes all of April). ``~`` means "contains". A document
    without the attribute matches no condition on it (not even ``!=``).
    """

    attribute: str
    op: str
    values: tuple[str, ...]

    def __str__(self) -> str:
        value = "|".join(v if re.fullmatch(r"[\w.:/-]+", v)
                         else '"' + v.replace('"', '\\"') + '"' for v in self.values)
        return f"{self.attribute} {self.op} {value}"

    def matches(self, actual: Any, kind: str = "") -> bool:
        if actual is None or actual == "":
            return False
        if isinstance(actual, (list, tuple, set)):
            return any(self.matches(a, kind) for a in actual)
        if self.op in ("=", "!="):
            hit = any(_equal(actual, v, kind) for v in self.values)
            return hit if self.op == "=" else not hit
        if self.op == "~":
            text = str(actual).casefold()
            return any(v.casefold() in text for v in self.values)
        value = self.values[0]
        left, right = _comparable(actual, value, kind, self)
        return {"<": left < right, "<=": left <= right, ">": left > right,
                ">=": left >= right}[self.op]


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _is_num(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _equal(actual: Any, value: str, kind: str) -> bool:
    if _is_num(actual):
        number = _number(value)
        return number is not None and number == actual
    text = str(actual)
    if (kind == "date" or _DATE_PREFIX.match(text)) and _DATE_PREFIX.match(value):
        return text[: len(value)] == value
    return text.casefold() == value.casefold()


def _comparable(actual: Any, value: str, kind: str, cond: Condition) -> tuple[Any, Any]:
    if _is_num(actual):
        number = _number(value)
        if number is None:
            raise QualtuiError(f"'{cond}': {cond.attribute} is a number; compare it with a"
                               " number")
        return actual, number
    text = str(actual)
    if (kind == "date" or _DATE_PREFIX.match(text)) and _DATE_PREFIX.match(value):
        return text[: len(value)], value
    if kind == "date":
        raise QualtuiError(f"'{cond}': {cond.attribute} is a date; write it as YYYY-MM-DD"
                           " (or YYYY-MM, YYYY)")
    return text.casefold(), value.casefold()


def _values(tokens: list[tuple[str, str]]) -> tuple[str, ...]:
    """Alternatives separated by ``|`` in bare words; a quoted token is taken verbatim."""
    alternatives: list[list[str]] = [[]]
    for kind, text in tokens:
        if kind == "q":
            alternatives[-1].append(text)
            continue
        pieces = text.split("|")
        if pieces[0]:
            alternatives[-1].append(pieces[0])
        for piece in pieces[1:]:
            alternatives.append([piece] if piece else [])
    return tuple(" ".join(a).strip() for a in alternatives)


def parse_condition(text: str) -> Condition:
    """Parse ``name op value`` (``role = "records officer"``, ``years >= 10``)."""
    tokens = _tokenize_where(text)
    conditions = _conditions(tokens, text)
    if len(conditions) != 1:
        raise QualtuiError(f"bad condition '{text}': give one NAME OP VALUE")
    return conditions[0]


def _tokenize_where(text: str) -> list[tuple[str, str]]:
    """Tokens of a WHERE clause: ("q", quoted), ("op", op), ("and", "AND"), ("w", word)."""
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        ch = text[pos]
        if ch.isspace():
            pos += 1
        elif ch in "\"'":
            value, pos = _quoted(text, pos)
            tokens.append(("q", value))
        elif m := _OP_RE.match(text, pos):
            tokens.append(("op", _OPS[m.group(1)]))
            pos = m.end()
        else:
            m = re.compile(r"[^\s\"'=<>!≠≤≥~]+").match(text, pos)
            if m is None:  # a lone "!"
                raise QualtuiError(f"bad condition '{text}': unexpected '{ch}'")
            word = m.group(0)
            tokens.append(("and", word) if word in ("AND", "&") else ("w", word))
            pos = m.end()
    return tokens


def _conditions(tokens: list[tuple[str, str]], source: str) -> list[Condition]:
    out: list[Condition] = []
    groups: list[list[tuple[str, str]]] = [[]]
    for token in tokens:
        if token[0] == "and":
            groups.append([])
        else:
            groups[-1].append(token)
    for group in groups:
        if any(t == ("w", "OR") for t in group):
            raise QualtuiError(f"bad condition in '{source}': WHERE joins conditions with AND;"
                               " for alternatives write name = a|b")
        ops = [i for i, t in enumerate(group) if t[0] == "op"]
        if not group or not ops or ops[0] == 0 or ops[0] == len(group) - 1:
            raise QualtuiError(f"bad condition in '{source}': use NAME OP VALUE, e.g."
                               ' role = "records officer" AND years >= 10')
        i = ops[0]
        name = " ".join(t[1] for t in group[:i])
        if any(t[0] == "op" for t in group[i + 1:]):
            raise QualtuiError(f"bad condition in '{source}': one operator per condition"
                               " (join conditions with AND)")
        values = _values(group[i + 1:])
        if group[i][1] in ("<", "<=", ">", ">=") and len(values) > 1:
            raise QualtuiError(f"'{name} {group[i][1]} ...': '<' and '>' take one value")
        out.append(Condition(name, group[i][1], values))
    return out


# --------------------------------------------------------------------------- filters


@dataclass(frozen=True)
class Filters:
    """Restrictions applied before evaluating: documents and cases (names), coders and
    attribute conditions. Empty tuples mean "no restriction"."""

    documents: tuple[str, ...] = ()
    cases: tuple[str, ...] = ()
    coders: tuple[str, ...] = ()
    conditions: tuple[Condition, ...] = ()

    def merged(self, other: Filters) -> Filters:
        return Filters(self.documents + other.documents, self.cases + other.cases,
                       self.coders + other.coders, self.conditions + other.conditions)

    def __bool__(self) -> bool:
        return bool(self.documents or self.cases or self.coders or self.conditions)

    def describe(self) -> str:
        parts = []
        if self.documents:
            parts.append("document = " + "|".join(self.documents))
        if self.cases:
            parts.append("case = " + "|".join(self.cases))
        if self.coders:
            parts.append("coder = " + "|".join(self.coders))
        parts.extend(str(c) for c in self.conditions)
        return " AND ".join(parts)

    def as_json(self) -> dict[str, Any]:
        return {"documents": list(self.documents), "cases": list(self.cases),
                "coders": list(self.coders), "conditions": [str(c) for c in self.conditions]}


def _filters_from_conditions(conditions: Iterable[Condition]) -> Filters:
    docs: list[str] = []
    cases: list[str] = []
    coders: list[str] = []
    rest: list[Condition] = []
    for cond in conditions:
        key = cond.attribute.casefold()
        target = {"document": docs, "documents": docs, "doc": docs, "case": cases,
                  "cases": cases, "coder": coders, "coders": coders}.get(key)
        if target is None:
            rest.append(cond)
        elif cond.op != "=":
            raise QualtuiError(f"'{cond}': {key} only takes '=' (alternatives with '|')")
        else:
            target.extend(cond.values)
    return Filters(tuple(docs), tuple(cases), tuple(coders), tuple(rest))


def make_filters(documents: Iterable[str] = (), cases: Iterable[str] = (),
                 coders: Iterable[str] = (), where: Iterable[str] = ()) -> Filters:
    """Filters from command-line style options; ``where`` holds conditions as text (the
    pseudo attributes document, case and coder are accepted there too)."""
    conditions: list[Condition] = []
    for text in where:
        conditions.extend(_conditions(_tokenize_where(text), text))
    return Filters(tuple(documents), tuple(cases), tuple(coders)).merged(
        _filters_from_conditions(conditions))


# --------------------------------------------------------------------------- parsing

_KEYWORDS = {"AND", "OR", "NOT", "WITHIN", "SAME", "TURN", "SAMETURN", "WHERE"}


@dataclass(frozen=True)
class Query:
    """A parsed query: the expression and the filters of its WHERE clause."""

    expr: Node
    filters: Filters = Filters()

    def __str__(self) -> str:
        where = self.filters.describe()
        return f"{self.expr}" + (f" WHERE {where}" if where else "")


@dataclass(frozen=True)
class _Tok:
    kind: str  # "(" ")" "kw" "word" "quoted" "eq"
    text: str
    pos: int


def _quoted(text: str, pos: int) -> tuple[str, int]:
    quote = text[pos]
    out: list[str] = []
    i = pos + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
            continue
        if ch == quote:
            return "".join(out), i + 1
        out.append(ch)
        i += 1
    raise QualtuiError(f"unclosed quote at character {pos + 1}: {text[pos:pos + 20]!r}")


def _tokenize(text: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    pos = 0
    while pos < len(text):
        ch = text[pos]
        if ch.isspace():
            pos += 1
        elif ch in "()":
            tokens.append(_Tok(ch, ch, pos))
            pos += 1
        elif ch == "&":
            tokens.append(_Tok("kw", "AND", pos))
            pos += 1
        elif ch == "|":
            tokens.append(_Tok("kw", "OR", pos))
            pos += 1
        elif ch == "=":
            tokens.append(_Tok("eq", "=", pos))
            pos += 1
        elif ch in "\"'" :
            value, end = _quoted(text, pos)
            tokens.append(_Tok("quoted", value, pos))
            pos = end
        else:
            m = re.compile(r"[^\s()\"&|=]+").match(text, pos)
            assert m is not None
            word = m.group(0)
            tokens.append(_Tok("kw" if word in _KEYWORDS else "word", word, pos))
            pos = m.end()
    return tokens


class _Parser:
    def __init__(self, text: str, tokens: list[_Tok]) -> None:
        self.text = text
        self.tokens = tokens
        self.i = 0

    def peek(self) -> _Tok | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> _Tok:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def at_kw(self, *words: str) -> bool:
        tok = self.peek()
        return tok is not None and tok.kind == "kw" and tok.text in words

    def error(self, message: str) -> QualtuiError:
        tok = self.peek()
        where = f" at character {tok.pos + 1} ('{tok.text}')" if tok else " at the end"
        return QualtuiError(f"bad query '{self.text}': {message}{where}")

    def parse(self) -> Node:
        node = self.parse_or()
        if self.peek() is not None:
            raise self.error("expected AND, OR, WITHIN n, SAME TURN or the end")
        return node

    def parse_or(self) -> Node:
        node = self.parse_and()
        while self.at_kw("OR"):
            self.take()
            node = Or(node, self.parse_and())
        return node

    def parse_and(self) -> Node:
        node = self.parse_unary()
        while self.at_kw("AND"):
            self.take()
            node = And(node, self.parse_unary())
        return node

    def parse_unary(self) -> Node:
        if self.at_kw("NOT"):
            self.take()
            return Not(self.parse_unary())
        return self.parse_relation()

    def parse_relation(self) -> Node:
        node = self.parse_primary()
        while True:
            if self.at_kw("WITHIN"):
                self.take()
                tok = self.peek()
                if tok is None or tok.kind != "word" or not tok.text.isdigit():
                    raise self.error("WITHIN needs a number of characters, e.g. A WITHIN 200 B")
                chars = int(self.take().text)
                node = Within(node, self.parse_primary(), chars)
            elif self.at_kw("SAMETURN"):
                self.take()
                node = SameTurn(node, self.parse_primary())
            elif self.at_kw("SAME"):
                self.take()
                if not self.at_kw("TURN"):
                    raise self.error("write SAME TURN")
                self.take()
                node = SameTurn(node, self.parse_primary())
            else:
                return node

    def parse_primary(self) -> Node:
        tok = self.peek()
        if tok is None:
            raise self.error("expected a code")
        if tok.kind == "(":
            self.take()
            node = self.parse_or()
            if self.peek() is None or self.peek().kind != ")":  # type: ignore[union-attr]
                raise self.error("missing ')'")
            self.take()
            return node
        exact = False
        if tok.kind == "eq":
            self.take()
            exact = True
            tok = self.peek()
            if tok is None:
                raise self.error("expected a code after '='")
        if tok.kind == "quoted":
            self.take()
            if not tok.text.strip():
                raise self.error("empty code name")
            return CodeRef(tok.text.strip(), subcodes=not exact)
        if tok.kind == "word":
            words = [self.take().text]
            while self.peek() is not None and self.peek().kind == "word":  # type: ignore[union-attr]
                words.append(self.take().text)
            return CodeRef(" ".join(words), subcodes=not exact)
        raise self.error("expected a code")


def _split_where(text: str) -> tuple[str, str | None]:
    """Split at the first top-level ``WHERE`` keyword outside quotes."""
    for tok in _tokenize(text):
        if tok.kind == "kw" and tok.text == "WHERE":
            return text[: tok.pos], text[tok.pos + len("WHERE"):]
    return text, None


def parse_query(text: str) -> Query:
    """Parse a query string (see the module docstring for the syntax)."""
    if not text.strip():
        raise QualtuiError("empty query: name a code, e.g. Privacy AND Security")
    expr_text, where = _split_where(text)
    if not expr_text.strip():
        raise QualtuiError(f"bad query '{text}': name a code before WHERE")
    expr = _Parser(text, _tokenize(expr_text)).parse()
    filters = Filters()
    if where is not None:
        if not where.strip():
            raise QualtuiError(f"bad query '{text}': WHERE needs a condition")
        filters = _filters_from_conditions(_conditions(_tokenize_where(where), text))
    return Query(expr, filters)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class QueryHit:
    """A passage ``[start, end)`` of a document and the segments that justify it."""

    document_id: str
    start: int
    end: int
    segment_ids: tuple[str, ...]


@dataclass
class QueryResult:
    """Hits in document order (import order, then start)."""

    query: Query
    hits: list[QueryHit]
    extent: str = "passage"
    documents: int = 0  # documents in scope after the filters
    segments: int = 0  # segments in scope after the filters

    @property
    def count(self) -> int:
        return len(self.hits)


# --------------------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class _Run:
    start: int
    end: int
    own: frozenset[str]  # operand segments overlapping the run
    partners: frozenset[str] = frozenset()  # segments a WITHIN / SAME TURN matched


def _overlaps(span: Span, start: int, end: int) -> bool:
    return span[0] < end and span[1] > start


class _Evaluator:
    def __init__(self, data: QueryData, docs: list[QDoc], segs: list[QSeg]) -> None:
        self.data = data
        self.docs = docs
        self.spans: dict[str, Span] = {s.id: (s.start, s.end) for s in segs}
        self.by_doc_code: dict[tuple[str, str], list[QSeg]] = {}
        for seg in segs:
            self.by_doc_code.setdefault((seg.document_id, seg.code_id), []).append(seg)
        self._codes: dict[CodeRef, set[str]] = {}

    def code_ids(self, ref: CodeRef) -> set[str]:
        ids = self._codes.get(ref)
        if ids is None:
            code = self.data.find_code(ref.path)
            ids = self.data.subtree(code.id) if ref.subcodes else {code.id}
            self._codes[ref] = ids
        return ids

    def resolve_all(self, node: Node) -> None:
        """Resolve every code first so a typo fails even when no document is in scope."""
        if isinstance(node, CodeRef):
            self.code_ids(node)
        elif isinstance(node, Not):
            self.resolve_all(node.operand)
        else:
            self.resolve_all(node.left)
            self.resolve_all(node.right)

    def _filter(self, ids: Iterable[str], start: int, end: int) -> frozenset[str]:
        return frozenset(i for i in ids if _overlaps(self.spans[i], start, end))

    def eval(self, node: Node, doc: QDoc) -> list[_Run]:
        if isinstance(node, CodeRef):
            segs = [s for cid in self.code_ids(node)
                    for s in self.by_doc_code.get((doc.id, cid), ())]
            return self._coverage(segs)
        if isinstance(node, And):
            return self._intersect(self.eval(node.left, doc), self.eval(node.right, doc))
        if isinstance(node, Or):
            return self._union(self.eval(node.left, doc) + self.eval(node.right, doc))
        if isinstance(node, Not):
            return self._complement(self.eval(node.operand, doc), doc.chars)
        if isinstance(node, Within):
            return self._within(self.eval(node.left, doc), self.eval(node.right, doc),
                                node.chars)
        return self._same_turn(self.eval(node.left, doc), self.eval(node.right, doc), doc)

    @staticmethod
    def _coverage(segs: list[QSeg]) -> list[_Run]:
        runs: list[_Run] = []
        for seg in sorted(segs, key=lambda s: (s.start, s.end)):
            if seg.end <= seg.start:
                continue
            if runs and seg.start <= runs[-1].end:
                last = runs[-1]
                runs[-1] = _Run(last.start, max(last.end, seg.end), last.own | {seg.id})
            else:
                runs.append(_Run(seg.start, seg.end, frozenset({seg.id})))
        return runs

    def _union(self, runs: list[_Run]) -> list[_Run]:
        out: list[_Run] = []
        for run in sorted(runs, key=lambda r: (r.start, r.end)):
            if out and run.start <= out[-1].end:
                last = out[-1]
                out[-1] = _Run(last.start, max(last.end, run.end), last.own | run.own,
                               last.partners | run.partners)
            else:
                out.append(run)
        return out

    def _intersect(self, left: list[_Run], right: list[_Run]) -> list[_Run]:
        out: list[_Run] = []
        i = j = 0
        while i < len(left) and j < len(right):
            a, b = left[i], right[j]
            start, end = max(a.start, b.start), min(a.end, b.end)
            if start < end:
                out.append(_Run(start, end, self._filter(a.own | b.own, start, end),
                                a.partners | b.partners))
            if a.end <= b.end:
                i += 1
            else:
                j += 1
        return out

    @staticmethod
    def _complement(runs: list[_Run], chars: int) -> list[_Run]:
        out: list[_Run] = []
        pos = 0
        for run in runs:
            if run.start > pos:
                out.append(_Run(pos, run.start, frozenset()))
            pos = max(pos, run.end)
        if pos < chars:
            out.append(_Run(pos, chars, frozenset()))
        return out

    @staticmethod
    def _within(left: list[_Run], right: list[_Run], chars: int) -> list[_Run]:
        out: list[_Run] = []
        starts = [r.start for r in right]
        for a in left:
            # candidates: right runs starting before a.end + chars ...
            hi = bisect_right(starts, a.end + chars)
            matched = [b for b in right[:hi] if b.end >= a.start - chars]
            if matched:
                partners = frozenset().union(*(b.own | b.partners for b in matched))
                out.append(_Run(a.start, a.end, a.own, a.partners | (partners - a.own)))
        return out

    @staticmethod
    def _same_turn(left: list[_Run], right: list[_Run], doc: QDoc) -> list[_Run]:
        turns = sorted(doc.turns)
        if not turns:
            return []
        ends = [t[1] for t in turns]
        out: list[_Run] = []
        for a in left:
            first = bisect_right(ends, a.start)
            here = [t for t in turns[first:] if t[0] < a.end]
            here = [t for t in here if _overlaps(t, a.start, a.end)]
            if not here:
                continue
            matched = [b for b in right if any(_overlaps(t, b.start, b.end) for t in here)]
            if matched:
                partners = frozenset().union(*(b.own | b.partners for b in matched))
                out.append(_Run(a.start, a.end, a.own, a.partners | (partners - a.own)))
        return out


def scope(data: QueryData, filters: Filters) -> tuple[list[QDoc], list[QSeg]]:
    """Documents and segments left after ``filters`` (documents in import order)."""
    docs = sorted(data.documents, key=lambda d: (d.position, d.name.casefold()))
    if filters.documents:
        wanted = {data.find_document(name).id for name in filters.documents}
        docs = [d for d in docs if d.id in wanted]
    if filters.cases:
        known = {d.case_name.casefold() for d in data.documents}
        for name in filters.cases:
            if name.casefold() not in known:
                raise QualtuiError(f"no case named '{name}'")
        cases = {c.casefold() for c in filters.cases}
        docs = [d for d in docs if d.case_name.casefold() in cases]
    if filters.conditions:
        names = data.attribute_names()
        resolved = [(_attribute_name(c.attribute, names), c) for c in filters.conditions]
        docs = [d for d in docs if all(
            c.matches(d.attributes.get(name), data.attribute_types.get(name, ""))
            for name, c in resolved)]
    doc_ids = {d.id for d in docs}
    coders = set(filters.coders)
    known_coders = {s.coder for s in data.segments}
    unknown = [c for c in filters.coders if c not in known_coders]
    if unknown:
        raise QualtuiError(f"no segments by coder {', '.join(unknown)} (coders: "
                           + (", ".join(sorted(known_coders)) or "none") + ")")
    segs = [s for s in data.segments if s.document_id in doc_ids
            and (not coders or s.coder in coders)]
    return docs, segs


def _attribute_name(name: str, names: Sequence[str]) -> str:
    """An attribute name: exact, case-insensitive (spaces = underscores), unique prefix."""
    if name in names:
        return name
    def norm(text: str) -> str:
        return text.casefold().replace(" ", "_")
    key = norm(name)
    matches = [n for n in names if norm(n) == key]
    if not matches:
        matches = [n for n in names if norm(n).startswith(key)]
    if len(matches) == 1:
        return matches[0]
    listed = ", ".join(sorted(names)) or "none"
    if matches:
        raise QualtuiError(f"attribute '{name}' is ambiguous: {', '.join(sorted(matches))}")
    raise QualtuiError(f"no attribute '{name}' (attributes: {listed}; pseudo attributes:"
                       f" {', '.join(PSEUDO_ATTRIBUTES)})")


def run_query(data: QueryData, query: Query | str, filters: Filters | None = None,
              extent: str = "passage") -> QueryResult:
    """Evaluate ``query`` (text or parsed) with its WHERE filters plus ``filters``.

    ``extent`` is ``"passage"`` (the characters the expression selects) or ``"segments"``
    (each hit widened to the segments that justify it).
    """
    if extent not in EXTENTS:
        raise QualtuiError(f"unknown extent '{extent}' (use {' or '.join(EXTENTS)})")
    parsed = parse_query(query) if isinstance(query, str) else query
    all_filters = parsed.filters.merged(filters) if filters else parsed.filters
    docs, segs = scope(data, all_filters)
    evaluator = _Evaluator(data, docs, segs)
    evaluator.resolve_all(parsed.expr)
    hits: list[QueryHit] = []
    for doc in docs:
        doc_hits: list[QueryHit] = []
        for run in evaluator.eval(parsed.expr, doc):
            ids = run.own | run.partners
            start, end = run.start, run.end
            if extent == "segments" and ids:
                start = min(start, *(evaluator.spans[i][0] for i in ids))
                end = max(end, *(evaluator.spans[i][1] for i in ids))
            ordered = tuple(sorted(ids, key=lambda i: (evaluator.spans[i], i)))
            doc_hits.append(QueryHit(doc.id, start, end, ordered))
        if extent == "segments":
            doc_hits = _dedupe(doc_hits)
        hits.extend(doc_hits)
    return QueryResult(Query(parsed.expr, all_filters), hits, extent, len(docs), len(segs))


def _dedupe(hits: list[QueryHit]) -> list[QueryHit]:
    merged: dict[Span, set[str]] = {}
    for hit in hits:
        merged.setdefault((hit.start, hit.end), set()).update(hit.segment_ids)
    out = [QueryHit(hits[0].document_id, s, e, tuple(sorted(ids)))
           for (s, e), ids in merged.items()] if hits else []
    out.sort(key=lambda h: (h.start, h.end))
    return out


def retrieve(data: QueryData, code: str | CodeRef, filters: Filters | None = None) -> list[QSeg]:
    """The segments of a code (with its sub-codes unless ``=Path``/``subcodes=False``) in
    the filtered scope, one per segment (not merged), in document order then start."""
    ref = code if isinstance(code, CodeRef) else parse_query(code).expr
    if not isinstance(ref, CodeRef):
        raise QualtuiError(f"'{code}' is a query, not a code")
    docs, segs = scope(data, filters or Filters())
    found = data.find_code(ref.path)
    ids = data.subtree(found.id) if ref.subcodes else {found.id}
    order = {d.id: i for i, d in enumerate(docs)}
    out = [s for s in segs if s.code_id in ids]
    out.sort(key=lambda s: (order[s.document_id], s.start, s.end, s.coder, s.id))
    return out


# --------------------------------------------------------------------------- adapter


def data_from_project(project: Project) -> QueryData:
    """Codes, documents (case attributes overlaid with the document's own) and segments."""
    codes = project.codebook.all()
    by_id = {c.id: c for c in codes}

    def path(code_id: str) -> str:
        names: list[str] = []
        seen: set[str] = set()
        current: str | None = code_id
        while current and current in by_id and current not in seen:
            seen.add(current)
            names.append(by_id[current].name)
            current = by_id[current].parent_id
        return "/".join(reversed(names))

    qcodes = [QCode(c.id, path(c.id), c.parent_id if c.parent_id in by_id else None)
              for c in codes]
    cases = {c.id: c for c in project.cases.all()}
    documents: list[QDoc] = []
    for doc in project.documents.all():
        case = cases.get(doc.case_id or "")
        attributes = {**(case.attributes if case else {}), **doc.attributes}
        documents.append(QDoc(doc.id, doc.name, doc.chars, case.name if case else "",
                              attributes, tuple((t.start, t.end) for t in doc.turns),
                              doc.position))
    doc_ids = {d.id for d in documents}
    segments = [QSeg(s.id, s.document_id, s.code_id, s.start, s.end, s.coder)
                for s in project.coding.segments()
                if s.document_id in doc_ids and s.code_id in by_id]
    types = {a.name: a.type for a in project.cases.attribute_defs()}
    return QueryData(qcodes, documents, segments, types)
