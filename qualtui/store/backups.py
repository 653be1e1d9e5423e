"""Rotating backups of ``project.json`` in ``backups/``.

A backup is a complete snapshot of the store (``project.json`` with its journal applied),
written when the store is compacted and at most every ``interval`` seconds, and when a
process that changed the project closes it; kept: the newest ``keep_last`` plus the
newest one of each day. Backups are real copies: hard links would be free, but any tool
that rewrites ``project.json`` in place (TinyDB's own JSONStorage, an editor) would then
corrupt the backups with it.
"""

from __future__ import annotations

import os
import time
from datetime import datetime, timezone
from pathlib import Path

PREFIX = "project-"
SUFFIX = ".json"


class BackupRotation:
    def __init__(self, directory: Path, *, interval: float = 300.0, keep_last: int = 10,
                 dir_mode: int = 0o700, file_mode: int = 0o600) -> None:
        self.directory = directory
        self.interval = interval
        self.keep_last = keep_last
        self.dir_mode = dir_mode
        self.file_mode = file_mode
        self._last: float | None = None

    def list(self) -> list[Path]:
        """Backups, oldest first."""
        if not self.directory.is_dir():
            return []
        return sorted(p for p in self.directory.iterdir()
                      if p.name.startswith(PREFIX) and p.name.endswith(SUFFIX))

    def newest_name(self) -> str:
        backups = self.list()
        return str(backups[-1]) if backups else ""

    def due(self) -> bool:
        if self._last is None:
            backups = self.list()
            if not backups:
                return True
            try:
                self._last = backups[-1].stat().st_mtime
            except OSError:
                return True
        return time.time() - self._last >= self.interval

    def if_due(self, payload: bytes) -> Path | None:
        """Write ``payload`` (a full store snapshot) as a backup if one is due."""
        return self.write(payload) if self.due() else None

    def write(self, payload: bytes, mode: int | None = None) -> Path:
        mode = self.file_mode if mode is None else mode
        if not self.directory.is_dir():
            self.directory.mkdir(mode=self.dir_mode, exist_ok=True)
            os.chmod(self.directory, self.dir_mode)  # mkdir's mode is narrowed by the umask
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
        target = self.directory / f"{PREFIX}{stamp}{SUFFIX}"
        tmp = self.directory / f".{target.name}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        try:
            os.fchmod(fd, mode)
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
        self._last = time.time()
        self.prune()
        return target

    def take(self, path: Path) -> Path | None:
        """Copy the file ``path`` as a backup (used before migrations and restores)."""
        if not path.exists():
            return None
        return self.write(path.read_bytes(), path.stat().st_mode & 0o777)

    def prune(self) -> None:
        backups = self.list()
        keep = set(backups[-self.keep_last:])
        newest_per_day: dict[str, Path] = {}
        for backup in backups:
            newest_per_day[backup.name[len(PREFIX):len(PREFIX) + 8]] = backup
        keep.update(newest_per_day.values())
        for backup in backups:
            if backup not in keep:
                try:
                    backup.unlink()
                except OSError:
                    pass
