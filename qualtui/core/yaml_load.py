"""Reading YAML (``qualtui.yaml``, themes, the user's config and keymap) with a parse cache.

Importing PyYAML takes about 12 ms, and ``qualtui open`` reads ``qualtui.yaml`` and the
shipped themes on every start. So the result of parsing a text is kept as JSON in the user's
cache directory, named by a BLAKE2 hash of the exact text: the next start reads that JSON
and PyYAML is imported only when a file is new or has changed. Only results made of JSON
types (mappings with text keys, lists, text, numbers, booleans, null) are kept; others, and
every text that fails to parse, go through PyYAML each time, so errors are always reported
by PyYAML itself. At most 200 entries are kept (the oldest go). The cache directory is
``QUALTUI_CACHE_DIR``, else
``platformdirs.user_cache_dir("qualtui")``, private to the user (0700, files 0600);
deleting it is always safe.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

try:  # the hash module itself: importing hashlib also loads OpenSSL (~3 ms of a start)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - not CPython
    from hashlib import blake2b

__all__ = ["CACHE_DIR_ENV", "YAMLSyntaxError", "cache_dir", "load_yaml"]

CACHE_DIR_ENV = "QUALTUI_CACHE_DIR"
MAX_ENTRIES = 200  # a new entry beyond this removes the least recently written ones
_FORMAT = b"qualtui-yaml-cache-1\n"  # part of the hash: bump to drop every cached result


class YAMLSyntaxError(ValueError):
    """The text is not valid YAML. ``line`` is 1-based (None when PyYAML gave no place)."""

    def __init__(self, problem: str, line: int | None) -> None:
        super().__init__(problem if line is None else f"line {line}: {problem}")
        self.problem = problem
        self.line = line


def cache_dir() -> Path:
    override = os.environ.get(CACHE_DIR_ENV, "").strip()
    if override:
        return Path(override).expanduser() / "yaml"
    from qualtui.core.userdirs import user_dir

    return user_dir("cache") / "yaml"


def load_yaml(text: str) -> Any:
    """The data in ``text`` (PyYAML's safe loader, libyaml when installed).

    Raises :class:`YAMLSyntaxError` when the text is not valid YAML.
    """
    import orjson

    digest = blake2b(_FORMAT + text.encode("utf-8", "surrogatepass"),
                             digest_size=20).hexdigest()
    cached = cache_dir() / f"{digest}.json"
    try:
        return orjson.loads(cached.read_bytes())
    except (OSError, ValueError):
        pass
    data = _parse(text)
    if _json_types(data):
        _store(cached, orjson.dumps(data))
        _prune(cached.parent)
    return data


def _parse(text: str) -> Any:
    import yaml

    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or (str(exc).splitlines() or ["syntax error"])[0]
        raise YAMLSyntaxError(problem, mark.line + 1 if mark is not None else None) from None


def _json_types(data: Any, depth: int = 0) -> bool:
    """Whether ``data`` survives a JSON round trip unchanged."""
    if depth > 50:
        return False
    if data is None or isinstance(data, (str, bool)):
        return True
    if isinstance(data, int):
        return -(2**63) <= data < 2**63
    if isinstance(data, float):
        return data == data and data not in (float("inf"), float("-inf"))
    if isinstance(data, list):
        return all(_json_types(item, depth + 1) for item in data)
    if isinstance(data, dict):
        return all(isinstance(key, str) and _json_types(value, depth + 1)
                   for key, value in data.items())
    return False


def _prune(directory: Path) -> None:
    """Keep the cache to :data:`MAX_ENTRIES` files (each edit of a YAML file adds one)."""
    try:
        entries = list(directory.glob("*.json"))
        if len(entries) <= MAX_ENTRIES:
            return
        entries.sort(key=lambda p: p.stat().st_mtime_ns)
        for old in entries[:len(entries) - MAX_ENTRIES]:
            old.unlink(missing_ok=True)
    except OSError:
        pass


def _store(path: Path, payload: bytes) -> None:
    """Write the cache entry atomically; a cache that cannot be written is no error."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError:
        try:
            tmp.unlink()
        except OSError:
            pass
