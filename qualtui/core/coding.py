"""Coding: apply a code to a range, remove it, list segments and the codes at an offset."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from qualtui.core.codebook import CodebookService
from qualtui.core.documents import DocumentService
from qualtui.core.errors import Conflict, NotFound, QualtuiError
from qualtui.core.models import Memo, Segment, from_dict, new_id, now_iso, to_dict
from qualtui.core.oplog import Operation, OperationLog
from qualtui.core.repository import Repository


@dataclass
class CodingRequest:
    """One row of a bulk coding: document, range, code (ids), coder and an optional memo."""

    document_id: str
    start: int
    end: int
    code_id: str
    coder: str
    memo: str = ""


class CodingService:
    def __init__(self, repo: Repository, log: OperationLog, documents: DocumentService,
                 codebook: CodebookService) -> None:
        self.repo = repo
        self.log = log
        self.documents = documents
        self.codebook = codebook

    # -- reading -------------------------------------------------------------------------
    def segments(self, *, code_ids: Iterable[str] | None = None, document_id: str | None = None,
                 coder: str | None = None) -> list[Segment]:
        wanted = set(code_ids) if code_ids is not None else None
        out = [from_dict(Segment, r) for r in self.repo.all("segments")
               if (wanted is None or r["code_id"] in wanted)
               and (document_id is None or r["document_id"] == document_id)
               and (coder is None or r["coder"] == coder)]
        out.sort(key=lambda s: (s.document_id, s.start, s.end))
        return out

    def get(self, segment_id: str) -> Segment:
        row = self.repo.get("segments", segment_id)
        if row is None:
            matches = [r for r in self.repo.all("segments") if r["id"].startswith(segment_id)]
            if len(matches) == 1 and len(segment_id) >= 6:
                row = matches[0]
            else:
                raise NotFound(f"no segment with id {segment_id}")
        return from_dict(Segment, row)

    def at(self, document_id: str, offset: int) -> list[Segment]:
        return [s for s in self.segments(document_id=document_id) if s.start <= offset < s.end]

    def text_of(self, segment: Segment) -> str:
        return self.documents.text(segment.document_id)[segment.start:segment.end]

    # -- validation ------------------------------------------------------------------------
    def validate(self, request: CodingRequest) -> None:
        doc = self.documents.get(request.document_id)
        if not (0 <= request.start < request.end <= doc.chars):
            raise QualtuiError(
                f"range {request.start}-{request.end} is outside document '{doc.name}'"
                f" (0-{doc.chars}; start < end, end exclusive)")
        code = self.codebook.get(request.code_id)
        if not code.codable:
            raise QualtuiError(f"code '{self.codebook.path_of(code)}' is a category only"
                               " and cannot be applied to text")

    def _apply(self, op: Operation, request: CodingRequest,
               existing: set[tuple[str, str, int, int, str]]) -> Segment | None:
        key = (request.document_id, request.code_id, request.start, request.end, request.coder)
        if key in existing:
            return None
        existing.add(key)
        segment = Segment(id=new_id(), document_id=request.document_id, code_id=request.code_id,
                          start=request.start, end=request.end, coder=request.coder,
                          created_at=now_iso())
        op.insert("segments", to_dict(segment))
        if request.memo:
            stamp = now_iso()
            memo = Memo(id=new_id(), kind="segment", target_id=segment.id,
                        title=request.memo[:60], body=request.memo, author=request.coder,
                        created_at=stamp, modified_at=stamp)
            op.insert("memos", to_dict(memo))
        return segment

    def _existing_keys(self) -> set[tuple[str, str, int, int, str]]:
        return {(r["document_id"], r["code_id"], r["start"], r["end"], r["coder"])
                for r in self.repo.all("segments")}

    # -- writing -----------------------------------------------------------------------------
    def apply(self, document_id: str, start: int, end: int, code_id: str,
              coder: str | None = None, memo: str = "") -> Segment:
        request = CodingRequest(document_id, start, end, code_id, coder or self.log.coder, memo)
        self.validate(request)
        doc = self.documents.get(document_id)
        summary = f"coded {doc.name} {start}-{end} as {self.codebook.path_of(code_id)}"
        with self.log.operation("segment.apply", summary, coder=request.coder) as op:
            duplicate = any(
                r["document_id"] == document_id and r["code_id"] == code_id
                and r["start"] == start and r["end"] == end and r["coder"] == request.coder
                for r in self.repo.all("segments"))
            if duplicate:
                raise Conflict(f"{doc.name} {start}-{end} is already coded as"
                               f" {self.codebook.path_of(code_id)} by {request.coder}")
            segment = self._apply(op, request, set())
        assert segment is not None
        return segment

    def apply_many(self, requests: list[CodingRequest], summary: str) -> tuple[int, int]:
        """Apply many codings as one operation. Returns (added, skipped duplicates)."""
        for request in requests:
            self.validate(request)
        added = skipped = 0
        with self.log.operation("segment.bulk", summary) as op:
            existing = self._existing_keys()
            for request in requests:
                if self._apply(op, request, existing) is None:
                    skipped += 1
                else:
                    added += 1
        return added, skipped

    def remove(self, segment_id: str) -> Segment:
        segment = self.get(segment_id)
        doc = self.documents.get(segment.document_id)
        summary = (f"removed {self.codebook.path_of(segment.code_id)} from {doc.name}"
                   f" {segment.start}-{segment.end}")
        with self.log.operation("segment.remove", summary) as op:
            for row in list(self.repo.all("memos")):
                if row.get("target_id") == segment.id:
                    op.delete("memos", row["id"])
            op.delete("segments", segment.id)
        return segment

    def recode(self, segment_id: str, code_id: str) -> Segment:
        segment = self.get(segment_id)
        self.codebook.get(code_id)
        with self.log.operation("segment.recode", "changed a segment's code") as op:
            segment.code_id = code_id
            op.update("segments", to_dict(segment))
        return segment

    def resize(self, segment_id: str, start: int, end: int) -> Segment:
        segment = self.get(segment_id)
        self.validate(CodingRequest(segment.document_id, start, end, segment.code_id,
                                    segment.coder))
        with self.log.operation("segment.resize", "resized a segment") as op:
            segment.start, segment.end = start, end
            op.update("segments", to_dict(segment))
        return segment
