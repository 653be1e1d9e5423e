#!/usr/bin/env python3
"""Turn a transcript draft (.txt, "Name: text" turns) into the .docx and .vtt originals.

    python sample_project/tools/make_formats.py docx P05.txt P05.docx
    python sample_project/tools/make_formats.py vtt  P09.txt P09.vtt

The .docx has a heading and one paragraph per turn with a bold "Name:" label, as typed-up
interview notes look; the .vtt is a Zoom-style transcript: cues of one or two sentences,
each prefixed with the speaker, timed at about 2.6 words per second.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

LABEL = re.compile(r"^([A-Z][\w.]*(?: [A-Z][\w.]*){0,2}): (.*)$")


def turns(text: str) -> tuple[str, list[tuple[str, str]]]:
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    title, blocks = paragraphs[0], []
    for para in paragraphs[1:]:
        match = LABEL.match(para)
        blocks.append((match.group(1), match.group(2)) if match else ("", para))
    return title, blocks


def to_docx(src: Path, dst: Path) -> None:
    from docx import Document

    title, blocks = turns(src.read_text("utf-8"))
    doc = Document()
    doc.add_heading(title, level=1)
    for speaker, words in blocks:
        para = doc.add_paragraph()
        if speaker:
            para.add_run(f"{speaker}:").bold = True
            para.add_run(f" {words}")
        else:
            para.add_run(words)
    doc.core_properties.title = title
    doc.save(dst)


def stamp(seconds: float) -> str:
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{int(h):02d}:{int(m):02d}:{s:06.3f}"


def to_vtt(src: Path, dst: Path) -> None:
    _, blocks = turns(src.read_text("utf-8"))
    lines, clock, n, speaker = ["WEBVTT", ""], 3.0, 0, ""
    for who, words in blocks:
        speaker = who or speaker
        sentences = re.split(r"(?<=[.?!]) (?=\S)", words)
        chunks: list[str] = []
        for sentence in sentences:
            if chunks and len(chunks[-1]) + len(sentence) < 120:
                chunks[-1] += " " + sentence
            else:
                chunks.append(sentence)
        for chunk in chunks:
            n += 1
            length = max(1.2, len(chunk.split()) / 2.6)
            lines += [str(n), f"{stamp(clock)} --> {stamp(clock + length)}",
                      f"{speaker}: {chunk}", ""]
            clock += length + 0.3
        clock += 1.0
    dst.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    kind, src, dst = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    {"docx": to_docx, "vtt": to_vtt}[kind](src, dst)
    print(f"wrote {dst}")
