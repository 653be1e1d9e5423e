"""The codebook: a tree of codes addressed by path ("Parent/Child"), with every edit logged."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, fields
from typing import Any

from qualtui.core.codetree import children_index, descendants
from qualtui.core.colors import PALETTE, next_color
from qualtui.core.errors import Conflict, NotFound, QualtuiError
from qualtui.core.models import Code, Memo, Segment, from_dict, new_id, now_iso, to_dict
from qualtui.core.oplog import OperationLog
from qualtui.core.repository import Repository

SEP = "/"
EDITABLE = {"color", "definition", "use_when", "dont_use_when", "example", "citation", "origin",
            "shortcut", "codable"}

DEFAULT_COLORS = [swatch.hex for swatch in PALETTE]


def split_path(path: str) -> list[str]:
    parts = [p.strip() for p in path.strip().strip(SEP).split(SEP)]
    if not parts or any(not p for p in parts):
        raise QualtuiError(f"invalid code path '{path}': use names separated by '/'")
    return parts


@dataclass
class CodeSpec:
    """A code as described in a codebook file (path plus fields)."""

    path: str
    fields: dict[str, Any]


class CodebookService:
    def __init__(self, repo: Repository, log: OperationLog) -> None:
        self.repo = repo
        self.log = log

    # -- reading -------------------------------------------------------------------------
    def all(self) -> list[Code]:
        """Codes in tree order (depth first, by position)."""
        codes = [from_dict(Code, r) for r in self.repo.all("codes")]
        children: dict[str | None, list[Code]] = {}
        for code in codes:
            children.setdefault(code.parent_id, []).append(code)
        for group in children.values():
            group.sort(key=lambda c: (c.position, c.name.lower()))
        ordered: list[Code] = []

        def walk(parent: str | None) -> None:
            for code in children.get(parent, []):
                ordered.append(code)
                walk(code.id)

        walk(None)
        known = {c.id for c in ordered}
        ordered.extend(c for c in codes if c.id not in known)  # orphans (broken parents)
        return ordered

    def get(self, code_id: str) -> Code:
        row = self.repo.get("codes", code_id)
        if row is None:
            raise NotFound(f"no code with id {code_id}")
        return from_dict(Code, row)

    def children(self, parent_id: str | None) -> list[Code]:
        return [c for c in self.all() if c.parent_id == parent_id]

    def path_of(self, code: Code | str) -> str:
        code_id = code if isinstance(code, str) else code.id
        names: list[str] = []
        seen: set[str] = set()
        while code_id and code_id not in seen:
            seen.add(code_id)
            row = self.repo.get("codes", code_id)
            if row is None:
                break
            names.append(row["name"])
            code_id = row.get("parent_id")
        return SEP.join(reversed(names))

    def paths(self) -> dict[str, Code]:
        return {self.path_of(c): c for c in self.all()}

    def find(self, path: str) -> Code | None:
        parent: str | None = None
        code: Code | None = None
        rows = self.repo.all("codes")
        for name in split_path(path):
            match = [r for r in rows if r.get("parent_id") == parent and r["name"] == name]
            if not match:
                match = [r for r in rows if r.get("parent_id") == parent
                         and r["name"].lower() == name.lower()]
            if not match:
                return None
            code = from_dict(Code, match[0])
            parent = code.id
        return code

    def resolve(self, path: str, create: bool = False) -> Code:
        code = self.find(path)
        if code is not None:
            return code
        if not create:
            raise NotFound(f"no code '{path}' in the codebook (use --create to add it)")
        return self.add(path)

    def descendants(self, code_id: str) -> list[str]:
        """Ids of every code below ``code_id`` (each after its parent)."""
        rows = self.repo.all("codes")
        return descendants(children_index((r["id"], r.get("parent_id")) for r in rows), code_id)

    def segment_counts(self) -> Counter[str]:
        return Counter(r["code_id"] for r in self.repo.all("segments"))

    # -- editing ------------------------------------------------------------------------
    def _next_position(self, parent_id: str | None) -> int:
        positions = [r.get("position", 0) for r in self.repo.all("codes")
                     if r.get("parent_id") == parent_id]
        return max(positions, default=-1) + 1

    def _next_color(self) -> str:
        return next_color(r.get("color", "") for r in self.repo.all("codes"))

    def add(self, path: str, **values: Any) -> Code:
        """Add the code at ``path``, creating missing parents; returns the leaf."""
        parts = split_path(path)
        unknown = set(values) - EDITABLE
        if unknown:
            raise QualtuiError(f"unknown code field(s): {', '.join(sorted(unknown))}")
        with self.log.operation("code.add", f"added code {SEP.join(parts)}") as op:
            parent: str | None = None
            leaf: Code | None = None
            for depth, name in enumerate(parts):
                existing = [r for r in self.repo.all("codes")
                            if r.get("parent_id") == parent and r["name"] == name]
                if existing:
                    leaf = from_dict(Code, existing[0])
                    if depth == len(parts) - 1:
                        raise Conflict(f"code '{SEP.join(parts)}' already exists")
                else:
                    leaf = Code(id=new_id(), name=name, parent_id=parent,
                                position=self._next_position(parent), color=self._next_color(),
                                created_at=now_iso(), created_by=op.coder)
                    if depth == len(parts) - 1:
                        for key, value in values.items():
                            setattr(leaf, key, value)
                    op.insert("codes", to_dict(leaf))
                parent = leaf.id
            assert leaf is not None
            return leaf

    def update(self, code_id: str, **values: Any) -> Code:
        unknown = set(values) - EDITABLE - {"name"}
        if unknown:
            raise QualtuiError(f"unknown code field(s): {', '.join(sorted(unknown))}")
        code = self.get(code_id)
        if "name" in values:
            self._check_name(values["name"], code.parent_id, code.id)
        with self.log.operation("code.edit", f"edited code {self.path_of(code)}") as op:
            for key, value in values.items():
                setattr(code, key, value)
            op.update("codes", to_dict(code))
        return code

    def _check_name(self, name: str, parent_id: str | None, self_id: str | None) -> None:
        if not name.strip() or SEP in name:
            raise QualtuiError(f"invalid code name '{name}': it must be non-empty without '/'")
        for row in self.repo.all("codes"):
            if row.get("parent_id") == parent_id and row["name"] == name and row["id"] != self_id:
                raise Conflict(f"a code named '{name}' already exists there")

    def rename(self, code_id: str, name: str) -> Code:
        old = self.path_of(code_id)
        code = self.get(code_id)
        self._check_name(name, code.parent_id, code.id)
        with self.log.operation("code.rename", f"renamed code {old} to {name}") as op:
            code.name = name
            op.update("codes", to_dict(code))
        return code

    def move(self, code_id: str, parent_id: str | None, position: int | None = None) -> Code:
        """Reparent and/or reorder ``code_id`` (position among its new siblings)."""
        code = self.get(code_id)
        if parent_id == code_id or (parent_id and parent_id in self.descendants(code_id)):
            raise QualtuiError("cannot move a code under itself")
        self._check_name(code.name, parent_id, code.id)
        old = self.path_of(code)
        with self.log.operation("code.move", f"moved code {old}") as op:
            siblings = [c for c in self.children(parent_id) if c.id != code_id]
            index = len(siblings) if position is None else max(0, min(position, len(siblings)))
            siblings.insert(index, code)
            code.parent_id = parent_id
            for pos, sibling in enumerate(siblings):
                if sibling.id == code_id:
                    sibling.parent_id = parent_id
                sibling.position = pos
                op.update("codes", to_dict(sibling))
        return self.get(code_id)

    def merge(self, source_id: str, target_id: str) -> int:
        """Move segments, memos and children of ``source`` to ``target``; delete ``source``."""
        if source_id == target_id:
            raise QualtuiError("cannot merge a code into itself")
        if target_id in self.descendants(source_id):
            raise QualtuiError("cannot merge a code into one of its own sub-codes")
        source, target = self.get(source_id), self.get(target_id)
        summary = f"merged code {self.path_of(source)} into {self.path_of(target)}"
        moved = 0
        with self.log.operation("code.merge", summary) as op:
            existing = {(r["document_id"], r["start"], r["end"], r["coder"])
                        for r in self.repo.all("segments") if r["code_id"] == target_id}
            for row in list(self.repo.all("segments")):
                if row["code_id"] != source_id:
                    continue
                key = (row["document_id"], row["start"], row["end"], row["coder"])
                if key in existing:
                    op.delete("segments", row["id"])  # an exact duplicate after the merge
                else:
                    op.update("segments", dict(row) | {"code_id": target_id})
                    existing.add(key)
                moved += 1
            for row in list(self.repo.all("memos")):
                if row.get("target_id") == source_id:
                    op.update("memos", dict(row) | {"target_id": target_id})
            position = self._next_position(target_id)
            for row in list(self.repo.all("codes")):
                if row.get("parent_id") == source_id:
                    op.update("codes", dict(row) | {"parent_id": target_id,
                                                    "position": position})
                    position += 1
            op.delete("codes", source_id)
        return moved

    def delete_impact(self, code_id: str) -> tuple[int, int]:
        """(codes, segments) that deleting ``code_id`` removes (sub-codes included)."""
        ids = {code_id, *self.descendants(code_id)}
        segments = sum(1 for r in self.repo.all("segments") if r["code_id"] in ids)
        return len(ids), segments

    def delete(self, code_id: str) -> tuple[int, int]:
        """Delete a code, its sub-codes and their segments and memos (undo restores them)."""
        ids = {code_id, *self.descendants(code_id)}
        path = self.path_of(code_id)
        with self.log.operation("code.delete", f"deleted code {path}") as op:
            segment_ids = {r["id"] for r in self.repo.all("segments") if r["code_id"] in ids}
            for segment_id in segment_ids:
                op.delete("segments", segment_id)
            for row in list(self.repo.all("memos")):
                if row.get("target_id") in ids | segment_ids:
                    op.delete("memos", row["id"])
            for cid in [*self.descendants(code_id)[::-1], code_id]:
                op.delete("codes", cid)
        return len(ids), len(segment_ids)

    # -- bulk import (codebook files) -----------------------------------------------------------
    def import_specs(self, specs: list[CodeSpec]) -> tuple[list[str], list[str]]:
        """Merge codes by path: add missing ones, update changed fields. (added, changed)."""
        added: list[str] = []
        changed: list[str] = []
        field_names = {f.name for f in fields(Code)} & EDITABLE
        with self.log.operation("codebook.import", "imported codebook") as op:
            for spec in specs:
                parts = split_path(spec.path)
                parent: str | None = None
                for depth, name in enumerate(parts):
                    rows = [r for r in self.repo.all("codes")
                            if r.get("parent_id") == parent and r["name"] == name]
                    is_leaf = depth == len(parts) - 1
                    values = {k: v for k, v in spec.fields.items() if k in field_names}
                    if rows:
                        row = dict(rows[0])
                        if is_leaf:
                            new = row | values
                            if new != row:
                                op.update("codes", new)
                                changed.append(SEP.join(parts))
                        parent = row["id"]
                    else:
                        code = Code(id=new_id(), name=name, parent_id=parent,
                                    position=self._next_position(parent),
                                    color=self._next_color(), created_at=now_iso(),
                                    created_by=op.coder)
                        if is_leaf:
                            for key, value in values.items():
                                setattr(code, key, value)
                        op.insert("codes", to_dict(code))
                        added.append(SEP.join(parts[: depth + 1]))
                        parent = code.id
        return added, changed

    def export_specs(self) -> list[CodeSpec]:
        return [CodeSpec(self.path_of(c), {k: getattr(c, k) for k in sorted(EDITABLE)})
                for c in self.all()]


__all__ = ["CodebookService", "CodeSpec", "Memo", "Segment", "split_path", "SEP"]
