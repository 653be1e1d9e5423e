"""Round trip: export → import → export gives the same codes, segments and memos."""

from __future__ import annotations

import re
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualtui.core.coding import CodingRequest
from qualtui.core.exchange import ExchangeService
from qualtui.core.project import Project
from qualtui.io.refi import export_qdpx, import_qdpx
from qualtui.store.project import init_project, open_project

_MODIFIED = re.compile(r' modifiedDateTime="[^"]*"')

# Any text a transcript or memo may hold: every plane, bar surrogates, control characters
# (other than tab and newline), CR and the BOM, which qualtui's normalised texts never hold.
# Lists of characters rather than st.text, so that the whitespace and markup characters
# stay frequent (st.text merges the alphabets into one uniform character class).
TEXT_CHARS = st.one_of(
    st.sampled_from([" ", "\n", "\t", "a", "é", "&", "<", "]", ">", "\u2028", "😀"]),
    st.characters(exclude_categories=("Cs", "Cc"), include_characters="\n\t",
                  exclude_characters="\ufeff"))


def some_text(min_size: int = 0, max_size: int = 60) -> st.SearchStrategy[str]:
    return st.lists(TEXT_CHARS, min_size=min_size, max_size=max_size).map("".join)

NAME = st.text(alphabet="abcdefgh XYZ éß-", min_size=1, max_size=8).map(str.strip).filter(bool)
DEFINITION = st.text(alphabet=st.characters(exclude_categories=("Cs", "Cc"),
                                            include_characters="\n",
                                            exclude_characters=":\ufeff"),
                     max_size=40).map(str.strip)


def _snapshot(project: Project) -> dict[str, Any]:
    """Codes, segments and memos by value (ids included, since imports keep them)."""
    names = {d.id: d.name for d in project.documents.all()}
    paths = {c.id: project.codebook.path_of(c) for c in project.codebook.all()}
    segments = project.coding.segments()
    seg_keys = {s.id: (names[s.document_id], paths[s.code_id], s.start, s.end, s.coder)
                for s in segments}

    def target(kind: str, target_id: str | None) -> Any:
        return {"document": names, "code": paths, "segment": seg_keys}.get(
            kind, {}).get(target_id or "", target_id)

    return {
        "codes": sorted((c.id, paths[c.id], c.codable, c.color, c.definition, c.use_when,
                         c.dont_use_when, c.example, c.citation)
                        for c in project.codebook.all()),
        "segments": sorted((s.id, *seg_keys[s.id], project.coding.text_of(s))
                           for s in segments),
        "memos": sorted((m.id, m.kind, str(target(m.kind, m.target_id)), m.title, m.body,
                         m.author) for m in project.memos.all()),
        "texts": sorted((d.name, project.documents.text(d.id))
                        for d in project.documents.all()),
    }


def _qde(path: Path) -> tuple[str, dict[str, bytes]]:
    with zipfile.ZipFile(path) as archive:
        qde = _MODIFIED.sub("", archive.read("project.qde").decode("utf-8"), count=1)
        return qde, {n: archive.read(n) for n in archive.namelist() if n != "project.qde"}


def _round_trip(project: Project, work: Path) -> Project:
    first = work / "first.qdpx"
    export_qdpx(project, first)
    import_qdpx(work / "imported", first, coder=project.coder)
    imported = open_project(work / "imported", coder=project.coder)
    export_qdpx(imported, work / "second.qdpx")
    assert _qde(work / "second.qdpx") == _qde(first)
    return imported


@st.composite
def project_content(draw: st.DrawFn) -> dict[str, Any]:
    texts = draw(st.lists(some_text(1, 120).filter(str.strip),
                          min_size=1, max_size=3))
    codes: list[tuple[str, bool, str]] = []
    for top in draw(st.lists(NAME, min_size=1, max_size=3, unique=True)):
        codes.append((top, draw(st.booleans()), draw(DEFINITION)))
        for child in draw(st.lists(NAME, max_size=2, unique=True)):
            codes.append((f"{top}/{child}", True, draw(DEFINITION)))
    codable = [path for path, is_codable, _ in codes if is_codable]
    segments = []
    for _ in range(draw(st.integers(0, 6)) if codable else 0):
        doc = draw(st.integers(0, len(texts) - 1))
        start = draw(st.integers(0, len(texts[doc]) - 1))
        end = draw(st.integers(start + 1, len(texts[doc])))
        segments.append((doc, start, end, draw(st.sampled_from(codable)),
                         draw(st.sampled_from(["coder1", "coder2"])),
                         draw(st.one_of(st.just(""), some_text(max_size=40)))))
    memos = [(kind, draw(some_text(max_size=30)), draw(some_text(max_size=60)))
             for kind in draw(st.lists(st.sampled_from(["project", "journal", "document",
                                                        "code"]), max_size=4))]
    return {"texts": texts, "codes": codes, "segments": segments, "memos": memos}


def _build(root: Path, content: dict[str, Any]) -> Project:
    init_project(root, title="Round trip")
    project = open_project(root, coder="coder1")
    docs = [project.documents.add(f"D{i}", text, fmt="txt", filename=f"D{i}.txt", force=True)
            for i, text in enumerate(content["texts"])]
    for path, codable, definition in content["codes"]:
        if project.codebook.find(path) is None:
            project.codebook.add(path, codable=codable, definition=definition)
    paths = project.codebook.paths()
    if content["segments"]:
        project.coding.apply_many([
            CodingRequest(docs[doc].id, start, end, paths[path].id, coder, memo)
            for doc, start, end, path, coder, memo in content["segments"]], "bulk")
    for kind, title, body in content["memos"]:
        target = {"document": docs[0].id, "code": next(iter(paths.values())).id}.get(kind)
        project.memos.create(kind, target, title, body)
    return project


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(project_content())
def test_round_trip_keeps_codes_segments_and_memos(content: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        project = _build(work / "original", content)
        try:
            imported = _round_trip(project, work)
            try:
                assert _snapshot(imported) == _snapshot(project)
            finally:
                imported.close()
        finally:
            project.close()


def test_round_trip_of_cases_attributes_sets_and_links(rich_project: Project,
                                                       tmp_path: Path) -> None:
    imported = _round_trip(rich_project, tmp_path)
    try:
        assert _snapshot(imported) == _snapshot(rich_project)

        def cases(project: Project) -> list[Any]:
            return sorted((c.name, sorted(c.attributes.items())) for c in project.cases.all())

        def attributes(project: Project) -> list[Any]:
            return sorted((a.name, a.type, a.values) for a in project.cases.attribute_defs())

        def doc_attributes(project: Project) -> list[Any]:
            return sorted((d.name, sorted(d.attributes.items()),
                           project.cases.case_of(d).name)  # type: ignore[union-attr]
                          for d in project.documents.all())

        assert cases(imported) == cases(rich_project)
        assert attributes(imported) == attributes(rich_project)
        assert doc_attributes(imported) == doc_attributes(rich_project)
        original_sets = ExchangeService(rich_project.repo, rich_project.log).sets()
        assert ExchangeService(imported.repo, imported.log).sets() == original_sets
        links = {m.title: m.links for m in imported.memos.all()}
        assert links["Privacy memo"] == [s.id for s in rich_project.coding.segments()
                                         if rich_project.coding.text_of(s).startswith("We")]
        assert [t.speaker for t in imported.documents.all()[0].turns][:2] == [
            "Interviewer", "Aminah"]
        assert imported.settings.title == rich_project.settings.title
    finally:
        imported.close()
