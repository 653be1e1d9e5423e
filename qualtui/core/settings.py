"""``qualtui.yaml``: the human-edited project settings, validated on load, and coder identity."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualtui.core.errors import ProjectError
from qualtui.core.yaml_load import YAMLSyntaxError, load_yaml

if TYPE_CHECKING:
    import yaml

SETTINGS_FILE = "qualtui.yaml"

KNOWN_KEYS = {"title", "description", "research_questions", "coders", "coder", "theme",
              "language", "group", "guideline_template"}


@dataclass
class CoderInfo:
    id: str
    name: str = ""
    user: str = ""


@dataclass
class Settings:
    title: str = "Untitled project"
    description: str = ""
    research_questions: list[str] = field(default_factory=list)
    coders: list[CoderInfo] = field(default_factory=list)
    coder: str = ""
    theme: str = ""
    language: str = "en"
    group: bool = False

    def to_yaml(self) -> str:
        data: dict[str, Any] = {
            "title": self.title,
            "description": self.description,
            "research_questions": list(self.research_questions),
            "coders": [{k: v for k, v in c.__dict__.items() if v} for c in self.coders],
            "language": self.language,
        }
        if self.coder:
            data["coder"] = self.coder
        if self.theme:
            data["theme"] = self.theme
        if self.group:
            data["group"] = True
        import yaml

        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=88)


def _line_of(node: yaml.Node | None, key: str) -> int:
    import yaml

    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            if getattr(key_node, "value", None) == key:
                return key_node.start_mark.line + 1
    return 1


def load_settings(root: Path) -> Settings:
    path = root / SETTINGS_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProjectError(f"{path}: not found; run 'qualtui init {root}' first") from None
    except UnicodeDecodeError:
        raise ProjectError(f"{path}: not UTF-8 text; save it as UTF-8") from None
    return parse_settings(text, path)


def parse_settings(text: str, path: Path) -> Settings:
    name = path.name
    try:
        data = load_yaml(text)
    except YAMLSyntaxError as exc:
        raise ProjectError(f"{name} line {exc.line or 1}: {exc.problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ProjectError(f"{name} line 1: expected a mapping of settings (key: value)")

    def fail(key: str, message: str) -> ProjectError:
        import yaml

        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        node = yaml.compose(text, Loader=loader)  # only to say on which line the key is
        return ProjectError(f"{name} line {_line_of(node, key)}: {key}: {message}")

    settings = Settings()
    for key in data:
        if key not in KNOWN_KEYS:
            raise fail(key, f"unknown setting (known: {', '.join(sorted(KNOWN_KEYS))})")
    for key in ("title", "description", "coder", "theme", "language"):
        if key in data and data[key] is not None:
            if not isinstance(data[key], (str, int, float)):
                raise fail(key, "expected text")
            setattr(settings, key, str(data[key]))
    questions = data.get("research_questions") or []
    if not isinstance(questions, list) or not all(isinstance(q, str) for q in questions):
        raise fail("research_questions", "expected a list of questions (text)")
    settings.research_questions = questions
    coders = data.get("coders") or []
    if not isinstance(coders, list):
        raise fail("coders", "expected a list of coders")
    for item in coders:
        if isinstance(item, str):
            settings.coders.append(CoderInfo(id=item))
        elif isinstance(item, dict) and isinstance(item.get("id"), str):
            settings.coders.append(CoderInfo(id=item["id"], name=str(item.get("name", "")),
                                             user=str(item.get("user", ""))))
        else:
            raise fail("coders", "each coder needs an id (e.g. '- id: coder1')")
    settings.group = bool(data.get("group", False))
    return settings


def resolve_coder(explicit: str | None, settings: Settings | None) -> str:
    """``--coder``, else ``QUALTUI_CODER``, else ``qualtui.yaml`` (coder / user map), else $USER."""
    if explicit:
        return explicit
    env = os.environ.get("QUALTUI_CODER")
    if env:
        return env
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001
        user = os.environ.get("USER", "coder")
    if settings is not None:
        for coder in settings.coders:
            if coder.user and coder.user == user:
                return coder.id
        if settings.coder:
            return settings.coder
    return user or "coder"
