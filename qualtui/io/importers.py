"""Document import: one entry point, :func:`read_document`, for every supported file type.

Owns the choice of reader by suffix and the final assembly of an :class:`ImportedText`
(normalised text, speaker turns, subtitle cues, warnings). Bad input only ever raises
:class:`~qualtui.core.errors.ImportFailure` with a one-line message naming the file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from qualtui.core.errors import ImportFailure
from qualtui.core.models import Cue, Turn
from qualtui.core.text import build_turns, detect_turns, normalise
from qualtui.io.plaintext import decode, one_line, read_bytes

__all__ = ["SUPPORTED_SUFFIXES", "ImportedText", "read_document"]

SUPPORTED_SUFFIXES = (".txt", ".md", ".docx", ".vtt", ".srt")


@dataclass
class ImportedText:
    """An imported document, ready to be stored."""

    text: str  # normalised (no BOM, LF only)
    format: str  # "txt" | "md" | "docx" | "vtt" | "srt"
    turns: list[Turn] = field(default_factory=list)
    cues: list[Cue] = field(default_factory=list)  # subtitle cues on text offsets; [] otherwise
    warnings: list[str] = field(default_factory=list)


def _turns(text: str, known: Iterable[tuple[int, int, str]] = ()) -> list[Turn]:
    """Turns from labels known from the source's structure plus those :func:`detect_turns`
    finds in the text; a known label wins where both start on the same line."""
    labels = list(known)
    labels += [(t.start, t.body_start, t.speaker) for t in detect_turns(text)]
    return build_turns(text, labels)


def read_document(path: Path, encoding: str | None = None) -> ImportedText:
    """Read a .txt, .md, .docx, .vtt or .srt file.

    ``encoding`` overrides detection for text and subtitle files (ignored for .docx, which
    is always UTF-8 XML). Raises ImportFailure for unsupported, unreadable, empty, binary,
    undecodable or malformed files.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = f"'{path.suffix}'" if path.suffix else "(no extension)"
        raise ImportFailure(
            f"{path}: unsupported file type {shown}; supported: {', '.join(SUPPORTED_SUFFIXES)}"
        )
    data = read_bytes(path)
    fmt = suffix[1:]
    try:
        if fmt in ("txt", "md"):
            text, warnings = decode(data, path, encoding)
            return ImportedText(text, fmt, detect_turns(text), [], warnings)
        if fmt == "docx":
            from qualtui.io.docx_import import parse_docx

            if not data:
                raise ImportFailure(f"{path}: the file is empty")
            doc = parse_docx(data, path)
            text, known, cues, warnings = doc.text, doc.labels, doc.cues, doc.warnings
            if encoding:
                warnings.append(f"--encoding {encoding} ignored: .docx files are always Unicode")
        else:
            from qualtui.io.subtitles import parse_subtitles

            sub = parse_subtitles(data, path, fmt, encoding)
            text, known, cues, warnings = sub.text, sub.labels, sub.cues, sub.warnings
    except ImportFailure:
        raise
    except Exception as exc:  # a library bug on odd input must still be a one-line failure
        raise ImportFailure(
            f"{path}: cannot import ({type(exc).__name__}: {one_line(exc, 100)})"
        ) from exc
    if normalise(text) != text:  # builders emit normalised text; keep offsets honest if not
        raise ImportFailure(f"{path}: internal error: imported text is not normalised")
    return ImportedText(text, fmt, _turns(text, known), cues, warnings)
