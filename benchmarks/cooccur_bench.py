"""Time the co-occurrence sweep: 200 documents, 300 codes, 50,000 segments, in memory.

    python benchmarks/cooccur_bench.py [--repeat 5] [--seed 1] [--sample PATH]

The corpus is synthetic and built without a store: 200 interviews of ~40,000 characters
(about an hour of talk each), split into speaker turns of 150-1,500 characters and
paragraphs at every turn; 300 codable codes under 20 categories; 50,000 segments of 40 to
1,500 characters, a quarter of them coded with two or three codes on the very same passage
(as coders do). The figure the issue asks for is the overlap matrix (count mode segments);
``compute_cooccurrence`` builds every count at once, so documents/cases/Jaccard/c come from
the same run. Turn, paragraph and chars:200 proximity are timed too, and, with ``--sample``
(default: the repository's sample project when present), the sample project from disk.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qualtui.analysis.cooccurrence import (  # noqa: E402
    Proximity,
    compute_cooccurrence,
)
from qualtui.analysis.data import AnalysisData, CodeInfo, DocInfo, Seg  # noqa: E402

DOCUMENTS = 200
CODES = 300
CATEGORIES = 20
SEGMENTS = 50_000
DOC_CHARS = 40_000
TARGET_MS = 300.0


def build_corpus(seed: int = 1) -> AnalysisData:
    """The synthetic corpus described in the module docstring."""
    rng = random.Random(seed)
    codes: list[CodeInfo] = []
    per_category = CODES // CATEGORIES
    for c in range(CATEGORIES):
        parent = CodeInfo(id=f"cat{c}", name=f"Category {c}", path=f"Category {c}",
                          depth=1, codable=False)
        codes.append(parent)
        for k in range(per_category):
            name = f"Code {c}.{k}"
            codes.append(CodeInfo(id=f"code{c}.{k}", name=name, path=f"{parent.path}/{name}",
                                  parent_id=parent.id, depth=2))
    leaves = [c.id for c in codes if c.codable]
    documents: list[DocInfo] = []
    segments: list[Seg] = []
    per_doc = SEGMENTS // DOCUMENTS
    filler = "word " * (DOC_CHARS // 5)
    for d in range(DOCUMENTS):
        turns: list[tuple[int, int]] = []
        pos = 0
        pieces: list[str] = []
        while pos < DOC_CHARS:
            length = rng.randint(150, 1500)
            end = min(DOC_CHARS, pos + length)
            turns.append((pos, end))
            pieces.append(filler[: end - pos - 2] + "\n\n" if end - pos > 2 else filler[:end - pos])
            pos = end
        text = "".join(pieces)[:DOC_CHARS]
        documents.append(DocInfo(id=f"doc{d}", name=f"D{d:03}", position=d, case=f"case{d // 2}",
                                 attributes={"group": "ab"[d % 2]}, turns=tuple(turns),
                                 text=text))
        made = 0
        while made < per_doc:
            length = min(int(rng.lognormvariate(5.6, 0.7)) + 40, 1500)
            start = rng.randrange(0, DOC_CHARS - length)
            codes_here = 1 if rng.random() < 0.75 else rng.randint(2, 3)
            codes_here = min(codes_here, per_doc - made)
            for code in rng.sample(leaves, codes_here):
                segments.append(Seg(id=f"s{len(segments)}", document_id=f"doc{d}",
                                    code_id=code, start=start, end=start + length,
                                    coder=rng.choice(("coder1", "coder2"))))
            made += codes_here
    return AnalysisData(codes=codes, documents=documents, segments=segments)


def time_it(data: AnalysisData, proximity: Proximity, repeat: int) -> tuple[float, float, int]:
    """(best, median) milliseconds of ``compute_cooccurrence`` + the segment-pair matrix."""
    runs: list[float] = []
    pairs = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        stats = compute_cooccurrence(data, proximity)
        matrix = stats.matrix("segments", "count")
        runs.append((time.perf_counter() - t0) * 1000)
        pairs = sum(sum(row) for row in matrix.counts) // 2
    return min(runs), statistics.median(runs), pairs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sample", type=Path, default=ROOT / "sample_project")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    data = build_corpus(args.seed)
    print(f"corpus: {len(data.documents)} documents, {sum(c.codable for c in data.codes)} codes"
          f" (+{CATEGORIES} categories), {len(data.segments)} segments"
          f"  [built in {(time.perf_counter() - t0) * 1000:.0f} ms]")
    best, median, pairs = time_it(data, Proximity("overlap"), args.repeat)
    verdict = "ok" if best <= TARGET_MS else "SLOWER THAN TARGET"
    print(f"overlap matrix: best {best:.0f} ms, median {median:.0f} ms over {args.repeat} runs"
          f" ({pairs} co-occurring segment pairs; target <= {TARGET_MS:.0f} ms: {verdict})")
    for proximity in (Proximity("turn"), Proximity("paragraph"), Proximity("chars", 200)):
        best_p, median_p, pairs_p = time_it(data, proximity, max(1, args.repeat // 2))
        print(f"{str(proximity) + ' matrix:':<16} best {best_p:.0f} ms, median {median_p:.0f} ms"
              f" ({pairs_p} pairs)")

    if args.sample and (args.sample / "qualtui.yaml").is_file():
        from qualtui.analysis.data import from_project
        from qualtui.store.project import open_project

        t0 = time.perf_counter()
        project = open_project(args.sample)
        try:
            sample = from_project(project)
        finally:
            project.close()
        load_ms = (time.perf_counter() - t0) * 1000
        best_s, median_s, pairs_s = time_it(sample, Proximity("overlap"), args.repeat)
        print(f"sample project ({len(sample.documents)} documents, {len(sample.segments)}"
              f" segments): load {load_ms:.0f} ms, overlap matrix best {best_s:.1f} ms,"
              f" median {median_s:.1f} ms ({pairs_s} pairs)")
    return 0 if best <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
