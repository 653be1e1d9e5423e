"""Tests for qualtui.core.text (normalise, turns, word count) and qualtui.core.units."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualtui.core.models import Turn
from qualtui.core.text import build_turns, count_words, detect_turns, find_labels, normalise
from qualtui.core.units import (
    TextUnits,
    lines,
    paragraphs,
    sentences,
    turn_spans,
    unit_at,
    units_overlapping,
    words,
)


def texts(text: str, spans: list[tuple[int, int]]) -> list[str]:
    return [text[s:e] for s, e in spans]


def bodies(text: str, turns: list[Turn]) -> list[tuple[str, str]]:
    return [(t.speaker, text[t.body_start : t.end]) for t in turns]


# --------------------------------------------------------------------------- normalise


def test_normalise_bom_crlf_cr() -> None:
    assert normalise("\ufeffa\r\nb\rc\n") == "a\nb\nc\n"
    assert normalise("a\r\r\nb") == "a\n\nb"


def test_normalise_changes_nothing_else() -> None:
    raw = "  tabs\tand  spaces \u00a0nbsp\ufeff mid-BOM\n\n\n"
    assert normalise(raw) == raw
    assert normalise("\ufeff\ufeffx") == "\ufeffx"  # only one leading BOM


# --------------------------------------------------------------------------- turns

TRANSCRIPT = """Interview P01 — 12 March 2024

Interviewer: Apa tugas anda?
P01: Saya webmaster.
I also handle Facebook.

More about that, in a second paragraph.

Interviewer:   How long?
P01: Nine years.   \n\n"""


def test_detect_turns_basic_offsets() -> None:
    turns = detect_turns(TRANSCRIPT)
    assert [t.speaker for t in turns] == ["Interviewer", "P01", "Interviewer", "P01"]
    first = turns[0]
    assert TRANSCRIPT[first.start : first.end] == "Interviewer: Apa tugas anda?"
    assert TRANSCRIPT[first.body_start : first.end] == "Apa tugas anda?"
    # a label-less line and a label-less paragraph continue the previous turn
    assert TRANSCRIPT[turns[1].body_start : turns[1].end] == (
        "Saya webmaster.\nI also handle Facebook.\n\nMore about that, in a second paragraph."
    )
    # body starts after the spaces following the label
    assert TRANSCRIPT[turns[2].body_start : turns[2].end] == "How long?"
    # end excludes trailing whitespace and newlines
    assert turns[3].end == len(TRANSCRIPT.rstrip())
    # the title belongs to no turn
    assert turns[0].start == TRANSCRIPT.index("Interviewer")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("AHMAD: hello\nSITI: hi\nAHMAD: bye", ["AHMAD", "SITI", "AHMAD"]),
        ("Dr. Lee: one\nP01: two\nDr. Lee: three", ["Dr. Lee", "P01", "Dr. Lee"]),
        ("Marie : bonjour\nJean : salut\nMarie : ça va", ["Marie", "Jean", "Marie"]),
        ("Marie\u00a0: bonjour\nMarie\u00a0: encore", ["Marie", "Marie"]),
        ("**Ina:** a\n\n**P02:** b\n\n**Ina:** c", ["Ina", "P02", "Ina"]),
        ("**Ina**: a\n\n**P02**: b\n\n**Ina**: c", ["Ina", "P02", "Ina"]),
        ("[00:01:02] Ali: a\n[00:01:09] Siti: b\n[00:02:00] Ali: c", ["Ali", "Siti", "Ali"]),
        ("00:01:02 - Ali: a\n00:01:09 - Ali: b", ["Ali", "Ali"]),
        ("Dato' Sri Ali: a\nP01: b\nDato' Sri Ali: c", ["Dato' Sri Ali", "P01", "Dato' Sri Ali"]),
        ("Siti binti Ali: a\nP01: b\nP01: c", ["Siti binti Ali", "P01", "P01"]),
        ("主持人：你好\n受访者：你好\n主持人：开始吧", ["主持人", "受访者", "主持人"]),
        ("المحاور: مرحبا\nالمشارك: أهلا\nالمحاور: شكرا", ["المحاور", "المشارك", "المحاور"]),
        ("  Indented: a\n  Indented: b", ["Indented", "Indented"]),
    ],
)
def test_detect_turns_label_styles(text: str, expected: list[str]) -> None:
    turns = detect_turns(text)
    assert [t.speaker for t in turns] == expected
    for t in turns:
        assert text[t.start : t.end] == text[t.start : t.end].strip()
        assert t.start <= t.body_start <= t.end


def test_bold_and_timestamp_body_start() -> None:
    text = "**Ali:** hello there\n[00:00:05] **Ali**: again\n[00:00:09] Siti: yes"
    turns = detect_turns(text)
    assert bodies(text, turns) == [("Ali", "hello there"), ("Ali", "again"), ("Siti", "yes")]
    assert text[turns[1].start : turns[1].body_start] == "[00:00:05] **Ali**: "


def test_label_alone_on_its_line_and_empty_turn() -> None:
    text = "Interviewer:\n  So, tell me.\nP01:\nInterviewer: ok"
    turns = detect_turns(text)
    assert bodies(text, turns) == [
        ("Interviewer", "So, tell me."),
        ("P01", ""),
        ("Interviewer", "ok"),
    ]
    assert turns[1].body_start == turns[1].end


@pytest.mark.parametrize(
    "text",
    [
        "My report\n\nNote: this document is a draft.\nIt has no speakers.",
        "See https://www.malaysia.gov.my for details.\nhttps://example.com/a:b also.",
        "Meeting at 10:30 today.\n10:30 is early.\n11:45\n11:45 again",
        "Interviewer: a single labelled line, nothing else recurring.",
        "Date: 1 May 2024\nDate: 2 May 2024\nNote: x\nNote: y",  # metadata keys never count
        "A: one\nB: two",  # no speaker recurs
    ],
)
def test_detect_turns_false_positives(text: str) -> None:
    assert detect_turns(text) == []


def test_one_off_labels_inside_a_transcript() -> None:
    text = (
        "Location: Putrajaya\n"
        "Interviewer: Why?\n"
        "P01: Budget.\n"
        "The reason: no money.\n"  # lower-case word: not a speaker
        "He said: wait.\n"
        "Note: recording paused.\n"  # metadata key
        "Interviewer: And then?\n"
        "Moderator: (joins) Sorry I'm late.\n"  # one-off, name-like, same style: a turn
        "P01: Then we posted."
    )
    turns = detect_turns(text)
    assert [t.speaker for t in turns] == ["Interviewer", "P01", "Interviewer", "Moderator", "P01"]
    assert text[turns[1].body_start : turns[1].end] == (
        "Budget.\nThe reason: no money.\nHe said: wait.\nNote: recording paused."
    )
    assert turns[0].start == text.index("Interviewer")  # "Location:" is preamble


def test_one_off_label_in_other_style_is_ignored() -> None:
    text = "**Ali:** a\n\n**Siti:** b\n\n**Ali:** c\n\nSummary of day: d\n\nRemark: e"
    assert [t.speaker for t in detect_turns(text)] == ["Ali", "Siti", "Ali"]


def test_label_limits() -> None:
    five_words = "One Two Three Four Five: a\nOne Two Three Four Five: b"
    assert detect_turns(five_words) == []
    long_label = ("X" * 41) + ": a\n" + ("X" * 41) + ": b"
    assert detect_turns(long_label) == []
    assert [lab.speaker for lab in find_labels("-dash: a\n_under: b\n'q: c")] == []


def test_turn_offsets_in_code_points_cjk_emoji_rtl() -> None:
    text = (
        "标题 🎉\n"
        "主持人：你好，欢迎😀参加。\n"
        "المحاور: مرحبا بكم 👋🏽\n"
        "主持人：谢谢。\n"
        "المحاور: شكرا"
    )
    turns = detect_turns(text)
    assert bodies(text, turns) == [
        ("主持人", "你好，欢迎😀参加。"),
        ("المحاور", "مرحبا بكم 👋🏽"),
        ("主持人", "谢谢。"),
        ("المحاور", "شكرا"),
    ]


def test_build_turns_dedupes_and_trims() -> None:
    text = "A: x  \n\nB: y\n"
    turns = build_turns(text, [(8, 11, "B"), (0, 3, "A"), (0, 2, "dup")])
    assert turns == [Turn(0, 4, "A", 3), Turn(8, 12, "B", 11)]


def test_count_words() -> None:
    assert count_words("") == 0
    assert count_words("Hello, world! Don't e-mel me.") == 5
    assert count_words("RM1.5 juta pada 10:30 pagi") == 5
    assert count_words("你好世界") == 4
    assert count_words("iPhone手机 ok") == 4
    assert count_words("مرحبا بكم 😀 🎉") == 2
    assert count_words("naïve café ÉCOLE") == 3
    assert count_words("नमस्ते दुनिया") == 2  # combining vowel signs stay inside words


# --------------------------------------------------------------------------- units


def test_paragraphs_lines_words() -> None:
    text = "  First para\nline two  \n \t \nSecond\n\n\n\nThird  \n"
    assert texts(text, paragraphs(text)) == ["First para\nline two", "Second", "Third"]
    assert texts(text, lines(text)) == ["First para", "line two", "Second", "Third"]
    assert texts(text, words(text)) == ["First", "para", "line", "two", "Second", "Third"]
    assert paragraphs("") == [] and lines("") == [] and words("") == []
    assert paragraphs(" \n\n ") == []


def test_words_unicode() -> None:
    text = "Dato' kata: don't! 你好 مرحبا 1.5"
    assert texts(text, words(text)) == ["Dato", "kata", "don't", "你", "好", "مرحبا", "1.5"]


def test_sentences_abbreviations() -> None:
    text = (
        "Dr. Lee said e.g. this is fine. ABC Sdn. Bhd. is a vendor. "
        "It cost 1.5 million. Office at No. 5, Jln. Ampang. Call Tel. 03-1234 5678. "
        "Dato' Sri Dr. Ahmad agreed. We use FB, IG etc. and more. The answer is no. Then we left."
    )
    assert texts(text, sentences(text)) == [
        "Dr. Lee said e.g. this is fine.",
        "ABC Sdn. Bhd. is a vendor.",
        "It cost 1.5 million.",
        "Office at No. 5, Jln. Ampang.",
        "Call Tel. 03-1234 5678.",
        "Dato' Sri Dr. Ahmad agreed.",
        "We use FB, IG etc. and more.",
        "The answer is no.",
        "Then we left.",
    ]


def test_sentence_ends_after_bhd_before_capital() -> None:
    text = "I work at ABC Sdn. Bhd. The company is small."
    assert texts(text, sentences(text)) == ["I work at ABC Sdn. Bhd.", "The company is small."]


def test_sentences_malay_english_mix() -> None:
    text = "Kita kena dapat kelulusan dulu. Then we post. Lepas tu baru boleh share ke FB."
    assert texts(text, sentences(text)) == [
        "Kita kena dapat kelulusan dulu.",
        "Then we post.",
        "Lepas tu baru boleh share ke FB.",
    ]
    assert texts(text, sentences(text, language="ms")) == texts(text, sentences(text))


def test_sentences_never_cross_paragraphs_or_labels() -> None:
    text = (
        "Title without stop\n\n"
        "Interviewer: Okay so\nP01: yes we did\nthat last year. Next one\n\n"
        "continues here.\nP01: done"
    )
    assert texts(text, sentences(text)) == [
        "Title without stop",
        "Okay so",
        "yes we did\nthat last year.",
        "Next one",
        "continues here.",
        "done",
    ]


def test_sentences_with_given_turns() -> None:
    text = "Ali: one. two.\nno label here"
    turns = [Turn(0, 14, "Ali", 5)]
    assert texts(text, sentences(text, turns=turns)) == ["one.", "two.", "no label here"]
    assert texts(text, sentences(text, turns=[])) == ["Ali: one.", "two.", "no label here"]


def test_turn_spans_unit_at_overlapping() -> None:
    text = "Title\n\nA: hello there\nB: hi\nA: bye\nB:"
    turns = detect_turns(text)
    spans = turn_spans(turns, text)
    assert texts(text, spans) == ["hello there", "hi", "bye"]  # empty body left out
    assert unit_at(spans, text.index("there")) == spans[0]
    assert unit_at(spans, 0) is None
    assert unit_at(spans, spans[0][1]) is None  # end is exclusive
    assert unit_at([], 3) is None
    assert units_overlapping(spans, 0, len(text)) == spans
    assert units_overlapping(spans, spans[0][1], spans[1][0]) == []  # only the gap
    assert units_overlapping(spans, spans[0][1] - 1, spans[1][0] + 1) == spans[:2]
    assert units_overlapping(spans, spans[1][0], spans[1][0]) == [spans[1]]


MOTION_TEXT = (
    "Interviewer: First one. Second one.\n"
    "P01: Third here.\n\n"
    "Still P01. Fifth.\n"
    "Interviewer: Sixth?\n"
    "P01: Seventh."
)


def test_text_units_lookups() -> None:
    tu = TextUnits(MOTION_TEXT)
    t = MOTION_TEXT
    second = t.index("Second")
    assert t.__getitem__(slice(*tu.sentence_at(second))) == "Second one."
    assert t.__getitem__(slice(*tu.word_at(second + 2))) == "Second"
    assert t.__getitem__(slice(*tu.paragraph_at(second))).startswith("Interviewer: First")
    assert t.__getitem__(slice(*tu.line_at(second))) == "Interviewer: First one. Second one."
    turn = tu.turn_at(t.index("Still"))
    assert turn is not None and turn.speaker == "P01"
    assert tu.turn_at(2) is not None and tu.turn_at(2).speaker == "Interviewer"  # in the label
    assert tu.sentence_at(t.index("Interviewer")) is None  # labels are not sentences
    assert tu.spans("sentences") == tu.sentences
    with pytest.raises(ValueError):
        tu.spans("chapter")


def test_text_units_motions() -> None:
    t = MOTION_TEXT
    tu = TextUnits(t)
    first = t.index("First")
    # w / b
    assert tu.next_start("word", first) == t.index("one")
    assert tu.prev_start("word", first + 3) == first  # inside a word: its own start
    assert tu.prev_start("word", first) == t.index(":") - len("Interviewer")
    # ( )
    assert tu.next_start("sentence", first) == t.index("Second")
    assert tu.prev_start("sentence", t.index("Second")) == first
    assert tu.next_start("sentence", t.index("Second")) == t.index("Third")
    # { }
    assert tu.next_start("paragraph", 0) == t.index("Still")
    assert tu.prev_start("paragraph", t.index("Still")) == 0
    assert tu.next_start("paragraph", t.index("Still")) is None
    # ]] [[ (turn bodies)
    assert tu.next_start("turn", 0) == first
    assert tu.next_start("turn", first) == t.index("Third")
    assert tu.next_start("turn", t.index("Third")) == t.index("Sixth")
    assert tu.prev_start("turn", t.index("Sixth")) == t.index("Third")
    assert tu.prev_start("turn", 0) is None
    assert tu.prev_start("line", len(t)) == t.rindex("P01")


def test_text_units_expand() -> None:
    t = MOTION_TEXT
    tu = TextUnits(t)
    hit = t.index("Second"), t.index("Second") + 6
    assert t[slice(*tu.expand("sentence", *hit))] == "Second one."
    assert t[slice(*tu.expand("word", hit[0] + 1, hit[0] + 2))] == "Second"
    # a hit spanning two sentences grows to both
    two = tu.expand("sentence", t.index("one."), t.index("Second") + 2)
    assert t[slice(*two)] == "First one. Second one."
    assert t[slice(*tu.expand("paragraph", *hit))] == t[: t.index("\n\n")]
    assert t[slice(*tu.expand("turn", *hit))] == "First one. Second one."
    # a hit in the label gives the body of that turn
    assert t[slice(*tu.expand("turn", 0, 5))] == "First one. Second one."
    # a hit spanning two turns covers both bodies (the first label excluded)
    both = tu.expand("turn", t.index("one."), t.index("Third"))
    assert both == (t.index("First"), t.index("Still P01. Fifth.") + len("Still P01. Fifth."))
    # an empty hit works like a cursor
    assert t[slice(*tu.expand("sentence", t.index("Sixth"), t.index("Sixth")))] == "Sixth?"
    # outside every unit: unchanged
    gap = t.index("\n\n") + 1
    assert tu.expand("paragraph", gap, gap) == (gap, gap)
    no_turns = TextUnits("just text", turns=[])
    assert no_turns.expand("turn", 1, 3) == (1, 3)


def test_text_units_large_text_is_consistent() -> None:
    block = "Interviewer: Soalan pertama? Dr. Lee replied.\nP01: Jawapan. Then we post.\n\n"
    text = block * 2000
    tu = TextUnits(text)
    assert len(tu.paragraphs) == 2000
    assert len(tu.lines) == 4000
    assert len(tu.turns) == 4000
    assert len(tu.sentences) == 8000


# --------------------------------------------------------------------------- properties

_alphabet = st.sampled_from(
    list("ab Z.!?:\n\n \t-'") + ["Dr.", "e.g.", "Sdn. Bhd.", "1.5", "P01: ", "**A:** ", "你", "😀",
                                "م", "\u00a0", "\u0301", "\r"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_alphabet, max_size=80).map("".join))
def test_every_unit_span_is_valid(raw: str) -> None:
    text = normalise(raw)
    tu = TextUnits(text)
    for kind in ("word", "sentence", "line", "paragraph", "turn"):
        spans = tu.spans(kind)
        prev_end = 0
        for start, end in spans:
            assert 0 <= start < end <= len(text)
            assert text[start:end] == text[start:end].strip()
            assert start >= prev_end  # sorted, non-overlapping
            prev_end = end
    for turn in tu.turns:
        assert 0 <= turn.start <= turn.body_start <= turn.end <= len(text)
        assert text[turn.start : turn.end] == text[turn.start : turn.end].strip()


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_units_on_arbitrary_unicode(text: str) -> None:
    text = normalise(text)
    tu = TextUnits(text)
    for kind in ("word", "sentence", "line", "paragraph", "turn"):
        for start, end in tu.spans(kind):
            assert 0 <= start < end <= len(text)
            assert text[start:end] == text[start:end].strip()
    assert count_words(text) == len(tu.words)


def test_sentences_survive_segmenter_panic_inputs() -> None:
    # sentencex 1.0 panics on a non-ASCII space before a full stop; we must not.
    text = "Harga RM5\u00a0. Then\u2009. Okay\u3000. Done."
    spans = sentences(text)
    assert spans and all(text[s:e] == text[s:e].strip() for s, e in spans)
    joined = "".join(text[s:e] for s, e in spans)
    assert "".join(joined.split()) == "".join(text.split())  # nothing lost


def test_sentences_fallback_when_segmenter_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    import qualtui.core.units as units_module

    class FakePanic(BaseException):
        pass

    def boom(language: str, text: str) -> list[str]:
        raise FakePanic("end byte index is not a char boundary")

    monkeypatch.setattr(units_module.sentencex, "segment", boom)
    text = "One. Two! Three?\n\nFour"
    assert texts(text, sentences(text)) == ["One.", "Two!", "Three?", "Four"]
