"""Agreement between coders on a project, and adjudication of their disagreements.

- :func:`agreement_inputs` reads what an agreement run needs from a project (on the thread
  that owns the project); :func:`run_agreement` computes on that plain data (safe in a
  worker thread) with :mod:`qualtui.analysis.agreement`.
- :func:`adjudicate` writes the agreed version of a disagreement as segments of the
  :data:`~qualtui.core.team.CONSENSUS` coder, in one logged, undoable operation. The
  coders' own segments are never changed, so agreement can still be reported on the
  independent coding afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

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
from qualtui.core.team import CONSENSUS

if TYPE_CHECKING:
    from qualtui.core.project import Project

__all__ = [
    "CONSENSUS",
    "AgreementInputs",
    "AgreementRun",
    "adjudicate",
    "agreement_inputs",
    "consensus_label",
    "run_agreement",
    "unit_spans",
]

Span = tuple[int, int]


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
