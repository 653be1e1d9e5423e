"""Plain analysis inputs: codes, documents and segments as frozen records, and their filters.

Every computation in :mod:`qualtui.analysis` takes an :class:`AnalysisData` — built from a
project by :func:`from_project` (the one adapter that touches the store) or by hand in
tests — so the algorithms never see TinyDB, the operation log or Textual.

Filters (:func:`select`) narrow the data by coder, document name, attribute conditions
(:class:`Condition`, e.g. ``role=Webmaster`` or ``years_of_service>=10``) and code subtree.
Levels (:func:`level_map`) roll codes up the codebook tree: ``"leaf"`` keeps every segment's
own code, ``"top"`` maps each code to its top-level ancestor, and an integer ``d`` maps codes
deeper than ``d`` to their ancestor at depth ``d`` (top-level codes have depth 1).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualtui.core import codetree
from qualtui.core.errors import QualtuiError
from qualtui.core.query import QSeg as Seg  # one segment record for queries and analyses
from qualtui.core.query import resolve_code, resolve_document

if TYPE_CHECKING:
    from qualtui.core.project import Project

__all__ = [
    "AnalysisData",
    "CodeInfo",
    "Condition",
    "DocInfo",
    "Level",
    "Seg",
    "Span",
    "code_label",
    "from_project",
    "level_codes",
    "level_label",
    "level_map",
    "parse_condition",
    "parse_level",
    "select",
]

Span = tuple[int, int]
Level = str | int  # "leaf" | "top" | depth (1 = top-level codes)


@dataclass(frozen=True)
class CodeInfo:
    """A code of the codebook; ``path`` is ``"Parent/Child"``, ``depth`` 1 for top level."""

    id: str
    name: str
    path: str
    parent_id: str | None = None
    color: str = ""
    depth: int = 1
    codable: bool = True


@dataclass(frozen=True)
class DocInfo:
    """A document as the analyses need it.

    ``case`` is the name of the document's case (respondent); a document that belongs to no
    case is its own case, named after the document. ``attributes`` are the case's attributes
    overlaid with the document's own. ``turns`` are the speaker turns as ``(start, end)``
    spans, label included. ``position`` is the import order.
    """

    id: str
    name: str
    position: int = 0
    case: str = ""
    attributes: Mapping[str, Any] = field(default_factory=dict)
    turns: tuple[Span, ...] = ()
    text: str = ""

    @property
    def case_name(self) -> str:
        return self.case or self.name


@dataclass
class AnalysisData:
    """Codes (codebook order), documents (import order) and segments; see module docstring.

    ``attribute_types`` maps attribute names to ``text``/``number``/``date``/``category``.
    """

    codes: list[CodeInfo]
    documents: list[DocInfo]
    segments: list[Seg]
    attribute_types: dict[str, str] = field(default_factory=dict)
    code_by_id: dict[str, CodeInfo] = field(init=False, repr=False)
    doc_by_id: dict[str, DocInfo] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.code_by_id = {c.id: c for c in self.codes}
        self.doc_by_id = {d.id: d for d in self.documents}

    @property
    def cases(self) -> list[str]:
        """Distinct case names, in order of first document."""
        return list(dict.fromkeys(d.case_name for d in self.documents))

    @property
    def coders(self) -> list[str]:
        return sorted({s.coder for s in self.segments})

    def attribute_names(self) -> list[str]:
        names = dict.fromkeys(self.attribute_types)
        for doc in self.documents:
            names.update(dict.fromkeys(doc.attributes))
        return list(names)

    def find_code(self, path: str) -> CodeInfo:
        """The code with this path (exact, any case, or a unique tail: as queries do)."""
        return resolve_code(self.codes, path)

    def find_document(self, name: str) -> DocInfo:
        return resolve_document(self.documents, name)


# --------------------------------------------------------------------------- adapter


def from_project(project: Project, *, with_text: bool = True) -> AnalysisData:
    """Read codes, documents (with their text unless ``with_text`` is false) and segments."""
    raw_codes = project.codebook.all()
    by_id = {c.id: c for c in raw_codes}

    def path_and_depth(code_id: str) -> tuple[str, int]:
        names: list[str] = []
        seen: set[str] = set()
        current: str | None = code_id
        while current and current in by_id and current not in seen:
            seen.add(current)
            names.append(by_id[current].name)
            current = by_id[current].parent_id
        return "/".join(reversed(names)), len(names)

    codes: list[CodeInfo] = []
    for code in raw_codes:
        path, depth = path_and_depth(code.id)
        parent = code.parent_id if code.parent_id in by_id else None
        codes.append(CodeInfo(id=code.id, name=code.name, path=path, parent_id=parent,
                              color=code.color, depth=depth, codable=code.codable))
    cases = {c.id: c for c in project.cases.all()}
    documents: list[DocInfo] = []
    for doc in project.documents.all():
        case = cases.get(doc.case_id or "")
        attributes = {**(case.attributes if case else {}), **doc.attributes}
        documents.append(DocInfo(
            id=doc.id, name=doc.name, position=doc.position,
            case=case.name if case else doc.name, attributes=attributes,
            turns=tuple((t.start, t.end) for t in doc.turns),
            text=project.documents.text(doc.id) if with_text else ""))
    known_docs = {d.id for d in documents}
    segments = [Seg(s.id, s.document_id, s.code_id, s.start, s.end, s.coder)
                for s in project.coding.segments()
                if s.document_id in known_docs and s.code_id in by_id]
    types = {a.name: a.type for a in project.cases.attribute_defs()}
    return AnalysisData(codes=codes, documents=documents, segments=segments,
                        attribute_types=types)


# --------------------------------------------------------------------------- conditions

_CONDITION = re.compile(r"^\s*([^=!<>]+?)\s*(>=|<=|!=|==|=|>|<)\s*(.*?)\s*$")


@dataclass(frozen=True)
class Condition:
    """``attribute OP value``; ``OP`` is one of ``= != < <= > >=``.

    For ``=`` and ``!=`` the value may list alternatives separated by ``|``
    (``role=Webmaster|Records officer``). Text compares case-insensitively; numbers
    numerically; dates and other text in ``<``/``>`` order as strings (ISO dates sort right).
    A document without the attribute matches no condition on it.
    """

    attribute: str
    op: str
    value: str

    def __str__(self) -> str:
        return f"{self.attribute}{self.op}{self.value}"

    def matches(self, attributes: Mapping[str, Any]) -> bool:
        actual = attributes.get(self.attribute)
        if actual is None or actual == "":
            return False
        if self.op in ("=", "!="):
            options = [v.strip() for v in self.value.split("|")]
            if isinstance(actual, (int, float)) and not isinstance(actual, bool):
                hit = any(_number(v) == actual for v in options if _is_number(v))
            else:
                hit = str(actual).casefold() in {v.casefold() for v in options}
            return hit if self.op == "=" else not hit
        if isinstance(actual, (int, float)) and not isinstance(actual, bool):
            if not _is_number(self.value):
                raise QualtuiError(f"'{self}': {self.attribute} is a number; compare it with"
                                   " a number")
            left: Any = actual
            right: Any = _number(self.value)
        else:
            left, right = str(actual).casefold(), self.value.casefold()
        return {"<": left < right, "<=": left <= right, ">": left > right,
                ">=": left >= right}[self.op]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _number(text: str) -> float:
    return float(text)


def parse_condition(text: str) -> Condition:
    """Parse ``name=value``, ``name>=10`` etc. into a :class:`Condition`."""
    m = _CONDITION.match(text)
    if not m or not m.group(1).strip():
        raise QualtuiError(f"bad condition '{text}': use NAME=VALUE, NAME!=VALUE, NAME>=N,"
                           " NAME<N ...")
    op = "=" if m.group(2) == "==" else m.group(2)
    return Condition(m.group(1).strip(), op, m.group(3))


# --------------------------------------------------------------------------- selection


def select(data: AnalysisData, *, coders: Iterable[str] | None = None,
           documents: Iterable[str] | None = None,
           where: Sequence[Condition | str] = (),
           codes: Iterable[str] | None = None) -> AnalysisData:
    """The data narrowed to some coders, documents (names), attribute conditions and codes.

    All filters combine with AND. ``codes`` are code paths: each keeps its whole subtree.
    Documents filtered out lose their segments; the codebook is kept whole.
    """
    docs = list(data.documents)
    if documents is not None:
        wanted = {data.find_document(name).id for name in documents}
        docs = [d for d in docs if d.id in wanted]
    conditions = [parse_condition(c) if isinstance(c, str) else c for c in where]
    if conditions:
        known = set(data.attribute_names())
        for cond in conditions:
            if cond.attribute not in known:
                raise QualtuiError(f"no attribute '{cond.attribute}' (attributes: "
                                   + (", ".join(sorted(known)) or "none") + ")")
        docs = [d for d in docs if all(c.matches(d.attributes) for c in conditions)]
    doc_ids = {d.id for d in docs}
    coder_set = set(coders) if coders is not None else None
    code_set: set[str] | None = None
    if codes is not None:
        code_set = set()
        for path in codes:
            root = data.find_code(path)
            code_set.add(root.id)
            code_set.update(descendants(data.codes, root.id))
    segments = [s for s in data.segments
                if s.document_id in doc_ids
                and (coder_set is None or s.coder in coder_set)
                and (code_set is None or s.code_id in code_set)]
    return AnalysisData(codes=list(data.codes), documents=docs, segments=segments,
                        attribute_types=dict(data.attribute_types))


def descendants(codes: Sequence[CodeInfo], code_id: str) -> list[str]:
    """Ids of every code below ``code_id`` in the tree."""
    return codetree.descendants(codetree.children_index((c.id, c.parent_id) for c in codes),
                                code_id)


# --------------------------------------------------------------------------- levels


def parse_level(text: str | int) -> Level:
    """``"leaf"``, ``"top"`` (or ``"parent"``), or a depth ``>= 1``."""
    if isinstance(text, int):
        if text < 1:
            raise QualtuiError("level depth must be 1 or more")
        return text
    value = text.strip().lower()
    if value in ("leaf", "leaves", "codes", "as-coded"):
        return "leaf"
    if value in ("top", "parent", "parents", "root"):
        return "top"
    if value.isdigit() and int(value) >= 1:
        return int(value)
    raise QualtuiError(f"bad level '{text}': use leaf, top or a depth (1 = top-level codes)")


def level_label(level: Level) -> str:
    return level if isinstance(level, str) else f"depth {level}"


def level_map(codes: Sequence[CodeInfo], level: Level) -> dict[str, str]:
    """Each code id mapped to the id of the code representing it at ``level``."""
    if level == "leaf":
        return {c.id: c.id for c in codes}
    depth = 1 if level == "top" else int(level)
    by_id = {c.id: c for c in codes}
    out: dict[str, str] = {}
    for code in codes:
        chain = [code]
        seen = {code.id}
        while chain[-1].parent_id in by_id and chain[-1].parent_id not in seen:
            parent = by_id[chain[-1].parent_id]  # type: ignore[index]
            seen.add(parent.id)
            chain.append(parent)
        # chain[-1] is the root (depth 1); chain[-d] is the ancestor at depth d
        out[code.id] = chain[-depth].id if len(chain) >= depth else code.id
    return out


def level_codes(data: AnalysisData, mapping: Mapping[str, str], *,
                used_only: bool = True) -> list[CodeInfo]:
    """The codes representing the data at a level, in codebook order.

    With ``used_only`` only codes with at least one (mapped) segment; otherwise also every
    codable code that maps to itself (never-used codes show as zero rows).
    """
    used = {mapping.get(s.code_id, s.code_id) for s in data.segments}
    out: list[CodeInfo] = []
    for code in data.codes:
        if code.id in used or (not used_only and code.codable
                               and mapping.get(code.id) == code.id):
            out.append(code)
    return out


def code_label(code: CodeInfo, width: int) -> str:
    """A short label of at most ``width`` characters for table and heatmap headers.

    Wide labels (8 or more) are truncated with an ellipsis; narrow ones squeeze each word
    (inner vowels dropped, words joined in CamelCase): "User convenience" -> "UsrCn".
    """
    name = code.name
    if len(name) <= width:
        return name
    if width >= 8:
        return name[: width - 1].rstrip() + "…"
    words = name.split()
    if len(words) > 1:
        per = max(1, width // len(words))
        parts = [_squeeze(w, per) for w in words]
        label = "".join(p[:1].upper() + p[1:] for p in parts)
        if len(label) < width:  # give the spare room to the first word
            label = _squeeze(words[0], width - len(label) + len(parts[0]))
            label = label[:1].upper() + label[1:] + "".join(
                p[:1].upper() + p[1:] for p in parts[1:])
        return label[:width]
    return _squeeze(name, width)


def _squeeze(word: str, width: int) -> str:
    """``word`` shortened to ``width`` by dropping inner vowels first, then truncating."""
    if len(word) <= width:
        return word
    consonants = "".join(ch for ch in word[1:] if ch.lower() not in "aeiou")
    squeezed = word[0] + consonants
    return squeezed[:width] if len(squeezed) >= width else word[:width]


def unique_labels(codes: Sequence[CodeInfo], width: int) -> list[str]:
    """:func:`code_label` for each code, made unique by trailing digits where needed."""
    labels = [code_label(c, width) for c in codes]
    seen: dict[str, int] = {}
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
    counters: dict[str, int] = {}
    out: list[str] = []
    for label in labels:
        if seen[label] == 1:
            out.append(label)
            continue
        counters[label] = counters.get(label, 0) + 1
        suffix = str(counters[label])
        out.append(label[: max(1, width - len(suffix))] + suffix)
    return out
