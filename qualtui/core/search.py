"""Text search across documents, auto-coding of hits, and result lists (KWIC, CSV, Markdown).

* :func:`search_project` finds a plain string or a regular expression in every document
  (``case``: ``smart`` — insensitive unless the pattern has an upper-case letter —,
  ``sensitive`` or ``insensitive``; ``whole_word`` adds word boundaries).
* :func:`plan_autocode` grows each hit to its ``hit``/``sentence``/``paragraph``/``turn``
  (:meth:`qualtui.core.units.TextUnits.expand`), merges overlapping ranges, and
  :func:`apply_autocode` codes them all as **one** operation (one undo).
* :class:`RowBuilder` turns segments, query hits and text hits into :class:`ResultRow` s
  (document, case, speaker, codes, coders, memo) that the retrieval screen lists and
  :func:`rows_to_csv` / :func:`rows_to_markdown` export.
"""

from __future__ import annotations

import csv
import io
import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualtui.core.coding import CodingRequest
from qualtui.core.errors import QualtuiError
from qualtui.core.models import Turn
from qualtui.core.units import TextUnits

if TYPE_CHECKING:
    from qualtui.core.models import Segment
    from qualtui.core.project import Project
    from qualtui.core.query import QSeg, QueryHit

__all__ = [
    "AutocodePlan",
    "CASE_MODES",
    "Kwic",
    "ResultRow",
    "RowBuilder",
    "SearchOptions",
    "TextHit",
    "UNITS",
    "apply_autocode",
    "kwic",
    "plan_autocode",
    "rows_to_csv",
    "rows_to_markdown",
    "search_project",
    "search_texts",
]

CASE_MODES = ("smart", "sensitive", "insensitive")
UNITS = ("hit", "sentence", "paragraph", "turn")


# --------------------------------------------------------------------------- search


@dataclass(frozen=True)
class SearchOptions:
    """What to look for and how."""

    pattern: str
    regex: bool = False
    case: str = "smart"
    whole_word: bool = False

    def compile(self) -> re.Pattern[str]:
        if not self.pattern:
            raise QualtuiError("empty search pattern")
        if self.case not in CASE_MODES:
            raise QualtuiError(f"unknown case mode '{self.case}' (use {', '.join(CASE_MODES)})")
        body = self.pattern if self.regex else re.escape(self.pattern)
        if self.whole_word:
            body = rf"(?<!\w)(?:{body})(?!\w)"
        insensitive = self.case == "insensitive" or (
            self.case == "smart" and self.pattern == self.pattern.lower())
        try:
            return re.compile(body, re.IGNORECASE if insensitive else 0)
        except re.error as exc:
            raise QualtuiError(f"bad regular expression '{self.pattern}': {exc}") from None

    def describe(self) -> str:
        flags = [("regex" if self.regex else "text"), f"case {self.case}"]
        if self.whole_word:
            flags.append("whole words")
        return f"'{self.pattern}' ({', '.join(flags)})"


@dataclass(frozen=True)
class TextHit:
    """A match ``[start, end)`` in a document."""

    document_id: str
    start: int
    end: int


def search_texts(texts: Iterable[tuple[str, str]], options: SearchOptions) -> list[TextHit]:
    """Every non-empty match in ``(document_id, text)`` pairs, in the given order."""
    pattern = options.compile()
    return [TextHit(doc_id, m.start(), m.end()) for doc_id, text in texts
            for m in pattern.finditer(text) if m.end() > m.start()]


def search_project(project: Project, options: SearchOptions,
                   documents: Sequence[str] | None = None) -> list[TextHit]:
    """Search all documents (or those named) in import order."""
    docs = project.documents.all()
    if documents:
        wanted = {project.documents.by_name(n).id for n in documents}
        docs = [d for d in docs if d.id in wanted]
    return search_texts(((d.id, project.documents.text(d.id)) for d in docs), options)


# --------------------------------------------------------------------------- KWIC


@dataclass(frozen=True)
class Kwic:
    """Key word in context: the passage with up to ``width`` characters either side, each
    part on one line (runs of whitespace become one space)."""

    left: str
    match: str
    right: str


def _flat(text: str) -> str:
    return " ".join(text.split())


def kwic(text: str, start: int, end: int, width: int = 40) -> Kwic:
    """Context of ``text[start:end]``: ``width`` characters before and after, cut at a word
    boundary where possible, with ``…`` where the text goes on."""
    left_raw = text[max(0, start - width - 20):start]
    right_raw = text[end:end + width + 20]
    left = _flat(left_raw) + (" " if left_raw[-1:].isspace() else "")
    right = (" " if right_raw[:1].isspace() else "") + _flat(right_raw)
    if len(left) > width:
        cut = left[-width:]
        space = cut.find(" ")
        left = "…" + (cut[space + 1:] if 0 <= space < width // 2 else cut)
    elif start - len(left_raw) > 0:
        left = "…" + left
    if len(right) > width:
        cut = right[:width]
        space = cut.rfind(" ")
        right = (cut[:space] if space > width // 2 else cut) + "…"
    elif end + len(right_raw) < len(text):
        right = right + "…"
    return Kwic(left, _flat(text[start:end]), right)


# --------------------------------------------------------------------------- auto-coding


@dataclass
class AutocodePlan:
    """The ranges auto-coding would code: ``ranges`` are ``(document_id, start, end)``;
    ``already`` of them exist with this code by this coder and are skipped."""

    code_id: str
    code_path: str
    unit: str
    coder: str
    hits: int
    ranges: list[tuple[str, int, int]] = field(default_factory=list)
    coded: set[tuple[str, int, int]] = field(default_factory=set)  # ranges already coded

    @property
    def already(self) -> int:
        return len(self.coded)

    @property
    def documents(self) -> int:
        return len({r[0] for r in self.ranges})

    @property
    def new(self) -> int:
        return len(self.ranges) - self.already

    @property
    def new_documents(self) -> int:
        """Documents that get at least one new segment."""
        return len({r[0] for r in self.ranges if r not in self.coded})

    def describe(self) -> str:
        unit = {"hit": "hits", "sentence": "sentences", "paragraph": "paragraphs",
                "turn": "turns"}[self.unit]
        skipped = f" ({self.already} already coded)" if self.already else ""
        return (f"{self.hits} hits -> {len(self.ranges)} {unit} in {self.documents} documents"
                f"{skipped} to code as {self.code_path}")


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def plan_autocode(project: Project, hits: Sequence[TextHit], unit: str, code_id: str,
                  coder: str | None = None) -> AutocodePlan:
    """Grow every hit to its ``unit`` and merge overlaps, per document."""
    if unit not in UNITS:
        raise QualtuiError(f"unknown unit '{unit}' (use {', '.join(UNITS)})")
    code = project.codebook.get(code_id)
    path = project.codebook.path_of(code)
    if not code.codable:
        raise QualtuiError(f"code '{path}' is a category only and cannot be applied to text")
    who = coder or project.coder
    plan = AutocodePlan(code_id, path, unit, who, len(hits))
    per_doc: dict[str, list[TextHit]] = {}
    for hit in hits:
        per_doc.setdefault(hit.document_id, []).append(hit)
    existing = {(r["document_id"], r["start"], r["end"]) for r in project.repo.all("segments")
                if r["code_id"] == code_id and r["coder"] == who}
    language = project.settings.language or "en"
    for doc in project.documents.all():
        doc_hits = per_doc.get(doc.id)
        if not doc_hits:
            continue
        text = project.documents.text(doc.id)
        units = TextUnits(text, doc.turns or None, language)
        spans: list[tuple[int, int]] = []
        for hit in doc_hits:
            start, end = (hit.start, hit.end) if unit == "hit" else units.expand(
                unit, hit.start, hit.end)
            start, end = _trim(text, start, end)
            if start < end:
                spans.append((start, end))
        for start, end in _merge(spans):
            plan.ranges.append((doc.id, start, end))
            if (doc.id, start, end) in existing:
                plan.coded.add((doc.id, start, end))
    return plan


def apply_autocode(project: Project, plan: AutocodePlan, what: str) -> tuple[int, int]:
    """Code every planned range as one operation; returns (added, skipped duplicates)."""
    if not plan.ranges:
        raise QualtuiError("nothing to code: the search found no hits")
    requests = [CodingRequest(doc_id, start, end, plan.code_id, plan.coder)
                for doc_id, start, end in plan.ranges]
    count = plan.new or len(requests)
    summary = (f"auto-coded {count} {plan.unit}{'s' if count != 1 else ''} of {what}"
               f" as {plan.code_path}")
    return project.coding.apply_many(requests, summary)


# --------------------------------------------------------------------------- result rows


@dataclass(frozen=True)
class ResultRow:
    """One line of a result list, ready to show or export."""

    document: str
    document_id: str
    case: str
    speaker: str
    start: int
    end: int
    text: str
    codes: tuple[str, ...] = ()
    coders: tuple[str, ...] = ()
    memo: str = ""
    segment_ids: tuple[str, ...] = ()

    def as_json(self) -> dict[str, object]:
        return {"document": self.document, "document_id": self.document_id,
                "case": self.case, "speaker": self.speaker, "start": self.start,
                "end": self.end, "text": self.text, "codes": list(self.codes),
                "coders": list(self.coders), "memo": self.memo,
                "segment_ids": list(self.segment_ids)}


class RowBuilder:
    """Reads what result rows need from a project once (names, texts, speakers, memos)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.docs = {d.id: d for d in project.documents.all()}
        cases = {c.id: c.name for c in project.cases.all()}
        self.case_names = {d.id: cases.get(d.case_id or "", d.name) for d in self.docs.values()}
        codes = project.codebook.all()
        self.paths = {c.id: project.codebook.path_of(c) for c in codes}
        self.order = {c.id: i for i, c in enumerate(codes)}
        self.segments: dict[str, dict[str, Any]] = {
            r["id"]: r for r in project.repo.all("segments")}
        self.memos: dict[str, str] = {}
        for memo in project.memos.all(kind="segment"):
            if memo.target_id:
                body = memo.body.strip() or memo.title
                previous = self.memos.get(memo.target_id)
                self.memos[memo.target_id] = f"{previous} | {body}" if previous else body
        self._turn_starts: dict[str, list[int]] = {}

    def text(self, document_id: str) -> str:
        return self.project.documents.text(document_id)

    def speaker(self, document_id: str, offset: int) -> str:
        doc = self.docs.get(document_id)
        if doc is None or not doc.turns:
            return ""
        starts = self._turn_starts.get(document_id)
        if starts is None:
            starts = [t.start for t in doc.turns]
            self._turn_starts[document_id] = starts
        turns: list[Turn] = doc.turns
        i = bisect_right(starts, offset) - 1
        if i >= 0 and turns[i].start <= offset < max(turns[i].end, turns[i].start + 1):
            return turns[i].speaker
        return ""

    def _row(self, document_id: str, start: int, end: int,
             segment_ids: Sequence[str]) -> ResultRow:
        doc = self.docs[document_id]
        text = self.text(document_id)
        rows = [self.segments[i] for i in segment_ids if i in self.segments]
        code_ids = sorted({r["code_id"] for r in rows},
                          key=lambda c: (self.order.get(c, len(self.order)), c))
        codes = tuple(self.paths.get(c, "?") for c in code_ids)
        coders = tuple(sorted({r["coder"] for r in rows}))
        memo = " | ".join(self.memos[i] for i in segment_ids if i in self.memos)
        return ResultRow(doc.name, doc.id, self.case_names.get(doc.id, doc.name),
                         self.speaker(document_id, start), start, end, text[start:end],
                         codes, coders, memo, tuple(segment_ids))

    def from_segments(self, segments: Iterable[Segment | QSeg]) -> list[ResultRow]:
        return [self._row(s.document_id, s.start, s.end, [s.id]) for s in segments
                if s.document_id in self.docs]

    def from_query(self, hits: Iterable[QueryHit]) -> list[ResultRow]:
        return [self._row(h.document_id, h.start, h.end, h.segment_ids) for h in hits
                if h.document_id in self.docs]

    def from_text_hits(self, hits: Iterable[TextHit]) -> list[ResultRow]:
        out: list[ResultRow] = []
        by_doc: dict[str, list[dict[str, Any]]] = {}
        for row in self.segments.values():
            by_doc.setdefault(row["document_id"], []).append(row)
        for hit in hits:
            if hit.document_id not in self.docs:
                continue
            ids = [r["id"] for r in by_doc.get(hit.document_id, [])
                   if r["start"] < hit.end and r["end"] > hit.start]
            out.append(self._row(hit.document_id, hit.start, hit.end, ids))
        return out


# --------------------------------------------------------------------------- export

CSV_HEADER = ["document", "case", "speaker", "start", "end", "codes", "coders", "text",
              "context_before", "context_after", "memo"]


def rows_to_csv(project: Project, rows: Iterable[ResultRow], context: int = 60) -> str:
    """CSV with one row per result; ``codes`` and ``coders`` joined with ``; ``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for row in rows:
        k = kwic(project.documents.text(row.document_id), row.start, row.end, context)
        writer.writerow([row.document, row.case, row.speaker, row.start, row.end,
                         "; ".join(row.codes), "; ".join(row.coders), row.text,
                         k.left, k.right, row.memo])
    return out.getvalue()


def rows_to_markdown(rows: Sequence[ResultRow], title: str, subtitle: str = "") -> str:
    """Quotes with document, case, speaker and codes: ready to paste into a thesis."""
    lines = [f"# {title}", ""]
    count = f"{len(rows)} passage{'s' if len(rows) != 1 else ''}"
    lines += [f"{subtitle} — {count}" if subtitle else count, ""]
    for row in rows:
        body = row.text.strip()
        for line in body.splitlines() or [""]:
            lines.append(f"> {line}".rstrip())
        who = row.document if row.case in ("", row.document) else f"{row.document} ({row.case})"
        source = f"— {who}" + (f", speaker {row.speaker}" if row.speaker else "")
        facts = [f"{row.start}–{row.end}"]
        if row.codes:
            facts.insert(0, ", ".join(row.codes))
        lines += [">", f"> {source} · {' · '.join(facts)}"]
        if row.memo:
            lines += ["", f"*Memo:* {row.memo}"]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
