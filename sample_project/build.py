#!/usr/bin/env python3
"""Rebuild the sample project from its transcripts, coding sheets and memos.

    python sample_project/build.py          # rewrites sample_project/{project.json,sources/}

Inputs (all in this folder): ``transcripts/`` (P01-P12: .txt, one .docx, one .vtt),
``attributes.csv``, ``codebook.yaml``, ``coding/*.yaml`` (coding sheets: document, coder,
code path, verbatim quote, optional memo) and ``coding/memos-*.yaml``. Each quote is located
in the imported, normalised text to get exact code-point offsets; a quote that is missing or
ambiguous stops the build. The project is built in a temporary directory through qualtui's
own core services and only then moved into place.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
os.environ.setdefault("QUALTUI_ID_SEED", "qualtui-sample-project")  # stable ids across rebuilds

from qualtui.core.codebook import CodeSpec  # noqa: E402
from qualtui.core.coding import CodingRequest  # noqa: E402
from qualtui.core.settings import CoderInfo, Settings  # noqa: E402
from qualtui.io.codebook_files import read_codebook  # noqa: E402
from qualtui.io.importers import read_document  # noqa: E402
from qualtui.io.tables import parse_attribute_csv  # noqa: E402
from qualtui.store.project import init_project, open_project  # noqa: E402

SETTINGS = Settings(
    title="Social media in the Malaysian public sector",
    description=(
        "Semi-structured interviews with IT staff of Malaysian federal, state and local"
        " agencies on the perceived benefits and risks of social media, leading to strategic"
        " guidelines for public-sector social media use."),
    research_questions=[
        "What benefits do IT staff of Malaysian government agencies perceive in social media"
        " use (transparency, efficiency, accountability, user convenience, lower cost)?",
        "What risks and barriers do they perceive (records management, privacy, security,"
        " accuracy, the lack of a national guideline)?",
        "What should strategic guidelines for social media use in the Malaysian public sector"
        " contain?",
    ],
    coders=[CoderInfo("coder1", "First coder"), CoderInfo("coder2", "Second coder")],
    coder="coder1",
)
GENERATED = ("project.json", "project.json.lock", "sources", "backups", "qualtui.yaml")


def locate(text: str, quote: str, where: str) -> tuple[int, int]:
    count = text.count(quote)
    if count == 1:
        start = text.index(quote)
        return start, start + len(quote)
    if count > 1:
        raise SystemExit(f"{where}: quote occurs {count} times: {quote[:60]!r}")
    pattern = r"\s+".join(re.escape(part) for part in quote.split())
    matches = list(re.finditer(pattern, text))
    if len(matches) != 1:
        raise SystemExit(f"{where}: quote not found once ({len(matches)}): {quote[:60]!r}")
    return matches[0].start(), matches[0].end()


def build(target: Path = HERE) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        root = init_project(Path(tmp) / "sample", settings=SETTINGS)
        project = open_project(root, coder="coder1")
        project.codebook.import_specs(read_codebook(HERE / "codebook.yaml"))
        files = sorted(p for p in (HERE / "transcripts").iterdir()
                       if p.suffix in (".txt", ".docx", ".vtt", ".srt", ".md"))
        for file in files:
            result = read_document(file)
            project.documents.add(file.stem, result.text, fmt=result.format, filename=file.name,
                                  turns=result.turns, cues=result.cues,
                                  original=file.read_bytes())
        project.cases.apply_table(parse_attribute_csv(HERE / "attributes.csv"))
        docs = {d.name: d for d in project.documents.all()}
        paths = project.codebook.paths()

        sheets = sorted((HERE / "coding").glob("P*.yaml"))
        by_coder: dict[str, list[CodingRequest]] = {}
        for sheet in sheets:
            for n, item in enumerate(yaml.safe_load(sheet.read_text("utf-8")), start=1):
                where = f"{sheet.name} item {n} ({item['doc']})"
                doc = docs[item["doc"]]
                start, end = locate(project.documents.text(doc.id), item["quote"], where)
                code = paths.get(item["code"])
                if code is None:
                    raise SystemExit(f"{where}: unknown code {item['code']}")
                by_coder.setdefault(item["coder"], []).append(
                    CodingRequest(doc.id, start, end, code.id, item["coder"],
                                  item.get("memo", "") or ""))
        for coder, requests in sorted(by_coder.items()):
            project.set_coder(coder)
            project.coding.apply_many(requests, f"coded {len(requests)} segments (coding sheet)")

        for memo_file in sorted((HERE / "coding").glob("memos-*.yaml")):
            for item in yaml.safe_load(memo_file.read_text("utf-8")):
                kind, memo_target = item["kind"], item.get("target")
                target_id = None
                if kind == "document":
                    target_id = docs[memo_target].id
                elif kind == "code":
                    target_id = paths[memo_target].id
                elif kind == "project" and memo_target:
                    raise SystemExit(f"{memo_file.name}: a project memo has no target")
                project.memos.create(kind, target_id, item["title"], item["body"].strip(),
                                     author=item.get("author", "coder1"))
        project.set_coder("coder1")

        # -- guidelines: draft guidelines built from the coded evidence (coding/guidelines.yaml)
        from qualtui.core.guidelines import GuidelineService, parse_spec

        spec_file = HERE / "coding" / "guidelines.yaml"
        GuidelineService(project).import_spec(parse_spec(spec_file.read_text("utf-8"),
                                                         spec_file.name))
        project.close()

        for name in GENERATED:
            old = target / name
            if old.is_dir():
                shutil.rmtree(old)
            elif old.exists():
                old.unlink()
        for name in ("project.json", "sources", "qualtui.yaml"):
            shutil.move(str(root / name), str(target / name))
    return target


def main() -> None:
    target = build()
    project = open_project(target, coder="coder1")
    stats = project.stats()
    print(f"built {target}: {stats.documents} documents, {stats.words} words,"
          f" {stats.codes} codes, {stats.segments} segments"
          f" ({', '.join(f'{k} {v}' for k, v in stats.segments_per_coder.items())}),"
          f" {stats.memos} memos")
    project.close()


if __name__ == "__main__":
    main()

__all__ = ["build", "CodeSpec"]
