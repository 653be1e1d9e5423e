"""TinyDB wired for several processes: locked transactions over ``AtomicJSONStorage``.

``ProjectDB`` is a TinyDB whose tables run every mutation inside one locked transaction that
reloads first (so TinyDB's per-table ``_next_id`` and query caches never act on stale data)
and commits once. ``TinyDBRepository`` implements the core ``Repository`` protocol on top of
it with a fast path for the hot operations (one insert = one commit).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.table import Table

from qualtui.store.backups import BackupRotation
from qualtui.store.lock import ProjectLock
from qualtui.store.storage import AtomicJSONStorage, atomic_write_bytes

TABLES = ("meta", "documents", "codes", "segments", "memos", "cases", "attributes",
          "guidelines", "log")


class LockedTable(Table):
    """A TinyDB Table whose every mutation is one locked, reloaded, atomic transaction."""

    def _txn(self) -> Any:
        return self._storage.db_transaction()  # type: ignore[attr-defined]

    def _reset_if_changed(self) -> None:
        self._next_id = None
        self.clear_cache()

    def insert(self, document: Any) -> int:
        with self._txn():
            self._reset_if_changed()
            return super().insert(document)

    def insert_multiple(self, documents: Any) -> list[int]:
        with self._txn():
            self._reset_if_changed()
            return super().insert_multiple(documents)

    def update(self, *args: Any, **kwargs: Any) -> list[int]:
        with self._txn():
            self._reset_if_changed()
            return super().update(*args, **kwargs)

    def update_multiple(self, *args: Any, **kwargs: Any) -> list[int]:
        with self._txn():
            self._reset_if_changed()
            return super().update_multiple(*args, **kwargs)

    def upsert(self, *args: Any, **kwargs: Any) -> list[int]:
        with self._txn():
            self._reset_if_changed()
            return super().upsert(*args, **kwargs)

    def remove(self, *args: Any, **kwargs: Any) -> list[int]:
        with self._txn():
            self._reset_if_changed()
            return super().remove(*args, **kwargs)

    def truncate(self) -> None:
        with self._txn():
            self._reset_if_changed()
            super().truncate()

    def search(self, cond: Any) -> Any:
        if self._storage.reload_if_changed():  # type: ignore[attr-defined]
            self._reset_if_changed()
        return super().search(cond)


class ProjectStorage(AtomicJSONStorage):
    """AtomicJSONStorage that can open a transaction for its TinyDB tables."""

    @contextmanager
    def db_transaction(self) -> Iterator[None]:
        self.begin()
        ok = False
        try:
            yield
            ok = True
        finally:
            self.end(commit=ok)


class ProjectDB(TinyDB):
    table_class = LockedTable
    default_table_name = "meta"


class TinyDBRepository:
    """The core ``Repository`` over a project directory's ``project.json`` and ``sources/``."""

    def __init__(self, root: Path, *, file_mode: int = 0o600, dir_mode: int = 0o700,
                 backup_interval: float = 300.0) -> None:
        self.root = root
        self.path = root / "project.json"
        self.file_mode = file_mode
        self.dir_mode = dir_mode
        self.lock = ProjectLock(root / "project.json.lock", mode=file_mode)
        self.backups = BackupRotation(root / "backups", interval=backup_interval,
                                      dir_mode=dir_mode, file_mode=file_mode)
        self.storage = ProjectStorage(self.path, mode=file_mode, backups=self.backups,
                                      lock=self.lock)
        self.db = ProjectDB(storage=lambda: self.storage)  # type: ignore[arg-type]
        self._index: dict[str, dict[str, str]] = {}
        self._next_id: dict[str, int] = {}
        self._indexed_version = -1
        self._thread_lock = threading.RLock()

    # -- transactions -------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._thread_lock:
            self.storage.begin()
            ok = False
            try:
                yield
                ok = True
            finally:
                self.storage.end(commit=ok)

    def _data(self) -> dict[str, Any]:
        data = self.storage.cached()
        if self.storage.version != self._indexed_version:
            self._index.clear()
            self._next_id.clear()
            self._indexed_version = self.storage.version
        return data

    def _table(self, table: str, create: bool = False) -> dict[str, Any]:
        data = self._data()
        raw = data.get(table)
        if raw is None:
            raw = {}
            if create:
                data[table] = raw
        return raw

    def _index_of(self, table: str) -> dict[str, str]:
        raw = self._table(table)
        index = self._index.get(table)
        if index is None:
            index = {doc.get("id"): key for key, doc in raw.items() if "id" in doc}
            self._index[table] = index
        return index

    def _require_txn(self) -> None:
        if not self.storage._in_transaction:
            raise RuntimeError("write outside a transaction")

    # -- reads ------------------------------------------------------------------------------
    def all(self, table: str) -> list[dict[str, Any]]:
        return list(self._table(table).values())

    def iter(self, table: str) -> Iterator[dict[str, Any]]:
        return iter(list(self._table(table).values()))

    def count(self, table: str) -> int:
        return len(self._table(table))

    def get(self, table: str, record_id: str) -> dict[str, Any] | None:
        key = self._index_of(table).get(record_id)
        if key is None:
            return None
        return self._table(table).get(key)

    # -- writes (inside transaction()) -------------------------------------------------------
    def insert(self, table: str, record: dict[str, Any]) -> None:
        self._require_txn()
        raw = self._table(table, create=True)
        index = self._index_of(table)
        if record["id"] in index:
            raise KeyError(f"{table}: duplicate id {record['id']}")
        next_id = self._next_id.get(table)
        if next_id is None:
            next_id = max((int(k) for k in raw), default=0) + 1
        doc = dict(record)
        raw[str(next_id)] = doc
        index[record["id"]] = str(next_id)
        self._next_id[table] = next_id + 1
        self.storage.record(table, str(next_id), doc)

    def replace(self, table: str, record: dict[str, Any]) -> None:
        self._require_txn()
        key = self._index_of(table).get(record["id"])
        if key is None:
            self.insert(table, record)
            return
        doc = dict(record)
        self._table(table)[key] = doc
        self.storage.record(table, key, doc)

    def delete(self, table: str, record_id: str) -> None:
        self._require_txn()
        index = self._index_of(table)
        key = index.pop(record_id, None)
        if key is not None:
            self._table(table).pop(key, None)
            self.storage.record(table, key, None)

    def get_meta(self, key: str, default: Any = None) -> Any:
        for doc in self._table("meta").values():
            if doc.get("key") == key:
                return doc.get("value", default)
        return default

    def set_meta(self, key: str, value: Any) -> None:
        self._require_txn()
        raw = self._table("meta", create=True)
        for doc_key, doc in raw.items():
            if doc.get("key") == key:
                doc["value"] = value
                self.storage.record("meta", doc_key, doc)
                return
        next_id = max((int(k) for k in raw), default=0) + 1
        raw[str(next_id)] = {"key": key, "value": value}
        self.storage.record("meta", str(next_id), raw[str(next_id)])

    # -- change detection ----------------------------------------------------------------------
    def _data_loaded(self) -> bool:
        return self.storage._data is not None

    def changed_on_disk(self) -> bool:
        return self.storage.changed_on_disk()

    def refresh(self) -> bool:
        with self._thread_lock:
            return self.storage.reload_if_changed()

    def invalidate(self) -> None:
        self.storage.invalidate()

    # -- sources ----------------------------------------------------------------------------------
    @property
    def sources_dir(self) -> Path:
        return self.root / "sources"

    def source_path(self, document_id: str) -> Path:
        return self.sources_dir / f"{document_id}.txt"

    def read_source(self, document_id: str) -> str:
        with open(self.source_path(document_id), encoding="utf-8", newline="") as fh:
            return fh.read()

    def write_source(self, document_id: str, text: str, original: bytes | None,
                     original_name: str) -> str:
        self.sources_dir.mkdir(mode=self.dir_mode, exist_ok=True)
        atomic_write_bytes(self.source_path(document_id), text.encode("utf-8"), self.file_mode)
        if original is None:
            return ""
        originals = self.sources_dir / "originals"
        originals.mkdir(mode=self.dir_mode, exist_ok=True)
        safe = os.path.basename(original_name) or "original"
        target = originals / f"{document_id}-{safe}"
        atomic_write_bytes(target, original, self.file_mode)
        return str(target.relative_to(self.root))

    def delete_source(self, document_id: str) -> None:
        self.source_path(document_id).unlink(missing_ok=True)
        originals = self.sources_dir / "originals"
        if originals.is_dir():
            for path in originals.glob(f"{document_id}-*"):
                path.unlink(missing_ok=True)

    def close(self) -> None:
        """If this process changed the project: fold the journal into ``project.json`` (so
        the file alone is complete for other tools) and keep a backup. Release the lock."""
        if self.storage.commits and self._data_loaded():
            with self.lock:
                self.storage.reload_if_changed()
                if self.storage.journal_has_changes():
                    payload = self.storage.compact()
                else:
                    payload = self.storage.snapshot_bytes()
                self.backups.write(payload, self.file_mode)
            self.storage.commits = 0
        self.lock.close()
