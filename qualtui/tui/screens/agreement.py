"""The agreement screen (mode ``agreement``, F9) and the disagreement review.

The table lists every compared code with the units each coder coded, percent agreement,
Cohen's κ, Krippendorff's α and the number of passages where the coders differ; the line
above it names the unit and the denominator (all text, or only text someone coded). ``u``
cycles the unit (character, sentence, paragraph, speaker turn), ``x`` toggles leaving out
uncoded text, ``c`` picks the coders. The computation runs in a worker thread on plain data
read from the project on the main thread.

``Enter`` on a code (``r`` for every code) opens the :class:`ReviewScreen`: one disagreement
at a time, the coders' versions side by side (their coded text reversed). ``1``-``9``
accepts that coder's version, ``b`` keeps both (their union), ``n`` neither, ``e`` edits the
range; each decision is written as :data:`~qualtui.core.team.CONSENSUS` segments through
:func:`qualtui.core.team.adjudicate` (one logged operation: ``u`` undoes it, ``ctrl+r``
redoes). The coders' own segments never change.

In blind mode (``app.coder_filter.mode == "blind"``) the screen shows nothing: agreement
would reveal the other coders' coding.
"""

from __future__ import annotations

import re
from itertools import combinations
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Static

from qualtui.analysis.agreement import UNITS, Passage
from qualtui.analysis.team import (
    AgreementInputs,
    AgreementRun,
    adjudicate,
    agreement_inputs,
    consensus_label,
    run_agreement,
)
from qualtui.core.errors import QualtuiError
from qualtui.core.team import CONSENSUS
from qualtui.tui.polling import pull_changes
from qualtui.tui.screens.dialogs import ChoiceScreen, PromptScreen

if TYPE_CHECKING:
    from qualtui.core.project import Project

__all__ = ["AgreementScreen", "ReviewScreen", "is_blind"]

POLL_SECONDS = 1.0
CONTEXT_BEFORE = 60
CONTEXT_AFTER = 160
"""Characters of context shown before and after a disagreement in the review."""


def is_blind(app: Any) -> bool:
    """True when the app's coder filter is blind mode (independent coding in progress)."""
    return getattr(getattr(app, "coder_filter", None), "mode", None) == "blind"


def _fmt(value: float | None, percent: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value * 100:.1f}%" if percent else f"{value:.2f}"


def _short(name: str, width: int) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


class AgreementScreen(Screen[None]):
    """Codes × (coded units per coder, agreement, κ, α, disagreements)."""

    DEFAULT_CSS = """
    AgreementScreen #agreement-status { height: 1; padding: 0 1; background: $panel; }
    AgreementScreen #agreement-describe { height: auto; max-height: 2; padding: 0 1;
        color: $foreground-muted; }
    AgreementScreen #agreement-table { height: 1fr; }
    AgreementScreen #agreement-overall { height: auto; padding: 0 1; text-style: bold; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "review", "Review", id="agreement.review"),
        Binding("r", "review_all", "Review all", id="agreement.review-all"),
        Binding("u", "cycle_unit", "Unit", id="agreement.unit"),
        Binding("x", "toggle_uncoded", "Uncoded in/out", id="agreement.uncoded"),
        Binding("c", "choose_coders", "Coders", id="agreement.coders"),
        Binding("j", "cursor(1)", "Down", show=False, id="agreement.down"),
        Binding("k", "cursor(-1)", "Up", show=False, id="agreement.up"),
        Binding("question_mark,f1", "help", "Help", key_display="?", id="app.help"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._timer: Timer | None = None
        self.unit = "char"
        self.exclude_uncoded = False
        self.coders: list[str] = []
        self.run: AgreementRun | None = None
        self.texts: dict[str, str] = {}
        self.passages: dict[str, list[Passage]] = {}
        self.error: str | None = None
        self.computing = False
        self._seen_token: tuple[Any, ...] | None = None
        self._generation = 0  # results of an older computation are dropped

    @property
    def project(self) -> Project:
        return self.app.project  # type: ignore[attr-defined,no-any-return]

    def compose(self) -> ComposeResult:
        yield Static(id="agreement-status")
        yield Static(id="agreement-describe")
        table: DataTable[Any] = DataTable(id="agreement-table", cursor_type="row",
                                          zebra_stripes=True)
        yield table
        yield Static(id="agreement-overall")
        yield Footer()

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one("#agreement-table", DataTable)

    def on_mount(self) -> None:
        self.coders = self._default_coders()
        self.recompute()
        self._timer = self.set_interval(POLL_SECONDS, self.poll_changes,
                                         name="agreement-refresh")
        self.table.focus()

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            if self._timer is not None:
                self._timer.resume()
            if not self.computing:
                self.poll_changes()

    def on_screen_suspend(self) -> None:
        if self.is_mounted:
            if self._timer is not None:
                self._timer.pause()  # poll only while shown

    # -- data ----------------------------------------------------------------------------
    def _coder_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in self.project.repo.all("segments"):
            coder = row.get("coder", "")
            if coder != CONSENSUS:
                counts[coder] = counts.get(coder, 0) + 1
        return counts

    def _default_coders(self) -> list[str]:
        counts = self._coder_counts()
        me = self.project.coder
        ranked = sorted(counts, key=lambda c: (c != me, -counts[c], c))
        return ranked[:2]

    def _token(self) -> tuple[Any, ...]:
        return (self.project.repo.get_meta("next_seq", 1),)

    def poll_changes(self) -> None:
        """Recompute when someone changed the project (another process or screen)."""
        if pull_changes(self) is None:
            return
        if self._token() != self._seen_token and not self.computing:
            self.recompute()

    def recompute(self) -> None:
        """Read the inputs here (main thread), compute in a worker."""
        self._seen_token = self._token()
        self._generation += 1  # whatever is still computing is out of date
        if is_blind(self.app):
            self._show_message("Blind mode is on: agreement would show the other coders'"
                               " coding. Leave blind mode on the coding screen first.")
            return
        if len(self.coders) < 2:
            self._show_message("Agreement needs two coders with segments; this project has"
                               f" {len(self._coder_counts())}.")
            return
        try:
            inputs = agreement_inputs(self.project, self.coders, self.unit)
        except QualtuiError as exc:
            self._show_message(str(exc))
            return
        self.texts = {d.id: d.text for d in inputs.documents}
        self.computing = True
        self.query_one("#agreement-status", Static).update(self._status("computing…"))
        self._compute(inputs, self.exclude_uncoded, self._generation)

    @work(thread=True, exclusive=True, group="agreement")
    def _compute(self, inputs: AgreementInputs, exclude_uncoded: bool,
                 generation: int) -> None:
        try:
            run = run_agreement(inputs, exclude_uncoded)
            passages = {c.code: run.passages(c.code) for c in run.result.codes}
        except QualtuiError as exc:
            self.app.call_from_thread(self._failed, str(exc), generation)
            return
        self.app.call_from_thread(self._show, run, passages, generation)

    def _failed(self, message: str, generation: int) -> None:
        if generation != self._generation:
            return
        self.computing = False
        self._show_message(message)

    def _show_message(self, message: str) -> None:
        self.computing = False
        self.run = None
        self.error = message
        self.table.clear(columns=True)
        self.query_one("#agreement-status", Static).update(self._status(""))
        self.query_one("#agreement-describe", Static).update(message)
        self.query_one("#agreement-overall", Static).update("")

    def _status(self, extra: str) -> Text:
        unit = {"char": "characters", "sentence": "sentences", "paragraph": "paragraphs",
                "turn": "speaker turns"}[self.unit]
        who = " vs ".join(self.coders) if self.coders else "no coders"
        text = Text.assemble(("Agreement ", "bold"), f" {who} · {unit} · ",
                             "uncoded text left out" if self.exclude_uncoded
                             else "all text counts")
        if extra:
            text.append(f" · {extra}")
        return text

    def _show(self, run: AgreementRun, passages: dict[str, list[Passage]],
              generation: int) -> None:
        if generation != self._generation or not self.is_mounted:
            return
        self.computing = False
        self.error = None
        self.run = run
        self.passages = passages
        result = run.result
        table = self.table
        keep = table.cursor_row if table.row_count else 0
        table.clear(columns=True)
        width = max(12, min(30, self.size.width - 50))
        table.add_column("Code", width=width, key="code")
        for coder in result.coders:
            table.add_column(_short(coder, 8), key=f"coder:{coder}")
        table.add_column("Agree", key="agree")
        table.add_column("κ", key="kappa")
        table.add_column("α", key="alpha")
        table.add_column("Diff", key="diff")
        for row in result.codes:
            f = row.figures
            table.add_row(_short(row.label, width),
                          *[str(f.coded.get(c, 0)) for c in result.coders],
                          _fmt(f.agreement, True), _fmt(f.kappa), _fmt(f.alpha),
                          str(len(passages.get(row.code, []))), key=row.code)
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))
        total = sum(len(p) for p in passages.values())
        self.query_one("#agreement-status", Static).update(
            self._status(f"{total} disagreements"))
        self.query_one("#agreement-describe", Static).update(result.describe())
        o = result.overall
        kappa = "κ" if len(result.coders) == 2 else "κ (Light)"
        self.query_one("#agreement-overall", Static).update(
            f"Overall ({len(result.codes)} codes): agreement {_fmt(o.agreement, True)}"
            f"  {kappa} {_fmt(o.kappa)}  α {_fmt(o.alpha)}   Enter: review a code")

    # -- actions ----------------------------------------------------------------------------
    def action_cursor(self, delta: int) -> None:
        table = self.table
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + delta)))

    def action_cycle_unit(self) -> None:
        self.unit = UNITS[(UNITS.index(self.unit) + 1) % len(UNITS)]
        self.recompute()

    def action_toggle_uncoded(self) -> None:
        self.exclude_uncoded = not self.exclude_uncoded
        self.recompute()

    def action_choose_coders(self) -> None:
        counts = self._coder_counts()
        coders = sorted(counts)
        options: list[list[str]] = [list(pair) for pair in combinations(coders, 2)]
        if len(coders) > 2:
            options.append(coders)
        if not options:
            self.notify("fewer than two coders have segments", severity="warning")
            return
        labels = [" vs ".join(o) + ("  (all, Krippendorff's α; κ is Light's mean)"
                                    if len(o) > 2 else "") for o in options]

        def chosen(index: int | None) -> None:
            if index is not None:
                self.coders = options[index]
                self.recompute()

        self.app.push_screen(ChoiceScreen("Compare which coders?", labels), chosen)

    def _highlighted_code(self) -> str | None:
        table = self.table
        if not table.row_count or self.run is None:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return str(key.value) if key is not None else None

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_review()

    def action_review(self) -> None:
        code = self._highlighted_code()
        if code is None:
            return
        self._open_review(self.passages.get(code, []),
                          self.run.labels.get(code, code) if self.run else code)

    def action_review_all(self) -> None:
        if self.run is None:
            return
        assert self.run is not None
        self._open_review(self.run.passages(), "every code")

    def _open_review(self, passages: list[Passage], title: str) -> None:
        if not passages:
            self.notify(f"no disagreements on {title}", timeout=3)
            return
        assert self.run is not None
        self.app.push_screen(ReviewScreen(passages, self.texts, self.run.labels,
                                          self.run.result.coders, self.unit, title))

    def action_help(self) -> None:
        from qualtui.tui.screens.help import HelpScreen, binding_groups

        keymap = getattr(self.app, "_keymap", {}) or {}
        groups = binding_groups([("Global", self.app.BINDINGS), ("Agreement", self.BINDINGS),
                                 ("Review", ReviewScreen.BINDINGS)], keymap)
        self.app.push_screen(HelpScreen(groups, "qualtui keys - agreement"))


_OFFSETS = re.compile(r"^\s*(\d+)\s*-\s*(\d+)\s*$")


class ReviewScreen(Screen[None]):
    """Walk through disagreements; adjudicate each into consensus segments."""

    DEFAULT_CSS = """
    ReviewScreen #review-status { height: 1; padding: 0 1; background: $panel; }
    ReviewScreen #review-consensus { height: 1; padding: 0 1; }
    ReviewScreen #review-sides { height: 1fr; }
    ReviewScreen .side { width: 1fr; height: 1fr; border: round $panel-lighten-2;
        padding: 0 1; }
    ReviewScreen .side-title { text-style: bold; }
    ReviewScreen #review-keys { height: auto; padding: 0 1; color: $foreground-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        *[Binding(str(n), f"accept({n})", f"Accept coder {n}", show=n <= 2,
                  id=f"review.accept-{n}") for n in range(1, 10)],
        Binding("b", "both", "Both", id="review.both"),
        Binding("n", "neither", "Neither", id="review.neither"),
        Binding("e", "edit", "Edit", id="review.edit"),
        Binding("j,right", "move(1)", "Next", id="review.next"),
        Binding("k,left", "move(-1)", "Prev", show=False, id="review.prev"),
        Binding("u", "undo", "Undo", id="review.undo"),
        Binding("ctrl+r", "redo", "Redo", show=False, id="review.redo"),
        Binding("escape,q", "back", "Back", id="review.back"),
    ]

    def __init__(self, passages: list[Passage], texts: dict[str, str], labels: dict[str, str],
                 coders: list[str], unit: str, title: str) -> None:
        super().__init__()
        self.items = list(passages)
        self.texts = texts
        self.labels = labels
        self.coders = list(coders)
        self.unit = unit
        self.title_text = title
        self.index = 0
        self.decided: list[int] = []  # passage indices of this session's decisions (undo)

    @property
    def project(self) -> Project:
        return self.app.project  # type: ignore[attr-defined,no-any-return]

    @property
    def passage(self) -> Passage:
        return self.items[self.index]

    def compose(self) -> ComposeResult:
        yield Static(id="review-status")
        yield Static(id="review-consensus")
        with Horizontal(id="review-sides"):
            for i, coder in enumerate(self.coders, start=1):
                with Vertical(classes="side"):
                    yield Static(f"{i}  {coder}", classes="side-title")
                    with VerticalScroll():
                        yield Static(id=f"side-{i}", classes="side-text")
        yield Static(self._keys_hint(), id="review-keys")
        yield Footer()

    def _keys_hint(self) -> str:
        accept = " · ".join(f"{i} {c}" for i, c in enumerate(self.coders, start=1))
        return f"{accept} · b both · n neither · e edit · j/k move · u undo"

    def on_mount(self) -> None:
        self.show()

    # -- display -----------------------------------------------------------------------------
    def consensus_spans(self, passage: Passage) -> list[tuple[int, int]]:
        return [(s.start, s.end) for s in self.project.coding.segments(
            code_ids=[passage.code], document_id=passage.document_id, coder=CONSENSUS)]

    def state(self, passage: Passage) -> str | None:
        return consensus_label(passage, self.consensus_spans(passage))

    def _window(self, passage: Passage) -> tuple[int, int]:
        text = self.texts.get(passage.document_id, "")
        start = max(0, passage.start - CONTEXT_BEFORE)
        end = min(len(text), passage.end + CONTEXT_AFTER)
        while start < passage.start and start > 0 and not text[start - 1].isspace():
            start += 1  # begin at a word
        while end < len(text) and not text[end].isspace() and end - passage.end < 40:
            end += 1
        return start, end

    def _render_side(self, passage: Passage, spans: list[tuple[int, int]]) -> Text:
        text = self.texts.get(passage.document_id, "")
        lo, hi = self._window(passage)
        out = Text("…" if lo > 0 else "", style="dim")
        out.append(text[lo:hi])
        for start, end in spans:
            s, e = max(start, lo), min(end, hi)
            if e > s:
                out.stylize("reverse bold", s - lo + (1 if lo > 0 else 0),
                            e - lo + (1 if lo > 0 else 0))
        if hi < len(text):
            out.append("…", style="dim")
        return out

    def show(self) -> None:
        if not self.items:
            return
        passage = self.passage
        label = self.labels.get(passage.code, passage.code)
        status = Text.assemble(
            ("Disagreement ", "bold"), f"{self.index + 1}/{len(self.items)} · ",
            (label, "bold"), f" · {passage.document} {passage.start}-{passage.end}"
            f" · unit {self.unit}")
        self.query_one("#review-status", Static).update(status)
        state = self.state(passage)
        described = {None: "not adjudicated yet", "both": "both versions (union)",
                     "edited": "an edited range"}.get(state, f"{state}'s version")
        self.query_one("#review-consensus", Static).update(
            Text.assemble("consensus: ", (described, "bold" if state else "italic")))
        for i, coder in enumerate(self.coders, start=1):
            side = self.query_one(f"#side-{i}", Static)
            spans = passage.version(coder)
            body = self._render_side(passage, spans)
            if not spans:
                body = Text.assemble(("(not coded here)\n", "italic"), body)
            side.update(body)

    # -- decisions -------------------------------------------------------------------------
    def _decide(self, spans: list[tuple[int, int]], how: str) -> None:
        try:
            adjudicate(self.project, self.passage, spans, how)
        except QualtuiError as exc:
            self.notify(str(exc), severity="error", timeout=6)
            return
        self.notify(f"consensus: {how}", timeout=2)
        self.decided.append(self.index)
        if self.index < len(self.items) - 1:
            self.index += 1
        self.show()

    def action_accept(self, number: int) -> None:
        if 1 <= number <= len(self.coders):
            coder = self.coders[number - 1]
            self._decide(self.passage.version(coder), f"{coder}'s version")

    def action_both(self) -> None:
        self._decide(self.passage.union(), "both")

    def action_neither(self) -> None:
        self._decide([], "neither")

    def action_edit(self) -> None:
        passage = self.passage
        # one line to edit: newlines shown as spaces (same length, so offsets still hold)
        text = self.texts.get(passage.document_id, "").replace("\n", " ")
        region = text[passage.start:passage.end]

        def edited(value: str | None) -> None:
            if value is None:
                return
            match = _OFFSETS.match(value)
            if match:
                span = (int(match.group(1)), int(match.group(2)))
            else:
                found = region.find(value)
                if found >= 0:
                    start = passage.start + found
                else:
                    start = text.find(value, max(0, passage.start - CONTEXT_BEFORE))
                if start < 0:
                    self.notify("that text is not in the document; keep a part of the"
                                " passage, or type START-END", severity="warning", timeout=6)
                    return
                span = (start, start + len(value))
            self._decide([span], "edited")

        self.app.push_screen(PromptScreen(
            "Edit the agreed range: delete what should not be coded (or type START-END)",
            value=region), edited)

    def action_move(self, delta: int) -> None:
        if self.items:
            self.index = max(0, min(len(self.items) - 1, self.index + delta))
            self.show()

    def _history(self, verb: str) -> None:
        try:
            summary = self.project.undo() if verb == "undo" else self.project.redo()
        except QualtuiError as exc:
            self.notify(str(exc), severity="warning", timeout=6)
            return
        self.notify(summary, timeout=3)
        if verb == "undo" and summary.startswith("undo: adjudicated") and self.decided:
            self.index = self.decided.pop()
        self.show()

    def action_undo(self) -> None:
        self._history("undo")

    def action_redo(self) -> None:
        self._history("redo")

    def action_back(self) -> None:
        self.dismiss(None)
