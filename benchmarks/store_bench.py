#!/usr/bin/env python3
"""Store benchmark: apply-code latency (call to fsynced commit) and project open time.

    python benchmarks/store_bench.py [--sizes 1000,10000,50000] [--applies 200]

For each size it builds a project with that many segments spread over 200 documents and
300 codes, each segment with the log entry a real "apply code" leaves, then times
``project.coding.apply`` (which returns only after its journal line is fsynced) and
``open_project`` followed by the first read, and one compaction (the whole store rewritten
atomically, which happens each time the journal reaches half the project's size, and when a
process that changed the project closes it). Prints milliseconds.
Targets (issue 2): p95 <= 15 ms at 10k, <= 60 ms at 50k; open <= 100 ms at 10k.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qualtui.core.models import LogEntry, Segment, new_id, now_iso, to_dict  # noqa: E402
from qualtui.core.oplog import encode_entry  # noqa: E402
from qualtui.store.project import init_project, open_project  # noqa: E402

WORDS = ("social media agency public records privacy security accuracy guideline officer"
         " transparency efficiency cost citizen complaint Facebook approval").split()


def build(root: Path, segments: int, documents: int = 200, codes: int = 300) -> None:
    init_project(root, title=f"bench {segments}")
    project = open_project(root, coder="bench")
    rng = random.Random(segments)
    doc_ids = []
    text = " ".join(rng.choice(WORDS) for _ in range(8000))
    for i in range(documents):
        doc = project.documents.add(f"D{i:03d}", f"{i}\n{text}", fmt="txt",
                                    filename=f"D{i:03d}.txt")
        doc_ids.append((doc.id, doc.chars))
    from qualtui.core.codebook import CodeSpec

    project.codebook.import_specs([CodeSpec(f"Group {i // 20}/Code {i}", {})
                                   for i in range(codes)])
    code_ids = [c.id for c in project.codebook.all() if c.parent_id]
    repo = project.repo
    with repo.transaction():
        seq = int(repo.get_meta("next_seq", 1))
        for _ in range(segments):
            doc_id, chars = rng.choice(doc_ids)
            start = rng.randrange(0, chars - 400)
            seg = Segment(new_id(), doc_id, rng.choice(code_ids), start,
                          start + rng.randrange(20, 400), "bench", now_iso())
            record = to_dict(seg)
            repo.insert("segments", record)
            repo.insert("log", encode_entry(LogEntry(
                id=new_id(), seq=seq, at=now_iso(), coder="bench", op="segment.apply",
                summary="coded D000 0-10 as X",
                changes=[{"table": "segments", "id": seg.id, "before": None, "after": record}])))
            seq += 1
        repo.set_meta("next_seq", seq)
    project.close()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def measure(root: Path, applies: int) -> dict[str, float]:
    opens = []
    for _ in range(5):
        t0 = time.perf_counter()
        project = open_project(root, coder="bench", backup_interval=1e9)
        project.documents.all()
        project.repo.count("segments")
        opens.append((time.perf_counter() - t0) * 1000)
        project.close()
    project = open_project(root, coder="bench", backup_interval=1e9)
    docs = project.documents.all()
    code = next(c for c in project.codebook.all() if c.parent_id)
    latencies = []
    rng = random.Random(1)
    for i in range(applies):
        doc = rng.choice(docs)
        start = rng.randrange(0, doc.chars - 50)
        t0 = time.perf_counter()
        project.coding.apply(doc.id, start, start + 10 + i % 30, code.id)
        latencies.append((time.perf_counter() - t0) * 1000)
    size = (root / "project.json").stat().st_size / 1e6
    t0 = time.perf_counter()
    project.repo.storage.compact()
    compaction = (time.perf_counter() - t0) * 1000
    project.close()
    return {"p50": statistics.median(latencies), "p95": percentile(latencies, 95),
            "max": max(latencies), "open": statistics.median(opens), "mb": size,
            "compact": compaction}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--applies", type=int, default=200)
    args = parser.parse_args()
    print(f"{'segments':>9} {'file MB':>8} {'apply p50':>10} {'apply p95':>10} {'apply max':>10}"
          f" {'open':>8} {'compaction':>11}")
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "bench"
            build(root, size)
            r = measure(root, args.applies)
            print(f"{size:>9} {r['mb']:>8.1f} {r['p50']:>8.1f}ms {r['p95']:>8.1f}ms"
                  f" {r['max']:>8.1f}ms {r['open']:>6.1f}ms {r['compact']:>9.1f}ms", flush=True)


if __name__ == "__main__":
    main()
