"""Theme files: the shipped themes, validation (one line naming the file and the key),
fallback to the default, where the theme is chosen, and live switching."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rich.color import Color as RichColor
from textual.command import CommandList
from textual.theme import ThemeProvider
from ui_helpers import ROOT, write

from qualtui.core.project import Project
from qualtui.store.project import open_project
from qualtui.tui.app import QualtuiApp
from qualtui.tui.screens.pickers import Palette as PalettePicker
from qualtui.tui.themes import (
    DEFAULT_THEME,
    LOW_COLOR_THEME,
    QT_VARIABLES,
    ThemeError,
    code_colors,
    code_tint,
    load_theme_file,
    load_themes,
    shipped_theme_dir,
)
from qualtui.tui.widgets.palette import Palette

SHIPPED = {"qualtui-dark", "qualtui-light", "qualtui-high-contrast", "qualtui-ansi",
           "qualtui-mono"}


def test_shipped_themes_load_cleanly() -> None:
    assert shipped_theme_dir() == ROOT / "themes"
    loaded = load_themes([shipped_theme_dir()])
    assert loaded.warnings == []
    assert set(loaded.themes) == SHIPPED
    themes = loaded.themes
    assert not themes["qualtui-light"].dark and themes["qualtui-dark"].dark
    assert themes["qualtui-ansi"].ansi and code_colors(themes["qualtui-ansi"]) == "ansi"
    assert code_colors(themes["qualtui-mono"]) == "none"
    assert code_tint(themes["qualtui-high-contrast"]) == pytest.approx(0.6)
    assert code_tint(themes["qualtui-dark"]) == pytest.approx(0.42)


GOOD = """\
name: my-theme
dark: false
primary: "#336699"
background: white
luminosity-spread: 0.2
variables:
  qt-selection: "#336699 40%"
  qt-code-colors: ansi
  block-cursor-text-style: bold reverse
"""


@pytest.mark.parametrize(("text", "key"), [
    ("name: x\nprimary: [oops", "not valid YAML (line"),
    ("- a list\n- of things\n", "expected 'key: value' lines"),
    ("name: x\nprimary: \"#12345g\"\n", "primary: '#12345g' is not a colour"),
    ("name: x\nprimary: \"#123456\"\ncolour: red\n", "colour: unknown key"),
    ("name: x\n", "primary: missing"),
    ("name: Bad Name\nprimary: red\n", "name: expected lower-case"),
    ("name: x\nprimary: red\ndark: maybe\n", "dark: expected true or false"),
    ("name: x\nprimary: red\nvariables:\n  qt-selecton: red\n",
     "variables.qt-selecton: unknown variable"),
    ("name: x\nprimary: red\nvariables:\n  qt-selection: blu\n",
     "variables.qt-selection: 'blu' is not a colour"),
    ("name: x\nprimary: red\nvariables:\n  qt-selection: \"red 50% 3\"\n",
     "variables.qt-selection: 'red 50% 3' is not a colour"),
    ("name: x\nprimary: red\nvariables:\n  block-cursor-text-style: boldd\n",
     "variables.block-cursor-text-style: 'boldd' is not a text style"),
    ("name: x\nprimary: red\nvariables:\n  qt-code-tint: 95%\n",
     "variables.qt-code-tint: '95%' is not a percentage"),
    ("name: x\nprimary: red\nvariables:\n  qt-code-colors: rainbow\n",
     "variables.qt-code-colors: 'rainbow' is not one of auto, ansi, none"),
    ("name: x\nprimary: red\nvariables:\n  qt-speaker: \"red;\"\n",
     "variables.qt-speaker: 'red;' is not a CSS value"),
])
def test_bad_theme_files_name_file_and_key(tmp_path: Path, text: str, key: str) -> None:
    path = write(tmp_path / "bad.yaml", text)
    with pytest.raises(ThemeError) as error:
        load_theme_file(path)
    message = str(error.value)
    assert message.startswith(f"{path}: ") and key in message
    assert "\n" not in message
    loaded = load_themes([tmp_path])
    assert loaded.themes == {} and loaded.warnings == [message]


def test_good_user_theme(tmp_path: Path) -> None:
    theme = load_theme_file(write(tmp_path / "mine.yaml", GOOD))
    assert theme.name == "my-theme" and not theme.dark
    assert theme.luminosity_spread == pytest.approx(0.2)
    assert theme.variables["qt-selection"] == "#336699 40%"
    assert code_colors(theme) == "ansi"


def test_every_documented_variable_has_a_default(sample: Project) -> None:
    app = QualtuiApp(sample)
    defaults = app.get_theme_variable_defaults()
    assert set(QT_VARIABLES) <= set(defaults)


def test_default_theme_per_depth(sample: Project) -> None:
    assert QualtuiApp(sample, color_depth="truecolor").theme == DEFAULT_THEME
    assert QualtuiApp(sample, color_depth="256").theme == DEFAULT_THEME
    low = QualtuiApp(sample, color_depth="16")
    assert low.theme == LOW_COLOR_THEME and low.color_depth == "16"


def _set_project_theme(root: Path, theme: str) -> None:
    path = root / "qualtui.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["theme"] = theme
    path.write_text(yaml.safe_dump(data), encoding="utf-8")


def test_theme_precedence(sample_root: Path, config_dir: Path) -> None:
    write(config_dir / "config.yaml", "theme: qualtui-mono\n")
    project = open_project(sample_root, coder="coder1")
    try:
        assert QualtuiApp(project).theme == "qualtui-mono"  # the user's config
        assert QualtuiApp(project, theme="qualtui-light").theme == "qualtui-light"
    finally:
        project.close()
    _set_project_theme(sample_root, "qualtui-high-contrast")
    project = open_project(sample_root, coder="coder1")
    try:
        assert QualtuiApp(project).theme == "qualtui-high-contrast"  # qualtui.yaml wins
        assert QualtuiApp(project, theme="qualtui-light").theme == "qualtui-light"  # --theme
    finally:
        project.close()


async def test_user_theme_is_offered_and_a_bad_one_falls_back(
        sample: Project, config_dir: Path) -> None:
    write(config_dir / "themes" / "mine.yaml", GOOD)
    write(config_dir / "themes" / "broken.yaml",
          "name: broken\nprimary: \"#zzzzzz\"\n")
    write(config_dir / "config.yaml", "theme: broken\n")
    app = QualtuiApp(sample, color_depth="truecolor")
    assert app.theme == DEFAULT_THEME  # the configured theme is bad: the default
    assert "my-theme" in app.available_themes and "broken" not in app.available_themes
    bad_file = f"{config_dir / 'themes' / 'broken.yaml'}: primary:"
    assert any(w.startswith(bad_file) for w in app.startup_warnings)
    assert any("unknown theme 'broken'" in w for w in app.startup_warnings)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        shown = [n.message for n in app._notifications]
        assert any(m.startswith(bad_file) for m in shown)
        names = [name for name, _ in ThemeProvider(app.screen).commands]
        assert SHIPPED | {"my-theme"} <= set(names)  # Textual's theme switcher lists ours
        app.action_change_theme()
        await pilot.pause()
        await pilot.press(*"qualtui-m")
        await pilot.pause(0.3)
        assert isinstance(app.screen, PalettePicker) and "\U0001f50e" not in app.export_screenshot()
        options = app.screen.query_one(CommandList)
        prompts = [str(options.get_option_at_index(i).prompt)
                   for i in range(options.option_count)]
        assert prompts == ["qualtui-mono"]
        await pilot.press("escape")
        app.theme = "my-theme"
        await pilot.pause()
        assert app.color_depth == "16"  # qt-code-colors: ansi


async def test_live_switch_follows_code_colors(sample: Project) -> None:
    app = QualtuiApp(sample, color_depth="truecolor")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        calls: list[str] = []
        app.screen.refresh_code_colors = lambda: calls.append(app.color_depth)  # type: ignore
        app.theme = "qualtui-mono"
        await pilot.pause()
        assert app.color_depth == "mono" and calls == ["mono"]
        app.theme = "qualtui-ansi"
        await pilot.pause()
        assert app.color_depth == "16" and calls == ["mono", "16"]
        app.theme = "qualtui-light"
        await pilot.pause()
        assert app.color_depth == "truecolor" and calls[-1] == "truecolor"
        app.theme = "qualtui-dark"
        await pilot.pause()
        assert calls[-1] == "truecolor" and len(calls) == 3  # same depth: no refresh


async def test_theme_variables_reach_the_transcript(sample: Project) -> None:
    app = QualtuiApp(sample, color_depth="truecolor")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        view = app.screen.query_one("TranscriptView")
        dark = view.get_component_rich_style("transcript--selection", partial=True)
        app.theme = "qualtui-high-contrast"
        await pilot.pause()
        high = view.get_component_rich_style("transcript--selection", partial=True)
        assert high.bgcolor == RichColor.parse("#ffffff") and high.bgcolor != dark.bgcolor
        speaker = view.get_component_rich_style("transcript--speaker", partial=True)
        assert speaker.color == RichColor.parse("#00ffff") and speaker.bold
        assert Palette("truecolor", []).tint == pytest.approx(0.6)  # qt-code-tint
        for name in sorted(SHIPPED):  # every shipped theme's CSS parses and renders
            app.theme = name
            await pilot.pause()
            assert "Interview" in app.export_screenshot()


def test_wheel_carries_the_shipped_themes() -> None:
    """A wheel has no top-level themes/: pyproject.toml copies it into the package, where
    shipped_theme_dir() looks first."""
    tomllib = pytest.importorskip("tomllib")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wheel = config["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert wheel["force-include"]["themes"] == "qualtui/themes"
    assert "themes" in config["tool"]["hatch"]["build"]["targets"]["sdist"]["include"]
