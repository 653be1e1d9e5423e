"""Memos: project journal entries and memos on documents, codes and segments."""

from __future__ import annotations

from qualtui.core.errors import NotFound, QualtuiError
from qualtui.core.models import Memo, from_dict, new_id, now_iso, to_dict
from qualtui.core.oplog import OperationLog
from qualtui.core.repository import Repository

KINDS = ("project", "journal", "document", "code", "segment")
TARGET_TABLE = {"document": "documents", "code": "codes", "segment": "segments"}


class MemoService:
    def __init__(self, repo: Repository, log: OperationLog) -> None:
        self.repo = repo
        self.log = log

    def all(self, kind: str | None = None, target_id: str | None = None,
            author: str | None = None) -> list[Memo]:
        memos = [from_dict(Memo, r) for r in self.repo.all("memos")
                 if (kind is None or r["kind"] == kind)
                 and (target_id is None or r.get("target_id") == target_id)
                 and (author is None or r.get("author") == author)]
        memos.sort(key=lambda m: m.created_at)
        return memos

    def targets(self) -> set[str]:
        """Ids of the documents, codes and segments that have at least one memo."""
        return {row["target_id"] for row in self.repo.all("memos") if row.get("target_id")}

    def get(self, memo_id: str) -> Memo:
        row = self.repo.get("memos", memo_id)
        if row is None:
            raise NotFound(f"no memo with id {memo_id}")
        return from_dict(Memo, row)

    def create(self, kind: str, target_id: str | None, title: str, body: str = "",
               author: str | None = None, links: list[str] | None = None) -> Memo:
        if kind not in KINDS:
            raise QualtuiError(f"unknown memo kind '{kind}' (kinds: {', '.join(KINDS)})")
        table = TARGET_TABLE.get(kind)
        if table is not None:
            if not target_id or self.repo.get(table, target_id) is None:
                raise NotFound(f"a {kind} memo needs an existing {kind} to attach to")
        elif target_id:
            raise QualtuiError(f"a {kind} memo is not attached to anything")
        stamp = now_iso()
        memo = Memo(id=new_id(), kind=kind, target_id=target_id, title=title.strip() or "Memo",
                    body=body, author=author or self.log.coder, created_at=stamp,
                    modified_at=stamp, links=list(links or []))
        with self.log.operation("memo.create", f"wrote {kind} memo '{memo.title}'",
                                coder=memo.author) as op:
            op.insert("memos", to_dict(memo))
        return memo

    def edit(self, memo_id: str, *, title: str | None = None, body: str | None = None,
             links: list[str] | None = None) -> Memo:
        memo = self.get(memo_id)
        if title is not None:
            memo.title = title
        if body is not None:
            memo.body = body
        if links is not None:
            memo.links = links
        memo.modified_at = now_iso()
        with self.log.operation("memo.edit", f"edited memo '{memo.title}'") as op:
            op.update("memos", to_dict(memo))
        return memo

    def delete(self, memo_id: str) -> Memo:
        memo = self.get(memo_id)
        with self.log.operation("memo.delete", f"deleted memo '{memo.title}'") as op:
            op.delete("memos", memo_id)
        return memo
