"""Project directories: create, find, open (with schema check and migration), doctor, restore.

A project is a directory holding ``qualtui.yaml`` (settings), ``project.json`` (the TinyDB
store), ``sources/`` (immutable normalised texts and originals) and ``backups/``.
Files are 0600 and directories 0700; a team project (``--group``) uses 0660 and 2770.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson

from qualtui.core.errors import ProjectError, StoreCorrupt
from qualtui.core.project import Project
from qualtui.core.settings import SETTINGS_FILE, Settings, load_settings, resolve_coder
from qualtui.store.database import TinyDBRepository
from qualtui.store.storage import atomic_write_bytes, loads

SCHEMA_VERSION = 1
PRIVATE = (0o600, 0o700)
GROUP = (0o660, 0o2770)


def modes_for(group: bool) -> tuple[int, int]:
    return GROUP if group else PRIVATE


def find_project_root(start: Path | None = None) -> Path:
    """The nearest directory upward from ``start`` holding ``qualtui.yaml`` (like git)."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / SETTINGS_FILE).is_file():
            return candidate
    raise ProjectError(f"no qualtui project in {here} or above (no {SETTINGS_FILE});"
                       " pass -p PATH or run 'qualtui init PATH'")


def _mkdir(path: Path, mode: int) -> None:
    path.mkdir(mode=mode, exist_ok=True)
    os.chmod(path, mode)  # mkdir's mode is narrowed by the umask


def init_project(path: Path, *, title: str | None = None, group: bool = False,
                 settings: Settings | None = None) -> Path:
    """Create an empty project at ``path`` (which must not hold one already)."""
    file_mode, dir_mode = modes_for(group)
    if (path / SETTINGS_FILE).exists() or (path / "project.json").exists():
        raise ProjectError(f"{path}: already a qualtui project")
    if path.exists() and not path.is_dir():
        raise ProjectError(f"{path}: exists and is not a directory")
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, dir_mode)
    for sub in ("sources", "sources/originals", "backups"):
        _mkdir(path / sub, dir_mode)
    settings = settings or Settings()
    if title:
        settings.title = title
    settings.group = group
    repo = TinyDBRepository(path, file_mode=file_mode, dir_mode=dir_mode)
    with repo.transaction():
        repo.set_meta("schema", SCHEMA_VERSION)
        repo.set_meta("project_id", os.urandom(16).hex())
        repo.set_meta("created_at", datetime.now(timezone.utc).isoformat(timespec="seconds"))
        repo.set_meta("next_seq", 1)
    repo.close()
    atomic_write_bytes(path / SETTINGS_FILE, settings.to_yaml().encode("utf-8"), file_mode)
    return path


# -- schema migrations: version N -> N+1, each a pure function of the raw tables ------------
def _migrate_0_to_1(data: dict[str, Any]) -> dict[str, Any]:
    """Pre-release stores had no schema marker, segments without coder/created_at and
    documents without turns."""
    for seg in data.get("segments", {}).values():
        seg.setdefault("coder", "unknown")
        seg.setdefault("created_at", "")
    for doc in data.get("documents", {}).values():
        doc.setdefault("turns", [])
        doc.setdefault("cues", [])
        doc.setdefault("attributes", {})
    meta = data.setdefault("meta", {})
    next_id = max((int(k) for k in meta), default=0) + 1
    if not any(m.get("key") == "next_seq" for m in meta.values()):
        meta[str(next_id)] = {"key": "next_seq",
                              "value": len(data.get("log", {})) + 1}
    return data


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {0: _migrate_0_to_1}


def _schema_of(data: dict[str, Any]) -> int:
    for doc in data.get("meta", {}).values():
        if doc.get("key") == "schema":
            return int(doc.get("value", 0))
    return 0


def _set_schema(data: dict[str, Any], version: int) -> None:
    meta = data.setdefault("meta", {})
    for doc in meta.values():
        if doc.get("key") == "schema":
            doc["value"] = version
            return
    next_id = max((int(k) for k in meta), default=0) + 1
    meta[str(next_id)] = {"key": "schema", "value": version}


def check_schema(repo: TinyDBRepository) -> int:
    """Refuse newer stores; migrate older ones after a backup. Returns the found version."""
    with repo.transaction():
        data = repo.storage.cached()
        found = _schema_of(data) if data else SCHEMA_VERSION
        if found > SCHEMA_VERSION:
            raise ProjectError(
                f"{repo.path}: written by a newer qualtui (schema {found}; this version reads"
                f" up to {SCHEMA_VERSION}); upgrade qualtui: pip install -U qualtui")
        if found < SCHEMA_VERSION:
            repo.backups.take(repo.path)
            for version in range(found, SCHEMA_VERSION):
                data = MIGRATIONS[version](data)
            _set_schema(data, SCHEMA_VERSION)
            repo.storage._data = data
            repo.storage.mark_full()
        return found


def open_project(path: Path | None = None, *, coder: str | None = None,
                 backup_interval: float = 300.0) -> Project:
    if path is None:
        root = find_project_root()
    elif (path / SETTINGS_FILE).is_file():
        root = path.resolve()
    elif not path.exists():
        raise ProjectError(f"{path}: no such directory")
    else:
        raise ProjectError(f"{path}: not a qualtui project (no {SETTINGS_FILE});"
                           f" run 'qualtui init {path}' first")
    settings = load_settings(root)
    file_mode, dir_mode = modes_for(settings.group)
    narrowed = make_private(root, file_mode, dir_mode)
    repo = TinyDBRepository(root, file_mode=file_mode, dir_mode=dir_mode,
                            backup_interval=backup_interval)
    check_schema(repo)
    if repo.backups.due():  # a backup on open, at most every interval
        with repo.lock:
            repo.backups.write(repo.storage.snapshot_bytes(), file_mode)
    project = Project(repo, settings, resolve_coder(coder, settings))
    if narrowed:
        who = "group members and others" if not settings.group else "others"
        project.notices.append(
            f"{root}: {narrowed} files and folders were readable by {who} (a copy or git"
            " clone keeps no private modes); qualtui made them private")
    return project


def make_private(root: Path, file_mode: int, dir_mode: int) -> int:
    """Take away the access a project's files must not give (interviews are confidential):
    for a private project everything beyond the owner, for a group project everything beyond
    the group. Only when the project folder itself is too open (one stat otherwise: a folder
    others cannot enter keeps every file in it from them). Files this user does not own are
    left as they are (``qualtui doctor`` reports them). Returns how many were narrowed."""
    if not hasattr(os, "getuid"):  # pragma: no cover - Windows: no POSIX modes
        return 0
    too_open = 0o777 & ~dir_mode
    try:
        if not stat.S_IMODE(root.stat().st_mode) & too_open:
            return 0
    except OSError:
        return 0
    narrowed = 0
    for path in (root, *root.rglob("*")):
        try:
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode) or info.st_uid != os.getuid():
                continue
            mode = stat.S_IMODE(info.st_mode)
            allowed = dir_mode if stat.S_ISDIR(info.st_mode) else file_mode | (mode & 0o100)
            if mode & ~allowed & 0o777:
                os.chmod(path, mode & allowed)
                narrowed += 1
        except OSError:
            continue
    return narrowed


# -- doctor ----------------------------------------------------------------------------------
@dataclass
class Finding:
    level: str  # "error" | "warning" | "ok"
    message: str


def doctor(root: Path, progress: Callable[[int, int], None] | None = None) -> list[Finding]:
    """Verify the store, the sources' hashes, and that every offset is in range."""
    from hashlib import sha256

    findings: list[Finding] = []
    settings = load_settings(root)
    file_mode, dir_mode = modes_for(settings.group)
    repo = TinyDBRepository(root, file_mode=file_mode, dir_mode=dir_mode)
    try:
        data = repo.storage.cached()
    except StoreCorrupt as exc:
        return [Finding("error", str(exc))]
    schema = _schema_of(data)
    if schema != SCHEMA_VERSION:
        findings.append(Finding("warning", f"schema {schema} (current {SCHEMA_VERSION}):"
                                " opening the project migrates it"))
    tables = {name: list(data.get(name, {}).values()) for name in
              ("documents", "codes", "segments", "memos")}
    for name, rows in tables.items():
        ids = [r.get("id") for r in rows]
        if len(ids) != len(set(ids)):
            findings.append(Finding("error", f"{name}: duplicate ids"))
    docs = {d["id"]: d for d in tables["documents"]}
    lengths: dict[str, int] = {}
    total = len(docs) + len(tables["segments"])
    done = 0
    for doc in docs.values():
        source = repo.source_path(doc["id"])
        try:
            raw = source.read_bytes()
        except FileNotFoundError:
            findings.append(Finding("error", f"document '{doc['name']}': source {source}"
                                    " is missing"))
            continue
        if sha256(raw).hexdigest() != doc.get("sha256"):
            findings.append(Finding("error", f"document '{doc['name']}': {source} was changed"
                                    " after import (sha256 mismatch); codings may be wrong"))
        lengths[doc["id"]] = len(raw.decode("utf-8", "replace"))
        mode = stat.S_IMODE(source.stat().st_mode)
        if mode & 0o007:
            findings.append(Finding("warning", f"{source} is readable by others"
                                    f" (mode {oct(mode)}); run chmod o-rwx"))
        done += 1
        if progress:
            progress(done, total)
    codes = {c["id"]: c for c in tables["codes"]}
    for code in codes.values():
        if code.get("parent_id") and code["parent_id"] not in codes:
            findings.append(Finding("error", f"code '{code['name']}': parent is missing"))
    bad_offsets = 0
    for seg in tables["segments"]:
        doc_len = lengths.get(seg.get("document_id", ""))
        if seg.get("document_id") not in docs:
            findings.append(Finding("error", f"segment {seg['id'][:8]}: unknown document"))
        elif seg.get("code_id") not in codes:
            findings.append(Finding("error", f"segment {seg['id'][:8]}: unknown code"))
        elif doc_len is not None and not (0 <= seg["start"] < seg["end"] <= doc_len):
            bad_offsets += 1
            findings.append(Finding("error", f"segment {seg['id'][:8]}: offsets"
                                    f" {seg['start']}-{seg['end']} out of range 0-{doc_len}"))
        done += 1
        if progress and done % 500 == 0:
            progress(done, total)
    targets = set(docs) | set(codes) | {s["id"] for s in tables["segments"]}
    for memo in tables["memos"]:
        if memo.get("target_id") and memo["target_id"] not in targets:
            findings.append(Finding("warning", f"memo '{memo.get('title')}': its target is gone"))
    project_mode = stat.S_IMODE(repo.path.stat().st_mode) if repo.path.exists() else 0
    if project_mode & 0o007:
        findings.append(Finding("warning", f"{repo.path} is readable by others"
                                f" (mode {oct(project_mode)})"))
    if not any(f.level == "error" for f in findings):
        findings.append(Finding("ok", f"{len(docs)} documents, {len(codes)} codes,"
                                f" {len(tables['segments'])} segments, {len(tables['memos'])}"
                                f" memos checked; {len(repo.backups.list())} backups"))
    repo.close()
    return findings


def restore_newest_backup(root: Path) -> tuple[Path, Path | None]:
    """Replace a broken ``project.json`` by the newest backup that parses.

    The broken file is kept as ``project.json.broken-<time>``. Returns (backup, kept copy).
    """
    settings = load_settings(root)
    file_mode, dir_mode = modes_for(settings.group)
    repo = TinyDBRepository(root, file_mode=file_mode, dir_mode=dir_mode)
    with repo.lock:
        for backup in reversed(repo.backups.list()):
            raw = backup.read_bytes()
            try:
                loads(raw, backup, "")
            except StoreCorrupt:
                continue
            kept: Path | None = None
            if repo.path.exists():
                stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
                kept = root / f"project.json.broken-{stamp}"
                os.replace(repo.path, kept)
            atomic_write_bytes(repo.path, raw, file_mode)
            # the journal holds changes on top of the broken file: it no longer applies
            repo.storage.journal_path.unlink(missing_ok=True)
            repo.lock.write_generation(repo.lock.read_generation() + 1)
            repo.close()
            return backup, kept
    repo.close()
    raise ProjectError(f"{root / 'backups'}: no backup that parses; nothing restored")


def read_raw(root: Path) -> dict[str, Any]:
    return orjson.loads((root / "project.json").read_bytes())
