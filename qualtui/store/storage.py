"""A crash-safe, multi-process TinyDB Storage for ``project.json``.

TinyDB's JSONStorage rewrites the file in place (a crash leaves a torn file) and never
notices other processes. This storage:

- caches the parsed data and re-parses only when the file changed on disk, judged by
  ``(st_ino, st_mtime_ns, st_size, st_ctime_ns)`` and the commit counter in the lock file;
- commits atomically: serialise first, write a temp file in the same directory (O_EXCL,
  the project's file mode), fsync it, ``os.replace`` it over ``project.json``, fsync the dir;
- never overwrites a file that failed to parse (``StoreCorrupt`` names the newest backup);
- inside ``ProjectDB.transaction()`` buffers writes and commits once at the end.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

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


def dumps(data: Any) -> bytes:
    return orjson.dumps(data)


def loads(raw: bytes, path: Path, newest_backup: str) -> dict[str, Any]:
    hint = (
        f"; the newest backup is {newest_backup}: run 'qualtui doctor --restore'"
        if newest_backup
        else "; no backup exists"
    )
    if not raw.strip():
        raise StoreCorrupt(f"{path}: the file is empty{hint}")
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise StoreCorrupt(f"{path}: not valid JSON ({exc}){hint}") from None
    if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
        raise StoreCorrupt(f"{path}: not a qualtui/TinyDB store (wrong shape){hint}")
    return data


class AtomicJSONStorage(Storage):
    """TinyDB storage with a stat-keyed parse cache and atomic, durable commits."""

    def __init__(self, path: str | Path, *, mode: int = 0o600, backups: Any = None,
                 lock: Any = None) -> None:
        self.path = Path(path)
        self.mode = mode
        self.backups = backups  # BackupRotation | None
        self.lock = lock  # ProjectLock | None
        self._data: dict[str, Any] | None = None
        self._key: StatKey | None = None
        self._generation = -1
        self._pending = False  # buffered writes inside a transaction
        self._in_transaction = 0
        self.commits = 0  # how many commits this process made

    # -- change detection --------------------------------------------------------------
    def disk_token(self) -> tuple[StatKey | None, int]:
        gen = self.lock.read_generation() if self.lock is not None else 0
        return (stat_key(self.path), gen)

    def changed_on_disk(self) -> bool:
        """True when another process committed since we last read (one stat, one pread)."""
        if self._data is None:
            return True
        return self.disk_token() != (self._key, self._generation)

    def invalidate(self) -> None:
        self._data = None
        self._key = None

    def reload_if_changed(self) -> bool:
        """Re-read the file if it changed; returns True when it did."""
        if self._in_transaction and self._pending:
            return False
        if not self.changed_on_disk():
            return False
        self._load()
        return True

    def _load(self) -> None:
        key, gen = self.disk_token()
        if key is None:
            self._data, self._key, self._generation = {}, None, gen
            return
        try:
            with open(self.path, "rb") as fh:
                raw = fh.read()
                st = os.fstat(fh.fileno())
        except FileNotFoundError:
            self._data, self._key, self._generation = {}, None, gen
            return
        newest = self.backups.newest_name() if self.backups is not None else ""
        data = loads(raw, self.path, newest)
        self._data = data
        self._key = (st.st_ino, st.st_mtime_ns, st.st_size, st.st_ctime_ns)
        self._generation = gen

    def cached(self) -> dict[str, Any]:
        """The data as last read (a consistent snapshot); loads only the first time."""
        if self._data is None:
            self._load()
        assert self._data is not None
        return self._data

    # -- TinyDB Storage API ----------------------------------------------------------------
    def read(self) -> dict[str, Any] | None:
        if self._data is None or (not self._in_transaction and self.changed_on_disk()):
            self._load()
        return self._data

    def write(self, data: dict[str, Any]) -> None:
        self._data = data
        if self._in_transaction:
            self._pending = True
            return
        # A bare TinyDB write outside our transaction: still lock + commit atomically.
        self.begin()
        self._data = data
        self._pending = True
        self.end(commit=True)

    def close(self) -> None:
        pass

    # -- transactions (driven by ProjectDB) ---------------------------------------------------
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
                if commit and self._pending:
                    self._commit()
                elif self._pending:
                    # Failed transaction: TinyDB mutated our cached dict in place; drop it.
                    self.invalidate()
                self._pending = False
        finally:
            if self.lock is not None:
                self.lock.release()

    def _commit(self) -> None:
        assert self._data is not None
        try:
            payload = dumps(self._data)
        except BaseException:
            self.invalidate()
            raise
        try:
            if self.backups is not None:
                self.backups.before_replace(self.path)
            atomic_write_bytes(self.path, payload, self.mode)
        except BaseException:
            self.invalidate()
            raise
        self._key = stat_key(self.path)
        if self.lock is not None:
            self.lock.write_generation(max(self._generation, 0) + 1)
            self._generation = self.lock.read_generation()
        self.commits += 1
