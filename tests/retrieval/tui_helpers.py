"""Pilot helpers for the retrieval screens' tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from textual.pilot import Pilot

_KEYS = {" ": "space", "/": "slash", ".": "full_stop", "-": "minus", "#": "number_sign",
         "=": "equals_sign", ">": "greater_than_sign", "<": "less_than_sign",
         '"': "quotation_mark", "|": "vertical_line", "(": "left_parenthesis",
         ")": "right_parenthesis", ",": "comma", "_": "underscore", ":": "colon"}


async def type_text(pilot: Pilot[None], text: str) -> None:
    await pilot.press(*[_KEYS.get(ch, ch) for ch in text])


async def wait_for(pilot: Pilot[None], predicate: Callable[[], bool],
                   timeout: float = 5.0) -> bool:
    """Pause until ``predicate()`` holds (or ``timeout`` seconds pass)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end:
        if predicate():
            return True
        await pilot.pause(0.05)
    return predicate()


async def pick(pilot: Pilot[None], text: str) -> None:
    """Type into an open command palette and take the first match."""
    await pilot.pause(0.1)
    await type_text(pilot, text)
    await pilot.pause(0.4)
    await pilot.press("enter")
    await pilot.pause(0.1)
