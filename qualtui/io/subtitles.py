"""Subtitle import (.vtt, .srt) via webvtt-py: cues become readable text plus timed cues.

Speakers come from ``<v Name>`` voice tags (Teams) or a ``Name: text`` prefix (Zoom).
Consecutive cues of one speaker merge into one ``Speaker: text`` turn; turns are separated
by a blank line. Without speakers, each cue is a line and pauses of 2 s or more start a new
paragraph. Every cue is kept as a :class:`~qualtui.core.models.Cue` over its text.
"""

from __future__ import annotations

import html
import io
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from qualtui.core.errors import ImportFailure
from qualtui.core.models import Cue
from qualtui.io.plaintext import decode, one_line

__all__ = ["SubtitleText", "parse_subtitles"]

_VOICE_RE = re.compile(r"<v(?:\.[^\s>]+)*[ \t]+([^>]+)>")
_TAG_RE = re.compile(r"<[^>]*>")
_PREFIX_RE = re.compile(r"^(?P<name>[^\s:<>][^:<>]{0,59}?)\s*[:：]\s+(?P<rest>\S.*)$", re.DOTALL)
_SRT_START_RE = re.compile(r"^\s*\d+\s*\n[^\n]*-->", re.ASCII)
_TIME_RE = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{1,2})[.,](\d{1,3})")
PARAGRAPH_GAP_MS = 2000
_NAMES = {"vtt": "WebVTT", "srt": "SubRip (.srt)"}


@dataclass
class SubtitleText:
    """What a subtitle file yields before turn detection."""

    text: str
    labels: list[tuple[int, int, str]]  # (start, body_start, speaker)
    cues: list[Cue]
    warnings: list[str]


@dataclass
class _Item:
    speaker: str | None
    text: str
    begin: str
    finish: str


def _ms(stamp: str) -> int | None:
    m = _TIME_RE.search(stamp)
    if not m:
        return None
    h, mi, s, frac = m.groups()
    return ((int(h or 0) * 60 + int(mi)) * 60 + int(s)) * 1000 + int(frac.ljust(3, "0"))


def _plain(raw: str) -> str:
    """Cue text without tags and entities, on one line."""
    return " ".join(html.unescape(_TAG_RE.sub("", raw)).split())


def _parse(text: str, fmt: str, path: Path) -> list[object]:
    import webvtt

    try:
        return list(webvtt.from_buffer(io.StringIO(text), format=fmt).captions)
    except Exception as exc:  # MalformedFileError, MalformedCaptionError, ValueError, ...
        detail: object = exc
        if fmt == "vtt" and "Invalid format" in str(exc):
            detail = "missing the WEBVTT header"
        raise ImportFailure(
            f"{path}: not a valid {_NAMES[fmt]} file ({one_line(detail, 100)})"
        ) from exc


def _items(captions: list[object]) -> tuple[list[_Item], int]:
    """Cue items with speakers resolved; also the number of empty cues skipped."""
    items: list[_Item] = []
    empty = 0
    for cap in captions:
        raw: str = cap.raw_text  # type: ignore[attr-defined]
        voice = _VOICE_RE.search(raw)
        body = _plain(raw)
        if not body:
            empty += 1
            continue
        speaker = " ".join(html.unescape(voice.group(1)).split()) if voice else None
        items.append(_Item(speaker or None, body, cap.start, cap.end))  # type: ignore[attr-defined]
    # Zoom style: "Name: text" inside the cue, for cues without a voice tag.
    prefixed: list[tuple[int, str, str]] = []
    for i, item in enumerate(items):
        if item.speaker is None:
            m = _PREFIX_RE.match(item.text)
            if m and len(m.group("name").split()) <= 6 and m.group("name")[0].isalnum():
                prefixed.append((i, m.group("name").strip(), m.group("rest")))
    counts = Counter(name for _, name, _ in prefixed)
    many = len(prefixed) * 2 > len(items)
    for i, name, rest in prefixed:
        if counts[name] >= 2 or many:
            items[i].speaker, items[i].text = name, rest
    return items, empty


def parse_subtitles(data: bytes, path: Path, fmt: str, encoding: str | None = None) -> SubtitleText:
    """Build text, speaker labels and cues from .vtt (``fmt="vtt"``) or .srt bytes."""
    text, warnings = decode(data, path, encoding)
    text = text.lstrip()
    if fmt == "vtt" and not text.startswith("WEBVTT") and _SRT_START_RE.match(text):
        warnings.append("no WEBVTT header; read as SubRip (.srt)")
        fmt = "srt"
    captions = _parse(text, fmt, path)
    arrows = sum(1 for line in text.split("\n") if "-->" in line)
    if not captions:
        raise ImportFailure(f"{path}: no subtitle cues found; is it a {_NAMES[fmt]} file?")
    if arrows > len(captions):
        warnings.append(f"{arrows - len(captions)} malformed cue(s) skipped")
    items, empty = _items(captions)
    if empty:
        warnings.append(f"{empty} empty cue(s) skipped")
    if not items:
        raise ImportFailure(f"{path}: the subtitles contain no text")

    parts: list[str] = []
    length = 0
    labels: list[tuple[int, int, str]] = []
    cues: list[Cue] = []

    def put(s: str) -> int:
        nonlocal length
        parts.append(s)
        length += len(s)
        return length

    with_speakers = any(item.speaker for item in items)
    current: str | None = None
    prev_finish: int | None = None
    for item in items:
        if with_speakers:
            if item.speaker is None or item.speaker == current:
                if parts:  # same speaker, or no speaker: the cue continues the turn
                    put(" ")
            else:
                if parts:
                    put("\n\n")
                start = length
                put(f"{item.speaker}: ")
                labels.append((start, length, item.speaker))
                current = item.speaker
        else:
            begin = _ms(item.begin)
            if parts:
                pause = begin - prev_finish if begin is not None and prev_finish is not None else 0
                put("\n\n" if pause >= PARAGRAPH_GAP_MS else "\n")
            prev_finish = _ms(item.finish)
        start = length
        put(item.text)
        cues.append(Cue(start=start, end=length, begin=item.begin, finish=item.finish))
    return SubtitleText(text="".join(parts), labels=labels, cues=cues, warnings=warnings)
