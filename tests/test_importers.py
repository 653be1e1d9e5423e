"""Tests for qualtui.io.importers (and the plaintext, docx and subtitle readers behind it)."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualtui.core.errors import ImportFailure
from qualtui.core.models import Turn
from qualtui.core.text import detect_turns, normalise
from qualtui.io.importers import SUPPORTED_SUFFIXES, ImportedText, read_document

FIXTURES = Path(__file__).parent / "fixtures" / "import"

TRANSCRIPT = "Temu bual P01\n\nInterviewer: Apa khabar?\nP01: Baik.\n\nInterviewer: Okay."


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def bodies(result: ImportedText) -> list[tuple[str, str]]:
    return [(t.speaker, result.text[t.body_start : t.end]) for t in result.turns]


def cue_texts(result: ImportedText) -> list[tuple[str, str]]:
    return [(c.begin, result.text[c.start : c.end]) for c in result.cues]


def assert_consistent(result: ImportedText) -> None:
    """Normalised text; turns valid and at least as good as what detect_turns finds."""
    text = result.text
    assert normalise(text) == text and "\r" not in text and not text.startswith("\ufeff")
    for t in result.turns:
        assert 0 <= t.start <= t.body_start <= t.end <= len(text)
        assert text[t.start : t.end] == text[t.start : t.end].strip()
    detected = {(t.start, t.speaker) for t in detect_turns(text)}
    assert detected <= {(t.start, t.speaker) for t in result.turns}
    for c in result.cues:
        assert 0 <= c.start < c.end <= len(text)


def one_line_failure(path: Path, **kwargs: object) -> str:
    with pytest.raises(ImportFailure) as info:
        read_document(path, **kwargs)  # type: ignore[arg-type]
    message = str(info.value)
    assert "\n" not in message
    assert path.name in message
    return message


# --------------------------------------------------------------------------- txt / md


def test_plain_text_with_turns(tmp_path: Path) -> None:
    result = read_document(write(tmp_path, "p01.txt", TRANSCRIPT))
    assert result.format == "txt"
    assert result.text == TRANSCRIPT
    assert bodies(result) == [
        ("Interviewer", "Apa khabar?"),
        ("P01", "Baik."),
        ("Interviewer", "Okay."),
    ]
    assert result.cues == [] and result.warnings == []
    assert_consistent(result)


def test_uppercase_suffix_and_str_path(tmp_path: Path) -> None:
    path = write(tmp_path, "NOTES.TXT", "hello")
    assert read_document(str(path)).format == "txt"  # type: ignore[arg-type]


def test_utf8_bom_is_stripped(tmp_path: Path) -> None:
    result = read_document(write(tmp_path, "bom.txt", codecs.BOM_UTF8 + TRANSCRIPT.encode()))
    assert result.text == TRANSCRIPT
    assert result.turns == read_document(write(tmp_path, "plain.txt", TRANSCRIPT)).turns


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_crlf_and_cr(tmp_path: Path, newline: str) -> None:
    data = TRANSCRIPT.replace("\n", newline)
    result = read_document(write(tmp_path, "win.txt", data))
    assert result.text == TRANSCRIPT
    assert bodies(result)[1] == ("P01", "Baik.")


@pytest.mark.parametrize(
    ("bom", "codec", "label"),
    [
        (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 LE"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 BE"),
        (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32 LE"),
    ],
)
def test_utf16_with_bom(tmp_path: Path, bom: bytes, codec: str, label: str) -> None:
    text = TRANSCRIPT + "\n主持人：你好 😀"
    data = bom + text.replace("\n", "\r\n").encode(codec)
    result = read_document(write(tmp_path, "u16.txt", data))
    assert result.text == text
    assert any(label in w for w in result.warnings)


def test_latin1_fails_with_hint_then_succeeds_with_encoding(tmp_path: Path) -> None:
    data = "Caf\xe9 na\xefve: r\xe9sum\xe9".encode("latin-1")
    path = write(tmp_path, "latin.txt", data)
    message = one_line_failure(path)
    assert message == (
        f"{path}: not valid UTF-8 (byte 0xe9 at offset 3); if it is another encoding, "
        "pass --encoding, e.g. --encoding latin-1"
    )
    result = read_document(path, encoding="latin-1")
    assert result.text == "Café naïve: résumé"


def test_explicit_encoding_errors(tmp_path: Path) -> None:
    path = write(tmp_path, "x.txt", "naïve")
    assert "unknown encoding 'klingon'" in one_line_failure(path, encoding="klingon")
    assert "not valid ascii (byte 0xc3 at offset 2)" in one_line_failure(path, encoding="ascii")
    # an explicit UTF-16 needs no BOM
    raw = write(tmp_path, "raw16.txt", "Ali: a\nAli: b".encode("utf-16-le"))
    assert read_document(raw, encoding="utf-16-le").text == "Ali: a\nAli: b"


def test_utf16_without_bom_is_refused_with_hint(tmp_path: Path) -> None:
    path = write(tmp_path, "nobom.txt", "hello world".encode("utf-16-le"))
    message = one_line_failure(path)
    assert "binary" in message and "--encoding utf-16-le" in message


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.md", b" \n\t\r\n  ", "only whitespace"),
        ("bom-only.txt", codecs.BOM_UTF8 + b"\n", "only whitespace"),
        ("nul.txt", b"some text\x00with a NUL", "binary"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        ("controls.txt", bytes(range(1, 9)) * 20 + b"text", "binary"),
        ("doc.txt", b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "zip"),
        ("report.md", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
    ],
)
def test_refused_files(tmp_path: Path, name: str, data: bytes, expected: str) -> None:
    assert expected in one_line_failure(write(tmp_path, name, data))


def test_unsupported_suffix_lists_supported(tmp_path: Path) -> None:
    message = one_line_failure(write(tmp_path, "notes.pdf", b"%PDF"))
    assert "unsupported file type '.pdf'" in message
    for suffix in SUPPORTED_SUFFIXES:
        assert suffix in message
    assert "(no extension)" in one_line_failure(write(tmp_path, "README", b"x"))


def test_missing_unreadable_and_directory(tmp_path: Path) -> None:
    assert "no such file" in one_line_failure(tmp_path / "missing.txt")
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    assert "directory" in one_line_failure(folder)
    locked = write(tmp_path, "locked.txt", "secret")
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):  # running as root: permissions are not enforced
            pytest.skip("cannot make a file unreadable as this user")
        assert "cannot read file" in one_line_failure(locked)
    finally:
        locked.chmod(0o644)


def test_cjk_emoji_rtl_offsets_are_code_points(tmp_path: Path) -> None:
    text = (
        "訪談 🎤\n\n"
        "主持人：你好😀，欢迎。\n"
        "受访者：谢谢👍🏽。\n"
        "主持人：开始吧。\n\n"
        "المحاور: مرحبا بكم\n"
        "المشارك: أهلا 🌙\n"
        "المحاور: شكرا\n"
        "المشارك: عفوا"
    )
    result = read_document(write(tmp_path, "multi.txt", text))
    assert bodies(result) == [
        ("主持人", "你好😀，欢迎。"),
        ("受访者", "谢谢👍🏽。"),
        ("主持人", "开始吧。"),
        ("المحاور", "مرحبا بكم"),
        ("المشارك", "أهلا 🌙"),
        ("المحاور", "شكرا"),
        ("المشارك", "عفوا"),
    ]
    # code points, not UTF-8 or UTF-16 units
    assert result.turns[1].start == text.index("受访者")


def test_markdown_kept_as_is_with_bold_labels() -> None:
    path = FIXTURES / "interview.md"
    result = read_document(path)
    assert result.format == "md"
    assert result.text == normalise(path.read_text(encoding="utf-8"))
    assert bodies(result) == [
        ("Interviewer", "Apa cabaran utama?"),
        ("P03", "Records management. Kita kena simpan semua post."),
        ("Interviewer", "Boleh beri contoh?"),
        ("P03", "E.g. a Facebook post about flood relief."),
    ]
    assert result.text[result.turns[0].start : result.turns[0].body_start] == "**Interviewer:** "
    assert_consistent(result)


# --------------------------------------------------------------------------- docx


def bold_label(document: docx.document.Document, label: str, text: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.add_run(label).bold = True
    paragraph.add_run(text)


def test_docx_paragraphs_and_bold_labels(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("Temu bual P02", level=1)
    document.add_paragraph("")  # empty paragraphs are dropped
    bold_label(document, "Interviewer:", " Apa peranan anda?")
    bold_label(document, "Puan Siti Aminah", ": Saya pegawai rekod.")  # colon not bold
    document.add_paragraph("Saya juga urus laman web.")  # continues the turn
    paragraph = document.add_paragraph()
    paragraph.add_run("Interviewer: ", style="Strong")  # bold through a character style
    paragraph.add_run("Terima kasih.")
    document.add_paragraph("Line one\nline two")  # a soft break stays in the paragraph
    path = tmp_path / "p02.docx"
    document.save(str(path))

    result = read_document(path)
    assert result.format == "docx"
    assert result.text == (
        "Temu bual P02\n\n"
        "Interviewer: Apa peranan anda?\n\n"
        "Puan Siti Aminah: Saya pegawai rekod.\n\n"
        "Saya juga urus laman web.\n\n"
        "Interviewer: Terima kasih.\n\n"
        "Line one\nline two"
    )
    assert bodies(result) == [
        ("Interviewer", "Apa peranan anda?"),
        ("Puan Siti Aminah", "Saya pegawai rekod.\n\nSaya juga urus laman web."),
        ("Interviewer", "Terima kasih.\n\nLine one\nline two"),
    ]
    assert result.cues == []
    assert_consistent(result)


def test_docx_single_bold_label_is_a_turn_even_without_recurrence(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Field notes")
    bold_label(document, "Observer:", " the room was full.")
    path = tmp_path / "notes.docx"
    document.save(str(path))
    result = read_document(path)
    assert bodies(result) == [("Observer", "the room was full.")]
    assert detect_turns(result.text) == []  # plain detection alone would miss it
    assert any("ignored" in w for w in read_document(path, encoding="latin-1").warnings)


def add_table(document: docx.document.Document, rows: list[list[str]]) -> None:
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.cell(r, c).text = value


def test_docx_time_speaker_text_table(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Focus group 1")
    add_table(
        document,
        [
            ["Time", "Speaker", "Text"],
            ["00:00:05", "Moderator", "Selamat datang semua."],
            ["0:12", "P04", "Terima kasih."],
            ["[00:01:02.5]", "Moderator:", "Mari mula."],
            ["00:01:30", "", "(pause)"],
            ["00:01:40", "P04", ""],  # no text: skipped
        ],
    )
    document.add_paragraph("End of transcript.")
    path = tmp_path / "fg.docx"
    document.save(str(path))

    result = read_document(path)
    assert result.text == (
        "Focus group 1\n\n"
        "Moderator: Selamat datang semua.\n\n"
        "P04: Terima kasih.\n\n"
        "Moderator: Mari mula.\n\n"
        "(pause)\n\n"
        "End of transcript."
    )
    assert bodies(result) == [
        ("Moderator", "Selamat datang semua."),
        ("P04", "Terima kasih."),
        ("Moderator", "Mari mula.\n\n(pause)\n\nEnd of transcript."),
    ]
    assert cue_texts(result) == [
        ("00:00:05.000", "Moderator: Selamat datang semua."),
        ("00:00:12.000", "P04: Terima kasih."),
        ("00:01:02.500", "Moderator: Mari mula."),
        ("00:01:30.000", "(pause)"),
    ]
    assert all(c.finish == "" for c in result.cues)
    assert (result.cues[0].start, result.cues[0].end) == (
        result.turns[0].start,
        result.turns[0].end,
    )
    assert_consistent(result)


def test_docx_headerless_time_table_and_speaker_text_table(tmp_path: Path) -> None:
    document = docx.Document()
    add_table(document, [["00:00:01", "Ali", "Satu."], ["00:00:04", "Bala", "Dua."]])
    add_table(document, [["Ali", "Tiga."], ["Bala:", "Empat."], ["Ali", "Lima."]])
    path = tmp_path / "tables.docx"
    document.save(str(path))
    result = read_document(path)
    assert bodies(result) == [
        ("Ali", "Satu."),
        ("Bala", "Dua."),
        ("Ali", "Tiga."),
        ("Bala", "Empat."),
        ("Ali", "Lima."),
    ]
    assert [c.begin for c in result.cues] == ["00:00:01.000", "00:00:04.000"]


def test_docx_other_tables_join_cells(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Before")
    add_table(document, [["Agency", "Level", "Staff"], ["KKM", "federal", "120"]])
    document.add_paragraph("After")
    path = tmp_path / "plain-table.docx"
    document.save(str(path))
    result = read_document(path)
    assert result.text == "Before\n\nAgency | Level | Staff\nKKM | federal | 120\n\nAfter"
    assert result.turns == [] and result.cues == []


def test_docx_merged_cells_are_not_repeated(tmp_path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "Wide heading"
    table.cell(1, 0).text, table.cell(1, 1).text, table.cell(1, 2).text = "a", "b", "c"
    path = tmp_path / "merged.docx"
    document.save(str(path))
    assert read_document(path).text == "Wide heading\na | b | c"


def test_docx_with_no_text(tmp_path: Path) -> None:
    path = tmp_path / "blank.docx"
    docx.Document().save(str(path))
    assert "no text" in one_line_failure(path)


def test_broken_docx(tmp_path: Path) -> None:
    renamed = write(tmp_path, "renamed.docx", "Interviewer: this is really a text file")
    assert "not a valid .docx file" in one_line_failure(renamed)

    good = tmp_path / "good.docx"
    document = docx.Document()
    document.add_paragraph("hello")
    document.save(str(good))
    truncated = write(tmp_path, "truncated.docx", good.read_bytes()[:700])
    assert "not a valid .docx file" in one_line_failure(truncated)

    assert "empty" in one_line_failure(write(tmp_path, "zero.docx", b""))


# --------------------------------------------------------------------------- subtitles


def test_zoom_vtt() -> None:
    result = read_document(FIXTURES / "zoom.vtt")
    assert result.format == "vtt"
    assert result.text == (
        "Aminah Yusof: Selamat pagi, thank you for joining. Boleh perkenalkan diri?\n\n"
        "P01: Saya webmaster di kementerian. Nine years already.\n\n"
        "Aminah Yusof: Okay & what do you post?\n\n"
        "P01: Mostly announcements."
    )
    assert [t.speaker for t in result.turns] == ["Aminah Yusof", "P01", "Aminah Yusof", "P01"]
    assert cue_texts(result) == [
        ("00:00:01.000", "Selamat pagi, thank you for joining."),
        ("00:00:04.500", "Boleh perkenalkan diri?"),
        ("00:00:07.800", "Saya webmaster di kementerian. Nine years already."),
        ("00:00:11.500", "Okay & what do you post?"),
        ("00:00:13.400", "Mostly announcements."),
    ]
    assert result.cues[0].finish == "00:00:04.200"
    assert result.turns == detect_turns(result.text)  # identical to plain detection
    assert_consistent(result)


def test_teams_vtt_guid_ids_and_voice_tags() -> None:
    result = read_document(FIXTURES / "teams.vtt")
    assert result.text == (
        "Lee, Ahmad (MOH): Can you hear me? We can start now.\n\n"
        "Siti Nurhaliza: Yes, loud and clear.\n\n"
        "Lee, Ahmad (MOH): Good."
    )
    assert bodies(result) == [
        ("Lee, Ahmad (MOH)", "Can you hear me? We can start now."),
        ("Siti Nurhaliza", "Yes, loud and clear."),
        ("Lee, Ahmad (MOH)", "Good."),
    ]
    assert "e0a1b2c3" not in result.text and "<" not in result.text
    assert [(c.begin, c.finish) for c in result.cues][:2] == [
        ("00:00:00.520", "00:00:03.110"),
        ("00:00:03.110", "00:00:05.000"),
    ]
    assert cue_texts(result)[1] == ("00:00:03.110", "We can start now.")
    assert_consistent(result)


def test_srt_without_speakers() -> None:
    result = read_document(FIXTURES / "captions.srt")
    assert result.format == "srt"
    # one cue per line; a pause of 2 s or more starts a new paragraph
    assert result.text == (
        "Welcome to the briefing.\nToday we cover social media policy.\n\nAfter the break."
    )
    assert result.turns == []
    assert cue_texts(result) == [
        ("00:00:01.000", "Welcome to the briefing."),
        ("00:00:02.600", "Today we cover social media policy."),
        ("00:00:08.000", "After the break."),
    ]
    assert_consistent(result)


def test_srt_with_zoom_style_speakers_and_crlf_bom(tmp_path: Path) -> None:
    srt = (
        "1\n00:00:01,000 --> 00:00:02,000\nAli: Satu.\n\n"
        "2\n00:00:02,000 --> 00:00:03,000\nAli: Dua.\n\n"
        "3\n00:00:03,000 --> 00:00:04,000\ncontinued without name\n\n"
        "4\n00:00:04,000 --> 00:00:05,000\nBala: Tiga.\n"
    ).replace("\n", "\r\n")
    result = read_document(write(tmp_path, "talk.srt", codecs.BOM_UTF8 + srt.encode()))
    assert result.text == "Ali: Satu. Dua. continued without name\n\nBala: Tiga."
    assert bodies(result) == [("Ali", "Satu. Dua. continued without name"), ("Bala", "Tiga.")]
    assert len(result.cues) == 4
    assert_consistent(result)


def test_vtt_plain_cues_colon_is_not_a_speaker(tmp_path: Path) -> None:
    vtt = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nRemember: always back up.\n\n"
        "00:00:02.000 --> 00:00:03.000\nThen post.\n\n"
        "00:00:03.000 --> 00:00:04.000\n\n"  # an empty cue
    )
    result = read_document(write(tmp_path, "plain.vtt", vtt))
    assert result.text == "Remember: always back up.\nThen post."
    assert result.turns == []
    assert any("empty cue" in w for w in result.warnings)


def test_vtt_utf16_and_entities(tmp_path: Path) -> None:
    vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Ana>a &lt;b&gt; &amp; c&nbsp;d</v>\n"
    data = codecs.BOM_UTF16_LE + vtt.encode("utf-16-le")
    result = read_document(write(tmp_path, "u16.vtt", data))
    assert result.text == "Ana: a <b> & c d"


def test_vtt_without_header_but_srt_content(tmp_path: Path) -> None:
    path = write(tmp_path, "mislabelled.vtt", (FIXTURES / "captions.srt").read_bytes())
    result = read_document(path)
    assert len(result.cues) == 3
    assert any("SubRip" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("broken.vtt", (FIXTURES / "broken.vtt").read_bytes(), "not a valid WebVTT file"),
        ("nocues.vtt", b"WEBVTT\n\nNOTE nothing here\n", "no subtitle cues"),
        ("badtime.vtt", b"WEBVTT\n\n00:xx:01.000 --> 00:00:02.000\nhi\n", "no subtitle cues"),
        ("broken.srt", b"just words\nno timings\n", "not a valid SubRip"),
        ("empty.srt", b"", "empty"),
        ("binary.vtt", b"WEBVTT\x00\x00\x01\x02", "binary"),
        ("latin.srt", "1\n00:00:01,000 --> 00:00:02,000\nCaf\xe9\n".encode("latin-1"), "UTF-8"),
    ],
)
def test_broken_subtitles(tmp_path: Path, name: str, data: bytes, expected: str) -> None:
    assert expected in one_line_failure(write(tmp_path, name, data))


def test_subtitle_encoding_option(tmp_path: Path) -> None:
    data = "1\n00:00:01,000 --> 00:00:02,000\nCaf\xe9\n".encode("latin-1")
    path = write(tmp_path, "latin.srt", data)
    assert read_document(path, encoding="latin-1").text == "Café"


# --------------------------------------------------------------------------- robustness


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    suffix=st.sampled_from(SUPPORTED_SUFFIXES),
    data=st.one_of(
        st.binary(max_size=300),
        st.text(max_size=300).map(lambda s: s.encode("utf-8")),
        st.text(alphabet="WEBVT0123456789:.-> \n<v>Ali", max_size=300).map(
            lambda s: ("WEBVTT\n\n" + s).encode()
        ),
        st.sampled_from([b"PK\x03\x04" + bytes(40), b"1\n00:00:01,000 --> 00:00:0"]),
    ),
)
def test_bad_input_only_raises_import_failure(tmp_path: Path, suffix: str, data: bytes) -> None:
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    try:
        result = read_document(path)
    except ImportFailure as exc:
        assert "\n" not in str(exc) and str(path) in str(exc)
    else:
        assert_consistent(result)
        assert result.text.strip()
        assert all(isinstance(t, Turn) for t in result.turns)
