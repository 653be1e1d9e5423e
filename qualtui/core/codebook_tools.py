"""Codebook tools beyond :class:`~qualtui.core.codebook.CodebookService`: counts per code,
impact of merge and delete, split, reordering helpers, shortcuts and the colour palette.

Every change is one operation of the project's log (one undo), built with
``project.log.operation(...)`` or by calling one ``CodebookService`` method.

The palette
-----------
:data:`PALETTE` starts with the Okabe–Ito colours (distinguishable with every common form of
colour blindness) and continues with Paul Tol's; a few values are nudged so that the first
twelve map to twelve *different* usable ANSI colours at 16 colours, and all of them to
different entries at 256 colours. Each colour has a name, shown next to its swatch, so colour
is never the only cue.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from qualtui.core.codebook import SEP, split_path
from qualtui.core.codetree import children_index, descendants
from qualtui.core.colors import PALETTE, Swatch
from qualtui.core.errors import Conflict, NotFound, QualtuiError
from qualtui.core.models import Code, from_dict, new_id, now_iso, to_dict

if TYPE_CHECKING:
    from qualtui.core.project import Project

__all__ = [
    "CodeCounts",
    "DeleteImpact",
    "MergeImpact",
    "PALETTE",
    "SHORTCUT_KEYS",
    "SplitResult",
    "Swatch",
    "code_counts",
    "delete_impact",
    "edit_code",
    "indent",
    "merge_impact",
    "normalize_color",
    "outdent",
    "recolor",
    "reorder",
    "resolve_code",
    "set_shortcut",
    "split_code",
]


SHORTCUT_KEYS = "123456789"
"""Keys a code's shortcut may take: the coding screen codes with digits 1-9."""

_HEX6 = re.compile(r"^#?([0-9a-fA-F]{6})$")
_HEX3 = re.compile(r"^#?([0-9a-fA-F]{3})$")


def normalize_color(text: str) -> str:
    """``#RRGGBB`` (upper case) from ``#rrggbb``, ``rrggbb``, ``#rgb`` or a palette name."""
    value = text.strip()
    for swatch in PALETTE:
        if value.casefold() == swatch.name.casefold():
            return swatch.hex
    if m := _HEX6.match(value):
        return "#" + m.group(1).upper()
    if m := _HEX3.match(value):
        return "#" + "".join(ch * 2 for ch in m.group(1)).upper()
    names = ", ".join(s.name for s in PALETTE[:6])
    raise QualtuiError(f"bad colour '{text}': use #RRGGBB (e.g. #E69F00) or a palette name"
                       f" ({names}, ...)")


def resolve_code(project: Project, ref: str) -> Code:
    """A code by path (exact, then case-insensitive) or by a unique tail of its path
    (``Security`` for ``Risks and barriers/Security``)."""
    code = project.codebook.find(ref)
    if code is not None:
        return code
    tail = SEP + SEP.join(split_path(ref)).casefold()
    matches = [(path, c) for path, c in project.codebook.paths().items()
               if path.casefold().endswith(tail)]
    if len(matches) == 1:
        return matches[0][1]
    if matches:
        raise QualtuiError(f"code '{ref}' is ambiguous: "
                           + ", ".join(sorted(p for p, _ in matches)))
    raise NotFound(f"no code '{ref}' in the codebook")


# --------------------------------------------------------------------------- counts


@dataclass
class CodeCounts:
    """How much a code is used. ``segments``..``coders`` count the code itself; the
    ``total_*`` fields count it with all its sub-codes (what a category stands for)."""

    segments: int = 0
    documents: int = 0
    cases: int = 0
    coders: int = 0
    memos: int = 0
    total_segments: int = 0
    total_documents: int = 0
    total_cases: int = 0
    total_coders: int = 0
    coder_names: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {"segments": self.segments, "documents": self.documents, "cases": self.cases,
                "coders": self.coders, "memos": self.memos,
                "total_segments": self.total_segments,
                "total_documents": self.total_documents, "total_cases": self.total_cases,
                "total_coders": self.total_coders, "coder_names": self.coder_names}


def code_counts(project: Project) -> dict[str, CodeCounts]:
    """Counts for every code id: segments, documents, cases (respondents), coders, memos.

    A document without a case counts as its own case.
    """
    repo = project.repo
    codes = [r for r in repo.all("codes")]
    docs = {r["id"]: r for r in repo.all("documents")}

    def case_of(document_id: str) -> str:
        row = docs.get(document_id)
        if row is None:
            return "?" + document_id
        return row.get("case_id") or "doc:" + document_id

    per_code: dict[str, list[tuple[str, str, str]]] = {}
    for seg in repo.all("segments"):
        per_code.setdefault(seg["code_id"], []).append(
            (seg["document_id"], case_of(seg["document_id"]), seg["coder"]))
    memos = Counter(r.get("target_id") for r in repo.all("memos") if r.get("kind") == "code")
    children = children_index((row["id"], row.get("parent_id")) for row in codes)

    def subtree(code_id: str) -> list[str]:
        return [code_id, *descendants(children, code_id)]

    result: dict[str, CodeCounts] = {}
    for row in codes:
        own = per_code.get(row["id"], [])
        every = [item for cid in subtree(row["id"]) for item in per_code.get(cid, [])]
        result[row["id"]] = CodeCounts(
            segments=len(own), documents=len({d for d, _, _ in own}),
            cases=len({c for _, c, _ in own}), coders=len({k for _, _, k in own}),
            memos=memos.get(row["id"], 0), total_segments=len(every),
            total_documents=len({d for d, _, _ in every}),
            total_cases=len({c for _, c, _ in every}),
            total_coders=len({k for _, _, k in every}),
            coder_names=sorted({k for _, _, k in every}))
    return result


# --------------------------------------------------------------------------- impact


@dataclass(frozen=True)
class MergeImpact:
    """What merging ``source`` into ``target`` does: segments moved (``duplicates`` of them
    are dropped because the target already has the same range by the same coder), code
    memos moved, sub-codes moved."""

    source: str
    target: str
    segments: int
    duplicates: int
    memos: int
    children: int

    def describe(self) -> str:
        parts = [f"{self.segments} segment{'s' if self.segments != 1 else ''}"]
        if self.duplicates:
            parts[0] += f" ({self.duplicates} already at the target, dropped)"
        if self.memos:
            parts.append(f"{self.memos} memo{'s' if self.memos != 1 else ''}")
        if self.children:
            parts.append(f"{self.children} sub-code{'s' if self.children != 1 else ''}")
        return (f"Merge {self.source} into {self.target}: "
                + ", ".join(parts) + f" move to {self.target}; {self.source} is removed.")


def merge_impact(project: Project, source_id: str, target_id: str) -> MergeImpact:
    book = project.codebook
    if source_id == target_id:
        raise QualtuiError("cannot merge a code into itself")
    if target_id in book.descendants(source_id):
        raise QualtuiError("cannot merge a code into one of its own sub-codes")
    book.get(source_id)
    book.get(target_id)
    segments = project.repo.all("segments")
    existing = {(r["document_id"], r["start"], r["end"], r["coder"])
                for r in segments if r["code_id"] == target_id}
    moved = [r for r in segments if r["code_id"] == source_id]
    duplicates = sum(1 for r in moved
                     if (r["document_id"], r["start"], r["end"], r["coder"]) in existing)
    memos = sum(1 for r in project.repo.all("memos") if r.get("target_id") == source_id)
    children = sum(1 for r in project.repo.all("codes") if r.get("parent_id") == source_id)
    return MergeImpact(book.path_of(source_id), book.path_of(target_id), len(moved),
                       duplicates, memos, children)


@dataclass(frozen=True)
class DeleteImpact:
    """What deleting a code removes: codes (itself and sub-codes), segments, memos."""

    path: str
    codes: int
    segments: int
    memos: int

    def describe(self) -> str:
        subs = self.codes - 1
        parts = [f"{self.segments} segment{'s' if self.segments != 1 else ''}"]
        if subs:
            parts.insert(0, f"{subs} sub-code{'s' if subs != 1 else ''}")
        if self.memos:
            parts.append(f"{self.memos} memo{'s' if self.memos != 1 else ''}")
        return f"Delete {self.path} with " + ", ".join(parts) + "? Undo (u) brings them back."


def delete_impact(project: Project, code_id: str) -> DeleteImpact:
    book = project.codebook
    ids = {code_id, *book.descendants(code_id)}
    path = book.path_of(book.get(code_id))
    segment_ids = {r["id"] for r in project.repo.all("segments") if r["code_id"] in ids}
    memos = sum(1 for r in project.repo.all("memos")
                if r.get("target_id") in ids | segment_ids)
    return DeleteImpact(path, len(ids), len(segment_ids), memos)


# --------------------------------------------------------------------------- split


@dataclass(frozen=True)
class SplitResult:
    """The code the chosen segments went to, whether it was created, how many moved and
    how many were dropped as exact duplicates of segments already there."""

    code: Code
    path: str
    created: bool
    moved: int
    duplicates: int


def _palette_color(rows: list[dict[str, object]]) -> str:
    used = Counter(str(r.get("color", "")).upper() for r in rows)
    return min(PALETTE, key=lambda s: (used[s.hex], PALETTE.index(s))).hex


def split_code(project: Project, code_id: str, segment_ids: list[str],
               new_path: str) -> SplitResult:
    """Move the chosen segments of ``code_id`` into the code ``new_path`` (one operation).

    A bare name makes a sibling of the source; a path with ``/`` (``/Name`` for the top
    level) is taken from the top. The
    code (and missing parents) is created when it does not exist; an existing code must be
    codable. Segment memos stay with their segments.
    """
    book = project.codebook
    source = book.get(code_id)
    if not segment_ids:
        raise QualtuiError("choose at least one segment to split off")
    wanted = set(segment_ids)
    rows = {r["id"]: r for r in project.repo.all("segments") if r["id"] in wanted}
    missing = wanted - set(rows)
    if missing:
        raise NotFound(f"no segment(s) {', '.join(sorted(i[:8] for i in missing))}")
    foreign = [r for r in rows.values() if r["code_id"] != code_id]
    if foreign:
        raise QualtuiError(f"{len(foreign)} of the chosen segments are not coded"
                           f" {book.path_of(source)}")
    wanted_path = new_path.strip()
    if SEP in wanted_path:  # "Parent/Name", or "/Name" for the top level
        parts = split_path(wanted_path)
    else:
        parent = book.path_of(source.parent_id) if source.parent_id else ""
        parts = split_path(f"{parent}{SEP}{wanted_path}" if parent else wanted_path)
    path = SEP.join(parts)
    if path == book.path_of(source):
        raise QualtuiError("split into a different code than the one split")
    noun = "segment" if len(rows) == 1 else "segments"
    summary = f"split {len(rows)} {noun} of {book.path_of(source)} into {path}"
    created = False
    with project.log.operation("code.split", summary) as op:
        all_codes = [dict(r) for r in project.repo.all("codes")]
        parent_id: str | None = None
        target: dict[str, object] | None = None
        for depth, name in enumerate(parts):
            match = [r for r in all_codes if r.get("parent_id") == parent_id
                     and r["name"] == name]
            if match:
                target = match[0]
            else:
                position = max((int(r.get("position", 0)) for r in all_codes
                                if r.get("parent_id") == parent_id), default=-1) + 1
                code = Code(id=new_id(), name=name, parent_id=parent_id, position=position,
                            color=_palette_color(all_codes), origin="emergent",
                            created_at=now_iso(), created_by=op.coder)
                if depth == len(parts) - 1 and parent_id == source.parent_id:
                    code.definition = f"Split from {source.name}."
                target = to_dict(code)
                op.insert("codes", target)
                all_codes.append(target)
                created = depth == len(parts) - 1 or created
            parent_id = str(target["id"])
        assert target is not None
        if not target.get("codable", True):
            raise QualtuiError(f"'{path}' is a category only and cannot hold segments")
        target_id = str(target["id"])
        existing = {(r["document_id"], r["start"], r["end"], r["coder"])
                    for r in project.repo.all("segments") if r["code_id"] == target_id}
        moved = duplicates = 0
        for row in rows.values():
            key = (row["document_id"], row["start"], row["end"], row["coder"])
            if key in existing:
                for memo in list(project.repo.all("memos")):
                    if memo.get("target_id") == row["id"]:
                        op.delete("memos", memo["id"])
                op.delete("segments", row["id"])
                duplicates += 1
            else:
                op.update("segments", dict(row) | {"code_id": target_id})
                existing.add(key)
                moved += 1
    return SplitResult(from_dict(Code, project.repo.get("codes", target_id) or target),
                       path, created, moved, duplicates)


# --------------------------------------------------------------------------- tree edits


def reorder(project: Project, code_id: str, delta: int) -> Code | None:
    """Move a code ``delta`` places among its siblings; None when it is already at the end."""
    code = project.codebook.get(code_id)
    siblings = [c.id for c in project.codebook.children(code.parent_id)]
    index = siblings.index(code_id)
    new = index + delta
    if not 0 <= new < len(siblings):
        return None
    return project.codebook.move(code_id, code.parent_id, new)


def indent(project: Project, code_id: str) -> Code | None:
    """Make a code the last child of its previous sibling; None when it has none."""
    code = project.codebook.get(code_id)
    siblings = [c.id for c in project.codebook.children(code.parent_id)]
    index = siblings.index(code_id)
    if index == 0:
        return None
    return project.codebook.move(code_id, siblings[index - 1], None)


def outdent(project: Project, code_id: str) -> Code | None:
    """Move a code up one level, right after its former parent; None at the top level."""
    code = project.codebook.get(code_id)
    if code.parent_id is None:
        return None
    parent = project.codebook.get(code.parent_id)
    uncles = [c.id for c in project.codebook.children(parent.parent_id)]
    return project.codebook.move(code_id, parent.parent_id, uncles.index(parent.id) + 1)


def _check_shortcut(project: Project, code: Code, key: str, codable: bool) -> None:
    if key and (len(key) != 1 or key not in SHORTCUT_KEYS):
        raise QualtuiError(f"bad shortcut '{key}': use one digit 1-9 (empty clears it)")
    if key and not codable:
        raise QualtuiError(f"{project.codebook.path_of(code)} is a category only; it cannot"
                           " have a coding shortcut")
    if key:
        for other in project.codebook.all():
            if other.id != code.id and other.shortcut == key:
                raise Conflict(f"key {key} is already the shortcut of"
                               f" {project.codebook.path_of(other)}")


def edit_code(project: Project, code_id: str, **values: object) -> Code:
    """Change a code's fields as one operation, after checking them: ``color`` is
    normalised (:func:`normalize_color`), ``shortcut`` must be a free digit 1-9, a code made
    category-only loses its shortcut. Unchanged values are ignored; returns the code."""
    code = project.codebook.get(code_id)
    changes = {k: v for k, v in values.items() if getattr(code, k, object()) != v}
    if "color" in changes:
        changes["color"] = normalize_color(str(changes["color"]))
        if changes["color"] == code.color:
            del changes["color"]
    codable = bool(changes.get("codable", code.codable))
    if "shortcut" in changes:
        changes["shortcut"] = str(changes["shortcut"]).strip()
        _check_shortcut(project, code, str(changes["shortcut"]), codable)
    if not codable and code.shortcut and "shortcut" not in changes:
        changes["shortcut"] = ""
    if not changes:
        return code
    return project.codebook.update(code_id, **changes)


def set_shortcut(project: Project, code_id: str, key: str) -> Code:
    """Give a code the shortcut ``key`` (1-9; empty clears it). Refuses a key that another
    code already has, and category-only codes (they cannot be applied)."""
    return edit_code(project, code_id, shortcut=key.strip())


def recolor(project: Project, only_codable: bool = False) -> int:
    """Give codes the palette's colours in codebook order (one operation); returns how many
    changed. With ``only_codable`` categories keep their colour."""
    codes = [c for c in project.codebook.all() if c.codable or not only_codable]
    changed = 0
    with project.log.operation("code.edit", "recoloured the codebook with the palette") as op:
        for i, code in enumerate(codes):
            color = PALETTE[i % len(PALETTE)].hex
            if code.color.upper() != color:
                row = project.repo.get("codes", code.id)
                assert row is not None
                op.update("codes", dict(row) | {"color": color})
                changed += 1
    return changed
