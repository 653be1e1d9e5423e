"""Helpers for the UI tests: the sample project copy and the screens to visit."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_project"


def copy_sample(target: Path) -> Path:
    """A private copy of ``sample_project/`` (without its lock file and backups)."""
    shutil.copytree(SAMPLE, target,
                    ignore=shutil.ignore_patterns("project.json.lock", "backups", "__pycache__"))
    return target


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
