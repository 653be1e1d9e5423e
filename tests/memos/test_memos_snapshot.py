"""SVG snapshot of the memos screen at 80x24 (update with ``--snapshot-update``)."""

from __future__ import annotations

from textual.pilot import Pilot


def test_memos_screen_80x24(snap_compare, make_app) -> None:
    async def go_to_memos(pilot: Pilot[None]) -> None:
        await pilot.press("f6")
        await pilot.pause()
        await pilot.press("j", "j", "j", "j", "j")  # the segment memo, quoting its passage
        await pilot.pause(0.3)

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=go_to_memos)
