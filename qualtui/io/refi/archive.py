"""Reading a .qdpx (a zip) as untrusted input.

Nothing is ever extracted to disk: members are read into memory, by name. Still, a member
name that is absolute or climbs out with ``..`` (zip-slip) marks the file as hostile and it is
refused as a whole. Zip bombs are stopped before decompressing, from the declared sizes
(per member, in total, and the compression ratio of large members), and while reading, by
counting the bytes actually inflated.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from qualtui.core.errors import ImportFailure

__all__ = ["Limits", "SafeArchive", "unsafe_member_name"]

MiB = 1024 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class Limits:
    """Caps for reading an archive (bytes are uncompressed sizes)."""

    max_members: int = 50_000
    max_member_bytes: int = 1024 * MiB
    max_total_bytes: int = 4096 * MiB
    max_ratio: float = 200.0  # uncompressed / compressed, for members above ratio_floor
    ratio_floor: int = 4 * MiB
    max_xml_bytes: int = 512 * MiB


def unsafe_member_name(name: str) -> bool:
    """True for absolute names, drive letters, ``..`` components or NUL bytes."""
    normal = name.replace("\\", "/")
    if not normal or normal.startswith("/") or _DRIVE.match(normal) or "\x00" in normal:
        return True
    return ".." in normal.split("/")


def _size(value: int) -> str:
    return f"{value / MiB:.1f} MiB" if value >= MiB else f"{value} bytes"


class SafeArchive:
    """A zip opened for reading with the checks above; use as a context manager."""

    def __init__(self, path: Path, limits: Limits | None = None) -> None:
        self.path = Path(path)
        self.limits = limits or Limits()
        self._read_total = 0
        try:
            self._zip = zipfile.ZipFile(self.path)
        except FileNotFoundError:
            raise ImportFailure(f"{self.path}: no such file") from None
        except IsADirectoryError:
            raise ImportFailure(f"{self.path}: is a directory, not a .qdpx file") from None
        except PermissionError:
            raise ImportFailure(f"{self.path}: cannot read file (permission denied)") from None
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError):
            raise ImportFailure(f"{self.path}: not a zip archive, so not a REFI-QDA .qdpx"
                                " project (export it again from the other program)") from None
        try:
            self._check()
        except BaseException:
            self._zip.close()
            raise
        self.members = [i for i in self._zip.infolist() if not i.is_dir()]
        self._by_lower = {}
        for info in self.members:
            self._by_lower.setdefault(info.filename.replace("\\", "/").lower(), info)

    def _check(self) -> None:
        infos = self._zip.infolist()
        limits = self.limits
        if len(infos) > limits.max_members:
            raise ImportFailure(f"{self.path}: {len(infos)} members in the archive (limit"
                                f" {limits.max_members}); refused as a possible zip bomb")
        total = 0
        for info in infos:
            if unsafe_member_name(info.filename):
                raise ImportFailure(f"{self.path}: unsafe member path '{info.filename}'"
                                    " (absolute or with '..'); refused (zip-slip)")
            if info.file_size > limits.max_member_bytes:
                raise ImportFailure(f"{self.path}: member '{info.filename}' unpacks to"
                                    f" {_size(info.file_size)} (limit"
                                    f" {_size(limits.max_member_bytes)}); refused")
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > limits.ratio_floor and ratio > limits.max_ratio:
                raise ImportFailure(f"{self.path}: member '{info.filename}' is compressed"
                                    f" {ratio:.0f}:1 ({_size(info.file_size)}); refused as a"
                                    " zip bomb")
            total += info.file_size
        if total > limits.max_total_bytes:
            raise ImportFailure(f"{self.path}: unpacks to {_size(total)} (limit"
                                f" {_size(limits.max_total_bytes)}); refused as a possible"
                                " zip bomb")

    def __enter__(self) -> SafeArchive:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()

    def find(self, name: str) -> zipfile.ZipInfo | None:
        """The member called ``name`` (case-insensitive, ``\\`` or ``/``), if any."""
        return self._by_lower.get(name.replace("\\", "/").lstrip("/").lower())

    def read(self, info: zipfile.ZipInfo, limit: int | None = None) -> bytes:
        """A member's bytes, counting what is inflated against the limits."""
        cap = min(limit or self.limits.max_member_bytes, self.limits.max_member_bytes)
        if info.flag_bits & 0x1:
            raise ImportFailure(f"{self.path}: member '{info.filename}' is encrypted;"
                                " export the project again without a password")
        chunks: list[bytes] = []
        size = 0
        try:
            with self._zip.open(info) as handle:
                while True:
                    chunk = handle.read(MiB)
                    if not chunk:
                        break
                    size += len(chunk)
                    self._read_total += len(chunk)
                    if size > cap or size > info.file_size:
                        raise ImportFailure(f"{self.path}: member '{info.filename}' unpacks"
                                            f" to more than {_size(min(cap, info.file_size))};"
                                            " refused")
                    if self._read_total > self.limits.max_total_bytes:
                        raise ImportFailure(f"{self.path}: unpacks to more than"
                                            f" {_size(self.limits.max_total_bytes)}; refused"
                                            " as a possible zip bomb")
                    chunks.append(chunk)
        except ImportFailure:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
                RuntimeError) as exc:
            raise ImportFailure(f"{self.path}: member '{info.filename}' is damaged"
                                f" ({' '.join(str(exc).split())[:80]})") from None
        return b"".join(chunks)
