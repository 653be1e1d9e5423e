"""Merge an offline copy of a project back: union by UUID, three-way where the logs allow.

A fieldworker copies the project directory, codes on a laptop and merges the copy back with
``qualtui merge COPY``. Documents, codes, segments, memos, cases, attributes (and any other
table of records with an ``id``) and the operation log are united by UUID.

How each record is decided
    Both operation logs tell which changes each side has seen: an entry id known to both
    sides is shared history. A side *changed* a record when its log has an entry touching
    it that the other side has never seen. Then:

    - same on both sides: nothing to do;
    - only theirs changed (added, edited or deleted it): take theirs;
    - only ours changed: keep ours;
    - both changed: field by field against the last shared version (the *base*): a field
      changed on one side only takes that side's value; a field changed differently on both
      sides is a **conflict**, resolved by rule: ``prefer="newest"`` (default) takes the side
      whose last change to that record is newer (log time, else the record's own
      ``modified_at``/``created_at``; ours on a tie), ``"ours"``/``"theirs"`` take that side;
    - no log knows the record on either side (e.g. stores written without the log): present
      on one side only means added there (kept); different on both sides is a conflict.

Nothing is dropped silently: every conflict is listed in the :class:`MergeReport` and in a
project memo "Merge conflicts …"; the losing text of a memo is kept as a new memo next to
the winner ("… (merge conflict: theirs version)"); a record deleted on one side but still
used by a kept record (a code with new segments) is kept. Codes, documents and cases that
end up with the same name as a different record are renamed "name (merged)". An incoming
segment identical to an existing one (same document, code, range and coder) is skipped.

Documents with the same UUID but a different text hash are refused (the whole merge), and
an incoming source whose text no longer matches its recorded hash is refused too.

The merge is one operation in our log (``op`` "merge", undoable with ``qualtui undo``); the
other copy's log entries are added to ours (renumbered after ours, times and coders kept),
so ``qualtui log`` shows who did what on the laptop. Each change the merge makes by taking
the other side's version records that version's log entry (``merged_from``), which makes a
second merge of the same copy change nothing and later merges of a copy that went on
being used take only what is new.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualtui.core.errors import QualtuiError
from qualtui.core.models import new_id, now_iso

if TYPE_CHECKING:
    from qualtui.core.oplog import Operation
    from qualtui.core.project import Project

__all__ = ["PREFER", "MergeConflict", "MergeReport", "load_project_data", "merge_projects"]

PREFER = ("newest", "ours", "theirs")
KNOWN_TABLES = ("documents", "cases", "attributes", "codes", "segments", "memos")
SKIP_TABLES = ("meta", "log")
TARGET_TABLE = {"document": "documents", "code": "codes", "segment": "segments"}
# Bookkeeping fields: never a conflict on their own (the newer value is taken).
STAMPS = {"memos": ("modified_at",)}
RENAMED_SUFFIX = " (merged)"

Key = tuple[str, str]
Record = dict[str, Any]
Data = dict[str, dict[str, Record]]


# --------------------------------------------------------------------------- report


@dataclass
class MergeConflict:
    """A record both sides changed differently (or deleted on one side, edited on the other)."""

    table: str
    id: str
    label: str
    kind: str  # renamed | moved | reordered | memo text | edited | deleted | same name | kept
    fields: list[str]
    ours: Any
    theirs: Any
    winner: str  # ours | theirs | merged | kept
    reason: str
    kept_as: str = ""  # where the losing version is kept (a memo id), if anywhere

    def as_json(self) -> dict[str, Any]:
        return {"table": self.table, "id": self.id, "label": self.label, "kind": self.kind,
                "fields": list(self.fields), "ours": self.ours, "theirs": self.theirs,
                "winner": self.winner, "reason": self.reason, "kept_as": self.kept_as}

    def line(self) -> str:
        text = f"{self.table[:-1]} '{self.label}': {self.kind}"
        if self.fields:
            text += f" ({', '.join(self.fields)})"
        text += f" -> {self.winner} ({self.reason})"
        if self.kept_as:
            text += f"; the other version is kept as memo {self.kept_as[:8]}"
        return text


@dataclass
class MergeReport:
    """What a merge did (or, with ``dry_run``, would do)."""

    ours: str
    theirs: str
    prefer: str
    dry_run: bool
    added: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    log_entries: int = 0
    sources_copied: int = 0
    conflicts: list[MergeConflict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    entry_seq: int | None = None  # the merge's own log entry

    @property
    def changed(self) -> bool:
        return bool(sum(self.added.values()) + sum(self.updated.values())
                    + sum(self.deleted.values()) + self.log_entries)

    def counts_line(self) -> str:
        parts: list[str] = []
        for table in sorted(set(self.added) | set(self.updated) | set(self.deleted)):
            bits = []
            if self.added.get(table):
                bits.append(f"+{self.added[table]}")
            if self.updated.get(table):
                bits.append(f"~{self.updated[table]}")
            if self.deleted.get(table):
                bits.append(f"-{self.deleted[table]}")
            if bits:
                parts.append(f"{table} {' '.join(bits)}")
        if self.log_entries:
            parts.append(f"log +{self.log_entries}")
        return ", ".join(parts) if parts else "nothing to change"

    def summary(self) -> str:
        verb = "would merge" if self.dry_run else "merged"
        text = f"{verb} {self.theirs}: {self.counts_line()}"
        if self.conflicts:
            text += f"; {len(self.conflicts)} conflict{'s' if len(self.conflicts) > 1 else ''}"
        return text

    def lines(self) -> list[str]:
        out = [self.summary()]
        out.extend(f"conflict: {c.line()}" for c in self.conflicts)
        out.extend(f"warning: {w}" for w in self.warnings)
        return out

    def as_json(self) -> dict[str, Any]:
        return {"ours": self.ours, "theirs": self.theirs, "prefer": self.prefer,
                "dry_run": self.dry_run, "changed": self.changed,
                "added": dict(sorted(self.added.items())),
                "updated": dict(sorted(self.updated.items())),
                "deleted": dict(sorted(self.deleted.items())),
                "log_entries": self.log_entries, "sources_copied": self.sources_copied,
                "conflicts": [c.as_json() for c in self.conflicts],
                "warnings": list(self.warnings), "entry_seq": self.entry_seq}


# --------------------------------------------------------------------------- reading theirs


def _meta(data: dict[str, Any], key: str, default: Any = None) -> Any:
    for doc in data.get("meta", {}).values():
        if doc.get("key") == key:
            return doc.get("value", default)
    return default


def load_project_data(root: Path) -> dict[str, Any]:
    """Read another project's store without changing it (journal applied, schema migrated
    in memory). Takes its lock while reading when possible."""
    from qualtui.store.lock import ProjectLock
    from qualtui.store.project import MIGRATIONS, SCHEMA_VERSION
    from qualtui.store.storage import AtomicJSONStorage

    if not (root / "project.json").is_file():
        raise QualtuiError(f"{root}: not a qualtui project (no project.json)")
    lock: ProjectLock | None = ProjectLock(root / "project.json.lock")
    try:
        assert lock is not None
        lock.acquire()
    except OSError:
        lock = None  # a read-only copy (e.g. on a mounted card): read without the lock
    try:
        data = AtomicJSONStorage(root / "project.json").cached()
    finally:
        if lock is not None:
            lock.release()
            lock.close()
    schema = int(_meta(data, "schema", 0) or 0)
    if schema > SCHEMA_VERSION:
        raise QualtuiError(f"{root}: written by a newer qualtui (schema {schema}); upgrade"
                           " qualtui before merging it")
    for version in range(schema, SCHEMA_VERSION):
        data = MIGRATIONS[version](data)
    return data


def _by_id(rows: Iterable[Record]) -> dict[str, Record]:
    return {r["id"]: r for r in rows if isinstance(r, dict) and r.get("id")}


# --------------------------------------------------------------------------- histories


@dataclass
class _Touch:
    eid: str  # the log entry this version stands for
    after: Record | None
    at: str


@dataclass
class _History:
    touches: dict[Key, list[_Touch]]
    known: set[str]  # every entry id this side has seen


def _history(rows: list[Record], keys: set[Key] | None = None) -> _History:
    """Which entries each record's versions stand for, on one side (only ``keys`` when
    given: the records that differ between the sides)."""
    from qualtui.core.oplog import decode_changes

    rows = sorted(rows, key=lambda r: r.get("seq", 0))
    decoded = {id(r): decode_changes(r) for r in rows}
    by_id = {r["id"]: r for r in rows if r.get("id")}
    known = set(by_id)

    def is_merge(entry_id: str | None) -> bool:
        target = by_id.get(entry_id or "")
        return target is not None and target.get("op") == "merge"

    touches: dict[Key, list[_Touch]] = {}
    for row in rows:
        op = row.get("op")
        if op == "merge" and row.get("undone"):
            continue  # an undone merge and its undo cancel out
        if op == "undo" and is_merge(row.get("reverts")):
            continue
        source = row
        if op == "redo" and is_merge(row.get("reverts")):
            source = by_id[row["reverts"]]
        annotations = ({(c.get("table"), c.get("id")): c.get("merged_from")
                        for c in decoded[id(source)]} if source is not row else {})
        for change in decoded[id(row)]:
            table, record_id = change.get("table"), change.get("id")
            if not table or not record_id or table == "log":
                continue
            merged_from = annotations.get((table, record_id)) or change.get("merged_from")
            if merged_from:
                known.add(merged_from)
            if keys is not None and (table, record_id) not in keys:
                continue
            eid = merged_from or source["id"]
            touches.setdefault((table, record_id), []).append(
                _Touch(eid, change.get("after"), row.get("at", "")))
    return _History(touches, known)


# --------------------------------------------------------------------------- labels


def _label(table: str, record: Record | None, data: Data) -> str:
    if record is None:
        return "?"
    if table == "codes":
        names: list[str] = []
        seen: set[str] = set()
        current: Record | None = record
        while current is not None and current["id"] not in seen:
            seen.add(current["id"])
            names.append(str(current.get("name", "?")))
            current = data.get("codes", {}).get(current.get("parent_id") or "")
        return "/".join(reversed(names))
    if table == "segments":
        doc = data.get("documents", {}).get(record.get("document_id", ""), {})
        code = data.get("codes", {}).get(record.get("code_id", ""))
        return (f"{doc.get('name', '?')} {record.get('start')}-{record.get('end')}"
                f" {_label('codes', code, data) if code else '?'} ({record.get('coder')})")
    if table == "memos":
        return str(record.get("title", "?"))
    return str(record.get("name", record.get("id", "?")))


def _kind(table: str, fields: list[str]) -> str:
    if table == "memos" and ({"body", "title"} & set(fields)):
        return "memo text"
    if "name" in fields:
        return "renamed"
    if "parent_id" in fields:
        return "moved"
    if fields == ["position"]:
        return "reordered"
    return "edited"


def _stamp(record: Record | None) -> str:
    if not record:
        return ""
    for key in ("modified_at", "created_at", "imported_at"):
        if record.get(key):
            return str(record[key])
    return ""


# --------------------------------------------------------------------------- the merge


class _Merger:
    def __init__(self, ours: Data, theirs: Data, hist_o: _History, hist_t: _History,
                 prefer: str, report: MergeReport) -> None:
        self.ours = ours
        self.theirs = theirs
        self.hist_o = hist_o
        self.hist_t = hist_t
        self.prefer = prefer
        self.report = report
        self.final: Data = {t: dict(rows) for t, rows in ours.items()}
        self.memo_losers: list[tuple[MergeConflict, Record, str]] = []

    # -- deciding -------------------------------------------------------------------------
    def _new(self, key: Key) -> tuple[list[_Touch], list[_Touch]]:
        ours_new = [t for t in self.hist_o.touches.get(key, []) if t.eid not in self.hist_t.known]
        theirs_new = [t for t in self.hist_t.touches.get(key, [])
                      if t.eid not in self.hist_o.known]
        return ours_new, theirs_new

    def _base(self, key: Key) -> Record | None:
        for touch in reversed(self.hist_o.touches.get(key, [])):
            if touch.eid in self.hist_t.known:
                return touch.after
        for touch in reversed(self.hist_t.touches.get(key, [])):
            if touch.eid in self.hist_o.known:
                return touch.after
        return None

    def _winner(self, ours_new: list[_Touch], theirs_new: list[_Touch], o: Record | None,
                t: Record | None) -> tuple[str, str]:
        if self.prefer in ("ours", "theirs"):
            return self.prefer, f"--prefer {self.prefer}"
        time_o = max((x.at for x in ours_new), default="") or _stamp(o)
        time_t = max((x.at for x in theirs_new), default="") or _stamp(t)
        if time_t > time_o:
            return "theirs", f"newest: theirs {time_t} > ours {time_o or '?'}"
        if time_o > time_t:
            return "ours", f"newest: ours {time_o} > theirs {time_t or '?'}"
        return "ours", f"same time {time_o or '(unknown)'}: ours kept"

    def decide(self, table: str, record_id: str) -> None:
        o = self.ours.get(table, {}).get(record_id)
        t = self.theirs.get(table, {}).get(record_id)
        if o == t:
            return
        key = (table, record_id)
        ours_new, theirs_new = self._new(key)
        if theirs_new and not ours_new:
            self._set(table, record_id, t)
            return
        if ours_new and not theirs_new:
            return
        if not ours_new and not theirs_new:
            if o is None or t is None:  # added on one side, no log says otherwise
                self._set(table, record_id, o if o is not None else t)
                return
        base = self._base(key) if (ours_new and theirs_new) else None
        self._conflict(table, record_id, o, t, base, ours_new, theirs_new)

    def _conflict(self, table: str, record_id: str, o: Record | None, t: Record | None,
                  base: Record | None, ours_new: list[_Touch], theirs_new: list[_Touch]) -> None:
        winner, reason = self._winner(ours_new, theirs_new, o, t)
        label = _label(table, o or t, self.ours if o else self.theirs)
        if o is None or t is None:
            deleted_by = "ours" if o is None else "theirs"
            conflict = MergeConflict(table, record_id, label, "deleted",
                                     [f"deleted in {deleted_by}, edited in the other"],
                                     o, t, winner, reason)
            self.report.conflicts.append(conflict)
            chosen = o if winner == "ours" else t
            self._set(table, record_id, chosen)
            loser = t if winner == "ours" else o
            if table == "memos" and chosen is None and loser is not None:
                self.memo_losers.append((conflict, loser, "theirs" if winner == "ours"
                                         else "ours"))
            return
        stamps = STAMPS.get(table, ())
        merged: Record = {}
        conflicting: list[str] = []
        for name in sorted(set(o) | set(t)):
            ov, tv = o.get(name), t.get(name)
            if ov == tv:
                merged[name] = ov
            elif name in stamps:
                merged[name] = max(str(ov or ""), str(tv or ""))
            elif base is not None and ov == base.get(name):
                merged[name] = tv
            elif base is not None and tv == base.get(name):
                merged[name] = ov
            else:
                conflicting.append(name)
                merged[name] = ov
        if not conflicting:
            self._set(table, record_id, merged)
            return
        for name in conflicting:
            merged[name] = (o if winner == "ours" else t).get(name)
        conflict = MergeConflict(table, record_id, label, _kind(table, conflicting),
                                 conflicting, {n: o.get(n) for n in conflicting},
                                 {n: t.get(n) for n in conflicting}, winner, reason)
        self.report.conflicts.append(conflict)
        self._set(table, record_id, merged)
        if table == "memos" and {"body", "title"} & set(conflicting):
            loser = t if winner == "ours" else o
            self.memo_losers.append((conflict, loser, "theirs" if winner == "ours" else "ours"))

    def _set(self, table: str, record_id: str, record: Record | None) -> None:
        rows = self.final.setdefault(table, {})
        if record is None:
            rows.pop(record_id, None)
        else:
            rows[record_id] = dict(record)

    # -- consistency ------------------------------------------------------------------------
    def _refs(self, table: str, record: Record) -> list[Key]:
        refs: list[Key] = []
        if table == "segments":
            refs += [("documents", record.get("document_id", "")),
                     ("codes", record.get("code_id", ""))]
        elif table == "codes" and record.get("parent_id"):
            refs.append(("codes", record["parent_id"]))
        elif table == "memos" and record.get("kind") in TARGET_TABLE and record.get("target_id"):
            refs.append((TARGET_TABLE[record["kind"]], record["target_id"]))
        elif table == "documents" and record.get("case_id"):
            refs.append(("cases", record["case_id"]))
        return refs

    def keep_referenced(self) -> None:
        """Restore records deleted by the merge that a surviving record still uses."""
        changed = True
        while changed:
            changed = False
            for table in list(self.final):
                for record in list(self.final[table].values()):
                    for ref_table, ref_id in self._refs(table, record):
                        if not ref_id or ref_id in self.final.get(ref_table, {}):
                            continue
                        restore = (self.ours.get(ref_table, {}).get(ref_id)
                                   or self.theirs.get(ref_table, {}).get(ref_id))
                        if restore is None:
                            continue  # broken before the merge: 'qualtui doctor' reports it
                        self._set(ref_table, ref_id, restore)
                        side = "ours" if ref_id in self.ours.get(ref_table, {}) else "theirs"
                        self.report.conflicts.append(MergeConflict(
                            ref_table, ref_id, _label(ref_table, restore, self.final), "kept",
                            ["deleted on one side but still used"], None, None, "kept",
                            f"{_label(table, record, self.final)} uses it; {side} version kept"))
                        changed = True

    def unique_names(self) -> None:
        """Rename incoming codes/documents/cases whose name another record already has."""
        for table, scope in (("codes", "parent_id"), ("documents", None), ("cases", None)):
            rows = self.final.get(table, {})
            groups: dict[tuple[Any, str], list[str]] = {}
            for record_id, record in rows.items():
                group = (record.get(scope) if scope else None, str(record.get("name", "")))
                groups.setdefault(group, []).append(record_id)
            taken = {(g[0], g[1]) for g in groups}
            for (scope_value, name), ids in groups.items():
                if len(ids) < 2:
                    continue
                # ours' record keeps the name when its name is its own; the others are renamed
                ids.sort(key=lambda i: (not (i in self.ours.get(table, {})
                                             and self.ours[table][i].get("name") == name), i))
                for record_id in ids[1:]:
                    new_name, n = f"{name}{RENAMED_SUFFIX}", 2
                    while (scope_value, new_name) in taken:
                        new_name, n = f"{name} (merged {n})", n + 1
                    taken.add((scope_value, new_name))
                    record = dict(rows[record_id]) | {"name": new_name}
                    rows[record_id] = record
                    self.report.conflicts.append(MergeConflict(
                        table, record_id, _label(table, record, self.final), "same name",
                        ["name"], None, {"name": name}, "merged",
                        f"another {table[:-1]} is named '{name}'; renamed '{new_name}'"))

    def attribute_names(self) -> None:
        """One definition per attribute name: ours wins (values are stored by name)."""
        rows = self.final.get("attributes", {})
        by_name: dict[str, list[str]] = {}
        for record_id, record in rows.items():
            by_name.setdefault(str(record.get("name", "")), []).append(record_id)
        for name, ids in by_name.items():
            if len(ids) < 2:
                continue
            ids.sort(key=lambda i: (i not in self.ours.get("attributes", {}), i))
            for record_id in ids[1:]:
                dropped = rows.pop(record_id)
                keep = rows[ids[0]]
                note = "" if dropped.get("type") == keep.get("type") else (
                    f" (types differ: {keep.get('type')} kept, {dropped.get('type')} dropped)")
                self.report.warnings.append(f"attribute '{name}' is defined on both sides;"
                                            f" our definition is used{note}")

    def duplicate_segments(self) -> None:
        """Skip incoming segments identical to an existing one (same coder, code, range)."""
        rows = self.final.get("segments", {})
        ours_rows = self.ours.get("segments", {})
        seen: dict[tuple[Any, ...], str] = {}
        skipped = 0
        for record_id in sorted(rows, key=lambda i: (i not in ours_rows, i)):
            record = rows[record_id]
            key = (record.get("document_id"), record.get("code_id"), record.get("start"),
                   record.get("end"), record.get("coder"))
            if key in seen and record_id not in ours_rows:
                del rows[record_id]
                skipped += 1
                continue
            seen.setdefault(key, record_id)
        if skipped:
            self.report.warnings.append(f"skipped {skipped} incoming segment(s) identical to"
                                        " existing ones")


def _sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read_source(root: Path, record: Record) -> tuple[str, bytes | None, str]:
    path = root / "sources" / f"{record['id']}.txt"
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            text = fh.read()
    except FileNotFoundError:
        raise QualtuiError(f"{root}: document '{record.get('name')}' has no source file"
                           f" ({path.name}); nothing was merged") from None
    if _sha256_text(text) != record.get("sha256"):
        raise QualtuiError(f"{root}: the text of document '{record.get('name')}' no longer"
                           " matches its sha256 (changed after import); nothing was merged")
    original: bytes | None = None
    name = record.get("filename") or f"{record['id']}.txt"
    rel = record.get("original") or ""
    if rel:
        original_path = root / rel
        if original_path.is_file():
            original = original_path.read_bytes()
            prefix = f"{record['id']}-"
            name = original_path.name[len(prefix):] if original_path.name.startswith(
                prefix) else original_path.name
    return text, original, name


def merge_projects(ours: Project, theirs_root: Path, prefer: str = "newest",
                   dry_run: bool = False) -> MergeReport:
    """Merge the project at ``theirs_root`` into ``ours`` (see the module docstring)."""
    if prefer not in PREFER:
        raise QualtuiError(f"unknown preference '{prefer}' (use one of {', '.join(PREFER)})")
    theirs_root = Path(theirs_root)
    if not theirs_root.is_dir():
        raise QualtuiError(f"{theirs_root}: no such directory")
    if theirs_root.resolve() == Path(ours.root).resolve():
        raise QualtuiError("cannot merge a project into itself")
    raw = load_project_data(theirs_root)
    report = MergeReport(ours=str(ours.root), theirs=str(theirs_root), prefer=prefer,
                         dry_run=dry_run)
    if dry_run:
        ours.refresh()
        _plan_and_apply(ours, theirs_root, raw, report, None)
        return report
    with ours.log.operation("merge", f"merged {theirs_root}") as op:
        _plan_and_apply(ours, theirs_root, raw, report, op)
        count = len(report.conflicts)
        op.summary = f"merged {theirs_root.name}: {report.counts_line()}" + (
            f"; {count} conflict{'s' if count > 1 else ''}" if count else "")
    if report.changed:
        entries = ours.log.entries(limit=1)
        report.entry_seq = entries[-1].seq if entries and entries[-1].op == "merge" else None
    return report


def _plan_and_apply(ours: Project, theirs_root: Path, raw: dict[str, Any],
                    report: MergeReport, op: Operation | None) -> None:
    repo = ours.repo
    theirs_project_id = _meta(raw, "project_id")
    ours_project_id = repo.get_meta("project_id")
    if theirs_project_id and ours_project_id and theirs_project_id != ours_project_id:
        report.warnings.append("the projects have different ids: this is not a copy of this"
                               " project (merged anyway, by record ids)")
    tables = list(KNOWN_TABLES) + sorted(t for t in raw if t not in KNOWN_TABLES
                                         and t not in SKIP_TABLES)
    theirs: Data = {t: _by_id(raw.get(t, {}).values()) for t in tables}
    ours_data: Data = {t: _by_id(repo.all(t)) for t in tables}
    for doc_id, doc in theirs["documents"].items():
        mine = ours_data["documents"].get(doc_id)
        if mine is not None and mine.get("sha256") != doc.get("sha256"):
            raise QualtuiError(
                f"document '{mine.get('name')}' ({doc_id[:8]}) has a different text in"
                f" {theirs_root} (sha256 differs): refusing to merge; nothing was changed")
    log_o = list(repo.all("log"))
    log_t = list(raw.get("log", {}).values())
    differing = {(table, record_id) for table in tables
                 for record_id in set(ours_data[table]) | set(theirs[table])
                 if ours_data[table].get(record_id) != theirs[table].get(record_id)}
    merger = _Merger(ours_data, theirs, _history(log_o, differing),
                     _history(log_t, differing), report.prefer, report)
    for table in tables:
        for record_id in sorted(set(ours_data[table]) | set(theirs[table])):
            merger.decide(table, record_id)
    merger.keep_referenced()
    merger.unique_names()
    merger.attribute_names()
    merger.duplicate_segments()
    by_hash: dict[str, list[Record]] = {}
    for record in merger.final.get("documents", {}).values():
        by_hash.setdefault(str(record.get("sha256")), []).append(record)
    for same in by_hash.values():
        incoming = [r for r in same if r["id"] not in ours_data["documents"]]
        if len(same) > 1 and incoming:
            names = ", ".join(sorted(str(r.get("name")) for r in same))
            report.warnings.append(f"documents {names} have the same text (imported on both"
                                   " sides?): both kept; delete one if they are the same")

    # sources of incoming documents: read and verified before anything is written
    sources: dict[str, tuple[str, bytes | None, str]] = {}
    for doc_id, record in merger.final.get("documents", {}).items():
        if doc_id not in ours_data["documents"]:
            sources[doc_id] = _read_source(theirs_root, record)
    report.sources_copied = len(sources)

    # log entries of theirs we have not seen, and undo flags their newer undo/redo set
    ours_log = {r["id"]: r for r in log_o if r.get("id")}
    new_entries = sorted((r for r in log_t if r.get("id") and r["id"] not in ours_log),
                         key=lambda r: r.get("seq", 0))
    reverted_in_theirs = {r.get("reverts"): r for r in new_entries if r.get("reverts")}
    flag_updates = [dict(ours_log[r["id"]]) | {"undone": r.get("undone", False)}
                    for r in log_t if r.get("id") in ours_log and r["id"] in reverted_in_theirs
                    and bool(r.get("undone")) != bool(ours_log[r["id"]].get("undone"))]
    report.log_entries = len(new_entries)

    # plan the record changes
    plan: list[tuple[str, str, Record | None]] = []
    for table in tables:
        before, after = ours_data[table], merger.final.get(table, {})
        for record_id in sorted(set(before) | set(after)):
            old, new = before.get(record_id), after.get(record_id)
            if old == new:
                continue
            plan.append((table, record_id, new))
            bucket = (report.added if old is None else report.deleted if new is None
                      else report.updated)
            bucket[table] = bucket.get(table, 0) + 1
    loser_memos = _loser_memos(merger, theirs_root, op)
    if loser_memos:
        report.added["memos"] = report.added.get("memos", 0) + len(loser_memos)
    if op is None:
        return

    written: list[str] = []
    try:
        for doc_id, (text, original, name) in sources.items():
            path = repo.write_source(doc_id, text, original, name)
            written.append(doc_id)
            record = merger.final["documents"][doc_id]
            if record.get("original") != path:
                record["original"] = path
        next_seq = int(repo.get_meta("next_seq", 1))
        for row in new_entries:
            op.insert("log", dict(row) | {"seq": next_seq})
            next_seq += 1
        repo.set_meta("next_seq", next_seq)
        for row in flag_updates:
            op.update("log", row)
        for table, record_id, new in plan:
            count = len(op.changes)
            if new is None:
                op.delete(table, record_id)
            elif record_id in ours_data[table]:
                op.update(table, new)
            else:
                op.insert(table, new)
            theirs_version = theirs[table].get(record_id)
            history = merger.hist_t.touches.get((table, record_id), [])
            if len(op.changes) > count and history and _same(new, theirs_version, table):
                op.changes[-1]["merged_from"] = history[-1].eid
        for memo in loser_memos:
            op.insert("memos", memo)
    except BaseException:
        for doc_id in written:
            repo.delete_source(doc_id)
        raise


def _same(new: Record | None, theirs: Record | None, table: str) -> bool:
    if new is None or theirs is None:
        return new is None and theirs is None
    if table == "documents":  # the copied original's path is ours
        return {k: v for k, v in new.items() if k != "original"} == {
            k: v for k, v in theirs.items() if k != "original"}
    return new == theirs


def _loser_memos(merger: _Merger, theirs_root: Path, op: Operation | None) -> list[Record]:
    """New memos keeping the losing side of memo conflicts, and one memo listing every
    conflict (none when there is none)."""
    stamp = now_iso()
    memos: list[Record] = []
    targets_ok = merger.final
    for conflict, loser, side in merger.memo_losers:
        kind, target = loser.get("kind", "project"), loser.get("target_id")
        table = TARGET_TABLE.get(kind)
        if table is not None and target not in targets_ok.get(table, {}):
            kind, target = "project", None
        memo = {"id": new_id(), "kind": kind, "target_id": target,
                "title": f"{loser.get('title', 'Memo')} (merge conflict: {side} version)",
                "body": loser.get("body", ""), "author": loser.get("author", ""),
                "created_at": stamp, "modified_at": stamp, "links": list(loser.get("links", []))}
        conflict.kept_as = memo["id"]
        memos.append(memo)
    if merger.report.conflicts:
        lines = [f"Merging `{theirs_root}` on {stamp} (rule: {merger.prefer}) found"
                 f" {len(merger.report.conflicts)} conflict(s). The losing versions:", ""]
        for conflict in merger.report.conflicts:
            lines.append(f"- {conflict.line()}")
            if conflict.fields and conflict.ours is not None and conflict.theirs is not None:
                lines.append(f"  - ours: {conflict.ours}")
                lines.append(f"  - theirs: {conflict.theirs}")
        author = op.coder if op is not None else ""
        memos.append({"id": new_id(), "kind": "project", "target_id": None,
                      "title": f"Merge conflicts {stamp[:10]} ({theirs_root.name})",
                      "body": "\n".join(lines) + "\n", "author": author, "created_at": stamp,
                      "modified_at": stamp, "links": []})
    return memos
