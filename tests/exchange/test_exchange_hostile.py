"""Hostile .qdpx files: each is refused with one line (or reported and skipped), and the
target project is never created or touched unless the import succeeds."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest
from exchange_helpers import (
    G_CODE_A,
    make_zip,
    project_xml,
    selection,
    text_source,
)

from qualtui.core.errors import ImportFailure, ProjectError
from qualtui.io.refi import Limits, import_qdpx
from qualtui.io.refi.archive import SafeArchive, unsafe_member_name
from qualtui.store.project import init_project, open_project

S1 = "11111111-1111-4111-8111-111111111111"


def _refused(tmp_path: Path, qdpx: Path, match: str, **kwargs: object) -> str:
    target = tmp_path / "target"
    with pytest.raises(ImportFailure, match=match) as info:
        import_qdpx(target, qdpx, coder="importer", **kwargs)  # type: ignore[arg-type]
    message = str(info.value)
    assert "\n" not in message and str(qdpx.name) in message
    assert not target.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".target")]
    return message


def test_xxe_external_entity_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    qde = (f'<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY xxe SYSTEM "file://{secret}">]>'
           '<Project xmlns="urn:QDA-XML:project:1.0" name="&xxe;"/>').encode()
    qdpx = make_zip(tmp_path / "xxe.qdpx", {"project.qde": qde})
    message = _refused(tmp_path, qdpx, "refuses for safety")
    assert "TOP SECRET" not in message


def test_billion_laughs_is_refused(tmp_path: Path) -> None:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10))
    qde = (f'<?xml version="1.0"?><!DOCTYPE Project [{entities}]>'
           '<Project xmlns="urn:QDA-XML:project:1.0" name="&lol9;"/>').encode()
    qdpx = make_zip(tmp_path / "lol.qdpx", {"project.qde": qde})
    _refused(tmp_path, qdpx, "entity declarations")


@pytest.mark.parametrize("member", ["../evil.txt", "sources/../../evil.txt", "/etc/evil.txt",
                                    "C:/evil.txt", "..\\evil.txt"])
def test_zip_slip_member_paths_are_refused(tmp_path: Path, member: str) -> None:
    qdpx = make_zip(tmp_path / "slip.qdpx", {"project.qde": project_xml(""),
                                             member: b"overwritten"})
    _refused(tmp_path, qdpx, "zip-slip")
    assert not (tmp_path.parent / "evil.txt").exists()
    assert unsafe_member_name(member)


def test_source_paths_cannot_climb_out_of_the_archive(tmp_path: Path) -> None:
    body = "<Sources>" + text_source(S1, "sneaky", "internal://../../etc/passwd") + "</Sources>"
    qdpx = make_zip(tmp_path / "sneaky.qdpx", {"project.qde": project_xml(body)})
    report = import_qdpx(tmp_path / "p", qdpx, coder="importer")
    assert report.counts["documents"] == 0
    assert any("sneaky" in w and "not in the file" in w for w in report.warnings)


def test_zip_bomb_ratio_is_refused_before_inflating(tmp_path: Path) -> None:
    qdpx = tmp_path / "bomb.qdpx"
    with zipfile.ZipFile(qdpx, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", project_xml(""))
        archive.writestr("sources/bomb.txt", b"\0" * (24 * 1024 * 1024))
    _refused(tmp_path, qdpx, "zip bomb")


def test_total_size_cap(tmp_path: Path) -> None:
    qdpx = make_zip(tmp_path / "big.qdpx", {"project.qde": project_xml(""),
                                            "sources/a.txt": b"x" * 5000})
    _refused(tmp_path, qdpx, "possible zip bomb", limits=Limits(max_total_bytes=4000))


def test_member_lying_about_its_size_is_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", project_xml("<Sources>" + text_source(
            S1, "liar", "internal://liar.txt") + "</Sources>"))
        archive.writestr("sources/liar.txt", b"y" * 200_000)
    data = bytearray(buffer.getvalue())
    central = data.rfind(b"PK\x01\x02")  # the last central directory entry: liar.txt
    struct.pack_into("<I", data, central + 24, 100)  # claim 100 bytes uncompressed
    local = data.find(b"PK\x03\x04", 4)
    struct.pack_into("<I", data, local + 22, 100)
    qdpx = tmp_path / "liar.qdpx"
    qdpx.write_bytes(bytes(data))
    with SafeArchive(qdpx) as archive:
        assert archive.find("sources/liar.txt").file_size == 100
    _refused(tmp_path, qdpx, "damaged|more than")


def test_not_a_zip(tmp_path: Path) -> None:
    qdpx = tmp_path / "fake.qdpx"
    qdpx.write_bytes(b"%PDF-1.7 this is no zip")
    _refused(tmp_path, qdpx, "not a zip archive")


def test_missing_project_qde(tmp_path: Path) -> None:
    qdpx = make_zip(tmp_path / "empty.qdpx", {"sources/a.txt": b"text"})
    _refused(tmp_path, qdpx, "no project.qde inside")


def test_malformed_xml(tmp_path: Path) -> None:
    qdpx = make_zip(tmp_path / "bad.qdpx", {"project.qde": b"<Project><Users></Project>"})
    _refused(tmp_path, qdpx, r"not well-formed XML \(line 1")


def test_wrong_root_element(tmp_path: Path) -> None:
    qdpx = make_zip(tmp_path / "root.qdpx", {"project.qde": b"<Html/>"})
    _refused(tmp_path, qdpx, "not a REFI-QDA project")


def test_bad_positions_and_unknown_codes_are_reported_and_skipped(tmp_path: Path) -> None:
    text = "0123456789 abcdefghij"
    guids = [f"5555555{i}-5555-4555-8555-55555555555{i}" for i in range(6)]
    unknown_code = "deadbeef-0000-4000-8000-000000000000"
    selections = (selection(guids[0], 0, 10)                         # fine
                  + selection(guids[1], 8, 3)                        # reversed
                  + selection(guids[2], 5, 500)                      # past the end
                  + selection(guids[3], -2, 4)                       # negative
                  + selection(guids[4], 11, 21, code=unknown_code)   # unknown code
                  + selection(guids[5], 4, 4))                       # empty
    body = "<Sources>" + text_source(S1, "doc", "internal://doc.txt", selections) + "</Sources>"
    qdpx = make_zip(tmp_path / "pos.qdpx", {"project.qde": project_xml(body),
                                            "sources/doc.txt": text.encode()})
    report = import_qdpx(tmp_path / "p", qdpx, coder="importer")
    assert report.counts["segments"] == 1
    joined = "\n".join(report.warnings)
    assert "8-3 is reversed" in joined
    assert "5-500 is outside the text (0-21)" in joined
    assert "-2-4 is outside the text" in joined
    assert f"unknown code {unknown_code}" in joined
    assert "4-4 is empty" in joined
    project = open_project(tmp_path / "p", coder="importer")
    try:
        [segment] = project.coding.segments()
        assert (segment.start, segment.end, segment.code_id) == (0, 10, G_CODE_A.lower())
    finally:
        project.close()


def test_existing_targets_are_never_touched(tmp_path: Path) -> None:
    qdpx = make_zip(tmp_path / "ok.qdpx", {"project.qde": project_xml("")})
    full = tmp_path / "full"
    full.mkdir()
    (full / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ProjectError, match="not empty"):
        import_qdpx(full, qdpx, coder="importer")
    assert [p.name for p in full.iterdir()] == ["notes.txt"]
    existing = init_project(tmp_path / "existing", title="Mine")
    before = sorted(p.name for p in existing.iterdir())
    with pytest.raises(ProjectError, match="already a qualtui project"):
        import_qdpx(existing, qdpx, coder="importer")
    assert sorted(p.name for p in existing.iterdir()) == before
    empty = tmp_path / "empty"
    empty.mkdir()
    report = import_qdpx(empty, qdpx, coder="importer")
    assert report.counts["codes"] == 2 and (empty / "qualtui.yaml").is_file()


def test_failure_while_writing_leaves_nothing(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    body = "<Sources>" + text_source(S1, "doc", "internal://doc.txt") + "</Sources>"
    qdpx = make_zip(tmp_path / "ok.qdpx", {"project.qde": project_xml(body),
                                           "sources/doc.txt": b"Some text."})
    from qualtui.core import exchange

    def explode(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(exchange.ExchangeService, "write_bundle", explode)
    with pytest.raises(OSError, match="disk full"):
        import_qdpx(tmp_path / "target", qdpx, coder="importer")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ok.qdpx"]


def test_absurdly_deep_code_nesting_is_cut(tmp_path: Path) -> None:
    depth = 1500
    opening = "".join(f'<Code guid="00000000-0000-4000-8000-{i:012d}" name="c{i}"'
                      ' isCodable="true">' for i in range(depth))
    qde = (f'<Project xmlns="urn:QDA-XML:project:1.0" name="deep"><CodeBook><Codes>{opening}'
           + "</Code>" * depth + "</Codes></CodeBook></Project>").encode()
    qdpx = make_zip(tmp_path / "deep.qdpx", {"project.qde": qde})
    report = import_qdpx(tmp_path / "p", qdpx, coder="importer")
    assert report.counts["codes"] == 64
    assert any("deeper than 64 levels" in w for w in report.warnings)
    project = open_project(tmp_path / "p", coder="importer")
    try:
        assert len(project.codebook.all()) == 64
    finally:
        project.close()
