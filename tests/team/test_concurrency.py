"""Concurrency end to end: two app instances coding one project in turn and at once while
other processes write, then both views and the file agree; a team project used by members
whose umasks differ."""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

from team_helpers import INTERVIEW, PEOPLE, PRIVACY, TRANSPARENCY, build, code_id, doc_id, span
from textual.pilot import Pilot

from qualtui.core.project import Project
from qualtui.store.project import open_project
from qualtui.store.ui_state import UIState
from qualtui.tui.app import QualtuiApp
from qualtui.tui.screens.coding import CodingScreen

ROOT = Path(__file__).resolve().parents[2]
WRITES = 25

WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from qualtui.store.project import open_project
    root, coder, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    project = open_project(root, coder=coder)
    doc = project.documents.by_name("P99")
    code = project.codebook.find("Risks/Security")
    for i in range(count):
        project.coding.apply(doc.id, i, i + 5, code.id)
        time.sleep(0.01)
    project.close()
""")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


async def wait_for(pilot: Pilot[None], predicate: Callable[[], bool],
                   timeout: float = 5.0) -> bool:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end:
        if predicate():
            return True
        await pilot.pause(0.05)
    return predicate()


def coding(app: QualtuiApp) -> CodingScreen:
    return next(s for s in app.screen_stack if isinstance(s, CodingScreen))


def shown(app: QualtuiApp) -> set[str]:
    """Ids of the segments the app's coding screen shows (every segment is in P99)."""
    return {s.id for s in coding(app).doc_segments}


def on_disk(root: Path) -> set[str]:
    project = open_project(root, coder="checker")
    try:
        return {s.id for s in project.coding.segments()}
    finally:
        project.close()


def pin(project: Project, key: int, path: str) -> None:
    state = UIState.load(project.repo.get_meta("project_id"))
    state.pinned[key] = code_id(project, path)
    state.save()


async def test_two_apps_and_two_processes_lose_nothing(tmp_path: Path) -> None:
    root = build(tmp_path / "proj")
    first = open_project(root, coder="coder1")
    second = open_project(root, coder="coder2")
    pin(first, 1, "Benefits/Transparency")
    pin(first, 2, "Risks/Privacy")
    app1 = QualtuiApp(first, color_depth="truecolor")
    app2 = QualtuiApp(second, color_depth="truecolor")
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(root), "coder3", str(WRITES)],
                              env=_env(), stderr=subprocess.PIPE)
    cli = subprocess.Popen([sys.executable, "-m", "qualtui.cli", "-p", str(root), "code",
                            "--doc", "P99", "--start", str(span(INTERVIEW, PRIVACY)[0]),
                            "--end", str(span(INTERVIEW, PRIVACY)[1]), "--code",
                            "Risks/Privacy", "--coder", "coder4"],
                           env=_env(), stderr=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        async with app1.run_test(size=(100, 30)) as p1, app2.run_test(size=(100, 30)) as p2:
            # alternately: app1 codes the first sentence of P99's answer ...
            await p1.press("right_square_bracket", "right_square_bracket",
                           "right_square_bracket", "right_square_bracket", "s", "1")
            mine = set(shown(app1))
            assert len(mine) >= 1
            # ... app2 sees it within 2 s, then codes the next sentence ...
            assert await wait_for(p2, lambda: mine <= shown(app2), timeout=2.0)
            await p2.press("right_square_bracket", "right_square_bracket",
                           "right_square_bracket", "right_square_bracket",
                           "right_parenthesis", "s", "2")
            assert await wait_for(p1, lambda: shown(app2) <= shown(app1), timeout=2.0)
            # ... then both at once, interleaving key presses, while the processes write
            await asyncio.gather(
                p1.press("right_parenthesis", "s", "2", "escape"),
                p2.press("right_parenthesis", "right_parenthesis", "s", "1", "escape"))
            await asyncio.gather(p1.press("escape", "right_parenthesis", "s", "1"),
                                 p2.press("escape", "left_parenthesis", "s", "2"))
            assert writer.wait(timeout=60) == 0, writer.stderr.read() if writer.stderr else ""
            assert cli.wait(timeout=60) == 0, cli.stderr.read() if cli.stderr else ""
            disk = on_disk(root)
            assert await wait_for(p1, lambda: shown(app1) == disk, timeout=3.0)
            assert await wait_for(p2, lambda: shown(app2) == disk, timeout=3.0)
    finally:
        if writer.poll() is None:
            writer.kill()
        if cli.poll() is None:
            cli.kill()
        first.close()
        second.close()
    final = open_project(root, coder="checker")
    try:
        segments = final.coding.segments()
        by_coder: dict[str, int] = {}
        for s in segments:
            by_coder[s.coder] = by_coder.get(s.coder, 0) + 1
        texts = {(final.coding.text_of(s), s.coder) for s in segments}
        # 25 from the writer, 1 from the CLI, 3 by each app (no duplicates were refused)
        assert by_coder == {"coder1": 3, "coder2": 3, "coder3": WRITES, "coder4": 1}
        assert (TRANSPARENCY, "coder1") in texts and (PEOPLE, "coder2") in texts
        entries = final.log.entries()
        assert len(entries) == len({e.seq for e in entries})  # one sequence, no gaps reused
        assert sum(1 for e in entries if e.op == "segment.apply") == 3 + 3 + WRITES + 1
    finally:
        final.close()


MEMBER = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    os.umask(int(sys.argv[3], 8))
    from qualtui.store.project import open_project
    root, coder = Path(sys.argv[1]), sys.argv[2]
    project = open_project(root, coder=coder)
    doc = project.documents.by_name("P99")
    code = project.codebook.find("Risks/Privacy")
    for i in range(10):
        project.coding.apply(doc.id, i, i + 3, code.id)
    project.documents.add(f"note-{coder}", f"Field note by {coder}.\\n", fmt="txt",
                          filename=f"note-{coder}.txt", original=b"original")
    project.memos.create("project", None, f"Memo by {coder}", "text")
    project.close()
""")


def _members(tmp_path: Path) -> Path:
    """A --group project three members used at the same time, with umasks 077, 022, 002."""
    root = build(tmp_path / "team", group=True)
    members = [subprocess.Popen([sys.executable, "-c", MEMBER, str(root), coder, mask],
                                env=_env(), stderr=subprocess.PIPE)
               for coder, mask in (("aisyah", "077"), ("ben", "022"), ("chong", "002"))]
    for member in members:
        assert member.wait(timeout=60) == 0, member.stderr.read() if member.stderr else ""
    return root


def _wrong_modes(paths: list[Path]) -> list[str]:
    wrong = []
    for path in paths:
        mode = stat.S_IMODE(path.stat().st_mode)
        expected = 0o2770 if path.is_dir() else 0o660
        if mode != expected:
            wrong.append(f"{path.name}: {oct(mode)}")
    return wrong


def test_group_project_with_members_of_different_umasks(tmp_path: Path) -> None:
    root = _members(tmp_path)
    project = open_project(root, coder="checker")
    try:
        assert {s.coder for s in project.coding.segments()} == {"aisyah", "ben", "chong"}
        assert len(project.coding.segments()) == 30
        assert {d.name for d in project.documents.all()} >= {"note-aisyah", "note-ben",
                                                             "note-chong"}
        assert doc_id(project) and len(project.memos.all()) == 3
    finally:
        project.close()
    data = [root, root / "project.json", root / "project.json.journal", root / "qualtui.yaml",
            root / "sources", *(root / "sources").rglob("*"), root / "backups"]
    assert _wrong_modes(data) == []


def test_group_project_lock_and_backups_stay_group_writable(tmp_path: Path) -> None:
    root = _members(tmp_path)
    extra = [root / "project.json.lock", *(root / "backups").iterdir()]
    assert _wrong_modes(extra) == []
