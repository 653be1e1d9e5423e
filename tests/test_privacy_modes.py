"""Opening a project takes away access a copy gave its confidential files (qualtui.store)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from qualtui.store.project import init_project, open_project

pytestmark = pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX modes")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _loosen(root: Path, file_mode: int, dir_mode: int) -> None:
    for path in (root, *root.rglob("*")):
        os.chmod(path, dir_mode if path.is_dir() else file_mode)


def _project(root: Path, group: bool = False) -> Path:
    init_project(root, title="t", group=group)
    project = open_project(root, coder="c1")
    project.documents.add("D1", "Interview text.", fmt="txt", filename="d1.txt")
    project.close()
    return root


def test_a_copied_project_is_made_private_once(tmp_path: Path) -> None:
    root = _project(tmp_path / "p")
    _loosen(root, 0o644, 0o755)  # as git clone or cp leave it
    project = open_project(root, coder="c1")
    assert len(project.notices) == 1
    assert "readable by group members and others" in project.notices[0]
    project.close()
    for path in (root, *root.rglob("*")):
        assert _mode(path) & 0o077 == 0, path
    again = open_project(root, coder="c1")
    assert again.notices == []
    again.close()


def test_a_team_project_keeps_group_access(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", group=True)
    _loosen(root, 0o664, 0o2775)
    project = open_project(root, coder="c1")
    assert "readable by others" in project.notices[0]
    project.close()
    source = next((root / "sources").glob("*.txt"))
    assert _mode(source) == 0o660
    assert _mode(root) & 0o777 == 0o770 and _mode(root) & stat.S_ISGID


def test_the_command_line_says_so_on_stderr(tmp_path: Path) -> None:
    root = _project(tmp_path / "p")
    _loosen(root, 0o644, 0o755)
    result = subprocess.run([sys.executable, "-m", "qualtui.cli", "-p", str(root), "stats"],
                            capture_output=True, text=True, check=True)
    assert result.stderr.startswith(f"qualtui: {root}: ")
    assert "made them private" in result.stderr
    assert "documents 1" in result.stdout
