"""Fixtures for the theme, keymap and terminal tests: a private config directory, a fixed
time zone and coder, no colour or SSH settings from the developer's shell, and a copy of
``sample_project/``."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from ui_helpers import copy_sample

from qualtui.core.project import Project
from qualtui.store.project import open_project


@pytest.fixture(autouse=True)
def _ui_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config"
    config.mkdir()
    monkeypatch.setenv("QUALTUI_CONFIG_DIR", str(config))
    monkeypatch.setenv("QUALTUI_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("QUALTUI_CODER", "coder1")
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    for name in ("NO_COLOR", "QUALTUI_COLORS", "QUALTUI_EXIT_AFTER_PAINT", "QUALTUI_DEBUG",
                 "SSH_CONNECTION", "SSH_TTY", "ESCDELAY", "TEXTUAL_THEME"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    return tmp_path / "config"


@pytest.fixture
def sample_root(tmp_path: Path) -> Path:
    return copy_sample(tmp_path / "sample")


@pytest.fixture
def sample(sample_root: Path) -> Project:
    project = open_project(sample_root, coder="coder1")
    yield project
    project.close()
