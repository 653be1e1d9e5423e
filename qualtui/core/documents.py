"""Documents: add (from an importer's normalised text), rename, delete, attributes, text."""

from __future__ import annotations

from typing import Any

from qualtui.core.errors import Conflict, NotFound, QualtuiError
from qualtui.core.models import Cue, Document, Turn, from_dict, new_id, now_iso, to_dict
from qualtui.core.oplog import OperationLog
from qualtui.core.repository import Repository
from qualtui.core.text import count_words


def sha256_text(text: str) -> str:
    from hashlib import sha256

    return sha256(text.encode("utf-8")).hexdigest()


class DocumentService:
    def __init__(self, repo: Repository, log: OperationLog) -> None:
        self.repo = repo
        self.log = log
        self._texts: dict[str, str] = {}

    def all(self) -> list[Document]:
        docs = [from_dict(Document, r) for r in self.repo.all("documents")]
        docs.sort(key=lambda d: (d.position, d.name.lower()))
        return docs

    def get(self, document_id: str) -> Document:
        row = self.repo.get("documents", document_id)
        if row is None:
            raise NotFound(f"no document with id {document_id}")
        return from_dict(Document, row)

    def find(self, name: str) -> Document | None:
        rows = self.repo.all("documents")
        for row in rows:
            if row["name"] == name:
                return from_dict(Document, row)
        lowered = [r for r in rows if r["name"].lower() == name.lower()]
        if len(lowered) == 1:
            return from_dict(Document, lowered[0])
        return None

    def by_name(self, name: str) -> Document:
        doc = self.find(name)
        if doc is None:
            names = ", ".join(d.name for d in self.all()[:8]) or "none yet"
            raise NotFound(f"no document named '{name}' (documents: {names})")
        return doc

    def find_same_text(self, text: str) -> Document | None:
        """The document already holding exactly this (normalised) text, if any."""
        digest = sha256_text(text)
        for row in self.repo.all("documents"):
            if row.get("sha256") == digest:
                return from_dict(Document, row)
        return None

    def text(self, document_id: str) -> str:
        text = self._texts.get(document_id)
        if text is None:
            text = self.repo.read_source(document_id)
            self._texts[document_id] = text
        return text

    def add(self, name: str, text: str, *, fmt: str, filename: str,
            turns: list[Turn] | None = None, cues: list[Cue] | None = None,
            original: bytes | None = None, force: bool = False) -> Document:
        """Store a new document; refuses a duplicate text or name unless ``force``."""
        if not text.strip():
            raise QualtuiError(f"{filename}: no text to import")
        digest = sha256_text(text)
        rows = self.repo.all("documents")
        same = [r for r in rows if r.get("sha256") == digest]
        if same and not force:
            raise Conflict(f"{filename}: already imported as '{same[0]['name']}'"
                           " (use --force to import it again)")
        taken = {r["name"] for r in rows}
        if name in taken:
            if not force:
                raise Conflict(f"{filename}: a document named '{name}' exists"
                               " (use --name to choose another, or --force)")
            base, n = name, 2
            while f"{base} ({n})" in taken:
                n += 1
            name = f"{base} ({n})"
        doc_id = new_id()
        original_path = self.repo.write_source(doc_id, text, original, filename)
        doc = Document(id=doc_id, name=name, filename=filename, format=fmt, sha256=digest,
                       chars=len(text), words=count_words(text), imported_at=now_iso(),
                       imported_by=self.log.coder,
                       position=max((r.get("position", 0) for r in rows), default=-1) + 1,
                       turns=list(turns or []), cues=list(cues or []), original=original_path)
        try:
            with self.log.operation("document.import", f"imported document {name}") as op:
                op.insert("documents", to_dict(doc))
        except BaseException:
            self.repo.delete_source(doc_id)  # never leave a half-imported document
            raise
        self._texts[doc_id] = text
        return doc

    def rename(self, document_id: str, name: str) -> Document:
        doc = self.get(document_id)
        if not name.strip():
            raise QualtuiError("a document name cannot be empty")
        if any(r["name"] == name and r["id"] != document_id for r in self.repo.all("documents")):
            raise Conflict(f"a document named '{name}' exists")
        with self.log.operation("document.rename", f"renamed document {doc.name} to {name}") as op:
            doc.name = name
            op.update("documents", to_dict(doc))
        return doc

    def set_attributes(self, document_id: str, values: dict[str, Any]) -> Document:
        doc = self.get(document_id)
        with self.log.operation("document.attributes", f"set attributes of {doc.name}") as op:
            doc.attributes = {**doc.attributes, **values}
            op.update("documents", to_dict(doc))
        return doc

    def delete(self, document_id: str) -> int:
        """Delete a document's record with its segments and memos (its source file stays
        until the project is cleaned, so undo can bring everything back)."""
        doc = self.get(document_id)
        with self.log.operation("document.delete", f"deleted document {doc.name}") as op:
            segment_ids = {r["id"] for r in self.repo.all("segments")
                           if r["document_id"] == document_id}
            for segment_id in segment_ids:
                op.delete("segments", segment_id)
            for row in list(self.repo.all("memos")):
                if row.get("target_id") in segment_ids | {document_id}:
                    op.delete("memos", row["id"])
            op.delete("documents", document_id)
        return len(segment_ids)
