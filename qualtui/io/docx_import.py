"""Word (.docx) import: body paragraphs and tables, in document order, as plain text.

Paragraphs become blocks separated by a blank line. A paragraph that starts with a bold
``Label:`` becomes a ``Label: text`` turn; transcript tables (Time | Speaker | Text, or
Speaker | Text) become one ``Speaker: text`` turn per row, with the time kept as a cue.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qualtui.core.errors import ImportFailure
from qualtui.core.models import Cue
from qualtui.core.text import normalise
from qualtui.io.plaintext import one_line

__all__ = ["DocxText", "parse_docx", "normalise_time"]

_TIME_RE = re.compile(
    r"^[\[(]?\s*(?:(?P<h>\d{1,2}):)?(?P<m>\d{1,2}):(?P<s>\d{2})(?:[.,](?P<ms>\d{1,3}))?\s*[\])]?$"
)
_TIME_HEADERS = frozenset(
    "time timestamp start masa waktu timecode tc begin".split()
    + ["time stamp", "start time", "time code"]
)
_SPEAKER_HEADERS = frozenset(
    "speaker name nama participant who penutur pembicara respondent person".split()
    + ["speaker name", "nama penutur"]
)
_TEXT_HEADERS = frozenset(
    "text transcript transcription utterance speech content teks transkrip dialogue dialog "
    "response responses said statement verbatim".split()
    + ["what was said", "spoken text"]
)
_MAX_LABEL = 60
_MAX_LABEL_WORDS = 6


@dataclass
class DocxText:
    """What a .docx yields before turn detection."""

    text: str
    labels: list[tuple[int, int, str]]  # (start, body_start, speaker) known from formatting
    cues: list[Cue]
    warnings: list[str]


def normalise_time(value: str) -> str | None:
    """``"1:02"``, ``"[00:01:02]"``, ``"01:02,5"`` → ``"00:01:02.500"``; ``None`` if not a time."""
    m = _TIME_RE.match(value.strip())
    if not m:
        return None
    h = int(m.group("h") or 0)
    minutes, seconds = int(m.group("m")), int(m.group("s"))
    if seconds >= 60 or (m.group("h") is not None and minutes >= 60):
        return None
    ms = int((m.group("ms") or "0").ljust(3, "0"))
    return f"{h:02d}:{minutes:02d}:{seconds:02d}.{ms:03d}"


def _clean(text: str) -> str:
    return normalise(text).replace("\ufeff", "").strip()


def _label_ok(label: str) -> bool:
    return (
        0 < len(label) <= _MAX_LABEL
        and "\n" not in label
        and len(label.split()) <= _MAX_LABEL_WORDS
        and label[0].isalnum()
    )


# --------------------------------------------------------------------------- paragraphs


def _is_bold(run: Any, style_bold: dict[str, bool]) -> bool:
    """Direct bold, else the run's character style's bold (looked up once per style id:
    python-docx's ``run.style`` scans the whole styles part on every call)."""
    if run.bold is not None:
        return bool(run.bold)
    style_id = run._r.style
    if style_id is None:
        return False
    if style_id not in style_bold:
        style = run.style
        style_bold[style_id] = bool(style is not None and style.font.bold)
    return style_bold[style_id]


def _bold_label(paragraph: Any, style_bold: dict[str, bool]) -> tuple[str, str] | None:
    """``(label, rest)`` if the paragraph starts with a bold ``Label:`` (colon bold or not)."""
    from docx.text.run import Run

    bold = ""
    after = ""
    for item in paragraph.iter_inner_content():
        if not isinstance(item, Run):
            after = item.text
            break
        if _is_bold(item, style_bold) or not item.text.strip():
            if after:
                break
            bold += item.text
            continue
        after = item.text
        break
    label = bold.strip()
    if not label:
        return None
    full = paragraph.text
    if label.endswith((":", "：")):
        prefix_len = len(bold)
    elif after.lstrip().startswith((":", "：")):
        prefix_len = len(bold) + len(after) - len(after.lstrip()) + 1
    else:
        return None
    label = label.rstrip(":：").strip()
    if not _label_ok(label) or not full.startswith(bold):
        return None
    return label, full[prefix_len:]


# --------------------------------------------------------------------------- tables


def _cell_text(cell: Any) -> str:
    parts = [_clean(p.text) for p in cell.paragraphs]
    return "\n".join(p for p in parts if p)


def _rows(table: Any) -> list[list[str]]:
    rows: list[list[str]] = []
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:  # merged cells repeat: keep each once
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(_cell_text(cell))
        rows.append(cells)
    return rows


def _header_key(value: str) -> str:
    return " ".join(value.casefold().strip().rstrip(":").split())


def _transcript_columns(rows: list[list[str]]) -> tuple[int | None, int, int, int] | None:
    """``(time_col, speaker_col, text_col, first_data_row)`` for a transcript table."""
    if not rows:
        return None
    header = [_header_key(c) for c in rows[0]]
    speaker = next((i for i, h in enumerate(header) if h in _SPEAKER_HEADERS), None)
    text = next((i for i, h in enumerate(header) if h in _TEXT_HEADERS), None)
    if speaker is not None and text is not None and speaker != text:
        time = next((i for i, h in enumerate(header) if h in _TIME_HEADERS), None)
        return time, speaker, text, 1
    widths = {len(r) for r in rows}
    if widths == {3}:
        firsts = [r[0] for r in rows if r[0]]
        if firsts and sum(1 for f in firsts if normalise_time(f)) * 2 >= len(firsts):
            return 0, 1, 2, 0
    if widths == {2}:
        names = [r[0].rstrip(":：").strip() for r in rows if r[0]]
        if (
            names
            and all(_label_ok(n) and len(n.split()) <= 4 for n in names)
            and max(Counter(n.casefold() for n in names).values()) >= 2
        ):
            return None, 0, 1, 0
    return None


# --------------------------------------------------------------------------- document


def _blocks(doc: Any) -> Iterator[Any]:
    """Body paragraphs and tables in document order (content controls opened up)."""
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    def walk(element: Any) -> Iterator[Any]:
        for child in element.iterchildren():
            if child.tag == qn("w:p"):
                yield Paragraph(child, doc._body)
            elif child.tag == qn("w:tbl"):
                yield Table(child, doc._body)
            elif child.tag == qn("w:sdt"):
                content = child.find(qn("w:sdtContent"))
                if content is not None:
                    yield from walk(content)

    yield from walk(doc.element.body)


class _Builder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.labels: list[tuple[int, int, str]] = []
        self.cues: list[Cue] = []

    def add(self, text: str, speaker: str | None = None, begin: str | None = None) -> None:
        text = text.strip()
        if speaker:
            text = f"{speaker}: {text}".rstrip()
        if not text:
            return
        if self.parts:
            self.parts.append("\n\n")
            self.length += 2
        start = self.length
        self.parts.append(text)
        self.length += len(text)
        if speaker:
            self.labels.append((start, start + len(speaker) + 2, speaker))
        if begin:
            self.cues.append(Cue(start=start, end=self.length, begin=begin, finish=""))

    def text(self) -> str:
        return "".join(self.parts)


def parse_docx(data: bytes, path: Path) -> DocxText:
    """Extract text, known turn labels and table cues from .docx bytes."""
    try:
        import docx

        doc = docx.Document(io.BytesIO(data))
        blocks = list(_blocks(doc))
    except Exception as exc:  # python-docx raises many kinds for broken packages
        raise ImportFailure(f"{path}: not a valid .docx file ({one_line(exc, 100)})") from exc

    from docx.table import Table

    out = _Builder()
    warnings: list[str] = []
    style_bold: dict[str, bool] = {}
    try:
        for block in blocks:
            if isinstance(block, Table):
                _add_table(out, _rows(block))
                continue
            labelled = _bold_label(block, style_bold)
            if labelled:
                out.add(_clean(labelled[1]), speaker=labelled[0])
            else:
                out.add(_clean(block.text))
    except Exception as exc:
        raise ImportFailure(f"{path}: not a valid .docx file ({one_line(exc, 100)})") from exc
    text = out.text()
    if not text.strip():
        raise ImportFailure(f"{path}: the document contains no text")
    return DocxText(text=text, labels=out.labels, cues=out.cues, warnings=warnings)


def _add_table(out: _Builder, rows: list[list[str]]) -> None:
    cols = _transcript_columns(rows)
    if cols is None:
        lines = [" | ".join(c.replace("\n", " ") for c in row) for row in rows]
        out.add("\n".join(line for line in lines if line.strip(" |")))
        return
    time_col, speaker_col, text_col, first = cols
    for row in rows[first:]:
        def cell(i: int | None, row: list[str] = row) -> str:
            return row[i] if i is not None and i < len(row) else ""

        body = " ".join(cell(text_col).split("\n"))
        speaker = " ".join(cell(speaker_col).split()).rstrip(":：").strip()
        if not body:
            continue
        begin = normalise_time(cell(time_col)) if time_col is not None else None
        if time_col is not None and begin is None and cell(time_col).strip():
            begin = cell(time_col).strip()
        if speaker and not _label_ok(speaker):
            body, speaker = f"{speaker}: {body}", ""
        out.add(body, speaker=speaker or None, begin=begin)
