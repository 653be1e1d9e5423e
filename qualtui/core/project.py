"""The ``Project`` facade: one object bundling the core services the CLI and TUI call."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualtui.core.codebook import CodebookService
from qualtui.core.coding import CodingService
from qualtui.core.documents import DocumentService
from qualtui.core.memos import MemoService
from qualtui.core.oplog import OperationLog
from qualtui.core.repository import Repository
from qualtui.core.settings import Settings

if TYPE_CHECKING:
    from qualtui.core.cases import CaseService
    from qualtui.core.guidelines import GuidelineService
    from qualtui.core.privacy import PrivacyService


@dataclass
class Stats:
    documents: int
    words: int
    codes: int
    segments: int
    memos: int
    coders: list[str]
    segments_per_code: dict[str, int] = field(default_factory=dict)
    segments_per_coder: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "words": self.words,
            "codes": self.codes,
            "segments": self.segments,
            "memos": self.memos,
            "coders": self.coders,
            "segments_per_code": self.segments_per_code,
            "segments_per_coder": self.segments_per_coder,
        }


class Project:
    def __init__(self, repo: Repository, settings: Settings, coder: str) -> None:
        self.repo = repo
        self.root: Path = repo.root
        self.settings = settings
        self.coder = coder
        self.log = OperationLog(repo, coder)
        self.documents = DocumentService(repo, self.log)
        self.codebook = CodebookService(repo, self.log)
        self.coding = CodingService(repo, self.log, self.documents, self.codebook)
        self.memos = MemoService(repo, self.log)
        self.notices: list[str] = []  # one-line things the user should hear when it opens

    # Services the coding screen does not need at start are built on first use (their
    # modules, and PyYAML for privacy rules, then stay out of ``qualtui open``'s start-up).
    @cached_property
    def cases(self) -> CaseService:
        """Cases and their attributes."""
        from qualtui.core.cases import CaseService

        return CaseService(self.repo, self.log)

    @cached_property
    def privacy(self) -> PrivacyService:
        """Pseudonyms and redactions."""
        from qualtui.core.privacy import PrivacyService

        return PrivacyService(self.repo, self.log)

    @property
    def guidelines(self) -> GuidelineService:
        """Guideline sections, guidelines and their evidence (built on first use)."""
        service = self.__dict__.get("_guidelines")
        if service is None:
            from qualtui.core.guidelines import GuidelineService

            service = self.__dict__["_guidelines"] = GuidelineService(self)
        return service

    def set_coder(self, coder: str) -> None:
        self.coder = coder
        self.log.coder = coder

    def undo(self) -> str:
        return self.log.undo().summary

    def redo(self) -> str:
        return self.log.redo().summary

    def refresh(self) -> bool:
        return self.repo.refresh()

    def changed_on_disk(self) -> bool:
        return self.repo.changed_on_disk()

    def stats(self) -> Stats:
        docs = self.documents.all()
        segments = self.repo.all("segments")
        per_code = Counter(r["code_id"] for r in segments)
        per_coder = Counter(r["coder"] for r in segments)
        paths = {c.id: self.codebook.path_of(c) for c in self.codebook.all()}
        return Stats(
            documents=len(docs),
            words=sum(d.words for d in docs),
            codes=len(paths),
            segments=len(segments),
            memos=self.repo.count("memos"),
            coders=sorted(per_coder),
            segments_per_code={paths.get(k, k): v for k, v in sorted(
                per_code.items(), key=lambda kv: paths.get(kv[0], kv[0]))},
            segments_per_coder=dict(sorted(per_coder.items())),
        )

    def close(self) -> None:
        close = getattr(self.repo, "close", None)
        if close is not None:
            close()
