"""Team work: coder filters and blind mode, agreement inputs, and adjudication.

- :func:`visible_segments` is the coder filter behind the coding screen: all coders, only
  mine, one other coder, or *blind* (independent double coding: other coders' segments,
  their segment memos and their coding notifications are hidden).
- :func:`agreement_inputs` reads what an agreement run needs from a project (on the thread
  that owns the project); :func:`run_agreement` computes on that plain data (safe in a
  worker thread) with :mod:`qualtui.analysis.agreement`.
- :func:`adjudicate` writes the agreed version of a disagreement as segments of the
  :data:`CONSENSUS` coder, in one logged, undoable operation. The coders' own segments are
  never changed, so agreement can still be reported on the independent coding afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from qualtui.analysis.agreement import (
    UNITS,
    AgreementResult,
    Coding,
    DocumentData,
    Passage,
    compare,
    merge_spans,
    passages_by_code,
)
from qualtui.core.errors import NotFound, QualtuiError
from qualtui.core.models import Segment, new_id, now_iso, to_dict

if TYPE_CHECKING:
    from qualtui.core.models import LogEntry, Memo
    from qualtui.core.project import Project

__all__ = [
    "CONSENSUS",
    "FILTER_MODES",
    "AgreementInputs",
    "AgreementRun",
    "FilterChoice",
    "adjudicate",
    "agreement_inputs",
    "consensus_label",
    "describe_change",
    "describe_filter",
    "filter_choices",
    "run_agreement",
    "visible_entries",
    "visible_memos",
    "visible_segments",
]

CONSENSUS = "consensus"
"""The coder id adjudicated (agreed) segments are stored under."""

FILTER_MODES = ("all", "mine", "other", "blind")
"""Coder filters: every coder, only me, one other coder (``other``), blind."""

Span = tuple[int, int]
S = TypeVar("S", bound=Segment)


# --------------------------------------------------------------------------- coder filter


def _check_mode(mode: str, other: str | None) -> None:
    if mode not in FILTER_MODES:
        raise QualtuiError(f"unknown coder filter '{mode}' (filters: {', '.join(FILTER_MODES)})")
    if mode == "other" and not other:
        raise QualtuiError("the 'other' coder filter needs the coder to show")


def visible_segments(segments: Iterable[S], me: str, mode: str,
                     other: str | None = None) -> list[S]:
    """The segments a coder filter shows.

    ``all``: everyone's. ``mine``: only ``me``'s. ``other``: only ``other``'s (reading a
    colleague's coding). ``blind``: only ``me``'s, and the screen must also hide every trace
    of other coders (see :func:`visible_memos`, :func:`visible_entries`).
    """
    _check_mode(mode, other)
    if mode == "all":
        return list(segments)
    if mode == "other":
        return [s for s in segments if s.coder == other]
    return [s for s in segments if s.coder == me]


def visible_memos(memos: Iterable[Memo], visible_segment_ids: Iterable[str], me: str,
                  mode: str) -> list[Memo]:
    """Memos a filter shows: segment memos only on visible segments; in blind mode also no
    memo another coder wrote on a document, code or segment."""
    ids = set(visible_segment_ids)
    out: list[Memo] = []
    for memo in memos:
        if memo.kind == "segment" and memo.target_id not in ids:
            continue
        if mode == "blind" and memo.author != me and memo.kind in ("segment", "document",
                                                                     "code"):
            continue
        out.append(memo)
    return out


SEGMENT_OPS = ("segment.", "adjudicate", "merge")


def visible_entries(entries: Iterable[LogEntry], me: str, mode: str) -> list[LogEntry]:
    """Log entries the live team view may announce: in blind mode none of another coder's
    coding (which would tell what they coded); otherwise all."""
    if mode != "blind":
        return list(entries)
    return [e for e in entries
            if e.coder == me or not (e.op.startswith(SEGMENT_OPS)
                                     or any(c.get("table") == "segments" for c in e.changes))]


@dataclass(frozen=True)
class FilterChoice:
    mode: str
    other: str | None
    label: str


def describe_filter(mode: str, me: str, other: str | None = None) -> str:
    """A short label for the status line."""
    _check_mode(mode, other)
    return {"all": "all coders", "mine": f"mine ({me})", "other": f"{other} only",
            "blind": f"BLIND: only {me}"}[mode]


def filter_choices(me: str, coders: Iterable[str]) -> list[FilterChoice]:
    """Every filter, in cycling order: all, mine, each other coder, blind."""
    choices = [FilterChoice("all", None, describe_filter("all", me)),
               FilterChoice("mine", None, describe_filter("mine", me))]
    for coder in sorted(set(coders) - {me}):
        choices.append(FilterChoice("other", coder, describe_filter("other", me, coder)))
    choices.append(FilterChoice("blind", None, describe_filter("blind", me)))
    return choices


# --------------------------------------------------------------------------- audit log

_HIDDEN_FIELDS = {"id", "changes_json", "changes"}


def _short_value(value: object, width: int = 40) -> str:
    text = repr(value) if not isinstance(value, str) else repr(value.replace("\n", " "))
    return text if len(text) <= width else text[: width - 2] + "…" + text[-1]


def _record_label(table: str, record: dict[str, Any], names: dict[str, str]) -> str:
    if table == "segments":
        return (f"{names.get(record.get('document_id', ''), '?')}"
                f" {record.get('start')}-{record.get('end')}"
                f" {names.get(record.get('code_id', ''), '?')} ({record.get('coder')})")
    if table == "codes":
        return names.get(record.get("id", ""), str(record.get("name", "?")))
    if table == "memos":
        return repr(str(record.get("title", "")))
    if table == "log":
        return f"entry {record.get('seq')} by {record.get('coder')}: {record.get('summary')}"
    return str(record.get("name") or str(record.get("id", "?"))[:8])


def describe_change(change: dict[str, Any], names: dict[str, str] | None = None) -> str:
    """One line for one change of a log entry: ``+`` added, ``-`` removed, ``~`` changed
    (with each changed field's before and after). ``names`` maps document and code ids to
    their names/paths."""
    names = names or {}
    table = str(change.get("table", "?"))
    kind = table[:-1] if table.endswith("s") else table
    before, after = change.get("before"), change.get("after")
    if before is None and after is None:
        return f"  {kind} {str(change.get('id', ''))[:8]}"
    if before is None:
        return f"+ {kind} {_record_label(table, after, names)}"
    if after is None:
        return f"- {kind} {_record_label(table, before, names)}"
    fields = [k for k in sorted(set(before) | set(after))
              if k not in _HIDDEN_FIELDS and before.get(k) != after.get(k)]
    diffs = ", ".join(f"{k} {_short_value(before.get(k))} → {_short_value(after.get(k))}"
                      for k in fields)
    return f"~ {kind} {_record_label(table, before, names)}: {diffs or 'no visible change'}"


# --------------------------------------------------------------------------- agreement


@dataclass
class DocumentSource:
    """One document's plain inputs, read on the project's thread."""

    id: str
    name: str
    text: str
    turns: list[tuple[int, int, int]]  # (start, end, body_start)
    codings: list[Coding]


@dataclass
class AgreementInputs:
    """Everything :func:`run_agreement` needs, as plain data."""

    coders: list[str]
    unit: str
    codes: list[str]
    labels: dict[str, str]
    documents: list[DocumentSource]
    skipped: list[tuple[str, str]] = field(default_factory=list)
    language: str = "en"


@dataclass
class AgreementRun:
    """An agreement result with the documents (units computed) it was computed over."""

    result: AgreementResult
    documents: list[DocumentData]
    labels: dict[str, str]
    _passages: dict[str, list[Passage]] | None = field(default=None, repr=False)

    def _all(self) -> dict[str, list[Passage]]:
        if self._passages is None:
            codes = [c.code for c in self.result.codes]
            found: dict[str, list[Passage]] = {code: [] for code in codes}
            for document in self.documents:
                for code, items in passages_by_code(document, self.result.coders,
                                                    codes).items():
                    found[code].extend(items)
            self._passages = found
        return self._passages

    def passages(self, code: str | None = None) -> list[Passage]:
        """Disagreements on ``code`` (every compared code when ``None``), by document, then
        position, then code."""
        found = self._all()
        if code is not None:
            return list(found.get(code, []))
        order = {d.id: i for i, d in enumerate(self.documents)}
        items = [p for group in found.values() for p in group]
        items.sort(key=lambda p: (order.get(p.document_id, 0), p.start,
                                  self.labels.get(p.code, p.code)))
        return items


def _subtree(project: Project, path: str) -> list[str]:
    code = project.codebook.find(path)
    if code is None:
        raise NotFound(f"no code '{path}' in the codebook")
    return [code.id, *project.codebook.descendants(code.id)]


def agreement_inputs(project: Project, coders: Sequence[str], unit: str = "char",
                     code_paths: Sequence[str] = (), doc_names: Sequence[str] = ()
                     ) -> AgreementInputs:
    """Read the documents, codes and segments an agreement run compares.

    Documents: those named, else every document that each coder coded at least once (the
    others are listed as skipped, with the reason). Codes: the named ones with their
    sub-codes, else every code at least one of the coders applied in those documents.
    """
    coders = list(dict.fromkeys(c.strip() for c in coders if c.strip()))
    if len(coders) < 2:
        raise QualtuiError("agreement needs at least two different coders (--coders A B)")
    if unit not in UNITS:
        raise QualtuiError(f"unknown unit '{unit}' (units: {', '.join(UNITS)})")
    segments = project.coding.segments()
    known = sorted({s.coder for s in segments})
    for coder in coders:
        if coder not in known:
            raise NotFound(f"coder '{coder}' has no segments (coders: {', '.join(known)})")
    by_doc: dict[str, list[Segment]] = {}
    for segment in segments:
        if segment.coder in coders:
            by_doc.setdefault(segment.document_id, []).append(segment)
    docs = project.documents.all()
    skipped: list[tuple[str, str]] = []
    if doc_names:
        chosen = [project.documents.by_name(name) for name in doc_names]
    else:
        chosen = []
        for doc in docs:
            who = {s.coder for s in by_doc.get(doc.id, [])}
            missing = [c for c in coders if c not in who]
            if missing:
                skipped.append((doc.name, "not coded by " + ", ".join(missing)))
            else:
                chosen.append(doc)
        if not chosen:
            raise QualtuiError(f"no document is coded by all of {', '.join(coders)};"
                               " name documents with --doc")
    all_codes = project.codebook.all()
    labels = {c.id: project.codebook.path_of(c) for c in all_codes}
    if code_paths:
        wanted: set[str] = set()
        for path in code_paths:
            wanted.update(_subtree(project, path))
    else:
        chosen_ids = {d.id for d in chosen}
        wanted = {s.code_id for s in segments if s.coder in coders
                  and s.document_id in chosen_ids}
    codes = [c.id for c in all_codes if c.id in wanted and (c.codable or not code_paths)]
    if not codes:
        raise QualtuiError("no codes to compare: the coders applied none in these documents")
    sources = [DocumentSource(
        id=doc.id, name=doc.name, text=project.documents.text(doc.id),
        turns=[(t.start, t.end, t.body_start) for t in doc.turns],
        codings=[Coding(s.coder, s.code_id, s.start, s.end) for s in by_doc.get(doc.id, [])],
    ) for doc in chosen]
    return AgreementInputs(coders=coders, unit=unit, codes=codes, labels=labels,
                           documents=sources, skipped=skipped,
                           language=project.settings.language or "en")


def unit_spans(source: DocumentSource, unit: str, language: str = "en") -> list[Span] | None:
    """The spans counted as units in one document (``None``: characters)."""
    if unit == "char":
        return None
    from qualtui.core.models import Turn
    from qualtui.core.units import TextUnits

    turns = [Turn(start=s, end=e, speaker="", body_start=b) for s, e, b in source.turns]
    units = TextUnits(source.text, turns, language)
    return units.spans({"sentence": "sentence", "paragraph": "paragraph",
                        "turn": "turn"}[unit])


def run_agreement(inputs: AgreementInputs, exclude_uncoded: bool = False) -> AgreementRun:
    """Compute agreement on plain inputs (no project access: fine in a worker thread)."""
    documents: list[DocumentData] = []
    skipped = list(inputs.skipped)
    for source in inputs.documents:
        if inputs.unit == "turn" and not source.turns:
            skipped.append((source.name, "no speaker turns"))
            continue
        documents.append(DocumentData(id=source.id, name=source.name, length=len(source.text),
                                      codings=source.codings,
                                      units=unit_spans(source, inputs.unit, inputs.language)))
    if not documents:
        raise QualtuiError(f"no document has {inputs.unit} units to compare")
    result = compare(documents, inputs.coders, inputs.codes, unit=inputs.unit,
                     exclude_uncoded=exclude_uncoded, labels=inputs.labels, skipped=skipped)
    return AgreementRun(result=result, documents=documents, labels=inputs.labels)


# --------------------------------------------------------------------------- adjudication


def _subtract(span: Span, cut: Span) -> list[Span]:
    out = []
    if span[0] < cut[0]:
        out.append((span[0], min(span[1], cut[0])))
    if span[1] > cut[1]:
        out.append((max(span[0], cut[1]), span[1]))
    return [s for s in out if s[1] > s[0]]


def consensus_label(passage: Passage, consensus: Sequence[Span]) -> str | None:
    """Which version the consensus spans inside the passage match: a coder's id, ``"both"``
    (the union), ``"edited"``, or ``None`` when nothing is adjudicated there."""
    inside = merge_spans((max(s, passage.start), min(e, passage.end)) for s, e in consensus
                         if s < passage.end and e > passage.start)
    if not inside:
        return None
    for coder, spans in passage.spans.items():
        if merge_spans(spans) == inside:
            return coder
    if passage.union() == inside:
        return "both"
    return "edited"


def adjudicate(project: Project, passage: Passage, spans: Sequence[Span], how: str,
               coder: str = CONSENSUS) -> list[Segment]:
    """Make ``spans`` the agreed coding of ``passage`` (one logged, undoable operation).

    Consensus segments of the passage's code inside the passage are replaced (parts of them
    outside it are kept). ``how`` describes the choice for the log ("coder1's version",
    "both", "none", "edited"). Returns the new consensus segments. When the consensus
    already is ``spans`` nothing is written (and nothing logged).
    """
    doc = project.documents.get(passage.document_id)
    code = project.codebook.get(passage.code)
    if not code.codable:
        raise QualtuiError(f"code '{project.codebook.path_of(code)}' cannot be applied")
    wanted = merge_spans(spans)
    for start, end in wanted:
        if not (0 <= start < end <= doc.chars):
            raise QualtuiError(f"range {start}-{end} is outside document '{doc.name}'")
    path = project.codebook.path_of(code)
    summary = (f"adjudicated {path} in {doc.name} {passage.start}-{passage.end}: {how}")
    region = (passage.start, passage.end)
    created: list[Segment] = []
    with project.log.operation("adjudicate", summary) as op:
        for row in list(project.repo.all("segments")):
            if (row["coder"] != coder or row["document_id"] != doc.id
                    or row["code_id"] != code.id or row["end"] <= region[0]
                    or row["start"] >= region[1]):
                continue
            rest = _subtract((row["start"], row["end"]), region)
            if not rest:
                for memo in list(project.repo.all("memos")):
                    if memo.get("target_id") == row["id"]:
                        op.delete("memos", memo["id"])
                op.delete("segments", row["id"])
                continue
            op.update("segments", dict(row) | {"start": rest[0][0], "end": rest[0][1]})
            for start, end in rest[1:]:
                op.insert("segments", to_dict(Segment(
                    id=new_id(), document_id=doc.id, code_id=code.id, start=start, end=end,
                    coder=coder, created_at=now_iso())))
        for start, end in wanted:
            segment = Segment(id=new_id(), document_id=doc.id, code_id=code.id, start=start,
                              end=end, coder=coder, created_at=now_iso())
            op.insert("segments", to_dict(segment))
            created.append(segment)
    return created
