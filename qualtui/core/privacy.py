"""Pseudonymisation: a mapping of real names to pseudonyms, and redaction ranges.

Both live in the project store (tables ``pseudonyms`` and ``redactions``, every change
through the operation log, so it is audited and undoable) and are applied only when
something is *exported* with ``--pseudonymize``: the stored texts never change.

* A pseudonym entry maps a real name (a person, a place, or anything else) to a pseudonym.
  Matching is case-insensitive and on whole words (``Aminah`` matches in ``Aminah's`` but not
  in ``Aminahs``); longer names win over shorter ones (``Kuala Lumpur`` before ``Kuala``),
  and the text is rewritten in one pass, so a pseudonym is never itself replaced.
* A redaction is a range ``[start, end)`` of one document's normalised text (code points)
  that is replaced by ``[REDACTED]``. Names inside a redaction are not looked at.

Rewriting changes lengths, so :class:`Rewrite` maps every offset of the stored text to the
rewritten one: exporters move segment boundaries with it (a boundary inside a replaced name
moves outward to cover the whole pseudonym).

No Textual here: the CLI, the TUI screen and every exporter share this module.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import yaml

from qualtui.core.errors import NotFound, QualtuiError
from qualtui.core.models import new_id, now_iso
from qualtui.core.oplog import OperationLog
from qualtui.core.repository import Repository

__all__ = [
    "KINDS",
    "REDACTED",
    "PrivacyService",
    "Pseudonym",
    "Pseudonymiser",
    "Redaction",
    "Rewrite",
    "dump_yaml",
    "parse_yaml",
]

PSEUDONYMS = "pseudonyms"
REDACTIONS = "redactions"
KINDS = ("person", "place", "other")
REDACTED = "[REDACTED]"
_YAML_SECTIONS = {"people": "person", "places": "place", "other": "other"}


@dataclass
class Pseudonym:
    id: str
    real: str
    pseudonym: str
    kind: str = "person"
    created_at: str = ""
    created_by: str = ""


@dataclass
class Redaction:
    id: str
    document_id: str
    start: int
    end: int
    reason: str = ""
    created_at: str = ""
    created_by: str = ""


def _pseudonym(row: dict[str, Any]) -> Pseudonym:
    return Pseudonym(id=row["id"], real=row["real"], pseudonym=row["pseudonym"],
                     kind=row.get("kind", "person"), created_at=row.get("created_at", ""),
                     created_by=row.get("created_by", ""))


def _redaction(row: dict[str, Any]) -> Redaction:
    return Redaction(id=row["id"], document_id=row["document_id"], start=int(row["start"]),
                     end=int(row["end"]), reason=row.get("reason", ""),
                     created_at=row.get("created_at", ""), created_by=row.get("created_by", ""))


# --------------------------------------------------------------------------- rewriting
@dataclass
class Rewrite:
    """A rewritten text and the map from offsets in the original to offsets in it.

    ``spans`` are the replaced ranges, sorted and disjoint:
    ``(old_start, old_end, new_start, new_end)``.
    """

    text: str
    spans: list[tuple[int, int, int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._starts = [s[0] for s in self.spans]

    def position(self, offset: int, *, end: bool = False) -> int:
        """Where ``offset`` of the original text lands in :attr:`text`.

        An offset strictly inside a replaced range moves to the replacement's start (or its
        end when ``end`` is true, for the exclusive end of a range), so a range that cuts a
        replaced name grows to cover the whole replacement.
        """
        index = bisect.bisect_right(self._starts, offset) - 1
        if index < 0:
            return offset
        old_start, old_end, new_start, new_end = self.spans[index]
        if offset >= old_end:
            return offset + (new_end - old_end)
        if offset == old_start:
            return new_start
        return new_end if end else new_start

    def range(self, start: int, end: int) -> tuple[int, int]:
        """The rewritten ``[start, end)``."""
        return self.position(start), self.position(end, end=True)


def _merge(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


class Pseudonymiser:
    """Applies a mapping and redactions to texts; ``enabled`` False makes it the identity."""

    def __init__(self, entries: Iterable[Pseudonym] = (),
                 redactions: Iterable[Redaction] = (), enabled: bool = True) -> None:
        self.enabled = enabled
        entries = [e for e in entries if e.real.strip() and e.pseudonym]
        self._lookup = {e.real.strip().lower(): e.pseudonym for e in entries}
        self._entries = entries
        reals = sorted({e.real.strip() for e in entries}, key=lambda r: (-len(r), r))
        self._pattern = (re.compile(r"(?<!\w)(?:" + "|".join(re.escape(r) for r in reals)
                                    + r")(?!\w)", re.IGNORECASE) if reals else None)
        by_doc: dict[str, list[tuple[int, int]]] = {}
        for red in redactions:
            if red.start < red.end:
                by_doc.setdefault(red.document_id, []).append((red.start, red.end))
        self._redactions = {doc: _merge(ranges) for doc, ranges in by_doc.items()}

    @classmethod
    def identity(cls) -> Pseudonymiser:
        return cls(enabled=False)

    def _replacement(self, found: str) -> str:
        hit = self._lookup.get(found.lower())
        if hit is not None:
            return hit
        for entry in self._entries:  # case folding that lower() does not cover (ß, ...)
            if re.fullmatch(re.escape(entry.real.strip()), found, re.IGNORECASE):
                return entry.pseudonym
        return found

    def _names(self, text: str, lo: int, hi: int) -> Iterable[tuple[int, int, str]]:
        if self._pattern is None:
            return
        for match in self._pattern.finditer(text, lo, hi):
            yield match.start(), match.end(), self._replacement(match.group(0))

    def text(self, value: str) -> str:
        """``value`` with names replaced (for names, memos, descriptions, attribute values)."""
        if not self.enabled or not value or self._pattern is None:
            return value
        return self._pattern.sub(lambda m: self._replacement(m.group(0)), value)

    def has_redactions(self, document_id: str) -> bool:
        return bool(self._redactions.get(document_id))

    def document(self, document_id: str, text: str) -> Rewrite:
        """A document's text with its redactions and the names outside them replaced."""
        if not self.enabled:
            return Rewrite(text)
        replacements: list[tuple[int, int, str]] = []
        cursor = 0
        for start, end in self._redactions.get(document_id, []):
            start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
            if start >= end:
                continue
            replacements.extend(self._names(text, cursor, start))
            replacements.append((start, end, REDACTED))
            cursor = end
        replacements.extend(self._names(text, cursor, len(text)))
        if not replacements:
            return Rewrite(text)
        parts: list[str] = []
        spans: list[tuple[int, int, int, int]] = []
        position = new_position = 0
        for start, end, value in replacements:
            parts.append(text[position:start])
            new_position += start - position
            parts.append(value)
            spans.append((start, end, new_position, new_position + len(value)))
            new_position += len(value)
            position = end
        parts.append(text[position:])
        return Rewrite("".join(parts), spans)


# --------------------------------------------------------------------------- YAML
def dump_yaml(entries: list[Pseudonym], redactions: list[Redaction],
              document_names: dict[str, str]) -> str:
    """The mapping and redactions as YAML for hand editing (see :func:`parse_yaml`)."""
    data: dict[str, Any] = {}
    for section, kind in _YAML_SECTIONS.items():
        data[section] = {e.real: e.pseudonym for e in sorted(
            (e for e in entries if e.kind == kind), key=lambda e: e.real.lower())}
    data["redactions"] = [
        {"document": document_names.get(r.document_id, r.document_id), "start": r.start,
         "end": r.end, **({"reason": r.reason} if r.reason else {})}
        for r in sorted(redactions, key=lambda r: (document_names.get(r.document_id, ""),
                                                   r.start, r.end))]
    header = ("# qualtui pseudonyms: real name -> pseudonym (people, places, other), and\n"
              "# ranges of documents replaced by [REDACTED] when exporting with --pseudonymize.\n"
              "# Offsets are code points of the stored text, end exclusive. This file holds\n"
              "# real names: keep it private.\n")
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=88)


@dataclass
class PrivacyPlan:
    """A parsed YAML file: entries (real, pseudonym, kind) and redactions by document id."""

    entries: list[tuple[str, str, str]]
    redactions: list[tuple[str, int, int, str]]


def parse_yaml(text: str, name: str, documents: dict[str, tuple[str, int]]) -> PrivacyPlan:
    """Parse and validate a pseudonyms YAML file.

    ``documents`` maps document names to ``(id, length)``. Raises QualtuiError with one line
    naming the file and the problem.
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise QualtuiError(f"{name}{line}: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise QualtuiError(f"{name}: expected a mapping with people, places, other and"
                           " redactions")
    unknown = set(data) - set(_YAML_SECTIONS) - {"redactions"}
    if unknown:
        raise QualtuiError(f"{name}: unknown section(s) {', '.join(sorted(map(str, unknown)))}"
                           " (known: people, places, other, redactions)")
    entries: list[tuple[str, str, str]] = []
    seen: dict[str, str] = {}
    for section, kind in _YAML_SECTIONS.items():
        mapping = data.get(section) or {}
        if not isinstance(mapping, dict):
            raise QualtuiError(f"{name}: {section}: expected 'real name: pseudonym' lines")
        for real, pseudonym in mapping.items():
            scalar = (str, int, float)
            real_text = str(real).strip() if isinstance(real, scalar) else ""
            pseudo_text = str(pseudonym).strip() if isinstance(pseudonym, scalar) else ""
            if not real_text or not pseudo_text:
                raise QualtuiError(f"{name}: {section}: '{real_text or real}' needs a real name"
                                   " and a pseudonym")
            key = real_text.lower()
            if key in seen:
                raise QualtuiError(f"{name}: '{real_text}' appears twice ({seen[key]} and"
                                   f" {section})")
            seen[key] = section
            entries.append((real_text, pseudo_text, kind))
    redactions: list[tuple[str, int, int, str]] = []
    raw = data.get("redactions") or []
    if not isinstance(raw, list):
        raise QualtuiError(f"{name}: redactions: expected a list of"
                           " '- {document: NAME, start: N, end: N}'")
    for index, item in enumerate(raw, start=1):
        where = f"{name}: redactions item {index}"
        if not isinstance(item, dict):
            raise QualtuiError(f"{where}: expected document, start and end")
        doc_name = str(item.get("document", "")).strip()
        if doc_name not in documents:
            raise QualtuiError(f"{where}: unknown document '{doc_name}'")
        doc_id, length = documents[doc_name]
        try:
            start, end = int(item["start"]), int(item["end"])
        except (KeyError, TypeError, ValueError):
            raise QualtuiError(f"{where}: start and end must be whole numbers") from None
        if not 0 <= start < end <= length:
            raise QualtuiError(f"{where}: range {start}-{end} is outside '{doc_name}'"
                               f" (0-{length}; start < end, end exclusive)")
        redactions.append((doc_id, start, end, str(item.get("reason", "") or "")))
    return PrivacyPlan(entries, redactions)


# --------------------------------------------------------------------------- service
class PrivacyService:
    """The project's pseudonym mapping and redactions (stored, logged, undoable)."""

    def __init__(self, repo: Repository, log: OperationLog) -> None:
        self.repo = repo
        self.log = log

    # -- reading -------------------------------------------------------------------------
    def pseudonyms(self) -> list[Pseudonym]:
        rows = [_pseudonym(r) for r in self.repo.all(PSEUDONYMS)]
        rows.sort(key=lambda p: (KINDS.index(p.kind) if p.kind in KINDS else len(KINDS),
                                 p.real.lower()))
        return rows

    def redactions(self, document_id: str | None = None) -> list[Redaction]:
        rows = [_redaction(r) for r in self.repo.all(REDACTIONS)
                if document_id is None or r.get("document_id") == document_id]
        rows.sort(key=lambda r: (r.document_id, r.start, r.end))
        return rows

    def pseudonymiser(self, enabled: bool = True) -> Pseudonymiser:
        """The rewriter for exports (the identity when ``enabled`` is false)."""
        if not enabled:
            return Pseudonymiser.identity()
        return Pseudonymiser(self.pseudonyms(), self.redactions())

    def _find(self, real: str) -> dict[str, Any] | None:
        key = real.strip().lower()
        for row in self.repo.all(PSEUDONYMS):
            if row["real"].strip().lower() == key:
                return row
        return None

    # -- editing ---------------------------------------------------------------------------
    def set(self, real: str, pseudonym: str, kind: str = "person") -> Pseudonym:
        """Add or change the pseudonym of ``real`` (matched case-insensitively)."""
        real, pseudonym = real.strip(), pseudonym.strip()
        if not real or not pseudonym:
            raise QualtuiError("a pseudonym needs a real name and a pseudonym")
        if kind not in KINDS:
            raise QualtuiError(f"unknown kind '{kind}' (kinds: {', '.join(KINDS)})")
        existing = self._find(real)
        with self.log.operation("pseudonym.set", f"set pseudonym {pseudonym} ({kind})") as op:
            if existing is None:
                record = Pseudonym(id=new_id(), real=real, pseudonym=pseudonym, kind=kind,
                                   created_at=now_iso(), created_by=op.coder)
                op.insert(PSEUDONYMS, record.__dict__.copy())
            else:
                record = _pseudonym(dict(existing) | {"real": real, "pseudonym": pseudonym,
                                                      "kind": kind})
                op.update(PSEUDONYMS, record.__dict__.copy())
        return record

    def remove(self, real: str) -> Pseudonym:
        row = self._find(real)
        if row is None:
            raise NotFound(f"no pseudonym for '{real}' (see 'qualtui pseudonyms list')")
        with self.log.operation("pseudonym.remove", f"removed pseudonym {row['pseudonym']}") as op:
            op.delete(PSEUDONYMS, row["id"])
        return _pseudonym(row)

    def redact(self, document_id: str, start: int, end: int, reason: str = "") -> Redaction:
        doc = self.repo.get("documents", document_id)
        if doc is None:
            raise NotFound(f"no document with id {document_id}")
        length = int(doc.get("chars", 0))
        if not 0 <= start < end <= length:
            raise QualtuiError(f"range {start}-{end} is outside document '{doc['name']}'"
                               f" (0-{length}; start < end, end exclusive)")
        record = Redaction(id=new_id(), document_id=document_id, start=start, end=end,
                           reason=reason.strip(), created_at=now_iso(),
                           created_by=self.log.coder)
        with self.log.operation("redaction.add",
                                f"redacted {doc['name']} {start}-{end}") as op:
            op.insert(REDACTIONS, record.__dict__.copy())
        return record

    def unredact(self, redaction_id: str) -> Redaction:
        row = self.repo.get(REDACTIONS, redaction_id)
        if row is None:
            matches = [r for r in self.repo.all(REDACTIONS) if r["id"].startswith(redaction_id)]
            if len(matches) != 1 or len(redaction_id) < 6:
                raise NotFound(f"no redaction with id {redaction_id}")
            row = matches[0]
        with self.log.operation("redaction.remove",
                                f"removed redaction {row['start']}-{row['end']}") as op:
            op.delete(REDACTIONS, row["id"])
        return _redaction(row)

    def replace_all(self, plan: PrivacyPlan) -> tuple[int, int, int]:
        """Make the stored mapping and redactions equal to ``plan`` (one operation).

        Returns (added, changed, removed) over both tables.
        """
        added = changed = removed = 0
        with self.log.operation("pseudonyms.import", "imported pseudonyms") as op:
            current = {r["real"].strip().lower(): dict(r) for r in self.repo.all(PSEUDONYMS)}
            wanted = set()
            for real, pseudonym, kind in plan.entries:
                key = real.lower()
                wanted.add(key)
                row = current.get(key)
                if row is None:
                    op.insert(PSEUDONYMS, Pseudonym(
                        id=new_id(), real=real, pseudonym=pseudonym, kind=kind,
                        created_at=now_iso(), created_by=op.coder).__dict__.copy())
                    added += 1
                else:
                    new = row | {"real": real, "pseudonym": pseudonym, "kind": kind}
                    if new != row:
                        op.update(PSEUDONYMS, new)
                        changed += 1
            for key, row in current.items():
                if key not in wanted:
                    op.delete(PSEUDONYMS, row["id"])
                    removed += 1
            existing = {(r["document_id"], int(r["start"]), int(r["end"])): dict(r)
                        for r in self.repo.all(REDACTIONS)}
            keep = set()
            for doc_id, start, end, reason in plan.redactions:
                key3 = (doc_id, start, end)
                keep.add(key3)
                row = existing.get(key3)
                if row is None:
                    op.insert(REDACTIONS, Redaction(
                        id=new_id(), document_id=doc_id, start=start, end=end, reason=reason,
                        created_at=now_iso(), created_by=op.coder).__dict__.copy())
                    added += 1
                elif row.get("reason", "") != reason:
                    op.update(REDACTIONS, row | {"reason": reason})
                    changed += 1
            for key3, row in existing.items():
                if key3 not in keep:
                    op.delete(REDACTIONS, row["id"])
                    removed += 1
        return added, changed, removed

    # -- YAML ----------------------------------------------------------------------------------
    def _documents(self) -> dict[str, tuple[str, int]]:
        return {r["name"]: (r["id"], int(r.get("chars", 0))) for r in self.repo.all("documents")}

    def export_yaml(self) -> str:
        names = {r["id"]: r["name"] for r in self.repo.all("documents")}
        return dump_yaml(self.pseudonyms(), self.redactions(), names)

    def import_yaml(self, text: str, name: str) -> tuple[int, int, int]:
        """Replace the mapping and redactions by a YAML file's (validated first)."""
        return self.replace_all(parse_yaml(text, name, self._documents()))
