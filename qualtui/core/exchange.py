"""Writing exchanged data (REFI-QDA imports) into a project with ids chosen by the importer.

The core services create their own UUIDs; an import must keep the ids it was given (REFI
GUIDs, lower-cased, braces stripped) so that a re-export carries the same GUIDs. This module
checks a :class:`Bundle` for consistency and writes it through the operation log in one
operation (``op.insert`` with the chosen ids) and the sources through
``repo.write_source``; a failure removes the sources it wrote.

It also keeps what qualtui has no model for but a round trip must not lose: REFI *Sets*
(named groups of codes, documents and memos, table ``sets``) and the GUIDs of the users who
coded (meta ``refi_users``).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from qualtui.core.codebook import SEP
from qualtui.core.colors import next_color
from qualtui.core.documents import sha256_text
from qualtui.core.errors import QualtuiError
from qualtui.core.memos import KINDS as MEMO_KINDS
from qualtui.core.memos import TARGET_TABLE
from qualtui.core.models import (
    AttributeDef,
    Case,
    Code,
    Document,
    Memo,
    Segment,
    from_dict,
    new_id,
    to_dict,
)
from qualtui.core.oplog import OperationLog
from qualtui.core.repository import Repository
from qualtui.core.text import count_words

__all__ = [
    "Bundle",
    "CodeSet",
    "CodebookMerge",
    "ExchangeService",
    "ImportedSource",
    "SETS",
    "USERS_META",
]

SETS = "sets"
USERS_META = "refi_users"
Progress = Callable[[str, int, int], None]


@dataclass
class CodeSet:
    """A named group of codes, documents and memos (REFI ``Set``)."""

    id: str
    name: str
    description: str = ""
    codes: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    memos: list[str] = field(default_factory=list)


@dataclass
class ImportedSource:
    """A document record (id chosen by the importer) and its normalised text."""

    document: Document
    text: str
    original: bytes | None = None
    original_name: str = ""


@dataclass
class Bundle:
    """Everything an import writes into an (empty) project."""

    title: str = ""
    description: str = ""
    created_at: str = ""  # when the project was created (kept from the exporting program)
    coders: list[str] = field(default_factory=list)
    user_guids: dict[str, str] = field(default_factory=dict)  # coder -> REFI user GUID
    codes: list[Code] = field(default_factory=list)  # parents before children
    sources: list[ImportedSource] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    memos: list[Memo] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    attributes: list[AttributeDef] = field(default_factory=list)
    sets: list[CodeSet] = field(default_factory=list)


@dataclass
class CodebookMerge:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    sets: int = 0
    warnings: list[str] = field(default_factory=list)


def _duplicates(ids: list[str]) -> list[str]:
    return [i for i, n in Counter(ids).items() if n > 1]


def check_bundle(bundle: Bundle) -> None:
    """Refuse an inconsistent bundle (an importer bug, never user data): ids unique per
    table, every reference resolvable, every range inside its document."""
    problems: list[str] = []
    tables: dict[str, list[str]] = {
        "codes": [c.id for c in bundle.codes],
        "documents": [s.document.id for s in bundle.sources],
        "segments": [s.id for s in bundle.segments],
        "memos": [m.id for m in bundle.memos],
        "cases": [c.id for c in bundle.cases],
        "attributes": [a.id for a in bundle.attributes],
        "sets": [s.id for s in bundle.sets],
    }
    for table, ids in tables.items():
        dup = _duplicates(ids)
        if dup:
            problems.append(f"duplicate {table} ids {', '.join(dup[:3])}")
    codes = {c.id: c for c in bundle.codes}
    seen: set[str] = set()
    for code in bundle.codes:
        if code.parent_id is not None and code.parent_id not in seen:
            problems.append(f"code {code.name}: parent {code.parent_id} missing or after it")
        if not code.name.strip() or SEP in code.name:
            problems.append(f"code name '{code.name}' is empty or holds '{SEP}'")
        seen.add(code.id)
    lengths = {s.document.id: len(s.text) for s in bundle.sources}
    cases = {c.id for c in bundle.cases}
    for source in bundle.sources:
        if source.document.case_id is not None and source.document.case_id not in cases:
            problems.append(f"document {source.document.name}: unknown case")
    for seg in bundle.segments:
        length = lengths.get(seg.document_id)
        if length is None or seg.code_id not in codes:
            problems.append(f"segment {seg.id}: unknown document or code")
        elif not 0 <= seg.start < seg.end <= length:
            problems.append(f"segment {seg.id}: range {seg.start}-{seg.end} outside 0-{length}")
    targets = {"documents": set(lengths), "codes": set(codes),
               "segments": {s.id for s in bundle.segments}}
    for memo in bundle.memos:
        if memo.kind not in MEMO_KINDS:
            problems.append(f"memo {memo.id}: unknown kind {memo.kind}")
            continue
        table = TARGET_TABLE.get(memo.kind)
        if table is None:
            if memo.target_id:
                problems.append(f"memo {memo.id}: a {memo.kind} memo has no target")
        elif memo.target_id not in targets[table]:
            problems.append(f"memo {memo.id}: unknown {memo.kind} {memo.target_id}")
    if problems:
        raise QualtuiError("import refused (inconsistent data): " + "; ".join(problems[:5])
                           + (f"; ... {len(problems) - 5} more" if len(problems) > 5 else ""))


class ExchangeService:
    """Writes bundles and codebooks with chosen ids; keeps sets and REFI user GUIDs."""

    def __init__(self, repo: Repository, log: OperationLog) -> None:
        self.repo = repo
        self.log = log

    # -- reading ---------------------------------------------------------------------------
    def sets(self) -> list[CodeSet]:
        rows = [from_dict(CodeSet, r) for r in self.repo.all(SETS)]
        rows.sort(key=lambda s: s.name.lower())
        return rows

    def user_guids(self) -> dict[str, str]:
        value = self.repo.get_meta(USERS_META, {}) or {}
        return dict(value) if isinstance(value, dict) else {}

    # -- writing a whole project ---------------------------------------------------------------
    def write_bundle(self, bundle: Bundle, summary: str,
                     progress: Progress | None = None) -> None:
        """Write ``bundle`` (checked first) as one operation; nothing stays on failure."""
        check_bundle(bundle)
        clashes = [s.document.id for s in bundle.sources
                   if self.repo.get("documents", s.document.id) is not None]
        clashes += [c.id for c in bundle.codes if self.repo.get("codes", c.id) is not None]
        if clashes:
            raise QualtuiError(f"import refused: ids already in this project ({clashes[0]})")
        written: list[str] = []
        total = len(bundle.sources)
        try:
            for index, source in enumerate(bundle.sources, start=1):
                doc = source.document
                written.append(doc.id)
                doc.original = self.repo.write_source(doc.id, source.text, source.original,
                                                      source.original_name or doc.filename)
                doc.sha256 = sha256_text(source.text)
                doc.chars = len(source.text)
                doc.words = count_words(source.text)
                if progress is not None:
                    progress("writing sources", index, total)
            with self.log.operation("refi.import", summary) as op:
                for attribute in bundle.attributes:
                    op.insert("attributes", to_dict(attribute))
                for case in bundle.cases:
                    op.insert("cases", to_dict(case))
                for code in bundle.codes:
                    op.insert("codes", to_dict(code))
                for source in bundle.sources:
                    op.insert("documents", to_dict(source.document))
                for segment in bundle.segments:
                    op.insert("segments", to_dict(segment))
                for memo in bundle.memos:
                    op.insert("memos", to_dict(memo))
                for code_set in bundle.sets:
                    op.insert(SETS, dataclasses.asdict(code_set))
                if bundle.created_at:
                    self.repo.set_meta("created_at", bundle.created_at)
                if bundle.user_guids:
                    self.repo.set_meta(USERS_META, self.user_guids() | bundle.user_guids)
        except BaseException:
            for doc_id in written:
                self.repo.delete_source(doc_id)
            raise

    # -- merging a codebook ------------------------------------------------------------------------
    def merge_codebook(self, codes: list[Code], sets: list[CodeSet],
                       summary: str) -> CodebookMerge:
        """Merge codes (parents before children) into the codebook, as one operation.

        A code is matched by id (its GUID), else by path; a match gets the incoming colour,
        description fields and codability; a new code keeps its GUID unless that id is taken.
        Sets are added or replaced by id (members the project lacks are dropped).
        """
        result = CodebookMerge()
        with self.log.operation("refi.codebook", summary) as op:
            rows = {r["id"]: dict(r) for r in self.repo.all("codes")}
            local: dict[str, str] = {}  # incoming id -> local id

            def path_of(code_id: str | None) -> str:
                names: list[str] = []
                guard: set[str] = set()
                while code_id and code_id in rows and code_id not in guard:
                    guard.add(code_id)
                    names.append(rows[code_id]["name"])
                    code_id = rows[code_id].get("parent_id")
                return SEP.join(reversed(names))

            def child_named(parent: str | None, name: str) -> dict[str, Any] | None:
                for row in rows.values():
                    if row.get("parent_id") == parent and row["name"] == name:
                        return row
                return None

            used_colors = Counter(r.get("color", "") for r in rows.values())
            for code in codes:
                parent = local.get(code.parent_id) if code.parent_id else None
                row = rows.get(code.id)
                if row is None:
                    row = child_named(parent, code.name)
                fields = {"color": code.color, "definition": code.definition,
                          "use_when": code.use_when, "dont_use_when": code.dont_use_when,
                          "example": code.example, "citation": code.citation,
                          "codable": code.codable}
                if row is not None:
                    if not code.color:
                        fields.pop("color")
                    new = row | fields
                    if row["name"] != code.name and row.get("parent_id") == parent:
                        if child_named(parent, code.name) is None:
                            new["name"] = code.name
                        else:
                            result.warnings.append(f"code '{path_of(row['id'])}' not renamed"
                                                   f" to '{code.name}': that name is taken")
                    local[code.id] = row["id"]
                    if new != row:
                        op.update("codes", new)
                        rows[row["id"]] = new
                        result.changed.append(path_of(row["id"]))
                    else:
                        result.unchanged.append(path_of(row["id"]))
                    continue
                code_id = code.id if code.id not in rows else new_id()
                position = max((r.get("position", 0) for r in rows.values()
                                if r.get("parent_id") == parent), default=-1) + 1
                color = code.color or next_color(used_colors.elements())
                used_colors[color] += 1
                record = dataclasses.replace(code, id=code_id, parent_id=parent,
                                             position=position, color=color,
                                             created_by=code.created_by or op.coder)
                op.insert("codes", to_dict(record))
                rows[code_id] = to_dict(record)
                local[code.id] = code_id
                result.added.append(path_of(code_id))
            documents = {r["id"] for r in self.repo.all("documents")}
            memos = {r["id"] for r in self.repo.all("memos")}
            for code_set in sets:
                record = CodeSet(
                    id=code_set.id, name=code_set.name, description=code_set.description,
                    codes=[local.get(c, c) for c in code_set.codes if local.get(c, c) in rows],
                    documents=[d for d in code_set.documents if d in documents],
                    memos=[m for m in code_set.memos if m in memos])
                if self.repo.get(SETS, record.id) is None:
                    op.insert(SETS, dataclasses.asdict(record))
                else:
                    op.update(SETS, dataclasses.asdict(record))
                result.sets += 1
        return result
