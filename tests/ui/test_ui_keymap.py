"""Binding ids everywhere, the user's keymap.yaml (validation, remaps applied in the app),
and ``qualtui keys``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from ui_helpers import write

from qualtui.cli import main
from qualtui.core.project import Project
from qualtui.tui.app import QualtuiApp
from qualtui.tui.keymap import (
    binding_catalog,
    check_keymap,
    load_keymap,
    normalize_keys,
    valid_key,
)
from qualtui.tui.screens.help import HelpScreen


def test_every_binding_has_an_id() -> None:
    catalog = binding_catalog()
    anonymous = [(info.where, info.default) for info in catalog if not info.id]
    assert anonymous == []
    ids = [info.id for info in catalog]
    assert len(ids) == len(set(ids)) and len(ids) > 200
    assert {"app.quit", "code.pick", "move.top", "goto.memos", "help.close"} <= set(ids)
    assert next(i for i in catalog if i.id == "move.top").kind == "sequence"


def test_keys_terminals_cannot_send_have_alternates() -> None:
    """ctrl+home/end, ctrl+arrows and shift+arrows do not reach the app on the Linux console
    and in some terminals: each such binding also has a plain key, or its action has
    another binding with one (ctrl+home: gg)."""
    risky = ("ctrl+home", "ctrl+end", "ctrl+up", "ctrl+down", "ctrl+enter", "ctrl+shift+",
             "ctrl+tab", "alt+")

    def plain(keys: str) -> list[str]:
        return [k for k in (k.strip() for k in keys.split(","))
                if not any(k.startswith(r) for r in risky)]

    catalog = binding_catalog()
    for info in catalog:
        if plain(info.default) != [k.strip() for k in info.default.split(",")]:
            others = [o for o in catalog if o.action == info.action and o is not info
                      and plain(o.default)]
            assert plain(info.default) or others, f"{info.id} ({info.default}): no alternate"


@pytest.mark.parametrize(("value", "expected"), [
    ("C", "C"), ("?", "question_mark"), ("ctrl+s", "ctrl+s"), ("Ctrl+S", "ctrl+s"),
    ("h,left", "h,left"), (["f10", "ctrl+q"], "f10,ctrl+q"), ("] s", "right_square_bracket s"),
    ("g g", "g g"), (5, "5"), ("pagedown", "pagedown"), ("shift+tab", "shift+tab"),
])
def test_normalize_keys(value: object, expected: str) -> None:
    assert normalize_keys(value) == expected


@pytest.mark.parametrize("value", ["", "ctl+s", "f99x", "ctrl+", "g g,h", None, {"a": 1},
                                   "page down", "gg"])
def test_bad_keys_are_rejected(value: object) -> None:
    with pytest.raises(ValueError):
        normalize_keys(value)


def test_valid_key() -> None:
    assert all(valid_key(k) for k in ("a", "?", "f12", "ctrl+home", "question_mark",
                                      "alt+shift+x", "escape", "space"))
    assert not any(valid_key(k) for k in ("", " a", "foo", "hyperx+a", "ctrl++"))


def test_load_keymap_keeps_good_lines(tmp_path: Path) -> None:
    path = write(tmp_path / "keymap.yaml",
                 "code.pick: C\nmove.left: [h, left]\nbad id!: x\napp.help: ctl+h\n")
    keymap, warnings = load_keymap(path)
    assert keymap == {"code.pick": "C", "move.left": "h,left"}
    assert len(warnings) == 2 and all(w.startswith(f"{path}: ") for w in warnings)
    assert any("bad id!: not a binding id" in w for w in warnings)
    assert any("app.help: 'ctl+h' is not a key name" in w for w in warnings)
    assert check_keymap({"code.pik": "C", "code.pick": "g g"}, binding_catalog(), "k") == [
        "k: code.pik: no binding has this id (see qualtui keys)",
        "k: code.pick: takes single keys, not a sequence ('g g')"]
    assert check_keymap({"code.pick": "x"}, binding_catalog(), "k") == [
        "k: x: given to code.pick and code.remove in CodingScreen; only one of them can work"]
    assert check_keymap({"code.pick": "x", "code.remove": "X"}, binding_catalog(), "k") == []


@pytest.mark.parametrize("text", ["code.pick: [unclosed\n", "- just\n- a list\n",
                                  "\x00binary"])
async def test_broken_keymap_never_stops_the_app(sample: Project, config_dir: Path,
                                                 text: str) -> None:
    path = write(config_dir / "keymap.yaml", text)
    app = QualtuiApp(sample, color_depth="truecolor")
    warning = next(w for w in app.startup_warnings if w.startswith(str(path)))
    assert "keymap not applied" in warning and "\n" not in warning
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert any(n.message == warning for n in app._notifications)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)  # default keys still work


async def test_remapped_keys_work(sample: Project, config_dir: Path) -> None:
    write(config_dir / "keymap.yaml", "app.help: f12\nmove.top: z z\nmove.bottom: Z\n")
    app = QualtuiApp(sample, color_depth="truecolor")
    assert app.startup_warnings == []
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        view = app.screen.query_one("TranscriptView")
        await pilot.press("question_mark")  # no longer bound
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("Z")
        assert view.cursor > 1000
        await pilot.press("z", "z")
        assert view.cursor == 0
        await pilot.press("f12")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = [keys for group in app.screen._groups.values() for keys, _ in group]
        assert "F12" in rows and "zz" in rows  # the help screen shows the current keys


async def test_a_clash_is_reported_once(sample: Project, config_dir: Path) -> None:
    write(config_dir / "keymap.yaml", "code.pick: ctrl+c\n")  # Textual's copy (no id)
    app = QualtuiApp(sample, color_depth="truecolor")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for _ in range(3):
            await pilot.press("j")
        await pilot.pause()
        clashes = [n.message for n in app._notifications if n.message.startswith("keymap:")]
        assert clashes == ["keymap: ctrl+c no longer does 'screen.copy_text': another binding"
                           " was given that key"]


def test_keys_command_json(config_dir: Path) -> None:
    write(config_dir / "keymap.yaml", "code.pick: C\nno.such-id: x\n")
    result = CliRunner().invoke(main, ["keys", "--json"], catch_exceptions=False)
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert {"id", "keys", "default", "remapped", "description", "kind", "where"} == set(rows[0])
    by_id = {row["id"]: row for row in rows}
    pick = by_id["code.pick"]
    assert pick["keys"] == "C" and pick["default"] == "c" and pick["remapped"] is True
    assert "CodingScreen" in pick["where"] and pick["description"]
    assert by_id["move.top"]["kind"] == "sequence" and by_id["move.top"]["keys"] == "g g"
    assert not by_id["app.quit"]["remapped"]
    assert "no.such-id: no binding has this id" in result.stderr
    plain = CliRunner().invoke(main, ["keys"], catch_exceptions=False)
    assert plain.exit_code == 0 and "code.pick" in plain.stdout and "C" in plain.stdout


def test_themes_command_json(config_dir: Path) -> None:
    write(config_dir / "themes" / "oops.yaml", "name: oops\nprimary: nope\n")
    result = CliRunner().invoke(main, ["themes", "--json"], catch_exceptions=False)
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert {r["name"] for r in rows} >= {"qualtui-dark", "qualtui-ansi", "qualtui-mono"}
    assert [r["name"] for r in rows if r["default"]] == ["qualtui-dark"]
    assert "oops.yaml: primary: 'nope' is not a colour" in result.stderr
