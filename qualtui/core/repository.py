"""The persistence contract core services depend on (implemented by ``qualtui.store``).

Records are plain dicts keyed by their ``id`` (a UUID). Dicts returned by reads belong to
the store's cache: treat them as read-only and copy before changing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol


class Repository(Protocol):
    root: Path

    def transaction(self) -> AbstractContextManager[None]:
        """One locked read-modify-write: reloads first, commits once at the end."""

    def all(self, table: str) -> list[dict[str, Any]]: ...

    def iter(self, table: str) -> Iterator[dict[str, Any]]: ...

    def get(self, table: str, record_id: str) -> dict[str, Any] | None: ...

    def count(self, table: str) -> int: ...

    def insert(self, table: str, record: dict[str, Any]) -> None: ...

    def replace(self, table: str, record: dict[str, Any]) -> None: ...

    def delete(self, table: str, record_id: str) -> None: ...

    def get_meta(self, key: str, default: Any = None) -> Any: ...

    def set_meta(self, key: str, value: Any) -> None: ...

    def changed_on_disk(self) -> bool:
        """Cheap check (a stat): did another process commit since we last read?"""

    def refresh(self) -> bool:
        """Reload if another process committed; True when something changed."""

    # immutable source texts
    def read_source(self, document_id: str) -> str: ...

    def write_source(self, document_id: str, text: str, original: bytes | None,
                     original_name: str) -> str:
        """Store the normalised text (and the original); returns the original's path."""

    def delete_source(self, document_id: str) -> None: ...
