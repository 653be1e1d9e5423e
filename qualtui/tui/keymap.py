"""The user's keymap (``keymap.yaml`` in the config dir) and the catalogue of every binding.

``keymap.yaml`` maps binding ids to keys::

    code.pick: C                  # one key
    move.left: h,left             # several keys, comma-separated (a list works too)
    move.top: t t                 # a two-key sequence: keys separated by a space
    app.quit: [ctrl+q, f10]

Keys use Textual's names (``ctrl+x``, ``shift+tab``, ``f5``, ``pagedown``, ``escape``,
``space``); a printable character may be written as itself (``?``, ``/``, ``]``). A remap
replaces *all* the binding's default keys, so keep an alternate by listing it. Problems are
one-line warnings naming the file and the id; the rest of the file still applies.
:func:`binding_catalog` lists every binding of every screen and widget (it imports them all,
so only ``qualtui keys`` and the tests call it, never the app's start-up).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qualtui.tui.config import config_dir, read_yaml_mapping

__all__ = ["KEYMAP_FILE", "BindingInfo", "binding_catalog", "check_keymap", "keymap_path",
           "load_keymap", "normalize_keys", "valid_key"]

KEYMAP_FILE = "keymap.yaml"
MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.-_")


def keymap_path() -> Path:
    return config_dir() / KEYMAP_FILE


def _named_keys() -> frozenset[str]:
    from textual.keys import Keys

    names = {k.value for k in Keys if "+" not in k.value}
    return frozenset(names | {"space", "enter", "tab", "escape", "backspace", "delete"})


def valid_key(key: str) -> bool:
    """Is ``key`` a key Textual can bind (``ctrl+x``, ``f5``, ``question_mark``, ``?``)?"""
    if not key or key != key.strip():
        return False
    if len(key) == 1:
        return key.isprintable() and not key.isspace()
    *modifiers, base = key.split("+")
    if any(m not in MODIFIERS for m in modifiers) or not base:
        return False
    if len(base) == 1:
        return base.isprintable()
    if base in _named_keys():
        return True
    try:  # Textual names punctuation by its Unicode name: question_mark, full_stop...
        char = unicodedata.lookup(base.replace("_", " ").upper())
    except KeyError:
        return False
    return len(char) == 1 and " " < char < "\x7f"


def normalize_keys(value: Any) -> str:
    """A keymap value as Textual's comma-separated key string (``"?"`` -> ``question_mark``;
    sequences keep their spaces: ``"] s"``). Raises ``ValueError`` with the reason."""
    from textual.keys import _character_to_key

    if isinstance(value, (list, tuple)):
        parts = [str(v).strip() for v in value]
    elif isinstance(value, str):
        parts = [p.strip() for p in value.split(",")] if value.strip() != "," else [","]
    elif isinstance(value, int) and not isinstance(value, bool):
        parts = [str(value)]
    else:
        raise ValueError(f"expected keys such as \"ctrl+s\" or a list of keys, got {value!r}")
    parts = [p for p in parts if p]
    if not parts:
        raise ValueError("no key given")
    out: list[str] = []
    for part in parts:
        steps = part.split()
        keys = [_character_to_key(s) if len(s) == 1 else s.lower() if "+" in s else s
                for s in steps]
        for key in keys:
            if not valid_key(key):
                raise ValueError(f"'{key}' is not a key name (e.g. ctrl+s, f5, pagedown, ?)")
        out.append(" ".join(keys))
    if len(out) > 1 and any(" " in k for k in out):
        raise ValueError("a two-key sequence takes one value, e.g. \"g g\"")
    return ",".join(out)


def load_keymap(path: Path | None = None) -> tuple[dict[str, str], list[str]]:
    """``(keymap, warnings)`` from ``keymap.yaml``; never raises. Unknown ids are checked
    by :func:`check_keymap` (``qualtui keys``), which knows every binding."""
    path = path or keymap_path()
    data, problem = read_yaml_mapping(path)
    if data is None:
        return {}, [f"{problem}; keymap not applied"]
    keymap: dict[str, str] = {}
    warnings: list[str] = []
    for binding_id, value in data.items():
        if not binding_id or not set(binding_id) <= _ID_CHARS:
            warnings.append(f"{path}: {binding_id}: not a binding id (e.g. code.pick; see"
                            " qualtui keys)")
            continue
        try:
            keymap[binding_id] = normalize_keys(value)
        except ValueError as exc:
            warnings.append(f"{path}: {binding_id}: {exc}")
    return keymap, warnings


@dataclass
class BindingInfo:
    """One binding id: its default keys, description, where it applies, and its kind."""

    id: str
    default: str
    description: str
    where: list[str] = field(default_factory=list)
    kind: str = "key"  # "key" (Textual binding) or "sequence" (two keys, transcript)
    action: str = ""

    def keys(self, keymap: Mapping[str, str]) -> str:
        return keymap.get(self.id, self.default)


def _binding_classes() -> list[type[Any]]:
    """The app, then every DOM class in the screen and widget modules (imports them)."""
    from textual.dom import DOMNode

    import qualtui.tui.screens as screens_pkg
    import qualtui.tui.widgets as widgets_pkg
    from qualtui.tui.app import QualtuiApp

    classes: list[type[Any]] = [QualtuiApp]
    for package in (screens_pkg, widgets_pkg):
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            for _, obj in inspect.getmembers(module, inspect.isclass):
                if issubclass(obj, DOMNode) and obj.__module__ == module.__name__:
                    classes.append(obj)
    return classes


def binding_catalog() -> list[BindingInfo]:
    """Every binding with an id, in the app's order (app, screens, widgets), and the
    transcript's two-key sequences. Bindings without an id are listed with id ``""``."""
    from textual.binding import Binding

    from qualtui.tui.widgets.transcript import SEQUENCES, sequence_display

    by_id: dict[str, BindingInfo] = {}
    anonymous: list[BindingInfo] = []
    for cls in _binding_classes():
        for item in cls.__dict__.get("BINDINGS", []):
            binding = item if isinstance(item, Binding) else Binding(*item)
            if binding.system:
                continue
            description = binding.tooltip or binding.description or binding.action
            if not binding.id:
                anonymous.append(BindingInfo("", binding.key, description, [cls.__name__],
                                             action=binding.action))
                continue
            info = by_id.get(binding.id)
            if info is None:
                info = by_id[binding.id] = BindingInfo(binding.id, binding.key, description,
                                                       action=binding.action)
            if cls.__name__ not in info.where:
                info.where.append(cls.__name__)
    for seq in SEQUENCES:
        info = by_id.setdefault(seq.id, BindingInfo(seq.id, " ".join(seq.keys),
                                                    seq.description, kind="sequence",
                                                    action=seq.action))
        info.where.append(f"TranscriptView ({sequence_display(seq.keys)})")
    return [*by_id.values(), *anonymous]


def check_keymap(keymap: Mapping[str, str], catalog: Iterable[BindingInfo],
                 source: str = KEYMAP_FILE) -> list[str]:
    """Warnings for ids no binding has, values of the wrong kind, and keys a remap gives
    to two bindings of the same screen or widget."""
    known = {info.id: info for info in catalog if info.id}
    warnings: list[str] = []
    for binding_id, keys in keymap.items():
        info = known.get(binding_id)
        if info is None:
            warnings.append(f"{source}: {binding_id}: no binding has this id (see qualtui"
                            " keys)")
        elif info.kind == "key" and " " in keys:
            warnings.append(f"{source}: {binding_id}: takes single keys, not a sequence"
                            f" ('{keys}')")
    # two bindings of one screen or widget on the same key: only one of them can work
    from textual.keys import _normalize_key_list

    by_class: dict[str, dict[str, list[str]]] = {}
    for info in known.values():
        if info.kind != "key":
            continue
        for key in _normalize_key_list(info.keys(keymap)).split(","):
            for where in info.where:
                by_class.setdefault(where, {}).setdefault(key, []).append(info.id)
    for where, keys in by_class.items():
        for key, ids in keys.items():
            if len(ids) > 1 and any(i in keymap for i in ids):
                warnings.append(f"{source}: {key}: given to {' and '.join(ids)} in {where};"
                                " only one of them can work")
    return warnings
