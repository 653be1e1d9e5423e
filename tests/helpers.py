"""Test data and small helpers shared by the test modules."""

from __future__ import annotations

import os

TRANSCRIPT = (
    "Interview P99 - test transcript\n\n"
    "Interviewer: What are the benefits of social media for your agency?\n\n"
    "P99: Transparency is the main one. People can see what we do. It is also faster"
    " than the old notice board, e.g. for flood alerts.\n\n"
    "Interviewer: And the risks?\n\n"
    "P99: Privacy worries me. Citizens post their IC numbers in comments. Security too,"
    " our page was hacked once.\n"
)


def find(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


def umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
