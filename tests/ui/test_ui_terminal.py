"""The user's config.yaml and the terminal settings it drives: animations and smooth
scrolling (off over SSH), the Esc delay, a preferred colour depth."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import constants
from ui_helpers import write

from qualtui.core.project import Project
from qualtui.tui.app import QualtuiApp
from qualtui.tui.config import config_dir as user_config_dir
from qualtui.tui.config import load_user_config, over_ssh


@pytest.fixture(autouse=True)
def _restore_textual_constants(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app sets these process-wide; put them back after each test."""
    monkeypatch.setattr(constants, "SMOOTH_SCROLL", constants.SMOOTH_SCROLL)
    monkeypatch.setattr(constants, "ESCAPE_DELAY", constants.ESCAPE_DELAY)


def test_config_dir_follows_the_environment(config_dir: Path) -> None:
    assert user_config_dir() == config_dir


def test_good_config(tmp_path: Path) -> None:
    path = write(tmp_path / "config.yaml", "theme: qualtui-light\ncolors: 256\n"
                                           "animations: off\nescape_delay: 30\n")
    config = load_user_config(path)
    assert (config.theme, config.colors, config.animations, config.escape_delay) == (
        "qualtui-light", "256", "off", 30)
    assert config.warnings == [] and not config.animations_on({})


@pytest.mark.parametrize(("text", "warning"), [
    ("theme: [a\n", "not valid YAML (line"),
    ("just a string\n", "expected 'key: value' lines"),
    ("colours: 256\n", "colours: unknown setting"),
    ("colors: 1000\n", "colors: '1000' is not one of"),
    ("animations: sometimes\n", "animations: 'sometimes' is not one of"),
    ("escape_delay: fast\n", "escape_delay: expected milliseconds"),
    ("theme: 3\n", "theme: expected a theme name"),
])
def test_bad_config_warns_and_keeps_defaults(tmp_path: Path, text: str, warning: str) -> None:
    path = write(tmp_path / "config.yaml", text)
    config = load_user_config(path)
    assert len(config.warnings) == 1 and config.warnings[0].startswith(f"{path}: ")
    assert warning in config.warnings[0]
    assert config.theme is None and config.colors is None and config.animations == "auto"


def test_missing_config_is_fine(tmp_path: Path) -> None:
    config = load_user_config(tmp_path / "nothing.yaml")
    assert config.warnings == [] and config.animations_on({})


def test_ssh_detection() -> None:
    assert over_ssh({"SSH_CONNECTION": "10.0.0.1 5000 10.0.0.2 22"})
    assert over_ssh({"SSH_TTY": "/dev/pts/3"})
    assert not over_ssh({"TERM": "xterm-256color"})


def test_animations_off_over_ssh(sample: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    app = QualtuiApp(sample, color_depth="256")
    assert app.animation_level == constants.TEXTUAL_ANIMATIONS
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22")
    app = QualtuiApp(sample, color_depth="256")
    assert app.animation_level == "none" and constants.SMOOTH_SCROLL is False


def test_animations_setting_wins(sample: Project, config_dir: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSH_TTY", "/dev/pts/1")
    write(config_dir / "config.yaml", "animations: on\n")
    assert QualtuiApp(sample).animation_level != "none"
    monkeypatch.delenv("SSH_TTY")
    write(config_dir / "config.yaml", "animations: off\n")
    assert QualtuiApp(sample).animation_level == "none"


def test_escape_delay(sample: Project, config_dir: Path,
                      monkeypatch: pytest.MonkeyPatch) -> None:
    write(config_dir / "config.yaml", "escape_delay: 25\n")
    QualtuiApp(sample)
    assert constants.ESCAPE_DELAY == pytest.approx(0.025)
    monkeypatch.setattr(constants, "ESCAPE_DELAY", 0.1)
    monkeypatch.setenv("ESCDELAY", "200")  # Textual's own variable wins
    QualtuiApp(sample)
    assert constants.ESCAPE_DELAY == pytest.approx(0.1)


def test_preferred_colors(sample: Project, config_dir: Path,
                          monkeypatch: pytest.MonkeyPatch) -> None:
    write(config_dir / "config.yaml", "colors: 16\n")
    app = QualtuiApp(sample)
    assert app.terminal_depth == "16" and app.theme == "qualtui-ansi"
    monkeypatch.setenv("NO_COLOR", "1")
    assert QualtuiApp(sample).color_depth == "mono"


async def test_config_warnings_are_shown(sample: Project, config_dir: Path) -> None:
    write(config_dir / "config.yaml", "animation: off\n")
    app = QualtuiApp(sample, color_depth="truecolor")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("config.yaml: animation: unknown setting" in m for m in messages)
