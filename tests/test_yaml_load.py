"""The YAML parse cache (qualtui.core.yaml_load): hits, misses, errors, odd types, bad files."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from qualtui.core import yaml_load
from qualtui.core.errors import ProjectError
from qualtui.core.settings import parse_settings
from qualtui.core.yaml_load import YAMLSyntaxError, load_yaml


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(yaml_load.CACHE_DIR_ENV, str(tmp_path / "c"))
    return tmp_path / "c" / "yaml"


def test_second_load_reads_the_cache_not_pyyaml(cache: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    text = "title: Social media\ncoders:\n  - id: coder1\n    name: Aisyah\n"
    first = load_yaml(text)
    assert first == {"title": "Social media", "coders": [{"id": "coder1", "name": "Aisyah"}]}
    entries = list(cache.iterdir())
    assert len(entries) == 1
    assert stat.S_IMODE(entries[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700

    def no_parse(text: str) -> None:
        raise AssertionError("PyYAML was used although the text is cached")

    monkeypatch.setattr(yaml_load, "_parse", no_parse)
    assert load_yaml(text) == first
    with pytest.raises(AssertionError):  # a changed text is parsed again
        load_yaml(text + "language: ms\n")


def test_errors_are_never_cached_and_name_the_line(cache: Path) -> None:
    for _ in range(2):
        with pytest.raises(YAMLSyntaxError) as err:
            load_yaml("title: a\n  bad: [unclosed\n")
        assert err.value.line == 2
    assert not cache.exists() or not list(cache.iterdir())


def test_non_json_results_are_parsed_each_time(cache: Path) -> None:
    import datetime

    assert load_yaml("when: 2025-03-12\n") == {"when": datetime.date(2025, 3, 12)}
    assert load_yaml("1: one\n") == {1: "one"}
    assert load_yaml("x: .nan\n")["x"] != load_yaml("x: .nan\n")["x"]  # NaN, not cached
    assert not cache.exists() or not list(cache.iterdir())


def test_a_corrupt_cache_entry_is_replaced(cache: Path) -> None:
    load_yaml("a: 1\n")
    (entry,) = cache.iterdir()
    entry.write_bytes(b"{not json")
    assert load_yaml("a: 1\n") == {"a": 1}
    assert entry.read_bytes() == b'{"a":1}'


def test_an_unwritable_cache_is_no_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv(yaml_load.CACHE_DIR_ENV, str(blocker))
    assert load_yaml("a: [1, 2]\n") == {"a": [1, 2]}


def test_settings_errors_still_name_file_and_line(cache: Path) -> None:
    with pytest.raises(ProjectError, match=r"qualtui.yaml line 3: did not find"):
        parse_settings("title: x\nlanguage: [en\n", Path("qualtui.yaml"))
    text = "title: x\nlanguage: en\nbogus: 1\n"
    for _ in range(2):  # the second time from the cache: the key's line still comes out
        with pytest.raises(ProjectError, match=r"qualtui.yaml line 3: bogus: unknown setting"):
            parse_settings(text, Path("qualtui.yaml"))


def test_open_reads_no_pyyaml_once_cached(tmp_path: Path) -> None:
    """The point of the cache: a second ``open_project`` does not import PyYAML."""
    env = {**os.environ, yaml_load.CACHE_DIR_ENV: str(tmp_path / "c")}
    subprocess.run([sys.executable, "-m", "qualtui.cli", "init", str(tmp_path / "p")],
                   check=True, env=env, capture_output=True)
    code = ("import sys; from pathlib import Path; from qualtui.store.project import "
            f"open_project; open_project(Path({str(tmp_path / 'p')!r})).close(); "
            "print('yaml' in sys.modules)")
    runs = [subprocess.run([sys.executable, "-c", code], check=True, env=env,
                           capture_output=True, text=True).stdout.strip() for _ in range(2)]
    assert runs[1] == "False"


def test_the_cache_keeps_the_newest_entries(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yaml_load, "MAX_ENTRIES", 3)
    for i in range(5):
        load_yaml(f"n: {i}\n")
        entry = max(cache.iterdir(), key=lambda p: p.stat().st_mtime_ns)
        os.utime(entry, ns=(i * 10**9, i * 10**9))  # distinct, ordered write times
    assert sorted(orjson.loads(p.read_bytes())["n"] for p in cache.iterdir()) == [2, 3, 4]
