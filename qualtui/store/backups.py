"""Rotating backups of ``project.json`` in ``backups/``.

A backup is a copy of the file about to be replaced, taken at most every ``interval``
seconds and on open; kept: the newest ``keep_last`` plus the newest one of each day.
(Hard links would be free, but any tool that rewrites ``project.json`` in place, such as
TinyDB's own JSONStorage or an editor, would then corrupt the backups with it.)
"""

from __future__ import annotations

import os
import shutil
import time
from datetime import datetime, timezone
from pathlib import Path

PREFIX = "project-"
SUFFIX = ".json"


class BackupRotation:
    def __init__(self, directory: Path, *, interval: float = 300.0, keep_last: int = 10,
                 dir_mode: int = 0o700) -> None:
        self.directory = directory
        self.interval = interval
        self.keep_last = keep_last
        self.dir_mode = dir_mode
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

    def _due(self) -> bool:
        if self._last is None:
            backups = self.list()
            if not backups:
                return True
            try:
                self._last = backups[-1].stat().st_mtime
            except OSError:
                return True
        return time.time() - self._last >= self.interval

    def before_replace(self, path: Path, force: bool = False) -> Path | None:
        """Keep the current ``path`` (about to be replaced) as a backup if one is due."""
        if not path.exists() or not (force or self._due()):
            return None
        return self.take(path)

    def take(self, path: Path) -> Path | None:
        if not path.exists():
            return None
        self.directory.mkdir(mode=self.dir_mode, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
        target = self.directory / f"{PREFIX}{stamp}{SUFFIX}"
        if target.exists():
            return target
        tmp = target.with_suffix(".tmp")
        shutil.copyfile(path, tmp)
        os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, target)
        self._last = time.time()
        self.prune()
        return target

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
