"""Messages any screen posts to ask the app to show something elsewhere.

The app handles both (``QualtuiApp.on_jump_to_passage`` / ``on_jump_to_code``): it switches
to the coding screen and calls its ``show_passage(document_id, start, end)`` or
``show_code(code_id)``. Drill-downs (analysis), retrieval hits and memo links all use them.
"""

from __future__ import annotations

from textual.message import Message

__all__ = ["JumpToCode", "JumpToPassage"]


class JumpToPassage(Message):
    """Show ``[start, end)`` of document ``document_id`` in the coding screen, selected
    (``start == end`` just opens the document). ``segment_id`` names the segment the
    passage came from, when there is one."""

    def __init__(self, document_id: str, start: int, end: int,
                 segment_id: str | None = None) -> None:
        super().__init__()
        self.document_id = document_id
        self.start = start
        self.end = end
        self.segment_id = segment_id


class JumpToCode(Message):
    """Show code ``code_id`` in the coding screen's codebook tree."""

    def __init__(self, code_id: str) -> None:
        super().__init__()
        self.code_id = code_id
