"""Code saturation: how many new codes each interview added, in the order they were done.

Interviews (documents) are taken in import order, or by an attribute such as an interview
date (``attribute:interview_date``; documents without the attribute come last, in import
order; ties keep import order). A code is *new* in the first interview in which it has a
segment (at the chosen level, after filters). Documents with no segment at all are not
coded yet: they are left out of the sequence and listed as ``skipped``, so an uncoded
interview never looks like one that brought nothing new.

The *saturation point* with run length ``k`` is the first interview ``i`` after which the
``k`` successive interviews ``i+1 … i+k`` added no new code (the stopping rule of Francis et
al., 2010). It is ``None`` when no such run exists; codes that still appeared after the
point are reported as ``new_after_point``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qualtui.analysis.data import AnalysisData, CodeInfo, DocInfo, Level, level_label, level_map
from qualtui.core.errors import QualtuiError

__all__ = ["SaturationResult", "SaturationStep", "order_documents", "parse_order", "saturation"]


def parse_order(text: str) -> str:
    """``import`` or ``attribute:NAME`` (checked against the data later)."""
    value = text.strip()
    if value.lower() in ("import", "imported", "position"):
        return "import"
    if value.lower().startswith("attribute:") and value[10:].strip():
        return "attribute:" + value[10:].strip()
    raise QualtuiError(f"bad order '{text}': use import or attribute:NAME")


def order_documents(data: AnalysisData, order: str) -> list[DocInfo]:
    """The documents in interview order (see the module docstring)."""
    order = parse_order(order)
    docs = sorted(data.documents, key=lambda d: d.position)
    if order == "import":
        return docs
    name = order[10:]
    if name not in data.attribute_names():
        raise QualtuiError(f"no attribute '{name}' (attributes: "
                           + (", ".join(sorted(data.attribute_names())) or "none") + ")")

    def key(doc: DocInfo) -> tuple[int, Any]:
        value = doc.attributes.get(name)
        if value is None or value == "":
            return (2, 0)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return (0, value)
        return (1, str(value))

    return sorted(docs, key=key)  # stable: ties keep import order


@dataclass(frozen=True)
class SaturationStep:
    """One interview: its place (1-based), the codes it used and those first seen in it."""

    index: int
    document: DocInfo
    order_value: Any
    codes_used: int
    new_codes: tuple[CodeInfo, ...]
    cumulative: int

    def as_json(self) -> dict[str, Any]:
        return {"index": self.index, "document": self.document.name,
                "document_id": self.document.id, "order_value": self.order_value,
                "codes_used": self.codes_used, "new": len(self.new_codes),
                "new_codes": [c.path for c in self.new_codes], "cumulative": self.cumulative}


@dataclass
class SaturationResult:
    """The per-interview steps, the saturation point (1-based ``index``) and what follows."""

    steps: list[SaturationStep]
    k: int
    order: str
    level: Level
    point: int | None
    skipped: list[DocInfo] = field(default_factory=list)

    @property
    def total_codes(self) -> int:
        return self.steps[-1].cumulative if self.steps else 0

    @property
    def point_step(self) -> SaturationStep | None:
        return self.steps[self.point - 1] if self.point else None

    @property
    def new_after_point(self) -> list[CodeInfo]:
        """Codes first used after the quiet run that defined the point."""
        if self.point is None:
            return []
        return [c for s in self.steps[self.point + self.k:] for c in s.new_codes]

    @property
    def curve(self) -> list[int]:
        return [s.cumulative for s in self.steps]

    @property
    def new_counts(self) -> list[int]:
        return [len(s.new_codes) for s in self.steps]

    def summary(self) -> str:
        """One line for people: where saturation was reached, or that it was not."""
        if not self.steps:
            return "no coded interviews"
        step = self.point_step
        if step is None:
            return (f"not reached: no run of {self.k} successive interviews without a new"
                    f" code ({self.total_codes} codes over {len(self.steps)} interviews)")
        following = "the next interview" if self.k == 1 else f"the next {self.k}"
        text = (f"reached after interview {step.index} ({step.document.name}):"
                f" {step.cumulative} of {self.total_codes} codes found; {following}"
                " added no new code")
        late = self.new_after_point
        if late:
            text += f"; {len(late)} code(s) appeared later"
        return text

    def as_json(self) -> dict[str, Any]:
        step = self.point_step
        return {
            "options": {"order": self.order, "k": self.k, "level": level_label(self.level)},
            "interviews": [s.as_json() for s in self.steps],
            "curve": self.curve,
            "total_codes": self.total_codes,
            "saturation": None if step is None else {
                "index": step.index, "document": step.document.name,
                "codes_found": step.cumulative},
            "new_after_point": [c.path for c in self.new_after_point],
            "skipped": [d.name for d in self.skipped],
            "summary": self.summary(),
        }


def saturation(data: AnalysisData, order: str = "import", k: int = 3,
               level: Level = "leaf") -> SaturationResult:
    """New codes per interview, the cumulative curve and the saturation point."""
    if k < 1:
        raise QualtuiError("k must be 1 or more")
    order = parse_order(order)
    docs = order_documents(data, order)
    mapping = level_map(data.codes, level)
    used: dict[str, set[str]] = {}
    for seg in data.segments:
        rep = mapping.get(seg.code_id)
        if rep is not None:
            used.setdefault(seg.document_id, set()).add(rep)
    rank = {c.id: i for i, c in enumerate(data.codes)}
    attribute = order[10:] if order.startswith("attribute:") else ""
    seen: set[str] = set()
    steps: list[SaturationStep] = []
    skipped: list[DocInfo] = []
    for doc in docs:
        codes = used.get(doc.id)
        if not codes:
            skipped.append(doc)
            continue
        new = sorted(codes - seen, key=lambda cid: rank.get(cid, 0))
        seen |= codes
        steps.append(SaturationStep(
            index=len(steps) + 1, document=doc,
            order_value=doc.attributes.get(attribute) if attribute else doc.position + 1,
            codes_used=len(codes), new_codes=tuple(data.code_by_id[c] for c in new),
            cumulative=len(seen)))
    point = None
    for i in range(1, len(steps) + 1):
        following = steps[i:i + k]
        if len(following) == k and all(not s.new_codes for s in following):
            point = i
            break
    return SaturationResult(steps=steps, k=k, order=order, level=level, point=point,
                            skipped=skipped)
