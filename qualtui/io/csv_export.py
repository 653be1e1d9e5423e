"""CSV exports: coded segments, the codebook and the attributes, optionally pseudonymised.

* segments: ``document, case, speaker, coder, code, start, end, text, memo`` — one row per
  segment; ``speaker`` is the speaker of the turn the segment starts in; ``memo`` joins the
  segment's memos. With pseudonymisation, ``text`` comes from the rewritten document and
  ``start``/``end`` are offsets into that rewritten text (the texts a pseudonymised .qdpx
  carries).
* codebook: the columns of ``qualtui codebook export --format csv`` plus ``segments`` (it
  can be imported again with ``qualtui codebook import``).
* attributes: ``document, case, <attribute>...`` as ``qualtui attributes import`` reads it.

Matrices (code × case, co-occurrence) are exported by the analysis commands.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from typing import Any

from qualtui.core.codebook import SEP, CodeSpec
from qualtui.core.models import Document
from qualtui.core.privacy import PrivacyService, Pseudonymiser, Rewrite
from qualtui.core.project import Project
from qualtui.io.tables import write_csv

__all__ = ["SEGMENT_COLUMNS", "TABLES", "attributes_csv", "codebook_csv", "export_csv",
           "segments_csv"]

SEGMENT_COLUMNS = ["document", "case", "speaker", "coder", "code", "start", "end", "text",
                   "memo"]
TABLES = ("segments", "codebook", "attributes")


def _pseudonymiser(project: Project, pseudonymize: bool) -> Pseudonymiser:
    return PrivacyService(project.repo, project.log).pseudonymiser(pseudonymize)


def _speaker(doc: Document, starts: list[int], offset: int) -> str:
    index = bisect.bisect_right(starts, offset) - 1
    if index < 0:
        return ""
    turn = doc.turns[index]
    return turn.speaker if turn.start <= offset < max(turn.end, turn.start + 1) else ""


def segments_csv(project: Project, *, pseudonymize: bool = False) -> str:
    """One row per coded segment, in document order."""
    pseudo = _pseudonymiser(project, pseudonymize)
    docs = project.documents.all()
    cases = {c.id: c.name for c in project.cases.all()}
    paths = {c.id: project.codebook.path_of(c) for c in project.codebook.all()}
    memos: dict[str, list[str]] = defaultdict(list)
    for memo in project.memos.all(kind="segment"):
        memos[memo.target_id or ""].append(memo.body)
    by_doc = defaultdict(list)
    for segment in project.coding.segments():
        by_doc[segment.document_id].append(segment)
    rows: list[list[Any]] = []
    for doc in docs:
        segments = by_doc.get(doc.id)
        if not segments:
            continue
        rewrite: Rewrite = pseudo.document(doc.id, project.documents.text(doc.id))
        starts = [t.start for t in doc.turns]
        segments.sort(key=lambda s: (s.start, s.end, paths.get(s.code_id, "")))
        for segment in segments:
            start, end = rewrite.range(segment.start, segment.end)
            rows.append([
                pseudo.text(doc.name), pseudo.text(cases.get(doc.case_id or "", "")),
                pseudo.text(_speaker(doc, starts, segment.start)), segment.coder,
                SEP.join(pseudo.text(p) for p in paths.get(segment.code_id, "").split(SEP)),
                start, end, rewrite.text[start:end],
                pseudo.text("\n\n".join(memos.get(segment.id, [])))])
    return write_csv(rows, SEGMENT_COLUMNS)


def codebook_csv(project: Project, *, pseudonymize: bool = False) -> str:
    """The codebook with segment counts (importable with ``qualtui codebook import``)."""
    from qualtui.io.codebook_files import to_csv

    pseudo = _pseudonymiser(project, pseudonymize)
    counts: dict[str, int] = {}
    for code_id, count in project.codebook.segment_counts().items():
        counts[project.codebook.path_of(code_id)] = count
    specs: list[CodeSpec] = []
    shown: dict[str, int] = {}
    for spec in project.codebook.export_specs():
        path = SEP.join(pseudo.text(p) for p in spec.path.split(SEP))
        fields = {k: pseudo.text(v) if isinstance(v, str) and k != "color" else v
                  for k, v in spec.fields.items()}
        specs.append(CodeSpec(path, fields))
        shown[path] = counts.get(spec.path, 0)
    return to_csv(specs, shown)


def attributes_csv(project: Project, *, pseudonymize: bool = False) -> str:
    """``document, case, attribute...`` (importable with ``qualtui attributes import``)."""
    pseudo = _pseudonymiser(project, pseudonymize)
    docs = project.documents.all()
    cases = {c.id: c for c in project.cases.all()}
    names = [a.name for a in project.cases.attribute_defs()]
    for doc in docs:
        names += [n for n in doc.attributes if n not in names]
    rows: list[list[Any]] = []
    for doc in docs:
        case = cases.get(doc.case_id or "")
        values = {**(case.attributes if case else {}), **doc.attributes}
        row: list[Any] = [pseudo.text(doc.name), pseudo.text(case.name) if case else ""]
        for name in names:
            value = values.get(name)
            if value is None:
                row.append("")
            elif isinstance(value, str):
                row.append(pseudo.text(value))
            else:
                row.append(value)
        rows.append(row)
    return write_csv(rows, ["document", "case", *names])


def export_csv(project: Project, table: str, *, pseudonymize: bool = False) -> str:
    """The CSV text of one of :data:`TABLES`."""
    if table == "segments":
        return segments_csv(project, pseudonymize=pseudonymize)
    if table == "codebook":
        return codebook_csv(project, pseudonymize=pseudonymize)
    if table == "attributes":
        return attributes_csv(project, pseudonymize=pseudonymize)
    raise ValueError(f"unknown CSV table {table!r} (tables: {', '.join(TABLES)})")
