"""A crash-safe, multi-process TinyDB Storage for ``project.json``.

TinyDB's JSONStorage rewrites the file in place (a crash leaves a torn file) and never
notices other processes. This storage:

- caches the parsed data and re-reads only when the files changed on disk, judged by
  ``(st_ino, st_mtime_ns, st_size, st_ctime_ns)`` of ``project.json`` and its journal and by
  the commit counter in the lock file;
- commits a transaction by appending its changes as one line to ``project.json.journal``
  and fsyncing it (O(change), not O(project)): the journal is a write-ahead log;
- compacts (when the journal has grown to half the project, or a change is not expressible
  as a delta) atomically: serialise, temp file in the same directory (O_EXCL, the project's
  mode), fsync, ``os.replace`` over ``project.json``, fsync the dir, then a fresh journal;
- re-reads incrementally: another process's commit costs this process only its new lines;
- ignores a torn last journal line (a writer killed mid-append, never acknowledged);
- never overwrites a file that failed to parse (``StoreCorrupt`` names the newest backup).

``project.json`` is always a complete, valid TinyDB file as of its ``journal_seq``; the
journal's lines carry ``seq`` numbers and only those above ``journal_seq`` are replayed.
"""

from __future__ import annotations

import os
import sys
import time
from io import BytesIO
from itertools import chain, islice
from pathlib import Path
from typing import Any, BinaryIO

import orjson
from tinydb.storages import Storage

from qualtui.core.errors import StoreCorrupt

StatKey = tuple[int, int, int, int]


def stat_key(path: Path) -> StatKey | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size, st.st_ctime_ns)


def fsync_dir(directory: Path) -> None:
    if sys.platform == "win32":  # pragma: no cover
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        if sys.platform == "darwin":  # pragma: no cover
            import fcntl

            fcntl.fcntl(fd, fcntl.F_FULLFSYNC)
        else:
            os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes, mode: int) -> None:
    """Write ``data`` to ``path`` atomically and durably, with permission bits ``mode``."""
    directory = path.parent
    for attempt in range(100):
        tmp = directory / f".{path.name}.{os.getpid()}.{attempt}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
            break
        except FileExistsError:
            try:  # a leftover from a crashed writer with our pid
                if time.time() - tmp.stat().st_mtime > 60:
                    tmp.unlink()
            except OSError:
                pass
    else:  # pragma: no cover
        raise OSError(f"cannot create a temporary file in {directory}")
    try:
        try:
            os.fchmod(fd, mode)  # the umask must not narrow a team project's mode
        except (AttributeError, PermissionError):  # pragma: no cover
            pass
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        if sys.platform == "darwin":  # pragma: no cover
            import fcntl

            fcntl.fcntl(fd, fcntl.F_FULLFSYNC)
        else:
            os.fsync(fd)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    os.close(fd)
    try:
        _replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(directory)


def _replace(src: Path, dst: Path) -> None:
    if sys.platform != "win32":
        os.replace(src, dst)
        return
    for _ in range(50):  # pragma: no cover - Windows: a reader may hold the file briefly
        try:
            os.replace(src, dst)
            return
        except PermissionError:
            time.sleep(0.02)
    os.replace(src, dst)  # pragma: no cover


_LINE_BYTES = 256 * 1024  # about this many bytes of rows per line of project.json


def dumps(data: dict[str, Any]) -> bytes:
    """``project.json`` as written: ordinary TinyDB JSON, laid out in lines. ``{``, then per
    table a line ``"name":{`` followed by its rows in lines of about 256 KB and a closing
    ``}``/``},`` line, then ``}``. :func:`read_store` parses it a line at a time instead of
    holding the whole file and orjson's parse of it at once: a 50,000-segment project
    (44 MB) peaked at 244 MB parsed whole and at 131 MB line by line, in the same time.

    The lines go straight into one growing buffer (``BytesIO.getvalue()`` hands it over
    without a copy), so writing holds the file's size once, not a list of lines and their
    join as well."""
    out = BytesIO()
    out.write(b"{\n")
    names = list(data)
    for position, name in enumerate(names):
        end = b"\n" if position == len(names) - 1 else b",\n"
        key = orjson.dumps(name)
        rows = iter(data[name].items())
        sample = list(islice(rows, 16))  # to size the lines by
        if not sample:
            out.write(key + b":{}" + end)
            continue
        per_line = max(1, _LINE_BYTES * len(sample) // len(orjson.dumps(dict(sample))))
        rows = chain(sample, rows)
        out.write(key + b":{\n")
        separator = b""
        while chunk := dict(islice(rows, per_line)):
            out.write(separator)
            out.write(memoryview(orjson.dumps(chunk))[1:-1])
            separator = b",\n"
        out.write(b"\n}" + end)
    out.write(b"}\n")
    return out.getvalue()


def _hint(newest_backup: str) -> str:
    return (f"; the newest backup is {newest_backup}: run 'qualtui doctor --restore'"
            if newest_backup else "; no backup exists")


def loads(raw: bytes, path: Path, newest_backup: str) -> dict[str, Any]:
    """Parse a whole ``project.json`` (any JSON layout)."""
    hint = _hint(newest_backup)
    if not raw.strip():
        raise StoreCorrupt(f"{path}: the file is empty{hint}")
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise StoreCorrupt(f"{path}: not valid JSON ({exc}){hint}") from None
    if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
        raise StoreCorrupt(f"{path}: not a qualtui/TinyDB store (wrong shape){hint}")
    return data


class _NotLines(Exception):
    """The file is not in :func:`dumps`'s line layout (or is damaged)."""


def read_store(fh: BinaryIO, path: Path, newest_backup: str) -> dict[str, Any]:
    """Parse ``project.json`` from ``fh`` (at its start): line by line when it has
    :func:`dumps`'s layout, else (another writer's layout, or damage) as a whole."""
    first = fh.readline(3)  # a bounded read: a one-line file is read whole below only
    if first == b"{\n":
        try:
            return _read_lines(fh)
        except _NotLines:
            pass
    fh.seek(0)
    return loads(fh.read(), path, newest_backup)


def _read_lines(fh: BinaryIO) -> dict[str, Any]:
    data: dict[str, Any] = {}
    rows: dict[str, Any] | None = None
    try:
        for line in fh:
            if rows is not None:  # inside a table: lines of rows until its closing brace
                if line in (b"}\n", b"},\n"):
                    rows = None
                else:
                    rows.update(orjson.loads(b"{" + line.rstrip(b"\n").rstrip(b",") + b"}"))
            elif line.endswith(b":{\n"):
                rows = data[_table_name(line[:-3])] = {}
            elif line.endswith((b":{}\n", b":{},\n")):
                data[_table_name(line[:line.rindex(b":{}")])] = {}
            elif line in (b"}\n", b"}"):
                if fh.read().strip():
                    raise _NotLines
                return data
            else:
                raise _NotLines
    except orjson.JSONDecodeError:
        raise _NotLines from None
    raise _NotLines  # no closing brace: cut short


def _table_name(raw: bytes) -> str:
    name = orjson.loads(raw)
    if not isinstance(name, str):
        raise _NotLines
    return name


JOURNAL_SUFFIX = ".journal"
COMPACT_MIN_BYTES = 256 * 1024


def _meta_value(data: dict[str, Any], key: str, default: Any = None) -> Any:
    for doc in data.get("meta", {}).values():
        if doc.get("key") == key:
            return doc.get("value", default)
    return default


def _set_meta_value(data: dict[str, Any], key: str, value: Any) -> None:
    meta = data.setdefault("meta", {})
    for doc in meta.values():
        if doc.get("key") == key:
            doc["value"] = value
            return
    next_id = max((int(k) for k in meta), default=0) + 1
    meta[str(next_id)] = {"key": key, "value": value}


class AtomicJSONStorage(Storage):
    """TinyDB storage: parse cache, journaled commits, atomic compaction, incremental reload."""

    def __init__(self, path: str | Path, *, mode: int = 0o600, backups: Any = None,
                 lock: Any = None) -> None:
        self.path = Path(path)
        self.journal_path = self.path.with_name(self.path.name + JOURNAL_SUFFIX)
        self.mode = mode
        self.backups = backups  # BackupRotation | None
        self.lock = lock  # ProjectLock | None
        self._data: dict[str, Any] | None = None
        self._key: StatKey | None = None
        self._jkey: StatKey | None = None
        self._generation = -1
        self._journal_nonce = ""
        self._journal_offset = 0  # bytes of the journal applied to _data
        self._journal_seq = 0  # last seq applied
        self._pending = False  # buffered writes inside a transaction
        self._full = False  # the pending change needs a full rewrite (compaction)
        self._delta: list[list[Any]] = []  # [table, doc_key, doc | None]
        self._in_transaction = 0
        self.version = 0  # bumped whenever _data is replaced or changed by a reload
        self.commits = 0  # how many commits this process made

    # -- change detection --------------------------------------------------------------
    def disk_token(self) -> tuple[StatKey | None, StatKey | None, int]:
        gen = self.lock.read_generation() if self.lock is not None else 0
        return (stat_key(self.path), stat_key(self.journal_path), gen)

    def changed_on_disk(self) -> bool:
        """True when another process committed since we last read (two stats, one pread)."""
        if self._data is None:
            return True
        return self.disk_token() != (self._key, self._jkey, self._generation)

    def invalidate(self) -> None:
        self._data = None
        self._key = None
        self._jkey = None
        self.version += 1

    def reload_if_changed(self) -> bool:
        """Re-read what changed on disk; returns True when something did."""
        if self._in_transaction and self._pending:
            return False
        if not self.changed_on_disk():
            return False
        key, jkey, gen = self.disk_token()
        if (self._data is not None and key == self._key and jkey is not None
                and self._jkey is not None and jkey[0] == self._jkey[0]
                and jkey[2] >= self._journal_offset and self._read_nonce() == self._journal_nonce
                and self._journal_nonce):
            self._replay_journal(incremental=True)
            self._generation = gen
        else:
            self._load()
        return True

    # -- loading -----------------------------------------------------------------------------
    def _newest_backup(self) -> str:
        return self.backups.newest_name() if self.backups is not None else ""

    def _load(self) -> None:
        for _ in range(5):  # retry if a compaction replaced the file while we read
            gen = self.lock.read_generation() if self.lock is not None else 0
            try:
                fh = open(self.path, "rb")
            except FileNotFoundError:
                self._data, self._key, self._generation = {}, None, gen
                self._journal_seq, self._journal_offset, self._journal_nonce = 0, 0, ""
                self._jkey = stat_key(self.journal_path)
                self.version += 1
                return
            with fh:
                st = os.fstat(fh.fileno())
                data = read_store(fh, self.path, self._newest_backup())
            self._data = data
            self._key = (st.st_ino, st.st_mtime_ns, st.st_size, st.st_ctime_ns)
            self._generation = gen
            self._journal_seq = int(_meta_value(data, "journal_seq", 0) or 0)
            self._journal_offset = 0
            self._journal_nonce = ""
            self._replay_journal(incremental=False)
            self.version += 1
            if stat_key(self.path) == self._key:
                return
        raise StoreCorrupt(f"{self.path}: kept changing while being read; try again")

    def _read_nonce(self) -> str:
        try:
            with open(self.journal_path, "rb") as fh:
                first = fh.readline(512)
        except FileNotFoundError:
            return ""
        try:
            return str(orjson.loads(first).get("journal", ""))
        except (orjson.JSONDecodeError, AttributeError):
            return ""

    def _replay_journal(self, incremental: bool) -> None:
        assert self._data is not None
        try:
            fh = open(self.journal_path, "rb")
        except FileNotFoundError:
            self._jkey = None
            return
        with fh:
            st = os.fstat(fh.fileno())
            if not incremental:
                header = fh.readline()
                try:
                    info = orjson.loads(header) if header.endswith(b"\n") else {}
                except orjson.JSONDecodeError:
                    info = {}
                if not isinstance(info, dict) or "journal" not in info:
                    # unreadable header: the journal cannot be trusted; project.json stands
                    self._jkey = (st.st_ino, st.st_mtime_ns, st.st_size, st.st_ctime_ns)
                    self._journal_offset = st.st_size
                    return
                self._journal_nonce = str(info["journal"])
                self._journal_offset = len(header)
            fh.seek(self._journal_offset)
            chunk = fh.read()
        offset = self._journal_offset
        for line in chunk.splitlines(keepends=True):
            if not line.endswith(b"\n"):
                break  # a torn tail: a writer died mid-append before acknowledging
            try:
                entry = orjson.loads(line)
                seq = int(entry["seq"])
                changes = entry["changes"]
            except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
                break
            if seq > self._journal_seq:
                for table, doc_key, doc in changes:
                    rows = self._data.setdefault(table, {})
                    if doc is None:
                        rows.pop(doc_key, None)
                    else:
                        rows[doc_key] = doc
                self._journal_seq = seq
            offset += len(line)
        self._journal_offset = offset
        self._jkey = (st.st_ino, st.st_mtime_ns, st.st_size, st.st_ctime_ns)
        self.version += 1

    def cached(self) -> dict[str, Any]:
        """The data as last read (a consistent snapshot); loads only the first time."""
        if self._data is None:
            self._load()
        assert self._data is not None
        return self._data

    # -- TinyDB Storage API ----------------------------------------------------------------
    def read(self) -> dict[str, Any] | None:
        if self._data is None or (not self._in_transaction and self.changed_on_disk()):
            self.reload_if_changed() if self._data is not None else self._load()
        return self._data

    def write(self, data: dict[str, Any]) -> None:
        """TinyDB's whole-database write: commits as a full rewrite (compaction)."""
        if self._in_transaction:
            self._data = data
            self._pending = True
            self._full = True
            return
        self.begin()
        self._data = data
        self._pending = True
        self._full = True
        self.end(commit=True)

    def close(self) -> None:
        pass

    # -- recording changes (driven by the repository) ------------------------------------------
    def record(self, table: str, doc_key: str, doc: dict[str, Any] | None) -> None:
        """Note one changed document of the current transaction (for the journal line)."""
        self._pending = True
        self._delta.append([table, doc_key, doc])

    def mark_full(self) -> None:
        """The pending change must be written as a full rewrite (e.g. a migration)."""
        self._pending = True
        self._full = True

    # -- transactions --------------------------------------------------------------------------
    def begin(self) -> None:
        if self.lock is not None:
            self.lock.acquire()
        if self._in_transaction == 0:
            try:
                self.reload_if_changed()
            except BaseException:
                if self.lock is not None:
                    self.lock.release()
                raise
        self._in_transaction += 1

    def end(self, commit: bool) -> None:
        try:
            self._in_transaction -= 1
            if self._in_transaction == 0:
                try:
                    if commit and self._pending:
                        self._commit()
                    elif self._pending:
                        # A failed transaction mutated the cached dict in place: drop it.
                        self.invalidate()
                finally:
                    self._pending = False
                    self._full = False
                    self._delta = []
        finally:
            if self.lock is not None:
                self.lock.release()

    def _commit(self) -> None:
        assert self._data is not None
        try:
            journal_size = self._journal_offset if self._jkey is not None else 0
            main_size = self._key[2] if self._key is not None else 0
            if (self._full or not self._delta or self._key is None
                    or journal_size > max(COMPACT_MIN_BYTES, main_size // 2)):
                self._compact()
            else:
                self._append_journal()
        except BaseException:
            self.invalidate()
            raise
        if self.lock is not None:
            self.lock.write_generation(max(self._generation, 0) + 1)
            self._generation = self.lock.read_generation()
        self.commits += 1

    def _append_journal(self) -> None:
        seq = self._journal_seq + 1
        line = orjson.dumps({"seq": seq, "changes": self._delta}) + b"\n"
        if not self.journal_path.exists() or not self._journal_nonce:
            self._new_journal()
        fd = os.open(self.journal_path, os.O_WRONLY)
        try:
            os.ftruncate(fd, self._journal_offset)  # drop a torn tail left by a killed writer
            os.lseek(fd, self._journal_offset, os.SEEK_SET)
            view = memoryview(line)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            _fsync(fd)
            st = os.fstat(fd)
        finally:
            os.close(fd)
        self._journal_seq = seq
        self._journal_offset += len(line)
        self._jkey = (st.st_ino, st.st_mtime_ns, st.st_size, st.st_ctime_ns)

    def _new_journal(self) -> None:
        self._journal_nonce = os.urandom(8).hex()
        header = orjson.dumps({"journal": self._journal_nonce, "base": self._journal_seq,
                               "format": "qualtui-journal-1"}) + b"\n"
        atomic_write_bytes(self.journal_path, header, self.mode)
        self._journal_offset = len(header)
        self._jkey = stat_key(self.journal_path)

    def _compact(self) -> bytes:
        assert self._data is not None
        _set_meta_value(self._data, "journal_seq", self._journal_seq)
        payload = dumps(self._data)
        if self.backups is not None:
            self.backups.if_due(payload)
        atomic_write_bytes(self.path, payload, self.mode)
        self._key = stat_key(self.path)
        self._new_journal()
        return payload

    def journal_has_changes(self) -> bool:
        """True when project.json alone is behind: journal lines await compaction."""
        return self._jkey is not None and self._journal_offset > self._journal_header_size()

    def _journal_header_size(self) -> int:
        try:
            with open(self.journal_path, "rb") as fh:
                return len(fh.readline(512))
        except FileNotFoundError:
            return 0

    def compact(self) -> bytes:
        """Fold the journal into project.json now (under the lock); returns the snapshot."""
        self.begin()
        try:
            payload = self._compact()
        except BaseException:
            self.invalidate()
            raise
        finally:
            self._in_transaction -= 1
            if self.lock is not None:
                self.lock.release()
        if self.lock is not None:
            self.lock.write_generation(max(self._generation, 0) + 1)
            self._generation = self.lock.read_generation()
        return payload

    def snapshot_bytes(self) -> bytes:
        """The whole current data as one TinyDB JSON document (for backups and exports)."""
        data = self.cached()
        _set_meta_value(data, "journal_seq", self._journal_seq)
        return dumps(data)


def _fsync(fd: int) -> None:
    if sys.platform == "darwin":  # pragma: no cover
        import fcntl

        fcntl.fcntl(fd, fcntl.F_FULLFSYNC)
    else:
        os.fsync(fd)
