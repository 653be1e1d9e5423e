"""Reading bytes from disk and decoding them to normalised text, with one-line failures.

Shared by every importer: encoding detection (UTF-8 with or without BOM, UTF-16/32 with BOM,
or an explicit ``encoding``), binary-file and empty-file refusal.
"""

from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path

from qualtui.core.errors import ImportFailure
from qualtui.core.text import normalise

__all__ = ["decode", "one_line", "read_bytes", "read_text"]

_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32 LE"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32 BE"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 LE"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 BE"),
)
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF file"),
    (b"PK\x03\x04", "a zip archive (a .docx, .xlsx or .zip?)"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office file (.doc?)"),
    (b"{\\rtf", "an RTF file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
)
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")
_ENCODING_HINT = "if it is another encoding, pass --encoding, e.g. --encoding latin-1"


def one_line(message: object, limit: int = 160) -> str:
    """``message`` as a single line of at most ``limit`` characters (for wrapped errors)."""
    text = " ".join(str(message).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def read_bytes(path: Path) -> bytes:
    """The file's bytes, or an ImportFailure naming the file."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ImportFailure(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ImportFailure(f"{path}: is a directory, not a file") from None
    except PermissionError:
        raise ImportFailure(f"{path}: cannot read file (permission denied)") from None
    except OSError as exc:
        raise ImportFailure(f"{path}: cannot read file ({one_line(exc.strerror or exc)})") from None


def _bom(data: bytes) -> tuple[str, str, int] | None:
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            return codec, label, len(bom)
    return None


def _refuse_binary(path: Path, text: str) -> None:
    if "\x00" in text:
        raise ImportFailure(f"{path}: looks like a binary file (contains NUL characters)")
    sample = text[:65536]
    controls = sum(
        1 for ch in sample if ch not in _ALLOWED_CONTROLS and unicodedata.category(ch) == "Cc"
    )
    if sample and controls / len(sample) > 0.05:
        raise ImportFailure(f"{path}: looks like a binary file (too many control characters)")


def decode(data: bytes, path: Path, encoding: str | None = None) -> tuple[str, list[str]]:
    """Decode ``data`` and normalise it; returns ``(text, warnings)``.

    Without ``encoding``: a UTF-8/16/32 BOM decides, else UTF-8 is required. Raises
    ImportFailure for binary content, undecodable bytes, an unknown encoding, or a file
    that is empty or holds only whitespace.
    """
    warnings: list[str] = []
    if not data:
        raise ImportFailure(f"{path}: the file is empty")
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise ImportFailure(f"{path}: unknown encoding {encoding!r}") from None
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            byte = exc.object[exc.start]
            raise ImportFailure(
                f"{path}: not valid {encoding} (byte 0x{byte:02x} at offset {exc.start})"
            ) from None
    else:
        bom = _bom(data)
        if bom is None and b"\x00" in data[:65536]:
            kind = next((name for magic, name in _MAGIC if data.startswith(magic)), None)
            what = f"looks like {kind}" if kind else "looks like a binary file (contains NUL bytes)"
            raise ImportFailure(
                f"{path}: {what}; if it is UTF-16 text without a byte order mark, "
                "pass --encoding utf-16-le or --encoding utf-16-be"
            )
        codec = bom[0] if bom else "utf-8"
        try:
            text = data[bom[2] :].decode(codec) if bom else data.decode("utf-8")
        except UnicodeDecodeError as exc:
            kind = next((name for magic, name in _MAGIC if data.startswith(magic)), None)
            if kind:
                raise ImportFailure(f"{path}: looks like {kind}, not a text file") from None
            offset = exc.start + (bom[2] if bom else 0)
            byte = data[offset]
            name = bom[1] if bom else "UTF-8"
            raise ImportFailure(
                f"{path}: not valid {name} (byte 0x{byte:02x} at offset {offset}); {_ENCODING_HINT}"
            ) from None
        if bom and bom[0] != "utf-8":
            warnings.append(f"decoded as {bom[1]} (byte order mark)")
    text = normalise(text)
    _refuse_binary(path, text)
    if not text.strip():
        raise ImportFailure(f"{path}: the file contains only whitespace")
    return text, warnings


def read_text(path: Path, encoding: str | None = None) -> tuple[str, list[str]]:
    """Read and decode a text file: ``(normalised text, warnings)``."""
    return decode(read_bytes(path), path, encoding)
