"""The operation log: every change goes through it; it is the audit trail and undo/redo.

An operation records, per touched record, its state before and after. Undo is per coder:
it reverts *my* last operation and refuses when someone else changed a record since.
Undo and redo are themselves logged (``op`` "undo"/"redo", ``reverts`` = the entry).

In the store, an entry's ``changes`` is kept as one compact JSON string (``changes_json``):
the log is as long as the project's history, and parsed before/after dicts for every entry
cost about three times the memory of the string. ``decode_changes`` reads either form.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import orjson

from qualtui.core.errors import Conflict
from qualtui.core.models import LogEntry, from_dict, new_id, now_iso
from qualtui.core.repository import Repository

UNDO, REDO = "undo", "redo"


def decode_changes(row: dict[str, Any]) -> list[dict[str, Any]]:
    """The changes of a stored log row (``changes_json`` string, or a ``changes`` list)."""
    raw = row.get("changes_json")
    if raw is not None:
        return orjson.loads(raw)
    return list(row.get("changes") or [])


def encode_entry(entry: LogEntry) -> dict[str, Any]:
    """A LogEntry as stored: ``changes`` as one JSON string."""
    record = dict(entry.__dict__)
    record.pop("changes")
    record["changes_json"] = orjson.dumps(entry.changes).decode()
    return record


def entry_from_row(row: dict[str, Any]) -> LogEntry:
    entry = from_dict(LogEntry, row)
    entry.changes = decode_changes(row)
    return entry


@dataclass
class Operation:
    """Collects the changes of one user action; applied as they are recorded."""

    repo: Repository
    coder: str
    op: str
    summary: str
    changes: list[dict[str, Any]] = field(default_factory=list)

    def insert(self, table: str, record: dict[str, Any]) -> None:
        self.repo.insert(table, record)
        self.changes.append({"table": table, "id": record["id"], "before": None,
                             "after": dict(record)})

    def update(self, table: str, record: dict[str, Any]) -> None:
        before = self.repo.get(table, record["id"])
        if before is None:
            raise KeyError(f"{table}: no record {record['id']}")
        before = dict(before)
        if before == record:
            return
        self.repo.replace(table, record)
        self.changes.append({"table": table, "id": record["id"], "before": before,
                             "after": dict(record)})

    def delete(self, table: str, record_id: str) -> None:
        before = self.repo.get(table, record_id)
        if before is None:
            return
        before = dict(before)
        self.repo.delete(table, record_id)
        self.changes.append({"table": table, "id": record_id, "before": before, "after": None})


class OperationLog:
    def __init__(self, repo: Repository, coder: str) -> None:
        self.repo = repo
        self.coder = coder

    @contextmanager
    def operation(self, op: str, summary: str, coder: str | None = None) -> Iterator[Operation]:
        """Run a user action as one transaction and one log entry."""
        with self.repo.transaction():
            operation = Operation(self.repo, coder or self.coder, op, summary)
            yield operation
            if operation.changes:
                self._append(operation, reverts=None)

    def _append(self, operation: Operation, reverts: str | None) -> LogEntry:
        seq = int(self.repo.get_meta("next_seq", 1))
        entry = LogEntry(id=new_id(), seq=seq, at=now_iso(), coder=operation.coder,
                         op=operation.op, summary=operation.summary,
                         changes=operation.changes, reverts=reverts)
        self.repo.insert("log", encode_entry(entry))
        self.repo.set_meta("next_seq", seq + 1)
        return entry

    # -- reading -------------------------------------------------------------------------
    def entries(self, coder: str | None = None, since: str | None = None,
                limit: int | None = None) -> list[LogEntry]:
        rows = sorted(self.repo.all("log"), key=lambda r: r.get("seq", 0))
        out = [entry_from_row(r) for r in rows
               if (coder is None or r.get("coder") == coder)
               and (since is None or r.get("at", "") >= since)]
        return out[-limit:] if limit else out

    def _mine_newest_first(self) -> list[dict[str, Any]]:
        rows = [r for r in self.repo.all("log") if r.get("coder") == self.coder]
        rows.sort(key=lambda r: r.get("seq", 0), reverse=True)
        return rows

    def undo_target(self) -> dict[str, Any] | None:
        for row in self._mine_newest_first():
            if row["op"] in (UNDO, REDO):
                continue
            if not row.get("undone"):
                return row
        return None

    def redo_target(self) -> dict[str, Any] | None:
        for row in self._mine_newest_first():
            if row["op"] == UNDO:
                target = self.repo.get("log", row["reverts"])
                if target is not None and target.get("undone"):
                    return target
                continue
            if row["op"] == REDO:
                continue
            return None  # a new action after the undo clears the redo stack
        return None

    # -- undo / redo -------------------------------------------------------------------------
    def undo(self) -> LogEntry:
        with self.repo.transaction():
            target = self.undo_target()
            if target is None:
                raise Conflict(f"nothing to undo for {self.coder}")
            inverse = [{"table": c["table"], "id": c["id"], "before": c["after"],
                        "after": c["before"]} for c in reversed(decode_changes(target))]
            self._check_current(inverse, target, "undo")
            operation = self._apply(inverse, UNDO, f"undo: {target['summary']}")
            self.repo.replace("log", dict(target) | {"undone": True})
            return self._append(operation, reverts=target["id"])

    def redo(self) -> LogEntry:
        with self.repo.transaction():
            target = self.redo_target()
            if target is None:
                raise Conflict(f"nothing to redo for {self.coder}")
            changes = decode_changes(target)
            self._check_current(changes, target, "redo")
            operation = self._apply(changes, REDO, f"redo: {target['summary']}")
            self.repo.replace("log", dict(target) | {"undone": False})
            return self._append(operation, reverts=target["id"])

    def _check_current(self, changes: list[dict[str, Any]], target: dict[str, Any],
                       verb: str) -> None:
        for change in changes:
            current = self.repo.get(change["table"], change["id"])
            expected = change["before"]
            if (dict(current) if current is not None else None) != expected:
                who = self._last_writer(change["table"], change["id"], target["seq"])
                raise Conflict(
                    f"cannot {verb} '{target['summary']}': {who} changed it since"
                    f" ({change['table'][:-1]} {change['id'][:8]})"
                )

    def _last_writer(self, table: str, record_id: str, after_seq: int) -> str:
        rows = sorted((r for r in self.repo.all("log") if r.get("seq", 0) > after_seq),
                      key=lambda r: r["seq"], reverse=True)
        for row in rows:
            raw = row.get("changes_json")
            if raw is not None and record_id not in raw:
                continue  # cheap pre-filter before decoding
            if any(c["table"] == table and c["id"] == record_id for c in decode_changes(row)):
                return row["coder"]
        return "someone"

    def _apply(self, changes: list[dict[str, Any]], op: str, summary: str) -> Operation:
        operation = Operation(self.repo, self.coder, op, summary)
        for change in changes:
            table, after = change["table"], change["after"]
            if after is None:
                operation.delete(table, change["id"])
            elif self.repo.get(table, change["id"]) is None:
                operation.insert(table, after)
            else:
                operation.update(table, after)
        return operation
