"""REFI-QDA exchange: projects (.qdpx) and codebooks (.qdc), in and out.

Entry points (the CLI and the TUI call these):

* :func:`import_qdpx` — create a new project at a path from a .qdpx, built in a temporary
  directory next to it and renamed into place only when everything succeeded;
* :func:`import_qdc` — merge a .qdc codebook into an open project (one undoable operation);
* :func:`export_qdpx`, :func:`export_qdc`, :func:`codebook_qdc` — write them, optionally
  pseudonymised.

The element-by-element mapping is documented in ``docs/refi-qda.md``.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

from qualtui.core.errors import ImportFailure, ProjectError
from qualtui.core.exchange import CodebookMerge, ExchangeService
from qualtui.core.project import Project
from qualtui.io.refi.archive import Limits
from qualtui.io.refi.reader import ImportReport, read_qdc, read_qdpx
from qualtui.io.refi.writer import ExportReport, codebook_qdc, export_qdc, export_qdpx

__all__ = [
    "ExportReport",
    "ImportReport",
    "Limits",
    "codebook_qdc",
    "export_qdc",
    "export_qdpx",
    "import_qdc",
    "import_qdpx",
]

Progress = Callable[[str, int, int], None]


def _check_target(path: Path) -> None:
    from qualtui.core.settings import SETTINGS_FILE

    if (path / SETTINGS_FILE).exists() or (path / "project.json").exists():
        raise ProjectError(f"{path}: already a qualtui project; import into a new directory")
    if path.exists() and not path.is_dir():
        raise ProjectError(f"{path}: exists and is not a directory")
    if path.is_dir() and any(path.iterdir()):
        raise ProjectError(f"{path}: the directory is not empty; import into a new directory")


def import_qdpx(path: Path, qdpx: Path, *, coder: str | None = None, external: bool = True,
                limits: Limits | None = None, progress: Progress | None = None,
                group: bool = False, title: str | None = None) -> ImportReport:
    """Create a new project at ``path`` from the REFI-QDA project ``qdpx``.

    The file is read and checked completely first; the project is then built in a hidden
    temporary directory next to ``path`` and renamed into place, so ``path`` is untouched
    unless the import succeeds. ``title`` overrides the project's name from the file.
    Returns the report (counts, warnings, skipped elements).
    """
    from qualtui.core.settings import CoderInfo, Settings, resolve_coder
    from qualtui.store.project import init_project, open_project

    path, qdpx = Path(path), Path(qdpx)
    _check_target(path)
    who = resolve_coder(coder, None)
    bundle, report = read_qdpx(qdpx, coder=who, external=external, limits=limits,
                               progress=progress)
    _check_target(path)  # again: reading a large file takes a while
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.parent / f".{path.name}.qdpx-import-{uuid.uuid4().hex[:8]}"
    settings = Settings(title=title or bundle.title or qdpx.stem,
                        description=bundle.description,
                        coders=[CoderInfo(id=c) for c in bundle.coders])
    try:
        init_project(temp, title=settings.title, group=group, settings=settings)
        project = open_project(temp, coder=who)
        try:
            ExchangeService(project.repo, project.log).write_bundle(
                bundle, f"imported REFI-QDA project {qdpx.name}", progress)
        finally:
            project.close()
        if path.is_dir():
            path.rmdir()  # empty (checked above); rename needs it gone on every platform
        os.rename(temp, path)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    report.target = str(path)
    return report


def import_qdc(project: Project, qdc: Path) -> tuple[CodebookMerge, ImportReport]:
    """Merge a REFI-QDA codebook into ``project`` (one undoable operation)."""
    codes, sets, report = read_qdc(Path(qdc), coder=project.coder)
    if not codes:
        raise ImportFailure(f"{qdc}: the codebook holds no codes")
    merge = ExchangeService(project.repo, project.log).merge_codebook(
        codes, sets, f"imported REFI-QDA codebook {Path(qdc).name}")
    report.counts = {"codes": len(codes), "sets": len(sets)}
    report.warnings.extend(merge.warnings)
    return merge, report
