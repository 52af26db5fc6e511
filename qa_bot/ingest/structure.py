"""Structure stage: ``Document`` (loader blocks) -> ``Opinion`` (clean text with its maps).

The clean text is the body blocks joined by a blank line, then the footnote blocks. Alongside it:
the page map (where each reporter page begins; text before the first star marker is on the page
before it), paragraphs with their heading path ("DISCUSSION > II > A") and opinion part
(majority, concurrence, dissent, ... with the author when the text names one), footnotes tied to
their markers (so a footnote's pin is "<page> n.<label>"), and the citations eyecite finds.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections import deque
from dataclasses import dataclass, replace

from ..text import nfkc
from ..types import Block, CitedAuthority, Document, Footnote, Opinion, Paragraph, Part

SEP = "\n\n"

# --- headings --------------------------------------------------------------------------------
_ROMAN = re.compile(r"^([IVXL]{1,6})\.\s+\S")
_LETTER = re.compile(r"^([A-Z])\.\s+\S")
_DIGIT = re.compile(r"^(\d{1,2})\.\s+\S")
_SMALL = re.compile(r"^\(?([a-z]|\d{1,2})\)\s+\S")
_ROMAN_CHARS = set("IVXL")
_TOP_WORDS = {"background", "discussion", "conclusion", "analysis", "opinion", "facts", "procedural history"}
_TOP, _TITLED = 0, 9  # levels: 0 = ALL-CAPS heading, 1 roman, 2 letter, 3 digit, 4 (a), 9 unnumbered


def _heading(text: str, prev_letter: str | None) -> tuple[int, str] | None:
    """(level, label) when the block looks like a heading, else None."""
    t = text.strip()
    if not t or len(t) > 120 or "\n" in t:
        return None
    for level, rx in ((1, _ROMAN), (2, _LETTER), (3, _DIGIT), (4, _SMALL)):
        m = rx.match(t)
        if m and len(t) <= 100 and not t.endswith((",", ";")) and len(t.split()) <= 16:
            label = m.group(1)
            if level == 1 and len(label) == 1 and prev_letter and ord(label) == ord(prev_letter) + 1:
                level = 2  # "C." after "B." is a letter, not roman 100
            if level == 2 and label in _ROMAN_CHARS and label != "I" and not prev_letter:
                level = 1
            return level, label
    if len(t) > 70 or re.search(r"[.,;:]$|\d", t):
        return None
    letters = [c for c in t if c.isalpha()]
    if (len(letters) >= 4 and all(c.isupper() for c in letters)) or t.lower() in _TOP_WORDS:
        return _TOP, t
    if letters and all(c.islower() for c in letters) and len(t.split()) <= 6 and not re.search(r"[^\w\s’'-]", t):
        return _TITLED, t  # lower-cased corpus text: "facts as alleged"
    words = t.split()
    if len(words) <= 8 and t[0].isupper():
        long_words = [w for w in words if len(w) > 3]
        caps = [w for w in long_words if w[0].isupper()]
        if long_words and len(caps) * 2 >= len(long_words):
            return _TITLED, t
    return None


# --- parts ----------------------------------------------------------------------------------
_NAME = r"([A-Z][A-Za-z'’\-]+(?:\s+[A-Z][A-Za-z'’\-]+)?)"
_PART_LINES = (
    re.compile(r"^(?:MR\.?\s+|Mr\.?\s+)?(?:CHIEF\s+|Chief\s+)?(?:JUSTICE|Justice|JUDGE|Judge)\s+" + _NAME + r"\s*,?\s+(.{0,200})"),
    re.compile(r"^" + _NAME + r",\s+(?:C\.\s*)?J\.,?\s+(.{0,200})"),
    re.compile(r"^" + _NAME + r",\s+(?:Chief\s+|Senior\s+|District\s+)?(?:Circuit\s+)?Judge,?\s+(.{0,200})"),
)


_SEPARATE_LINE = re.compile(r"^(?:(?:Memorandum|The\s+separate\s+opinion)\s+of\s+)?(?:MR\.?\s+|Mr\.?\s+)(?:CHIEF\s+|Chief\s+)?"
                            r"(?:JUSTICE|Justice)\s+" + _NAME + r"\s*\.$")


def _part_kind(verb: str) -> str | None:
    # "with whom X joins,", "whom X and Y join,", "with whom X and Y concur,"
    v = re.sub(r"^(?:with\s+)?whom .{0,200}?\b(?:joins?|concurs?|concur)\b[^,]{0,60},?\s*", "", verb.lower())
    if "concurring in part" in v or ("dissenting" in v and "concurring" in v):
        return "concurrence in part"
    if v.startswith("dissenting") or v.startswith("dissents"):
        return "dissent"
    if v.startswith("concurring") or v.startswith("concurs"):
        return "concurrence"
    if "announced the judgment" in v:
        return "plurality"
    if "delivered the opinion" in v or "wrote the opinion" in v or "for the court" in v:
        return "majority"
    return None


def detect_part(text: str) -> tuple[str, str | None] | None:
    """("dissent", "Scalia") for "Justice Scalia, dissenting." and the like; None otherwise."""
    t = text.strip()
    if re.match(r"^PER\s+CURIAM\b|^Per\s+Curiam[.:]", t):
        return "per curiam", None
    # a separate opinion headed only by its author: "MR. JUSTICE DOUGLAS.", "Memorandum of MR. JUSTICE
    # STEWART.", "The separate opinion of Mr. Justice McREYNOLDS."
    m = _SEPARATE_LINE.match(t)
    if m:
        name = m.group(1).strip()
        return "other", (name.title() if name.isupper() else name)
    for rx in _PART_LINES:
        m = rx.match(t)
        if m:
            kind = _part_kind(m.group(2))
            if kind:
                name = m.group(1).strip()
                return kind, (name.title() if name.isupper() else name)
    return None


# --- build ----------------------------------------------------------------------------------
@dataclass
class _Placed:
    block: Block
    start: int
    end: int


def _strip(block: Block) -> Block:
    """Trim surrounding whitespace, moving page breaks and marks with the text."""
    lead = len(block.text) - len(block.text.lstrip())
    text = block.text.strip()

    def fix(o: int) -> int:
        return min(max(o - lead, 0), len(text))

    return Block(text=text, kind=block.kind, footnote=block.footnote, part=block.part, author=block.author,
                 page_breaks=tuple((fix(o), p) for o, p in block.page_breaks),
                 marks=tuple((fix(o), lb) for o, lb in block.marks))


def build(doc: Document) -> Opinion:
    blocks = [_strip(b) for b in doc.blocks]
    body = [b for b in blocks if b.kind != "footnote"]
    notes = [b for b in blocks if b.kind == "footnote" and b.text]

    placed: list[_Placed] = []
    pieces: list[str] = []
    pos = 0
    carry: list[int] = []  # pages that began inside an empty block move to the next one
    for b in body + notes:
        if not b.text:
            carry += [p for _, p in b.page_breaks]
            continue
        if carry and b.kind != "footnote":
            b = replace(b, page_breaks=tuple((0, p) for p in carry) + b.page_breaks)
            carry = []
        if pieces:
            pos += len(SEP)
        placed.append(_Placed(b, pos, pos + len(b.text)))
        pieces.append(b.text)
        pos += len(b.text)
    text = SEP.join(pieces)

    pages = _page_map(placed, doc)
    paragraphs, parts = _paragraphs(placed)
    footnotes = _footnotes(placed, pages)
    paragraphs = _footnote_parts(paragraphs, footnotes, parts)
    return Opinion(id=content_id(text), meta=doc.meta, text=text, pages=pages, paragraphs=tuple(paragraphs),
                   footnotes=tuple(footnotes), parts=tuple(parts), cites=tuple(find_cites(text)),
                   source=doc.source, format=doc.format, sha256=doc.sha256)


def content_id(text: str) -> str:
    norm = " ".join(nfkc(text).split())
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()[:16]


def _page_map(placed: list[_Placed], doc: Document) -> tuple[tuple[int, int], ...]:
    breaks: dict[int, int] = {}
    for pl in placed:
        if pl.block.kind != "footnote":
            for off, page in pl.block.page_breaks:
                breaks[pl.start + off] = page
    if not breaks:
        return ()
    items = sorted(breaks.items())
    if items[0][0] > 0:
        before = items[0][1] - 1
        if doc.meta.first_page is not None and before < doc.meta.first_page:
            before = doc.meta.first_page
        items.insert(0, (0, before))
    return tuple(items)


def _paragraphs(placed: list[_Placed]) -> tuple[list[Paragraph], list[Part]]:
    paragraphs: list[Paragraph] = []
    parts: list[Part] = []
    stack: list[tuple[int, str]] = []
    kind, author, part_start = "majority", None, 0
    body_end = 0
    last_end: int | None = None  # end of the last body paragraph placed so far
    prev_letter: str | None = None
    for pl in placed:
        b = pl.block
        if b.kind == "footnote":
            paragraphs.append(Paragraph(pl.start, pl.end, "footnote", "", kind, author, b.footnote))
            continue
        body_end = pl.end
        found = (b.part, b.author) if b.part else detect_part(b.text)
        is_part_line = False
        if found and (found[0], found[1]) != (kind, author):
            if pl.start > part_start:
                parts.append(Part(part_start, pl.start if last_end is None else last_end, kind, author))
            kind, author, part_start = found[0], found[1], pl.start
            stack, prev_letter = [], None
            is_part_line = not b.part and len(b.text) <= 100
        head = None
        if not found:
            head = _heading(b.text, prev_letter)
            if head is None and b.kind == "heading":
                head = (_TITLED, b.text)
        if head:
            level, label = head
            stack = [(lv, lb) for lv, lb in stack if lv < level] + [(level, label)]
            if level == 2:
                prev_letter = label
            elif level < 2:
                prev_letter = None
        section = " > ".join(lb for _, lb in stack)
        pkind = "heading" if (head or is_part_line) else "body"
        paragraphs.append(Paragraph(pl.start, pl.end, pkind, section, kind, author, None))
        last_end = pl.end
    if placed:
        parts.append(Part(part_start, max(body_end, part_start), kind, author))
    return paragraphs, parts


def _footnote_parts(paragraphs: list[Paragraph], footnotes: list[Footnote], parts: list[Part]) -> list[Paragraph]:
    """Each footnote paragraph belongs to the part its marker stands in. Footnotes and parts are in
    text order and do not overlap, so both are found by bisection (a scan per paragraph was quadratic
    in an upload with thousands of footnotes)."""
    note_starts = [f.start for f in footnotes]
    part_starts = [p.start for p in parts]
    out = []
    for para in paragraphs:
        if para.kind == "footnote":
            i = bisect.bisect_right(note_starts, para.start) - 1
            fn = footnotes[i] if i >= 0 and para.start < footnotes[i].end else None
            j = bisect.bisect_right(part_starts, fn.marker) - 1 if fn and fn.marker is not None else -1
            if j >= 0 and fn.marker <= parts[j].end:
                para = replace(para, part=parts[j].kind, author=parts[j].author)
        out.append(para)
    return out


def _footnotes(placed: list[_Placed], pages: tuple[tuple[int, int], ...]) -> list[Footnote]:
    marks: list[tuple[int, str]] = []
    for pl in placed:
        if pl.block.kind != "footnote":
            marks += [(pl.start + off, label) for off, label in pl.block.marks]
    probe = Opinion(id="", meta=None, text="", pages=pages)  # type: ignore[arg-type]
    out: list[Footnote] = []
    # Consecutive blocks with the same label are one footnote in several paragraphs, unless the body
    # has a marker for each of them (Katz has three "*" notes in a row, each with its own marker).
    spans: list[tuple[str, int, int]] = []
    markers_per_label: dict[str, int] = {}
    notes_per_label: dict[str, int] = {}
    for _, lb in marks:
        markers_per_label[lb] = markers_per_label.get(lb, 0) + 1
    for pl in placed:
        if pl.block.kind != "footnote":
            continue
        label = pl.block.footnote or str(len(spans) + 1)
        if spans and spans[-1][0] == label and pl.block.footnote is not None \
                and notes_per_label.get(label, 0) >= markers_per_label.get(label, 0):
            spans[-1] = (label, spans[-1][1], pl.end)
        else:
            spans.append((label, pl.start, pl.end))
            notes_per_label[label] = notes_per_label.get(label, 0) + 1
    unused: dict[str, deque[int]] = {}  # each label's markers in text order, taken first come first served
    for off, lb in marks:
        unused.setdefault(lb, deque()).append(off)
    for label, start, end in spans:
        queue = unused.get(label)
        off = queue.popleft() if queue else None
        out.append(Footnote(label, start, end, off, probe.page_at(off) if off is not None else None))
    return out


def find_cites(text: str) -> list[CitedAuthority]:
    """Citations eyecite finds, as exact spans of ``text`` (a full case citation spans its case name)."""
    from .citations import find

    if not text.strip():
        return []  # eyecite refuses empty text
    out = []
    for c in find(text):
        kind = type(c).__name__
        if kind in ("UnknownCitation",):
            continue
        start, end = c.span()
        if kind == "FullCaseCitation":
            try:
                fs, fe = c.full_span()
                if 0 <= fs <= start and end <= fe <= len(text) and "\n\n" not in text[fs:fe]:
                    start, end = fs, fe
            except Exception:  # eyecite version without full spans
                pass
        while end > start and text[end - 1].isspace():
            end -= 1
        if not 0 <= start < end <= len(text):
            continue
        try:
            normalized = c.corrected_citation() if kind in ("FullCaseCitation", "ShortCaseCitation") else ""
        except Exception:
            normalized = ""
        out.append(CitedAuthority(start, end, text[start:end], kind, normalized))
    return out
