"""Messages screens send each other through the app.

``JumpToPassage`` asks the coding screen to open a document and select ``[start, end)``.
The retrieval screen switches to the coding mode and calls the coding screen's
``show_passage(document_id, start, end)`` when it has one; otherwise it uses the coding
screen's public ``open_document`` and the transcript's ``select``/``move_to``, and posts this
message to the app so the app (or the coding screen) can take over the jump later.
"""

from __future__ import annotations

from textual.message import Message

__all__ = ["JumpToPassage"]


class JumpToPassage(Message):
    """Show ``[start, end)`` of document ``document_id`` in the coding screen, selected."""

    def __init__(self, document_id: str, start: int, end: int) -> None:
        super().__init__()
        self.document_id = document_id
        self.start = start
        self.end = end
