"""The user's own configuration: ``config.yaml`` (and ``keymap.yaml``, ``themes/``) in the
config directory, plus terminal settings derived from it and the environment.

The directory is ``platformdirs.user_config_dir("qualtui")`` (``~/.config/qualtui`` on
Linux, ``~/Library/Application Support/qualtui`` on macOS); ``QUALTUI_CONFIG_DIR`` overrides
it (tests use that). ``config.yaml`` may hold::

    theme: qualtui-light      # a theme name (see `qualtui themes` / the command palette)
    colors: 256               # truecolor | 256 | 16 | mono: override the detected depth
    animations: auto          # auto (off over SSH) | on | off
    escape_delay: 25          # ms to wait after Esc for the rest of a key sequence

Nothing here imports Textual: ``qualtui keys`` and the app both read it. A bad file never
stops the app: every problem becomes one line in :attr:`UserConfig.warnings`, naming the file
and the key, and the setting keeps its default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["CONFIG_DIR_ENV", "CONFIG_FILE", "UserConfig", "config_dir", "load_user_config",
           "over_ssh", "read_yaml_mapping"]

CONFIG_DIR_ENV = "QUALTUI_CONFIG_DIR"
CONFIG_FILE = "config.yaml"
_DEPTHS = ("truecolor", "256", "16", "mono")
_ANIMATIONS = ("auto", "on", "off")
_KEYS = ("theme", "colors", "animations", "escape_delay")


def config_dir() -> Path:
    """Where the user's ``config.yaml``, ``keymap.yaml`` and ``themes/`` live."""
    override = os.environ.get(CONFIG_DIR_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    from qualtui.core.userdirs import user_dir

    return user_dir("config")


def over_ssh(environ: Mapping[str, str] | None = None) -> bool:
    """True when this process runs in an SSH session (``SSH_CONNECTION`` or ``SSH_TTY``)."""
    env = os.environ if environ is None else environ
    return bool(env.get("SSH_CONNECTION") or env.get("SSH_TTY"))


def read_yaml_mapping(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """``(mapping, None)`` for a readable YAML mapping (empty file: ``{}``), else
    ``(None, one-line reason)``. A missing file is ``({}, None)``."""
    from qualtui.core.yaml_load import YAMLSyntaxError, load_yaml

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, None
    except (OSError, UnicodeDecodeError) as exc:
        return None, f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}"
    try:
        data = load_yaml(text)
    except YAMLSyntaxError as exc:
        where = f" (line {exc.line})" if exc.line is not None else ""
        return None, f"{path}: not valid YAML{where}: {exc.problem}"
    if data is None:
        return {}, None
    if not isinstance(data, dict):
        return None, f"{path}: expected 'key: value' lines, found a {type(data).__name__}"
    return {str(k): v for k, v in data.items()}, None


@dataclass
class UserConfig:
    """Settings from ``config.yaml``; ``None`` means "not set"."""

    theme: str | None = None
    colors: str | None = None
    animations: str = "auto"
    escape_delay: int | None = None
    path: Path | None = None
    warnings: list[str] = field(default_factory=list)

    def animations_on(self, environ: Mapping[str, str] | None = None) -> bool:
        """Animations and smooth scrolling: ``auto`` turns them off over SSH."""
        if self.animations == "auto":
            return not over_ssh(environ)
        return self.animations == "on"


def load_user_config(path: Path | None = None) -> UserConfig:
    """Read ``config.yaml`` (default: in :func:`config_dir`); never raises."""
    path = path or config_dir() / CONFIG_FILE
    config = UserConfig(path=path)
    data, problem = read_yaml_mapping(path)
    if data is None:
        config.warnings.append(f"{problem}; using the defaults")
        return config
    for key, value in data.items():
        if key not in _KEYS:
            config.warnings.append(f"{path}: {key}: unknown setting (known: {', '.join(_KEYS)})")
        elif key == "theme":
            if isinstance(value, str) and value.strip():
                config.theme = value.strip()
            else:
                config.warnings.append(f"{path}: theme: expected a theme name")
        elif key == "colors":
            text = str(value).strip().lower()
            if text in _DEPTHS:
                config.colors = text
            else:
                config.warnings.append(f"{path}: colors: '{value}' is not one of"
                                       f" {', '.join(_DEPTHS)}")
        elif key == "animations":
            text = {True: "on", False: "off"}.get(value, str(value).strip().lower())
            if text in _ANIMATIONS:
                config.animations = text
            else:
                config.warnings.append(f"{path}: animations: '{value}' is not one of"
                                       f" {', '.join(_ANIMATIONS)}")
        elif key == "escape_delay":
            if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 2000:
                config.escape_delay = value
            else:
                config.warnings.append(f"{path}: escape_delay: expected milliseconds,"
                                       " 1-2000")
    return config
