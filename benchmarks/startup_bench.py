"""Cold start of ``qualtui open PROJECT`` to the first transcript paint, and peak memory.

    python benchmarks/startup_bench.py [--project sample_project] [--runs 5] [--size 120x40]

Each run starts ``qualtui open`` in a new pseudo-terminal (so Textual drives a real
terminal) with ``QUALTUI_EXIT_AFTER_PAINT=1``, which makes the app quit right after its first
transcript paint. The script reads the terminal output and notes when the first line of the
opened document appears (first paint as the user sees it), then waits for the process and
reads its peak RSS from ``wait4``. The project is copied to a temporary directory first (the
copy is opened, never the original) and the UI state directory is empty, so the first
document opens.

The first frame shows the transcript; the documents list and the codebook tree are mounted
right after it (``CodingScreen._build_panels``). At sizes where the panels are visible
(100 columns or more) a second series, with ``QUALTUI_EXIT_AFTER_PAINT=panels``, times
until the codebook panel's title is on the terminal too.

Two caches matter for a cold start. Python's bytecode cache: ``pip install`` compiles it, a
source checkout run with ``PYTHONDONTWRITEBYTECODE=1`` never has it. And qualtui's YAML
parse cache (``QUALTUI_CACHE_DIR``, qualtui/core/yaml_load.py), which spares importing
PyYAML when ``qualtui.yaml`` and the themes have not changed. The script reports runs with
both warm (private directories filled by one unmeasured run), one run after ``qualtui.yaml``
changed (YAML cache empty), and one run with neither cache (the very first start).

It also times ``qualtui --help`` (the command line must not import Textual): the median
wall time of ``--help-runs`` runs with a warm bytecode cache.

Targets (issues 3 and 10): first paint <= 400 ms, peak RSS <= 60 MB; ``qualtui --help``
<= 120 ms. No timing is asserted.
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
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _command(project: Path) -> list[str]:
    script = Path(sys.executable).with_name("qualtui")
    if script.exists():
        return [str(script), "open", str(project)]
    return [sys.executable, "-m", "qualtui.cli", "open", str(project)]


def _marker(project: Path) -> bytes:
    """The start of the first document's first non-blank line, as the screen shows it."""
    from qualtui.store.project import open_project

    proj = open_project(project, coder="bench")
    try:
        docs = proj.documents.all()
        if not docs:
            raise SystemExit(f"{project}: no documents to open")
        text = proj.documents.text(docs[0].id)
    finally:
        proj.close()
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return line[1:13].encode("utf-8")  # the first character is under the (reversed) cursor


PANELS_MARKER = b"here/all"  # the codebook panel's title


def run_once(project: Path, marker: bytes, env: dict[str, str], size: tuple[int, int],
             timeout: float = 20.0) -> tuple[float | None, float, float]:
    """(seconds to first paint or None, seconds to exit, peak RSS in MB)."""
    cols, rows = size
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.execvpe(_command(project)[0], _command(project), env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    seen = b""
    painted: float | None = None
    deadline = start + timeout
    while time.perf_counter() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            if painted is None:
                seen = (seen + chunk)[-200_000:]
                if marker in seen:
                    painted = time.perf_counter() - start
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
    else:
        os.kill(pid, 9)
    if not done:
        _, status, usage = os.wait4(pid, 0)
    exited = time.perf_counter() - start
    os.close(fd)
    # ru_maxrss is in kilobytes on Linux, bytes on macOS
    rss = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    return painted, exited, rss


def help_wall_times(env: dict[str, str], runs: int) -> list[float]:
    """Wall seconds of ``qualtui --help`` runs (one unmeasured run first fills the cache)."""
    command = [*_command(Path("."))[:-2], "--help"]
    subprocess.run(command, env=env, capture_output=True, check=True)
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, env=env, capture_output=True, check=True)
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=ROOT / "sample_project")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--size", default="120x40")
    parser.add_argument("--help-runs", type=int, default=10)
    args = parser.parse_args()
    if not (args.project / "project.json").exists():
        raise SystemExit(f"{args.project}: not a built project (no project.json)")
    cols, rows = (int(v) for v in args.size.split("x"))
    with tempfile.TemporaryDirectory(prefix="qualtui-startup-") as tmp:
        project = Path(tmp) / "project"
        shutil.copytree(args.project, project,
                        ignore=shutil.ignore_patterns("project.json.lock", "backups"))
        marker = _marker(project)
        base = {k: v for k, v in os.environ.items()
                if k not in ("PYTHONDONTWRITEBYTECODE", "NO_COLOR", "QUALTUI_COLORS")}
        base.update({"QUALTUI_EXIT_AFTER_PAINT": "1", "TERM": "xterm-256color",
                     "COLORTERM": "truecolor", "QUALTUI_CODER": "bench",
                     "QUALTUI_STATE_DIR": str(Path(tmp) / "state"),
                     "QUALTUI_CONFIG_DIR": str(Path(tmp) / "config"),
                     "TEXTUAL_ANIMATIONS": "none"})
        warm = dict(base, PYTHONPYCACHEPREFIX=str(Path(tmp) / "pycache"),
                    QUALTUI_CACHE_DIR=str(Path(tmp) / "cache"))
        run_once(project, marker, warm, (cols, rows))  # fills both caches
        results = [run_once(project, marker, warm, (cols, rows)) for _ in range(args.runs)]
        panels = []
        if cols >= 100:
            whole = dict(warm, QUALTUI_EXIT_AFTER_PAINT="panels")
            panels = [run_once(project, PANELS_MARKER, whole, (cols, rows))[0]
                      for _ in range(args.runs)]
        yaml_cold = [run_once(project, marker,
                              dict(warm, QUALTUI_CACHE_DIR=str(Path(tmp) / f"cache{i}")),
                              (cols, rows)) for i in range(3)]
        nocache = dict(base, PYTHONDONTWRITEBYTECODE="1",
                       PYTHONPYCACHEPREFIX=str(Path(tmp) / "empty"),
                       QUALTUI_CACHE_DIR=str(Path(tmp) / "cache-cold"))
        cold = run_once(project, marker, nocache, (cols, rows))
        helps = [h * 1000 for h in help_wall_times(warm, args.help_runs)]
    paints = [p * 1000 for p, _, _ in results if p is not None]
    exits = [e * 1000 for _, e, _ in results]
    rss = [r for _, _, r in results]
    print(f"qualtui open {args.project.name} at {cols}x{rows}, {args.runs} runs"
          " (bytecode cache warm):")
    if paints:
        print(f"  first paint: median {statistics.median(paints):.0f} ms, min {min(paints):.0f},"
              f" max {max(paints):.0f} (target <= 400 ms)")
    else:
        print("  first paint: the document's first line never appeared on the terminal")
    filled = [p * 1000 for p in panels if p is not None]
    if filled:
        print(f"  side panels filled too: median {statistics.median(filled):.0f} ms,"
              f" min {min(filled):.0f}, max {max(filled):.0f}")
    elif cols < 100:
        print("  (side panels are overlays at this width; not timed)")
    print(f"  process exit after paint: median {statistics.median(exits):.0f} ms")
    print(f"  peak RSS: median {statistics.median(rss):.1f} MB, max {max(rss):.1f} MB"
          " (target <= 60 MB)")
    yaml_paints = [p * 1000 for p, _, _ in yaml_cold if p is not None]
    if yaml_paints:
        print(f"after qualtui.yaml changed (YAML cache empty): first paint median"
              f" {statistics.median(yaml_paints):.0f} ms over {len(yaml_paints)} runs")
    cold_paint = f"{cold[0] * 1000:.0f} ms" if cold[0] is not None else "not seen"
    print(f"first start ever (no bytecode or YAML cache): first paint {cold_paint},"
          f" peak RSS {cold[2]:.1f} MB")
    print(f"qualtui --help: median {statistics.median(helps):.0f} ms, max {max(helps):.0f} ms"
          f" over {len(helps)} runs (target <= 120 ms)")


if __name__ == "__main__":
    main()
