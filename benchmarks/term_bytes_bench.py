"""Bytes written to the terminal per page-down in the coding screen, through a real pty.

    python benchmarks/term_bytes_bench.py [--project sample_project] [--size 120x40]
                                          [--pages 20] [--depths 256,truecolor,16]

For each colour depth, starts ``qualtui open PROJECT`` in a new pseudo-terminal (``TERM`` and
``COLORTERM`` set as a terminal of that depth would set them: 256 colours is what most SSH
sessions get, since SSH does not forward ``COLORTERM``), waits for the first transcript paint
and for the screen to go quiet, then presses PageDown ``--pages`` times, 0.4 s apart, and
counts the bytes the app writes after each press, until a press writes exactly what the one
before wrote (the end of the document: only the status line is redrawn). The project is
copied to a temporary
directory first and the UI state directory is empty, so the first document opens at its
start. Prints the median and maximum per page-down.

Target (issue 10): <= 12 KB per page-down at 120x40 in 256 colours. No size is asserted.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import shutil
import statistics
import struct
import sys
import tempfile
import termios
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from startup_bench import ROOT, _command, _marker  # noqa: E402

PAGE_DOWN = b"\x1b[6~"
CTRL_Q = b"\x11"
TERMS = {"truecolor": ("xterm-256color", "truecolor"), "256": ("xterm-256color", ""),
         "16": ("xterm-16color", "")}


def _drain(fd: int, quiet: float, limit: float) -> bytes:
    """Read until nothing arrives for ``quiet`` seconds (or ``limit`` passes)."""
    out = b""
    end = time.perf_counter() + limit
    last = time.perf_counter()
    while time.perf_counter() < end:
        ready, _, _ = select.select([fd], [], [], 0.02)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
            last = time.perf_counter()
        elif time.perf_counter() - last >= quiet:
            break
    return out


def measure(project: Path, marker: bytes, env: dict[str, str], size: tuple[int, int],
            pages: int) -> tuple[int, list[int]]:
    """(bytes of the first screen, bytes after each page-down)."""
    cols, rows = size
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.execvpe(_command(project)[0], _command(project), env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    first = b""
    deadline = time.perf_counter() + 20
    while marker not in first and time.perf_counter() < deadline:
        first += _drain(fd, 0.05, 0.5)
    first += _drain(fd, 1.0, 5.0)  # let start-up settle (notifications, second frames)
    per_page: list[int] = []
    previous = b""
    for _ in range(pages):
        os.write(fd, PAGE_DOWN)
        written = _drain(fd, 0.4, 3.0)
        if written == previous:  # nothing moved: the end of the document
            break
        per_page.append(len(written))
        previous = written
    os.write(fd, CTRL_Q)
    _drain(fd, 0.5, 5.0)
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    os.close(fd)
    return len(first), per_page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=ROOT / "sample_project")
    parser.add_argument("--size", default="120x40")
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--depths", default="256,truecolor,16")
    args = parser.parse_args()
    cols, rows = (int(v) for v in args.size.split("x"))
    with tempfile.TemporaryDirectory(prefix="qualtui-bytes-") as tmp:
        project = Path(tmp) / "project"
        shutil.copytree(args.project, project,
                        ignore=shutil.ignore_patterns("project.json.lock", "backups"))
        marker = _marker(project)
        base = {k: v for k, v in os.environ.items()
                if k not in ("NO_COLOR", "QUALTUI_COLORS", "COLORTERM", "QUALTUI_EXIT_AFTER_PAINT",
                             "SSH_CONNECTION", "SSH_TTY")}
        base.update({"QUALTUI_CODER": "bench", "QUALTUI_CONFIG_DIR": str(Path(tmp) / "config"),
                     "PYTHONDONTWRITEBYTECODE": "1"})
        print(f"qualtui open {args.project.name} at {cols}x{rows}, {args.pages} page-downs:")
        for depth in args.depths.split(","):
            term, colorterm = TERMS[depth]
            env = dict(base, TERM=term, QUALTUI_STATE_DIR=str(Path(tmp) / f"state-{depth}"))
            if colorterm:
                env["COLORTERM"] = colorterm
            first, pages = measure(project, marker, env, (cols, rows), args.pages)
            moved = [p for p in pages if p > 0]
            if not moved:
                print(f"  {depth:>9}: first screen {first / 1024:.1f} KB; page-down wrote"
                      " nothing (end of document?)")
                continue
            print(f"  {depth:>9}: first screen {first / 1024:.1f} KB; per page-down median"
                  f" {statistics.median(moved) / 1024:.1f} KB, max {max(moved) / 1024:.1f} KB"
                  f" over {len(moved)} pages" + (" (target <= 12 KB)" if depth == "256" else ""))


if __name__ == "__main__":
    main()
