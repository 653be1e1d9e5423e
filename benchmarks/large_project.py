#!/usr/bin/env python3
"""Generate a large project for the budgets of issue 10.

    python benchmarks/large_project.py PATH [--documents 200] [--words 8000]
                                           [--codes 300] [--segments 50000]

Transcripts alternate Interviewer / Pnnn turns with sentences drawn from a fixed
vocabulary (seeded, so the project is the same every time); 300 codes in 15 groups;
segments are sentence-aligned spans, overlapping, by two coders, each with the log
entry a real coding leaves. Built through qualtui's own services and store.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qualtui.core.codebook import CodeSpec  # noqa: E402
from qualtui.core.models import LogEntry, Segment, new_id, now_iso, to_dict  # noqa: E402
from qualtui.core.oplog import encode_entry  # noqa: E402
from qualtui.core.text import detect_turns  # noqa: E402
from qualtui.store.project import init_project, open_project  # noqa: E402

VOCABULARY = (
    "the agency posts updates on Facebook every morning and citizens reply within minutes "
    "our records officer worries that comments are not captured as official records "
    "approval from the director takes two days which makes the post late and inaccurate "
    "privacy is a concern when people share their IC numbers in public comments "
    "security improved after we enabled two factor authentication on every account "
    "transparency means the public can see what we decide and why we decided it "
    "a national guideline would help smaller councils that cannot write their own "
    "kita kena dapat kelulusan dulu before anything goes up on the page lah").split()


def sentence(rng: random.Random) -> str:
    words = [rng.choice(VOCABULARY) for _ in range(rng.randint(8, 22))]
    return " ".join(words).capitalize() + rng.choice([".", ".", ".", "?"])


def transcript(rng: random.Random, index: int, words: int) -> str:
    parts = [f"Interview P{index:03d} - generated transcript for benchmarks", ""]
    count = 0
    speaker = "Interviewer"
    while count < words:
        turn = " ".join(sentence(rng) for _ in range(rng.randint(1, 6)))
        parts += [f"{speaker}: {turn}", ""]
        count += len(turn.split())
        speaker = f"P{index:03d}" if speaker == "Interviewer" else "Interviewer"
    return "\n".join(parts)


def build(root: Path, documents: int, words: int, codes: int, segments: int) -> None:
    rng = random.Random(2025)
    init_project(root, title=f"Large benchmark project ({documents} interviews)")
    project = open_project(root, coder="coder1")
    doc_ranges: list[tuple[str, list[tuple[int, int]]]] = []
    for i in range(documents):
        text = transcript(rng, i, words)
        doc = project.documents.add(f"P{i:03d}", text, fmt="txt", filename=f"P{i:03d}.txt",
                                    turns=detect_turns(text))
        spans = [(line_start, line_start + len(line)) for line_start, line in _lines(text)
                 if line and not line.startswith("Interview ")]
        doc_ranges.append((doc.id, spans))
    project.codebook.import_specs([CodeSpec(f"Theme {g:02d}", {"codable": False})
                                   for g in range(codes // 20)]
                                  + [CodeSpec(f"Theme {i // 20:02d}/Code {i:03d}", {})
                                     for i in range(codes)])
    code_ids = [c.id for c in project.codebook.all() if c.codable]
    repo = project.repo
    with repo.transaction():
        seq = int(repo.get_meta("next_seq", 1))
        for n in range(segments):
            doc_id, spans = doc_ranges[n % documents]
            a, b = spans[rng.randrange(len(spans))]
            start = rng.randint(a, max(a, b - 40))
            end = min(b, start + rng.randint(30, 600))
            seg = Segment(new_id(), doc_id, rng.choice(code_ids), start, max(end, start + 1),
                          "coder1" if n % 4 else "coder2", now_iso())
            record = to_dict(seg)
            repo.insert("segments", record)
            repo.insert("log", encode_entry(LogEntry(
                id=new_id(), seq=seq, at=record["created_at"], coder=seg.coder,
                op="segment.apply", summary="coded a passage",
                changes=[{"table": "segments", "id": seg.id, "before": None, "after": record}])))
            seq += 1
        repo.set_meta("next_seq", seq)
    project.close()


def _lines(text: str):
    offset = 0
    for line in text.split("\n"):
        yield offset, line
        offset += len(line) + 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--words", type=int, default=8000)
    parser.add_argument("--codes", type=int, default=300)
    parser.add_argument("--segments", type=int, default=50000)
    args = parser.parse_args()
    if args.path.exists():
        raise SystemExit(f"{args.path} exists; choose a new path")
    started = time.perf_counter()
    build(args.path, args.documents, args.words, args.codes, args.segments)
    size = (args.path / "project.json").stat().st_size / 1e6
    print(f"built {args.path}: {args.documents} documents x {args.words} words, {args.codes}"
          f" codes, {args.segments} segments; project.json {size:.1f} MB"
          f" in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
