"""Shared markup walker: CourtListener HTML/Harvard XML and CAP HTML -> format-neutral ``Block``s.

One pass over an lxml tree (parsed leniently with ``lxml.html``, which also accepts Harvard XML tags
such as ``<opinion>``, ``<page-number>`` and ``<footnotemark>``):

* block-level elements (``p``, ``blockquote``, ``h1``-``h6``, ``div``...) become blocks; whitespace is
  collapsed; ``h1``-``h6`` are ``kind="heading"``;
* page markers (``<span class="star-pagination">*348</span>``, ``<page-number label="437">``, CAP
  ``<a class="page-label" data-label="37">``) are removed and recorded as ``Block.page_breaks`` at the
  offset of the first character of the new page (a marker that ends a block moves to the next one);
* footnote markers (``<sup>[1]</sup>``, ``<footnotemark>``, ``<a class="footnote">``, CAP
  ``<a class="footnotemark">``) are removed and recorded as ``Block.marks``;
* footnotes become ``kind="footnote"`` blocks with their label: Harvard ``<footnote label>``, CAP
  ``<aside class="footnote">``, lawbox ``<div class="footnote">``, Columbia ``<footnote_body>``, and
  the ``<h2>NOTES</h2>`` list of CourtListener's html_with_citations (paragraphs starting ``[1]``/``[*]``;
  a paragraph without a label continues the previous footnote). A footnote of several paragraphs
  is one block whose paragraphs are joined with a newline;
* ``<opinion type="dissent">`` / CAP ``<article class="opinion" data-type>`` set ``Block.part``;
  ``<author>`` (with a following ``<judges>`` and a short lower-case ``<p>`` such as
  "dissenting.") becomes one block like "Mr. Justice Black, dissenting." and sets ``Block.author``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import lxml.html
from lxml import etree

from ...errors import InputError
from ...types import Block

_BLOCK_TAGS = frozenset(
    "p div blockquote center h1 h2 h3 h4 h5 h6 li ul ol dl dt dd table tr thead tbody pre hr section "
    "article aside header footer nav figure caption body html opinion author judges footnote "
    "footnote_body attorneys headnotes parties docketnumber court decisiondate otherdate syllabus "
    "summary casebody headmatter head-matter disposition".split()
)
_SKIP_TAGS = frozenset("script style head title meta link noscript".split())
_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
_LABEL = re.compile(r"(?:\d{1,3}[a-z]?|[a-z]|\*{1,3}|[†‡§¶]{1,2})")
_NOTE_START = re.compile(r"^\[(?:fn\.?\s*)?([^\]\s]{1,5})\]\s*")
_PAGE_TEXT = re.compile(r"^\s*\*?\s*(?:page\s+)?(\d{1,5})\s*$", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
# C1 control characters in CourtListener text are mis-decoded Windows-1252 (U+0097 for an em dash)
_C1 = {c: bytes([c]).decode("cp1252", errors="ignore") or " " for c in range(0x80, 0xA0)}

PART_TYPES = {  # opinion type words (Harvard, CAP, CourtListener) -> types.PARTS
    "majority": "majority", "lead": "majority", "opinion": "majority", "plurality": "plurality",
    "per curiam": "per curiam", "per_curiam": "per curiam", "concurrence": "concurrence",
    "concurring": "concurrence", "dissent": "dissent", "dissenting": "dissent",
}


def part_of(kind: str | None) -> str | None:
    """'dissent', 'concurring-in-part-and-dissenting-in-part', '035concurrenceinpart'... -> PARTS."""
    if not kind:
        return None
    k = re.sub(r"^\d+", "", kind.strip().lower()).replace("-", " ").replace("_", " ")
    if "concur" in k and ("dissent" in k or "in part" in k or "inpart" in k):
        return "concurrence in part"
    if k in PART_TYPES:
        return PART_TYPES[k]
    for word, part in (("per curiam", "per curiam"), ("plurality", "plurality"), ("dissent", "dissent"),
                       ("concur", "concurrence"), ("majority", "majority"), ("lead", "majority")):
        if word in k:
            return part
    return "other"


def norm_label(raw: str) -> str | None:
    """'[1]', '[fn. 2]', '*', '\\x86' (a mis-decoded dagger) -> '1', '2', '*', '†'; None if not a label."""
    s = raw.strip().strip("[]()").strip()
    s = re.sub(r"^fn\.?\s*", "", s, flags=re.I).replace("\x86", "†").replace("\x87", "‡").strip()
    return s if _LABEL.fullmatch(s) else None


def clean_author(raw: str) -> str | None:
    """The judge's surname, as structure.detect_part gives it: 'Mr. Justice Rutledge,' -> 'Rutledge',
    'CAYTON, Chief Judge.' -> 'Cayton', 'Mr. Chief Justice Warren' -> 'Warren'."""
    s = re.sub(r"\s+", " ", raw).strip().rstrip(",.:;").strip().split(",")[0].strip()
    s = re.sub(r"^(?:(?:mr|mrs|ms)\.\s+)?(?:(?:chief|associate|presiding|senior)\s+)?(?:justice|judge)\s+", "", s,
               flags=re.I).strip()
    if re.match(r"per curiam", s, re.I):
        return None
    return (s.title() if s.isupper() else s) or None


@dataclass
class RawBlock:
    text: str
    kind: str = "body"
    page_breaks: list[tuple[int, int]] = field(default_factory=list)
    marks: list[tuple[int, str]] = field(default_factory=list)
    footnote: str | None = None
    part: str | None = None
    author: str | None = None
    group: int | None = None  # blocks of one footnote share a group and are merged

    def drop_prefix(self, n: int) -> None:
        """Remove the first ``n`` characters, shifting offsets."""
        self.text = self.text[n:]
        self.page_breaks = [(max(o - n, 0), p) for o, p in self.page_breaks]
        self.marks = [(max(o - n, 0), lb) for o, lb in self.marks]

    def freeze(self) -> Block:
        n = len(self.text)
        return Block(
            text=self.text, kind=self.kind, footnote=self.footnote, part=self.part, author=self.author,
            page_breaks=tuple((min(o, n), p) for o, p in self.page_breaks),
            marks=tuple((min(o, n), lb) for o, lb in self.marks),
        )


class _Builder:
    """Accumulates whitespace-collapsed text for the current block plus its page breaks and marks."""

    def __init__(self) -> None:
        self.out: list[RawBlock] = []
        self.buf: list[str] = []
        self.length = 0
        self.pending = False  # whitespace seen since the last text
        self.pages: list[tuple[int, int]] = []
        self.marks: list[tuple[int, str]] = []
        self.carry: list[int] = []  # pages that begin at the start of the next block
        self.kind = "body"
        self.footnote: str | None = None
        self.group: int | None = None
        self.part: str | None = None
        self.author: str | None = None
        self.notes = False  # inside an html_with_citations NOTES list
        self.note_group: tuple[str, int] | None = None
        self.groups = 0
        self.glue = False  # an <author> block waits for its "dissenting." paragraph
        self.pre = False
        self.saw_pages = False

    def text(self, s: str | None) -> None:
        if not s:
            return
        if self.pre and re.search(r"\n[ \t\r\f\v]*\n", s):
            pieces = re.split(r"\n[ \t\r\f\v]*\n", s)
            for i, piece in enumerate(pieces):
                if i:
                    self.flush()
                self.text(piece.replace("\n", " ") if piece.strip() else "")
            return
        words = s.split()
        if not words:
            self.pending = True
            return
        if (self.pending or s[0].isspace()) and self.length:
            self.buf.append(" ")
            self.length += 1
        joined = " ".join(words)
        self.buf.append(joined)
        self.length += len(joined)
        self.pending = s[-1].isspace()

    def page(self, n: int) -> None:
        self.saw_pages = True
        self.pages.append((self.length, n))

    def mark(self, label: str) -> None:
        self.marks.append((self.length, label))

    def new_group(self) -> int:
        self.groups += 1
        return self.groups

    def flush(self) -> None:
        text = "".join(self.buf)
        pages = [(0, p) for p in self.carry] + self.pages
        marks = self.marks
        self.buf, self.length, self.pending, self.pages, self.marks, self.carry = [], 0, False, [], [], []
        if not text:
            self.carry = [p for _, p in pages]
            return
        fixed = []
        for o, p in pages:
            while o < len(text) and text[o] == " ":
                o += 1
            if o >= len(text):
                self.carry.append(p)
            else:
                fixed.append((o, p))
        raw = RawBlock(text=text, kind=self.kind, page_breaks=fixed, marks=list(marks),
                       footnote=self.footnote, part=self.part, author=self.author, group=self.group)
        if self.notes and self.kind == "body":
            self._note(raw)
        self.out.append(raw)

    def _note(self, raw: RawBlock) -> None:
        m = _NOTE_START.match(raw.text)
        label = norm_label(m.group(1)) if m else None
        if m and label:
            raw.drop_prefix(m.end())
            self.note_group = (label, self.new_group())
        if self.note_group:
            raw.kind, (raw.footnote, raw.group) = "footnote", self.note_group


def parse_markup(text: str, source: str) -> tuple[list[RawBlock], bool]:
    """Markup text -> (raw blocks in document order, page markers present?)."""
    text = _XML_DECL.sub("", text, count=1).translate(_C1)
    if not text.strip():
        raise InputError(source, "empty file")
    try:
        root = lxml.html.document_fromstring(text, parser=lxml.html.HTMLParser(remove_comments=True,
                                                                               remove_pis=True))
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as e:
        raise InputError(source, f"could not parse the markup ({e})") from None
    b = _Builder()
    _walk(root, b)
    b.flush()
    return finish(b.out), b.saw_pages


def finish(raw: list[RawBlock]) -> list[RawBlock]:
    """Merge the paragraphs of one footnote; drop CAP's leading '. ' in footnotes; drop empties."""
    out: list[RawBlock] = []
    for r in raw:
        if r.kind == "footnote" and r.text.startswith(". ") and not r.text.startswith(". ."):
            r.drop_prefix(2)
        if out and r.group is not None and out[-1].group == r.group:
            prev = out[-1]
            shift = len(prev.text) + 1
            prev.text += "\n" + r.text
            prev.page_breaks += [(o + shift, p) for o, p in r.page_breaks]
            prev.marks += [(o + shift, lb) for o, lb in r.marks]
            continue
        if r.text.strip():
            out.append(r)
    return out


def _classes(el) -> set[str]:
    return set((el.get("class") or "").split())


def _page_of(el, tag: str, cls: set[str]) -> int | None | bool:
    """The page number if ``el`` is a page marker, False if it is not one (None: unreadable label)."""
    if tag == "page-number" or (tag == "span" and "star-pagination" in cls) or (tag == "a" and "page-label" in cls):
        raw = el.get("label") or el.get("data-label") or el.text_content()
        m = _PAGE_TEXT.match(raw or "")
        return int(m.group(1)) if m else None
    return False


def _mark_of(el, tag: str, cls: set[str], b: _Builder) -> str | None | bool:
    """The footnote label if ``el`` is a marker in the body, None if it is a label/back-link inside a
    footnote (to be dropped), False if it is ordinary content."""
    if tag == "footnotemark" or (tag == "a" and "footnotemark" in cls):
        return norm_label(el.text_content()) or el.text_content().strip() or None
    if tag == "a" and "footnote" in cls:
        return None if b.kind == "footnote" else (norm_label(el.text_content()) or None)
    if tag == "a" and b.kind == "footnote" and (el.get("href") or "").startswith("#ref"):
        return None
    if tag == "sup":
        sid = el.get("id") or ""
        if sid.startswith("fn"):
            return None
        label = norm_label(el.text_content())
        if label:
            return label
    return False


def _continues_author(el, tag: str) -> bool:
    if tag == "judges":
        return True
    if tag != "p":
        return False
    t = el.text_content().strip()
    return bool(t) and len(t) < 200 and (t[0].islower() or t[0] == "(")


def _walk(el, b: _Builder) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    if not tag or tag in _SKIP_TAGS:
        return
    tag = tag.lower()
    cls = _classes(el)
    page = _page_of(el, tag, cls)
    if page is not False:
        if page is not None:
            b.page(page)
        return
    mark = _mark_of(el, tag, cls, b)
    if mark is not False:
        if mark:
            b.mark(mark)
        return
    if tag == "span" and "num" in cls:  # lawbox paragraph numbers
        return
    if tag == "br":
        b.pending = True
        return
    if tag not in _BLOCK_TAGS:
        _children(el, b)
        return
    if b.glue and _continues_author(el, tag):
        b.pending = True
        _children(el, b)
        if tag == "p":
            b.glue = False
            b.flush()
        return
    b.glue = False
    b.flush()
    if tag in _HEADINGS and el.text_content().strip().upper() in ("NOTES", "FOOTNOTES"):
        b.notes = True
        return
    saved = (b.kind, b.footnote, b.group, b.part, b.author, b.pre)
    if tag == "opinion" or (tag == "article" and "opinion" in cls):
        b.part = part_of(el.get("type") or el.get("data-type")) or b.part
        b.author = None
        b.notes = False
    elif label := _footnote_label(el, tag, cls):
        b.kind, b.footnote, b.group = "footnote", label, b.new_group()
    elif tag in _HEADINGS and b.kind == "body":
        b.kind = "heading"
    elif tag == "pre":
        b.pre = True
    if tag == "author" or (tag == "p" and "author" in cls):
        _children(el, b)
        written = "".join(b.buf)
        b.author = clean_author(written)
        if re.match(r"\s*per curiam", written, re.I):
            b.part = "per curiam"
        b.glue = True
        # the block is flushed by the next block-level element (possibly after glued judges/p)
        return
    _children(el, b)
    b.glue = False
    b.flush()
    b.kind, b.footnote, b.group, b.part, b.author, b.pre = saved


def _footnote_label(el, tag: str, cls: set[str]) -> str | None:
    if tag == "footnote":
        return norm_label(el.get("label") or "") or (el.get("label") or "?").strip()
    if tag == "aside" and "footnote" in cls:
        return norm_label(el.get("data-label") or "") or (el.get("data-label") or "?").strip()
    if tag == "div" and "footnote" in cls:
        a = el.find(".//a")
        return norm_label(a.text_content() if a is not None else "") or (el.get("id") or "?").removeprefix("fn")
    if tag == "footnote_body":
        for sup in el.iter("sup"):
            if (sup.get("id") or "").startswith("fn"):
                return norm_label(sup.text_content()) or sup.get("id")[2:]
    return None


def _children(el, b: _Builder) -> None:
    b.text(el.text)
    for child in el:
        _walk(child, b)
        b.text(child.tail)


def backfill_first_page(blocks: list[RawBlock], first_page: int | None = None) -> None:
    """Text before the first page marker lies on the page before it: record that page at offset 0 of
    the first body block (never below ``first_page`` when the citation gives one)."""
    body = [r for r in blocks if r.kind != "footnote"]
    first = next(((i, r.page_breaks[0]) for i, r in enumerate(body) if r.page_breaks), None)
    if first is None:
        return
    i, (off, page) = first
    if i == 0 and off == 0:
        return
    prev = page - 1
    if prev < 1 or (first_page is not None and prev < first_page):
        return
    body[0].page_breaks.insert(0, (0, prev))
