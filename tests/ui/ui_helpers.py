"""Helpers for the UI tests: the sample project copy and the screens to visit."""

from __future__ import annotations

import shutil
from pathlib import Path

from qualtui.store.project import make_private

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_project"


def copy_sample(target: Path) -> Path:
    """A private copy of ``sample_project/`` (without its lock file and backups)."""
    shutil.copytree(SAMPLE, target,
                    ignore=shutil.ignore_patterns("project.json.lock", "backups", "__pycache__"))
    make_private(target, 0o600, 0o700)  # a checkout's modes would make opening it say so
    return target


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
