"""Crash safety: a kill -9 while typing a memo loses at most the last second of text.

A child process (``crash_typist.py``) types into a journal entry in the headless app and
logs what it had typed when. While it types, this test reads the project from outside
every 100 ms and checks that everything typed more than a second earlier is stored; then it
SIGKILLs the child and checks the store once more.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from crash_typist import TEXT

from qualtui.core.project import Project
from qualtui.store.project import open_project

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
TYPING_SECONDS = 4.0
LOSS_SECONDS = 1.0


def _progress(path: Path) -> list[tuple[float, int]]:
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        stamp, _, typed = line.partition(" ")
        if typed.strip():
            rows.append((float(stamp), int(typed)))
    return rows


def _typed_by(rows: list[tuple[float, int]], moment: float) -> int:
    return max((n for stamp, n in rows if stamp <= moment), default=0)


def _stored(project: Project) -> str:
    project.refresh()
    entry = next((m for m in project.memos.all(kind="journal") if m.body.startswith("the ")),
                 None)
    return entry.body if entry else ""


def test_kill_9_while_typing_loses_at_most_one_second(memo_root: Path, tmp_path: Path) -> None:
    progress = tmp_path / "progress.txt"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(HERE)]))
    child = subprocess.Popen([sys.executable, str(HERE / "crash_typist.py"), str(memo_root),
                              str(progress)], env=env, cwd=HERE,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    reader = open_project(memo_root, coder="reader")
    lapses: list[str] = []
    samples = 0
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            rows = _progress(progress)
            if rows and rows[-1][0] - rows[0][0] >= TYPING_SECONDS and rows[-1][1] >= 40:
                break
            assert child.poll() is None, child.stderr.read().decode() if child.stderr else ""
            if rows:
                now = time.time()
                stored = len(_stored(reader))
                required = _typed_by(rows, now - LOSS_SECONDS)
                samples += 1
                if stored < required:
                    lapses.append(f"at +{now - rows[0][0]:.2f} s: {stored} stored,"
                                  f" {required} typed a second before")
            time.sleep(0.1)
        else:
            raise AssertionError("the typist never got going")
        killed_at = time.time()
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL
    assert samples >= 20 and not lapses, lapses

    rows = _progress(progress)
    typed_total = rows[-1][1]
    must_have = _typed_by(rows, killed_at - LOSS_SECONDS)
    assert must_have >= 20  # it typed for real (a pilot types ~15 keys a second)
    reader.close()
    project = open_project(memo_root, coder="coder1")
    try:
        body = _stored(project)
        assert len(body) >= must_have, (
            f"{len(body)} characters saved, {must_have} typed more than {LOSS_SECONDS} s"
            f" before the kill ({typed_total} in all)")
        assert body == TEXT[:len(body)]  # an exact prefix: nothing garbled
        assert len(body) <= typed_total + 1  # the last key may be saved before it is logged
        entry = next(m for m in project.memos.all(kind="journal") if m.body == body)
        # the typing burst is one entry in the operation log, not one per save
        entries = [e for e in project.log.entries() if any(c["id"] == entry.id
                                                          for c in e.changes)]
        assert len(entries) == 1 and entries[0].op == "memo.create"
    finally:
        project.close()
