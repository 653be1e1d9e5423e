"""Start-up, memory and paging on the large project of issue 10.

    python benchmarks/large_bench.py [--project /tmp/qualtui-large] [--runs 3] [--pages 30]

The project (200 transcripts x 8,000 words, 300 codes, 50,000 segments) is made by
``benchmarks/large_project.py`` the first time (it is deterministic, so a project already at
``--project`` is reused). Then:

* cold start: ``qualtui open`` in a pseudo-terminal at 120x40 until the first document's
  first line is on the screen, and the process's peak RSS (as ``startup_bench.py`` does,
  bytecode cache warm);
* paging: the app headless at 120x40 in 256 colours; after each PageDown on the coding
  screen's transcript, the CPU time to render the new page's rows (no cache hits), and the
  key-to-frame time through the pilot less the pilot's own cost for an unbound key.

Targets (issue 10): first paint <= 1.5 s, RSS <= 250 MB, <= 10 ms render per page. No timing
is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
import large_project  # noqa: E402
from startup_bench import _marker, run_once  # noqa: E402


def ensure_project(path: Path) -> Path:
    if (path / "project.json").exists():
        return path
    started = time.perf_counter()
    large_project.build(path, 200, 8000, 300, 50_000)
    print(f"built {path} in {time.perf_counter() - started:.0f} s")
    return path


def cold_starts(project: Path, runs: int, size: tuple[int, int]) -> list[tuple[float, float]]:
    """(first paint seconds, peak RSS MB) per run, bytecode cache warm."""
    with tempfile.TemporaryDirectory(prefix="qualtui-large-") as tmp:
        marker = _marker(project)
        env = {k: v for k, v in os.environ.items()
               if k not in ("PYTHONDONTWRITEBYTECODE", "NO_COLOR", "QUALTUI_COLORS")}
        env.update({"QUALTUI_EXIT_AFTER_PAINT": "1", "TERM": "xterm-256color",
                    "QUALTUI_CODER": "bench", "QUALTUI_STATE_DIR": str(Path(tmp) / "state"),
                    "QUALTUI_CONFIG_DIR": str(Path(tmp) / "config"),
                    "PYTHONPYCACHEPREFIX": str(Path(tmp) / "pycache"),
                    "QUALTUI_CACHE_DIR": str(Path(tmp) / "cache")})
        env.pop("COLORTERM", None)
        run_once(project, marker, env, size, timeout=60)  # fills the bytecode cache
        out = []
        for _ in range(runs):
            painted, _, rss = run_once(project, marker, env, size, timeout=60)
            out.append((painted if painted is not None else float("nan"), rss))
        return out


async def paging(project_root: Path, pages: int) -> dict[str, object]:
    from qualtui.store.project import open_project
    from qualtui.tui.app import QualtuiApp
    from qualtui.tui.screens.coding import CodingScreen

    project = open_project(project_root, coder="bench")
    app = QualtuiApp(project, color_depth="256")
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(5000):
            screen = app.screen
            if isinstance(screen, CodingScreen) and screen.view.render_count > 0:
                break
            await pilot.pause(0.001)
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        view = screen.view
        height = view.scrollable_content_region.height
        render: list[float] = []
        for _ in range(pages):
            view.action_move("page_down")
            t = time.perf_counter()
            for y in range(height):
                view.render_line(y)
            render.append(time.perf_counter() - t)
        view.action_move("top")

        async def press(key: str) -> float:
            t = time.perf_counter()
            await pilot.press(key)
            await pilot.pause(0)
            return time.perf_counter() - t

        baseline = statistics.median([await press("f12") for _ in range(10)])
        frames = [await press("pagedown") - baseline for _ in range(10)]
        segments = len(view.segments)
        rows = len(view.layout)
    project.close()
    return {"render": render, "frames": frames, "segments": segments, "rows": rows,
            "height": height}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path,
                        default=Path(tempfile.gettempdir()) / "qualtui-large")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--size", default="120x40")
    args = parser.parse_args()
    project = ensure_project(args.project)
    size_mb = (project / "project.json").stat().st_size / 1e6
    cols, rows = (int(v) for v in args.size.split("x"))
    with tempfile.TemporaryDirectory(prefix="qualtui-large-copy-") as tmp:
        copy = Path(tmp) / "project"
        shutil.copytree(project, copy, ignore=shutil.ignore_patterns("project.json.lock",
                                                                     "backups"))
        starts = cold_starts(copy, args.runs, (cols, rows))
        os.environ["QUALTUI_STATE_DIR"] = str(Path(tmp) / "state-paging")
        os.environ["QUALTUI_CONFIG_DIR"] = str(Path(tmp) / "config")
        result = asyncio.run(paging(copy, args.pages))
    paints = [p * 1000 for p, _ in starts]
    rss = [r for _, r in starts]
    print(f"large project ({size_mb:.0f} MB project.json) at {cols}x{rows}, {args.runs} runs:")
    print(f"  first paint: median {statistics.median(paints):.0f} ms, max {max(paints):.0f}"
          " (target <= 1500 ms)")
    print(f"  peak RSS: median {statistics.median(rss):.0f} MB, max {max(rss):.0f} MB"
          " (target <= 250 MB)")
    render = [r * 1000 for r in result["render"]]  # type: ignore[union-attr]
    frames = [f * 1000 for f in result["frames"]]  # type: ignore[union-attr]
    print(f"  first document: {result['rows']} display rows, {result['segments']} segments,"
          f" {result['height']} rows visible")
    print(f"  render per page-down (256 colours): median {statistics.median(render):.1f} ms,"
          f" max {max(render):.1f} ms over {len(render)} pages (target <= 10 ms)")
    print(f"  page-down key to frame, pilot overhead removed: median"
          f" {statistics.median(frames):.1f} ms")


if __name__ == "__main__":
    main()
