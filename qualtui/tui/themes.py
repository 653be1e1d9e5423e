"""Themes as YAML files, validated and turned into Textual ``Theme`` objects.

Shipped themes live in the repository's top-level ``themes/`` directory; a wheel carries the
same files as ``qualtui/themes/`` (``force-include`` in ``pyproject.toml``), so
:func:`shipped_theme_dir` looks inside the package first and falls back to the checkout (an
editable install or a source tree). The user's own themes are ``*.yaml`` files in
``<config dir>/themes/`` (:func:`qualtui.tui.config.config_dir`); a user theme with the name of
a shipped one replaces it.

A theme file::

    name: qualtui-dark          # letters, digits and '-'; what the command palette lists
    dark: true                  # optional (default true)
    ansi: false                 # optional: true uses the terminal's own 16 colours
    primary: "#0178D4"          # required; then optionally secondary, accent, warning,
    foreground: "#e0e0e0"       # error, success, foreground, background, surface, panel,
                                # boost, luminosity_spread, text_alpha
    variables:                  # optional: Textual's variables and qualtui's (QT_VARIABLES)
      qt-selection: "#0178D4 65%"

Colours are ``#rgb``/``#rrggbb``, ``rgb(...)``, ``hsl(...)``, CSS colour names or
``ansi_*`` names. Every problem is reported as one line naming the file and the key, e.g.
``themes/x.yaml: variables.qt-selection: 'blu' is not a colour``; the app shows it as a
notification and keeps (or falls back to) the default theme.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from textual.color import Color, ColorParseError
from textual.theme import BUILTIN_THEMES, Theme

from qualtui.tui.config import config_dir, read_yaml_mapping
from qualtui.tui.widgets.palette import CODE_COLOR_MODES, DEFAULT_TINT

__all__ = ["DEFAULT_THEME", "LOW_COLOR_THEME", "MONO_THEME", "QT_VARIABLES", "THEME_CSS",
           "ThemeError", "ThemeSet", "code_colors", "code_tint", "load_theme_file",
           "load_themes", "parse_theme", "shipped_theme_dir", "theme_variable_defaults",
           "user_theme_dir"]

DEFAULT_THEME = "qualtui-dark"
LOW_COLOR_THEME = "qualtui-ansi"
"""The default at 16 colours: a truecolor theme's background and surface both become ANSI 0
there, an ANSI theme keeps the terminal's own colours."""
MONO_THEME = "qualtui-mono"

QT_VARIABLES: dict[str, str] = {
    "qt-selection": "background of selected transcript text (default: $primary 65%)",
    "qt-selection-foreground": "text colour of the selection (default: $text)",
    "qt-match": "background of search matches (default: $warning 70%)",
    "qt-match-foreground": "text colour of search matches (default: $text)",
    "qt-speaker": "speaker labels in the transcript (default: $accent)",
    "qt-gutter": "the gutter's '+n' marks and filter separators (default: $foreground-muted)",
    "qt-code-colors": "how codes are painted: auto (the terminal's depth), ansi (16 ANSI"
                      " colours) or none (underline, bold and letters only)",
    "qt-code-tint": "how strongly a code tints its text, 10%-90% (default: 42%)",
}
"""qualtui's own theme variables, with what they style. Cursors in lists and trees use
Textual's ``block-cursor-*`` variables."""

THEME_CSS = """
TranscriptView > .transcript--selection {
    background: $qt-selection;
    color: $qt-selection-foreground;
}
TranscriptView > .transcript--match { background: $qt-match; color: $qt-match-foreground; }
TranscriptView > .transcript--speaker { color: $qt-speaker; text-style: bold; }
TranscriptView > .transcript--gutter { color: $qt-gutter; }
TranscriptView > .transcript--separator { color: $qt-gutter; }
"""
"""App-level CSS wiring the ``qt-*`` variables to the widgets' component classes."""

_COLOR_FIELDS = ("primary", "secondary", "accent", "warning", "error", "success", "foreground",
                 "background", "surface", "panel", "boost")
_FIELDS = ("name", "dark", "ansi", *_COLOR_FIELDS, "luminosity_spread", "text_alpha",
           "variables")
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,47}$")
_TEXT_STYLES = {"none", "not", "bold", "b", "dim", "d", "italic", "i", "underline", "u",
                "reverse", "r", "strike", "s", "blink", "underline2", "uu", "overline", "o"}
_PERCENT = re.compile(r"^(\d{1,3}(?:\.\d+)?)%$")
_GENERATED: dict[tuple[str, int], tuple[Theme, dict[str, str]]] = {}
"""Each theme's generated colour system (Theme objects are not hashable)."""


class ThemeError(ValueError):
    """A theme file that cannot be used; the message is one line naming file and key."""


@dataclass
class ThemeSet:
    """Themes read from the theme directories, and one line per file that was skipped."""

    themes: dict[str, Theme]
    sources: dict[str, Path]
    warnings: list[str]


def shipped_theme_dir() -> Path | None:
    """The directory of the themes that ship with qualtui (installed or in a checkout)."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "themes", package.parent / "themes"):
        if candidate.is_dir():
            return candidate
    return None


def user_theme_dir() -> Path:
    return config_dir() / "themes"


@lru_cache(maxsize=1)
def _textual_variables() -> frozenset[str]:
    """Every variable name Textual's colour system defines (plain and ANSI themes)."""
    names: set[str] = set()
    for theme in (BUILTIN_THEMES["textual-dark"], BUILTIN_THEMES["ansi-dark"]):
        names.update(theme.to_color_system().generate())
    return frozenset(names)


def _check_color(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ThemeError(f"{where}: expected a colour such as \"#0178D4\", got {value!r}")
    try:
        Color.parse(value.strip())
    except ColorParseError:
        raise ThemeError(f"{where}: '{value}' is not a colour (use #rrggbb, rgb(...), a"
                         " colour name or ansi_*)") from None
    return value.strip()


def _check_variable(name: str, value: Any, where: str) -> str:
    """Validate one variable's value the way Textual will use it; return it as a string."""
    from textual.css.tokenize import tokenize_values
    from textual.css.tokenizer import TokenError

    if name not in QT_VARIABLES and name not in _textual_variables():
        raise ThemeError(f"{where}: unknown variable (qualtui's: {', '.join(QT_VARIABLES)};"
                         " or one of Textual's, e.g. block-cursor-background)")
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ThemeError(f"{where}: expected a value such as \"#0178D4 50%\", got {value!r}")
    text = str(value).strip()
    try:
        tokenize_values({name: text})
    except TokenError:
        raise ThemeError(f"{where}: '{text}' is not a CSS value") from None
    words = text.split()
    if name == "qt-code-colors":
        if text not in CODE_COLOR_MODES:
            raise ThemeError(f"{where}: '{text}' is not one of {', '.join(CODE_COLOR_MODES)}")
    elif name == "qt-code-tint":
        match = _PERCENT.match(text)
        if not match or not 10 <= float(match.group(1)) <= 90:
            raise ThemeError(f"{where}: '{text}' is not a percentage from 10% to 90%")
    elif name.endswith("text-style") or name.startswith("link-style"):
        bad = [w for w in words if w not in _TEXT_STYLES]
        if bad:
            raise ThemeError(f"{where}: '{bad[0]}' is not a text style (bold, italic,"
                             " underline, reverse, strike, dim, none...)")
    else:
        if not words or len(words) > 2 or (len(words) == 2 and not _PERCENT.match(words[1])):
            raise ThemeError(f"{where}: '{text}' is not a colour with an optional"
                             " percentage (e.g. \"#0178D4 65%\")")
        if words[0] not in ("auto", "initial", "transparent"):
            _check_color(words[0], where)
    return text


def parse_theme(data: Mapping[str, Any], source: str) -> Theme:
    """A ``Theme`` from a theme file's mapping; raises :class:`ThemeError`."""
    values = {str(k).replace("-", "_"): v for k, v in data.items()}
    for key in values:
        if key not in _FIELDS:
            raise ThemeError(f"{source}: {key}: unknown key (known: {', '.join(_FIELDS)})")
    name = values.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ThemeError(f"{source}: name: expected lower-case letters, digits and '-'"
                         f" (got {name!r})")
    if "primary" not in values:
        raise ThemeError(f"{source}: primary: missing (every theme needs a primary colour)")
    kwargs: dict[str, Any] = {"name": name}
    for key in _COLOR_FIELDS:
        if key in values:
            kwargs[key] = _check_color(values[key], f"{source}: {key}")
    for key in ("dark", "ansi"):
        if key in values:
            if not isinstance(values[key], bool):
                raise ThemeError(f"{source}: {key}: expected true or false")
            kwargs[key] = values[key]
    for key, low, high in (("luminosity_spread", 0.0, 1.0), ("text_alpha", 0.0, 1.0)):
        if key in values:
            value = values[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)) \
                    or not low <= value <= high:
                raise ThemeError(f"{source}: {key}: expected a number from {low} to {high}")
            kwargs[key] = float(value)
    variables = values.get("variables") or {}
    if not isinstance(variables, dict):
        raise ThemeError(f"{source}: variables: expected 'name: value' lines")
    kwargs["variables"] = {str(k): _check_variable(str(k), v, f"{source}: variables.{k}")
                           for k, v in variables.items()}
    return Theme(**kwargs)


def load_theme_file(path: Path) -> Theme:
    """Read and validate one theme file; raises :class:`ThemeError`."""
    data, problem = read_yaml_mapping(path)
    if data is None:
        raise ThemeError(problem or f"{path}: cannot read")
    if not data:
        raise ThemeError(f"{path}: empty theme file")
    return parse_theme(data, str(path))


def load_themes(directories: Iterable[Path | None] | None = None) -> ThemeSet:
    """Every valid theme in ``directories`` (default: shipped, then the user's); later
    directories win on equal names. Bad files are skipped with one warning line each."""
    if directories is None:
        directories = (shipped_theme_dir(), user_theme_dir())
    themes: dict[str, Theme] = {}
    sources: dict[str, Path] = {}
    warnings: list[str] = []
    for directory in directories:
        if directory is None or not directory.is_dir():
            continue
        seen: dict[str, Path] = {}
        for path in sorted(directory.glob("*.y*ml")):
            try:
                theme = load_theme_file(path)
            except ThemeError as exc:
                warnings.append(str(exc))
                continue
            if theme.name in seen:
                warnings.append(f"{path}: name: '{theme.name}' is already used by"
                                f" {seen[theme.name].name}; skipped")
                continue
            seen[theme.name] = path
            themes[theme.name] = theme
            sources[theme.name] = path
    return ThemeSet(themes, sources, warnings)


def code_colors(theme: Theme) -> str:
    """The theme's ``qt-code-colors`` (``ansi`` by default for ANSI themes)."""
    value = theme.variables.get("qt-code-colors")
    if value in CODE_COLOR_MODES:
        return value
    return "ansi" if theme.ansi else "auto"


def code_tint(theme: Theme) -> float:
    """The theme's ``qt-code-tint`` as a fraction."""
    match = _PERCENT.match(theme.variables.get("qt-code-tint", "").strip())
    return float(match.group(1)) / 100 if match else DEFAULT_TINT


def theme_variable_defaults(theme: Theme) -> dict[str, str]:
    """Defaults of the ``qt-*`` variables for ``theme``, from its own colours (Textual does
    not let one variable refer to another, so they are resolved here)."""
    key = (theme.name, id(theme))
    cached = _GENERATED.get(key)
    if cached is None or cached[0] is not theme:
        cached = _GENERATED[key] = (theme, theme.to_color_system().generate())
    base = cached[1]
    return {
        "qt-selection": f"{base['primary']} 65%",
        "qt-selection-foreground": base["text"],
        "qt-match": f"{base['warning']} 70%",
        "qt-match-foreground": base["text"],
        "qt-speaker": base["accent"],
        "qt-gutter": base["foreground-muted"],
        "qt-code-colors": "ansi" if theme.ansi else "auto",
        "qt-code-tint": f"{round(DEFAULT_TINT * 100)}%",
    }

